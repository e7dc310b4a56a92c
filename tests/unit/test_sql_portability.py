"""The dbt models are written once for DuckDB and Spark (docs/spark.md).

What would make the two engines disagree without failing, and so must not be written:
- a decimal literal in arithmetic (`100.0 * promoters / responses`): both engines read 100.0
  as a decimal, and Spark keeps a quotient of decimals to as few as 6 decimal places (the
  sums of the change decomposition drifted by 1e-6); floating-point constants are written
  as doubles (`100e0`);
- a function only one engine has, outside the macros that dispatch per engine.
"""

from __future__ import annotations

import re
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR

DECIMAL_LITERAL = re.compile(r"(?<![\w.'])\d+\.\d+(?![\w.'e])")
# Engine-only functions and syntax, and the dispatched macro that stands for each.
ENGINE_ONLY = {
    r"\bregexp_matches\s*\(": "text_matches",
    r"\bregexp_full_match\s*\(": "text_matches",
    r"\bregexp_replace\s*\(": "replace_matches",
    r"\bstring_split(_regex)?\s*\(": "split_words",
    r"\blist_contains\s*\(": "list_has",
    r"\bunnest\s*\(": "split_words",
    r"\bstring_agg\s*\(": "sorted_text_list",
    r"\bat time zone\b": "to_local_date / local_midnight",
    r"with time zone": "type_timestamp_tz",
    r"::": "cast(... as ...)",
    r"\bdbt\.(dateadd|datediff|listagg)\b": (
        "date_shift, timestamp_shift, days_between, seconds_between, sorted_text_list"
    ),
}
# Where each engine's own implementation lives (side by side).
DISPATCHING = {"text.sql", "to_local_date.sql", "periods.sql", "lake.sql", "contracts.sql", "seeds.sql"}


def sql_files() -> list[Path]:
    return sorted(
        p for folder in ("models", "macros", "tests") for p in (DBT_PROJECT_DIR / folder).rglob("*.sql")
    )


def code_of(text: str) -> list[tuple[int, str]]:
    """The lines of SQL and Jinja code, without comments and quoted text."""
    text = re.sub(r"\{#.*?#\}", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    lines = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("--", 1)[0]
        lines.append((number, re.sub(r"'(?:[^']|'')*'", "''", line)))
    return lines


def test_no_decimal_literal_in_the_models_arithmetic():
    found = [
        f"{path.relative_to(DBT_PROJECT_DIR)}:{number}: {line.strip()}"
        for path in sql_files()
        for number, line in code_of(path.read_text())
        if DECIMAL_LITERAL.search(line)
    ]
    # the arithmetic in Jinja strings counts too (macros build SQL from them)
    quoted = [
        f"{path.relative_to(DBT_PROJECT_DIR)}: {match.group(0)}"
        for path in sql_files()
        for match in re.finditer(r"'[^'\n]*[(+*/-]\s*\d+\.\d+(?![\de])[^'\n]*'", path.read_text())
    ]
    assert found == [] and quoted == []


def test_engine_only_sql_is_only_in_the_dispatching_macros():
    found = []
    for path in sql_files():
        if path.name in DISPATCHING:
            continue
        for number, line in code_of(path.read_text()):
            for pattern, instead in ENGINE_ONLY.items():
                if re.search(pattern, line, re.IGNORECASE):
                    where = f"{path.relative_to(DBT_PROJECT_DIR)}:{number}"
                    found.append(f"{where}: use {instead}: {line.strip()}")
    assert found == []


def test_the_checks_see_what_they_look_for():
    # the rules find a decimal literal and an engine-only function where they are
    assert DECIMAL_LITERAL.search("select 100.0 * promoters / responses")
    assert not DECIMAL_LITERAL.search("select 100e0 * promoters, 1.5e0 + x")
    assert code_of("select regexp_matches(x, '1.0') -- 2.0\n")[0][1].count("1.0") == 0
    assert any(re.search(p, "cast(x as timestamp with time zone)") for p in ENGINE_ONLY)
