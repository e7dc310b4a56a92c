"""Opening the pipeline's DuckDB file and creating its landing and validation tables.

The warehouse file is private to the pipeline: one writer at a time (Dagster pool
`nps_warehouse`), connections opened per step and closed at once so dbt can open it next.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dagster_project.lib.sources import SOURCES, SourceSpec

WRITER_POOL = "nps_warehouse"


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with UTC session time, so timestamps without an offset mean UTC."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        con.execute("set TimeZone = 'UTC'")
        yield con
    finally:
        con.close()


def _rows_table_ddl(spec: SourceSpec) -> str:
    text_columns = ",\n    ".join(f"{column} varchar" for column in spec.columns)
    return f"""
create table if not exists {spec.rows_table} (
    file_id varchar not null,
    row_number bigint not null,
    {text_columns},
    parse_error varchar,
    primary key (file_id, row_number)
)"""


def _segments_table_ddl(spec: SourceSpec) -> str:
    return f"""
create table if not exists {spec.segments_table} (
    file_id varchar not null,
    row_number bigint not null,
    segment_name varchar not null,
    segment_value varchar not null
)"""


LANDED_FILES_DDL = """
create table if not exists raw.landed_files (
    file_id varchar primary key,          -- SHA-256 of the file's bytes
    source varchar not null,              -- responses | invitations
    file_path varchar not null,           -- relative to NPS_RAW_DIR
    file_bytes bigint not null,
    encoding varchar,
    delimiter varchar,
    header_columns varchar[],
    ignored_columns varchar[],
    rows_read bigint not null,
    rejected_reason varchar,              -- set when the whole file cannot be used
    landing_seq bigint not null,          -- order of landing: a later file wins duplicates
    landed_at timestamptz not null,
    replaced_at timestamptz,              -- a corrected re-delivery under the same path
    replaced_by varchar
)"""

FILE_DELIVERIES_DDL = """
create table if not exists raw.file_deliveries (
    file_path varchar not null,
    file_id varchar not null,
    source varchar not null,
    outcome varchar not null,             -- landed | already_landed | replacement
    seen_at timestamptz not null
)"""


def ensure_landing_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists validated")
    con.execute(LANDED_FILES_DDL)
    con.execute(FILE_DELIVERIES_DDL)
    con.execute("create sequence if not exists raw.landing_seq")
    for spec in SOURCES:
        con.execute(_rows_table_ddl(spec))
        con.execute(_segments_table_ddl(spec))


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: object = None):
    rows = con.execute(sql, params).fetchall() if params is not None else con.sql(sql).fetchall()
    return rows[0][0] if rows else None
