"""The fast paths of the month and amount readers read every value as the general rules do.

Nearly every billed month is written `YYYY-MM` and every amount `1234.50`: those skip the
rewriting (trim, spaces, separators), which took two thirds of typing a billing row. The
readers are compared on hand-picked edge cases and on many random strings of the characters
the rules care about, in DuckDB.
"""

from __future__ import annotations

import random

import duckdb
import pytest

from dagster_project.validation.value_sql import (
    PLAIN_AMOUNT_PATTERN,
    PLAIN_MONTH_PATTERN,
    amount_sql,
    any_amount_sql,
    any_month_sql,
    any_month_text_sql,
    month_sql,
    month_text_sql,
)

MONTHS = [
    "2025-03", "2025-12", "2025-13", "2025-00", "2025-3", " 2025-03", "2025-03 ", "2025-03-01",
    "2025-03-01 00:00", "2025-03-01T00:00:00", "2025-03-02", "0000-01", "0999-12", "1000-01",
    "9999-12", "10000-01", "2025/03", "03-2025", "", " ", None, "2025-03\n", "２０２５-03",
]
AMOUNTS = [
    "12.50", "12,50", "-12.50", "+12.50", "-0", "-0.0", "0", ".5", "5.", "00012.3400",
    "1 234,50", "1.234,50", "1,234.50", "1'234.50", "\u22125.25", " 7.5", "7.5 ", "1e5",
    "12345678901234.5", "123456789012345.5", "99999999999999.99995", "0.00005", "0.00004",
    "١٢٣", "--5", "5-", "", " ", None, "12.345.678", "12,345,678.9",
]


def _random_strings(alphabet: str, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(count)]


def _compare(fast: str, general: str, values: list[str | None]) -> list[tuple]:
    con = duckdb.connect()
    con.execute("create table v (x varchar)")
    con.executemany("insert into v values (?)", [(value,) for value in values])
    return con.execute(
        f"select x, {fast} as fast, {general} as general from v where {fast} is distinct from {general}"
    ).fetchall()


@pytest.mark.parametrize(
    ("fast", "general"),
    [(month_sql("x"), any_month_sql("x")), (month_text_sql("x"), any_month_text_sql("x"))],
    ids=["month", "month_text"],
)
def test_a_plain_month_reads_as_the_general_rule_reads_it(fast, general):
    values = MONTHS + _random_strings("0123456789-  T:", 3000, seed=1)
    years = (0, 1, 999, 1000, 1999, 2025, 9999)
    values += [f"{year:04d}-{month:02d}" for year in years for month in range(14)]
    assert _compare(fast, general, values) == []


def test_a_plain_amount_reads_as_the_general_rule_reads_it():
    values = AMOUNTS + _random_strings("0123456789.,-+ ", 5000, seed=2)
    assert _compare(amount_sql("x"), any_amount_sql("x"), values) == []


def test_the_fast_paths_take_plain_values():
    # the fast path is no fallback that never fires: plain values match it
    con = duckdb.connect()
    matches = "select regexp_full_match(?, ?)"
    assert con.execute(matches, ["2025-03", PLAIN_MONTH_PATTERN]).fetchone()[0]
    assert con.execute(matches, ["-1234.50", PLAIN_AMOUNT_PATTERN]).fetchone()[0]
