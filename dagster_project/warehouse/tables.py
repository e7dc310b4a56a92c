"""The pipeline's own tables (raw and validated schemas), created or extended on connect.

Tables are created with their key columns and extended with `add column if not exists`,
so a warehouse built by an older version gains new columns.
"""

from __future__ import annotations

import duckdb

from dagster_project.alerts.outbox import OUTBOX_DDL
from dagster_project.row_kinds import ROW_KINDS, RowKind
from dagster_project.warehouse.build_clock import BUILD_CLOCK_DDL


def _rows_table_columns(kind: RowKind) -> list[tuple[str, str]]:
    """Text columns of `raw.<kind>_rows`. Personal columns land as their keyed pseudonym
    (e.g. `respondent_key`): the clear id is never stored, not even in the private layer."""
    return [(kind.raw_column(column), "varchar") for column in kind.columns] + [("parse_error", "varchar")]


LANDED_FILES_COLUMNS = [
    ("source", "varchar"),  # the configured source (config/sources.yml)
    ("kind", "varchar"),  # the kind of row: responses | invitations | followups | customers | revenue
    ("format", "varchar"),  # csv | qualtrics_csv | surveymonkey_csv | xlsx | json
    ("file_path", "varchar"),  # relative to NPS_RAW_DIR; `<archive>!<member>` for a member
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
    ("currency", "varchar"),  # revenue: the programme's currency (ISO 4217), every row's
    # a later event of the same response replaces this file's row (a Delighted update)
    ("later_event_replaces", "boolean"),
    # A member of an archive: the archive's path (relative to NPS_RAW_DIR) and its name inside
    ("archive_path", "varchar"),
    ("archive_member", "varchar"),
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
# which invitations' answers changed (validation/verdicts.py), which batches GX has checked
# (validation/gx.py), how far dbt has built (warehouse/dbt_watermark.py), and what the
# published file was copied from (publishing/publish.py).
VERDICTS_DDL = """
create table if not exists validated.file_verdicts (
    file_id varchar not null,
    landing_seq bigint not null,      -- which landing of that content (it can land again)
    kind varchar not null,
    validation_seq bigint not null,   -- the validation run that last changed this file's rows
    is_live boolean not null          -- false once the file was replaced (its rows removed)
)"""
# Whether a responses file holds an employee answer (survey_type employee on any landed row,
# valid or not; false for other kinds; NULL in warehouses of older versions: unknown). A build
# leaves the HR audience's models alone when no changed file holds one (defs/transform/selection.py).
# The validation run that last changed which of the file's rows are valid (`validation_seq`
# also moves when only its quarantine changed: a losing row now points to another winner);
# what reads valid rows by file (dbt's incremental models, the lake, GX's valid stage)
# follows this one. NULL in warehouses of older versions: read as validation_seq.
# `first_judged_seq`: the run that first judged this landing of the file; its rows that
# changed validity in later runs are in `validated.rows_revalidated` (so a file judged before
# the last build counts by those rows, not whole). Older warehouses: their last run.
VERDICTS_COLUMNS = [
    ("holds_employee_answers", "boolean"),
    ("valid_rows_seq", "bigint"),
    ("first_judged_seq", "bigint"),
]

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

ROWS_REVALIDATED_DDL = """
create table if not exists validated.rows_revalidated (
    validation_seq bigint not null,   -- the validation run in which this row of a file
    kind varchar not null,            -- judged in an earlier run became valid or stopped
    file_id varchar not null,         -- being valid (a later file took over its id, or
    row_number bigint not null        -- gave it back)
)"""

WATERMARK_DDL = """
create table if not exists validated.dbt_built_through (
    validation_seq bigint not null,
    built_at timestamptz not null
)"""
WATERMARK_COLUMNS = [
    ("full_build_at", "timestamptz"),  # the last build without increments
    # the dbt target built (one watermark per target: DuckDB's and Spark's marts are apart);
    # a warehouse of an older version had only DuckDB's
    ("target", "varchar default 'local'"),
    # when the clock alone next changes what this build holds (build_clock.next_change_at):
    # models that judge by the build time are rebuilt from then on
    ("next_change_at", "timestamptz"),
]

PUBLICATION_STATE_DDL = """
create table if not exists validated.publication_state (
    version varchar not null,              -- meta.publication.version of the published file
    validation_seq bigint,                 -- the validation run its incremental marts reflect
    dbt_full_build_at timestamptz          -- the dbt full build they were built on
)"""


# Which dbt build last (re)built each table (`build_number` from the sequence
# validated.dbt_build_seq, one per dbt build of a target): publishing keeps a published
# table that no build changed since the file was made (publishing/increment.py).
RELATION_BUILDS_DDL = """
create table if not exists validated.dbt_relation_builds (
    target varchar not null,
    relation varchar not null,        -- schema.table, as published
    build_number bigint not null
)"""
PUBLICATION_STATE_COLUMNS = [("dbt_build_number", "bigint")]  # the builds the file reflects


AWAITING_TIME_DDL = """
create table if not exists validated.awaiting_time (
    kind varchar not null,
    file_id varchar not null,
    row_number bigint not null,
    id_value varchar,                 -- the row's id: its id is judged again when due
    due_at timestamptz not null       -- quarantined as in the future until this moment
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
    ddls = (VERDICTS_DDL, GX_CHECKED_DDL, ANSWERS_TOUCHED_DDL, ROWS_REVALIDATED_DDL, WATERMARK_DDL)
    ddls += (PUBLICATION_STATE_DDL,)
    for ddl in (*ddls, AWAITING_TIME_DDL, BUILD_CLOCK_DDL, RELATION_BUILDS_DDL, OUTBOX_DDL):
        con.execute(ddl)
    _add_columns(con, "validated.dbt_built_through", WATERMARK_COLUMNS)
    _add_columns(con, "validated.file_verdicts", VERDICTS_COLUMNS)
    con.execute(
        "update validated.file_verdicts set first_judged_seq = validation_seq where first_judged_seq is null"
    )
    _add_columns(con, "validated.publication_state", PUBLICATION_STATE_COLUMNS)
    con.execute("create sequence if not exists validated.dbt_build_seq")
    con.execute("create sequence if not exists validated.validation_seq")
    # A load record is live until a corrected file under the same path replaces it.
    con.execute(
        "create or replace view raw.live_files as select * from raw.landed_files where replaced_at is null"
    )
    for kind in ROW_KINDS:
        # No primary key on (file_id, row_number): a file's rows are inserted once, in the
        # transaction that first deletes any earlier rows of the same content, and the
        # per-file reconciliation (rows read = valid + quarantined + excluded) would show a
        # duplicate. Maintaining the index cost a third of the insert time at 10M rows.
        con.execute(
            f"""create table if not exists {kind.rows_table} (
                file_id varchar not null, row_number bigint not null)"""
        )
        _add_columns(con, kind.rows_table, _rows_table_columns(kind))
        con.execute(
            f"""create table if not exists {kind.segments_table} (
                file_id varchar not null, row_number bigint not null,
                segment_name varchar not null, segment_value varchar not null)"""
        )
