"""Opening the pipeline's DuckDB file and creating its landing and validation tables.

The warehouse file is private to the pipeline: one writer at a time (Dagster pool
`nps_warehouse`), connections opened per step and closed at once so dbt can open it next.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dagster_project.row_kinds import SOURCES, SourceSpec
from dagster_project.settings import DEFAULT_DUCKDB_MEMORY_LIMIT
from dagster_project.warehouse.locking import lock_timeout
from dagster_project.warehouse.memory import release_unused_memory

WRITER_POOL = "nps_warehouse"


LOCK_CONFLICT = "Could not set lock on file"
LOCK_RETRY_SECONDS = 0.5


def duckdb_config(memory_limit: str, spill_dir: Path | None) -> dict[str, str]:
    """Bounded memory for one connection: DuckDB spills to `spill_dir` past the limit
    instead of taking up to 80% of the machine's RAM."""
    config = {"memory_limit": memory_limit}
    if spill_dir is not None:
        spill_dir.mkdir(parents=True, exist_ok=True)
        config["temp_directory"] = str(spill_dir)
    return config


def _open(path: Path, read_only: bool, config: dict[str, str]) -> duckdb.DuckDBPyConnection:
    """Open the file; while another process still holds DuckDB's own lock on it (e.g. a dbt
    left running by a killed run), wait for it, up to NPS_LOCK_TIMEOUT."""
    deadline = time.monotonic() + lock_timeout()
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            if LOCK_CONFLICT not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(LOCK_RETRY_SECONDS)


@contextmanager
def connect(
    path: Path,
    read_only: bool = False,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT,
    spill_dir: Path | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with UTC session time (timestamps without an offset mean UTC), capped
    at `memory_limit` and spilling to `<file>.tmp` (DuckDB's default, so dbt agrees) or `spill_dir`."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    spill = spill_dir or (path.with_name(path.name + ".tmp") if not read_only else None)
    con = _open(path, read_only, duckdb_config(memory_limit, spill))
    try:
        con.execute("set TimeZone = 'UTC'")
        yield con
    finally:
        con.close()
        release_unused_memory()  # the next step (or dbt beside this process) gets it back


# Columns of the landing tables. Tables are created with the key columns and extended with
# `add column if not exists`, so a warehouse built by an older version gains new columns.
def _rows_table_columns(spec: SourceSpec) -> list[tuple[str, str]]:
    """Text columns of `raw.<kind>_rows`. Personal columns land as their keyed pseudonym
    (e.g. `respondent_key`): the clear id is never stored, not even in the private layer."""
    return [(spec.raw_column(column), "varchar") for column in spec.columns] + [("parse_error", "varchar")]


LANDED_FILES_COLUMNS = [
    ("source", "varchar"),  # the configured source (config/sources.yml)
    ("kind", "varchar"),  # responses | invitations
    ("format", "varchar"),  # csv | qualtrics_csv | surveymonkey_csv | xlsx | json
    ("file_path", "varchar"),  # relative to NPS_RAW_DIR
    ("file_bytes", "bigint"),
    ("encoding", "varchar"),
    ("delimiter", "varchar"),
    ("parser", "varchar"),  # duckdb | python | openpyxl | json
    ("header_columns", "varchar[]"),
    ("ignored_columns", "varchar[]"),
    ("mapped_columns", "varchar[]"),  # canonical columns found in the file or set as constants
    ("rows_read", "bigint"),
    ("rejected_reason", "varchar"),  # set when the whole file cannot be used
    ("landing_seq", "bigint"),  # order of landing: a later file wins duplicates
    ("landed_at", "timestamptz"),
    ("replaced_at", "timestamptz"),  # a corrected re-delivery under the same path
    ("replaced_by", "varchar"),
    # The source settings validation applies to this file's rows:
    ("timezone", "varchar"),
    ("timestamp_format", "varchar"),
    ("channel_map", "map(varchar, varchar)"),
    ("real_statuses", "varchar[]"),
    ("keep_unfinished_with_score", "boolean"),
    ("score_labels", "varchar"),
]

FILE_DELIVERIES_DDL = """
create table if not exists raw.file_deliveries (
    file_path varchar not null,
    file_id varchar not null,
    source varchar not null,
    outcome varchar not null,             -- landed | already_landed | replacement
    seen_at timestamptz not null
)"""

# Size and modification time when seen: an unchanged file is not read and hashed again.
FILE_DELIVERIES_COLUMNS = [("file_bytes", "bigint"), ("file_mtime_ns", "bigint")]

# Incremental bookkeeping (validated schema): which files the validated tables reflect and
# which invitations' answers changed (validation.py), which batches GX has checked
# (gx_validation.py), how far dbt has built (dbt_state.py), and what the published file was
# copied from (publish.py).
VERDICTS_DDL = """
create table if not exists validated.file_verdicts (
    file_id varchar not null,
    landing_seq bigint not null,      -- which landing of that content (it can land again)
    kind varchar not null,
    validation_seq bigint not null,   -- the validation run that last changed this file's rows
    is_live boolean not null          -- false once the file was replaced (its rows removed)
)"""

GX_CHECKED_DDL = """
create table if not exists validated.gx_checked_files (
    file_id varchar not null,
    landing_seq bigint not null,
    kind varchar not null,
    stage varchar not null,           -- landed | valid
    validation_seq bigint,            -- valid stage: the verdicts that were checked
    success boolean not null,
    rows_checked bigint not null,
    checked_at timestamptz not null
)"""

ANSWERS_TOUCHED_DDL = """
create table if not exists validated.answers_touched (
    validation_seq bigint not null,   -- the validation run in which
    invitation_id varchar not null    -- this invitation gained or lost a valid answer
)"""

WATERMARK_DDL = """
create table if not exists validated.dbt_built_through (
    validation_seq bigint not null,
    built_at timestamptz not null
)"""
WATERMARK_COLUMNS = [("full_build_at", "timestamptz")]  # the last build without increments

PUBLICATION_STATE_DDL = """
create table if not exists validated.publication_state (
    version varchar not null,              -- meta.publication.version of the published file
    validation_seq bigint,                 -- the validation run its incremental marts reflect
    dbt_full_build_at timestamptz          -- the dbt full build they were built on
)"""


def _add_columns(con: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]]) -> None:
    for name, data_type in columns:
        con.execute(f"alter table {table} add column if not exists {name} {data_type}")


def ensure_landing_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists validated")
    con.execute("create table if not exists raw.landed_files (file_id varchar primary key)")
    _add_columns(con, "raw.landed_files", LANDED_FILES_COLUMNS)
    con.execute(FILE_DELIVERIES_DDL)
    _add_columns(con, "raw.file_deliveries", FILE_DELIVERIES_COLUMNS)
    con.execute("create sequence if not exists raw.landing_seq")
    for ddl in (VERDICTS_DDL, GX_CHECKED_DDL, ANSWERS_TOUCHED_DDL, WATERMARK_DDL, PUBLICATION_STATE_DDL):
        con.execute(ddl)
    _add_columns(con, "validated.dbt_built_through", WATERMARK_COLUMNS)
    con.execute("create sequence if not exists validated.validation_seq")
    for spec in SOURCES:
        # No primary key on (file_id, row_number): a file's rows are inserted once, in the
        # transaction that first deletes any earlier rows of the same content, and the
        # per-file reconciliation (rows read = valid + quarantined + excluded) would show a
        # duplicate. Maintaining the index cost a third of the insert time at 10M rows.
        con.execute(
            f"""create table if not exists {spec.rows_table} (
                file_id varchar not null, row_number bigint not null)"""
        )
        _add_columns(con, spec.rows_table, _rows_table_columns(spec))
        con.execute(
            f"""create table if not exists {spec.segments_table} (
                file_id varchar not null, row_number bigint not null,
                segment_name varchar not null, segment_value varchar not null)"""
        )


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: object = None):
    rows = con.execute(sql, params).fetchall() if params is not None else con.sql(sql).fetchall()
    return rows[0][0] if rows else None
