"""No personal data leaves the pipeline's private warehouse.

The analytics inbox plants emails, phone numbers, Swedish personnummer, a Danish CPR, a
Norwegian fødselsnummer and case owners' names. After a real run (with on-disk Dagster
run storage, as `make run` has), every table and column of the published file and of the
lake (the Parquet the engines build from, which a Spark cluster reads), Dagster's stored
runs, events and logs, the dbt artifacts and logs, and the Great Expectations results are
scanned for them - and for the pseudonymisation key.
"""

from __future__ import annotations

import re
import subprocess

import duckdb
import pytest

from dagster_project.lake.layout import LAKE_TABLES
from tests.cli_runs import deployment
from tests.conftest import FIXTURES
from tests.pipeline import TEST_KEY

pytestmark = pytest.mark.pipeline

PLANTED = [
    "anna@example.se",
    "mette.hansen@example.dk",
    "070-123 45 67",
    "+47 912 34 567",
    "08-123 456 78",
    "19800101-1234",
    "010180-1234",
    "01018012345",
    "Karin Berg",
    "Søren Nielsen",
]


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


PLANTED_DIGITS = [digits(p) for p in PLANTED if len(digits(p)) >= 8]


def leaks_in(text: str) -> list[str]:
    found = [p for p in PLANTED + [TEST_KEY] if p.lower() in text.lower()]
    squeezed = digits(text)
    return found + [d for d in PLANTED_DIGITS if d in squeezed and d in re.sub(r"[\s\-+()]", "", text)]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("pii")
    site = deployment(root, FIXTURES / "inbox_analytics")
    dagster_home = root / "dagster_home"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = site.env()
    env["DAGSTER_HOME"] = str(dagster_home)
    result = subprocess.run(site.command(), env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    site.console = result.stdout + result.stderr
    site.dagster_home = dagster_home
    return site


def test_the_inbox_really_holds_the_planted_data(site):
    text = "".join(p.read_text(encoding="utf-8") for p in site.inbox.rglob("*.csv"))
    assert not [p for p in PLANTED if p not in text]


def leaks_in_columns(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(column, value, what) for every value of every table or view that holds planted data."""
    columns = con.execute(
        """select table_schema, table_name, column_name from information_schema.columns
           where table_catalog = current_database()"""
    ).fetchall()
    assert len(columns) > 100
    leaks = []
    for schema, table, column in columns:
        values = con.execute(
            f'select distinct cast("{column}" as varchar) from {schema}."{table}" '
            f'where "{column}" is not null'
        ).fetchall()
        for (value,) in values:
            found = leaks_in(value)
            if found:
                leaks.append((f"{schema}.{table}.{column}", value, found))
    return leaks


def test_no_table_or_column_of_the_published_file_holds_personal_data(site):
    con = duckdb.connect(str(site.published), read_only=True)
    try:
        assert leaks_in_columns(con) == []
    finally:
        con.close()


def test_no_table_or_column_of_the_lake_holds_personal_data(site):
    lake = site.warehouse.parent / "lake"
    con = duckdb.connect()
    try:
        for table in LAKE_TABLES:
            files = sorted((lake / table.name).rglob("*.parquet"))
            assert files, table.name
            listed = ", ".join(f"'{f}'" for f in files)  # paths of this test's own folder
            con.execute(
                f"create view {table.name} as "
                f"select * from read_parquet([{listed}], hive_partitioning = true)"
            )
        assert leaks_in_columns(con) == []
        for column, table in (
            ("respondent_key", "responses"),
            ("respondent_key", "invitations"),
            ("owner_key", "followups"),
        ):
            values = con.execute(f"select distinct {column} from {table}").fetchall()
            assert values and all(v is None or re.fullmatch("[0-9a-f]{64}", v) for (v,) in values)
    finally:
        con.close()


def test_dagster_runs_events_and_logs_hold_no_personal_data(site):
    files = [p for p in site.dagster_home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in files)  # runs and events were stored
    leaks = {}
    for path in files:
        found = leaks_in(path.read_bytes().decode("utf-8", errors="replace"))
        if found:
            leaks[str(path)] = found
    assert leaks == {}
    assert leaks_in(site.console) == []


def test_dbt_artifacts_and_gx_results_hold_no_personal_data(site):
    outputs = [site.warehouse.parent / name for name in ("dbt_target", "gx", "logs")]
    files = [p for folder in outputs for p in folder.rglob("*") if p.is_file()]
    assert len(files) > 10
    leaks = {}
    for path in files:
        found = leaks_in(path.read_bytes().decode("utf-8", errors="replace"))
        if found:
            leaks[str(path)] = found
    assert leaks == {}


def test_the_key_is_in_no_output_at_all(site):
    everything = [p for p in site.root.rglob("*") if p.is_file() and p.parent != site.inbox]
    holding = [str(p) for p in everything if TEST_KEY.encode() in p.read_bytes()]
    assert holding == []


def test_the_private_warehouse_holds_no_clear_respondent_or_owner_id(site):
    """Ids are pseudonymised as they land; only free text keeps what was written (it is
    redacted before anything readers open)."""
    con = duckdb.connect(str(site.warehouse), read_only=True)
    try:
        columns = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            "where column_name in ('respondent_id', 'owner', 'respondent_key', 'owner_key')"
        ).fetchall()
        assert columns and not [c for c in columns if c[2] in ("respondent_id", "owner")]
        for schema, table, column in columns:
            values = con.execute(f'select distinct "{column}" from {schema}."{table}"').fetchall()
            assert all(v is None or re.fullmatch("[0-9a-f]{64}", v) for (v,) in values), (table, column)
    finally:
        con.close()
