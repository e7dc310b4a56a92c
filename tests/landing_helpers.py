"""Landing and validating a small inbox of canonical response files on a real DuckDB file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import duckdb

from dagster_project.landing.land import land_source
from dagster_project.landing.sources import SourceConfig
from dagster_project.row_kinds import RESPONSES
from dagster_project.validation.verdicts import validate_kind
from dagster_project.warehouse.connection import connect
from dagster_project.warehouse.tables import ensure_landing_tables
from tests.pipeline import LANDING_KEY

CANONICAL_RESPONSES = SourceConfig(name="responses", kind="responses", folder="responses")


def land_and_validate(root: Path, files: dict[str, str], validated_at: dt.datetime) -> Path:
    """Write files into root/inbox/responses, land and validate them; returns the warehouse."""
    folder = root / "inbox" / "responses"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    warehouse = root / "w.duckdb"
    with connect(warehouse) as con:
        ensure_landing_tables(con)
        land_source(con, CANONICAL_RESPONSES, root / "inbox", root / "work", LANDING_KEY)
        validate_kind(con, RESPONSES, validated_at=validated_at)
    return warehouse


def csv_bytes(columns: list[str], records: list[dict]) -> bytes:
    """`records` as a CSV file with a header of `columns`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([record[c] for c in columns])
    return buffer.getvalue().encode()


def table_snapshot(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...]) -> dict[str, list[tuple]]:
    """Every row of `tables`, as text, sorted: two states compare equal when their rows do."""
    return {
        table: sorted(tuple(map(str, r)) for r in con.execute(f"select * from {table}").fetchall())
        for table in tables
    }
