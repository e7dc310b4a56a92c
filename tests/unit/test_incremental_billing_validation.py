"""Property-based, for billing exports: validating delivery by delivery gives exactly what
one rebuild from all live landed rows gives. A billing row's id has two parts (the
customer's pseudonym and the month, written in several ways), and a later export replaces
an earlier one's row for the same customer and month; the rows judged again are found
through the customer first (validation/verdicts.py), which this holds against a rebuild."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.landing.land import land_source
from dagster_project.landing.sources import SourceConfig
from dagster_project.row_kinds import REVENUE
from dagster_project.validation.reconciliation import reconcile
from dagster_project.validation.verdicts import validate_kind
from dagster_project.warehouse.tables import ensure_landing_tables
from tests.landing_helpers import csv_bytes, table_snapshot
from tests.pipeline import LANDING_KEY

BILLING = SourceConfig(name="revenue", kind="revenue", folder="revenue", currency="SEK")
COLUMNS = ["customer_id", "month", "revenue", "currency"]
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
VALIDATED_TABLES = (REVENUE.valid_table, REVENUE.quarantine_table)

row = st.fixed_dictionaries(
    {
        # a few customers, one of them written with spaces around it, and a blank
        "customer_id": st.sampled_from(["C1", "C2", "C3", " C1 ", ""]),
        # one month written three ways, another month, a month to come, no month
        "month": st.sampled_from(["2025-01", "2025-01-01", " 2025-01 ", "2025-02", "2099-01", "x", ""]),
        "revenue": st.sampled_from(["100", "-5,50", "1 234.50", "x"]),
        "currency": st.sampled_from(["SEK", "EUR"]),
    }
)
delivery = st.one_of(
    # an export under one of a few names: a name seen before is a corrected re-delivery
    st.tuples(st.just("file"), st.sampled_from(["a.csv", "b.csv", "late/c.csv"]), st.lists(row, max_size=6)),
    # the content of an earlier delivery again, under another name
    st.tuples(st.just("copy"), st.sampled_from(["copy1.csv", "copy2.csv"]), st.integers(0, 10)),
    # the clock moves on, nothing arrives
    st.tuples(st.just("clock"), st.sampled_from([24 * 31, 24 * 365 * 80]), st.none()),
)


def as_csv(records: list[dict]) -> bytes:
    return csv_bytes(COLUMNS, records)


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return table_snapshot(con, VALIDATED_TABLES)


@given(st.lists(delivery, min_size=1, max_size=8))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_incremental_billing_validation_equals_a_rebuild(deliveries):
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        folder = inbox / BILLING.folder
        (folder / "late").mkdir(parents=True)
        written: list[bytes] = []
        con = duckdb.connect()
        con.execute("set TimeZone = 'UTC'")
        ensure_landing_tables(con)
        modes = []
        now = NOW
        for step, (kind, name, payload) in enumerate(deliveries):
            if kind == "clock":
                now += dt.timedelta(hours=name)
                if modes:
                    modes.append(validate_kind(con, REVENUE, now).mode)
                continue
            if kind == "copy" and not written:
                continue
            content = as_csv(payload) if kind == "file" else written[payload % len(written)]
            path = folder / name
            path.write_bytes(content)
            os.utime(path, ns=(step * 10**9 + 10**9, step * 10**9 + 10**9))
            written.append(content)
            land_source(con, BILLING, inbox, Path(tmp) / "work", LANDING_KEY)
            modes.append(validate_kind(con, REVENUE, now).mode)
            assert all(f.reconciles for f in reconcile(con, REVENUE))
        if not modes:
            return
        incremental = snapshot(con)
        validate_kind(con, REVENUE, now, full=True)
        assert snapshot(con) == incremental
        con.close()
    assert modes[0] == "full"
