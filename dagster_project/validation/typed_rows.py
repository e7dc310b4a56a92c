"""Typed rows: the one definition of what validation and Great Expectations look at.

A live landed row (text, as delivered) joined to its file's settings, with its values
normalised: the id trimmed, each timestamp parsed in the file's time zone and format, the
channel mapped and lower-cased, the score as text and as a number. SQL validation
(`rules.py`, `verdicts.py`) judges these columns; the GX checkpoints (`gx.py`) get the same
columns in their batches, so both see the same values and judge them independently.
"""

from __future__ import annotations

import duckdb

from dagster_project.row_kinds import RowKind
from dagster_project.validation.value_sql import (
    amount_sql,
    channel_sql,
    date_sql,
    month_sql,
    score_number_sql,
    score_text_sql,
    timestamp_sql,
)


def typed_name(timestamp_column: str) -> str:
    """Name of the parsed value of a timestamp column in the typed rows."""
    return f"ts__{timestamp_column}"


def date_name(date_column: str) -> str:
    """Name of the parsed value of a date column in the typed rows."""
    return f"d__{date_column}"


def typed_columns_sql(kind: RowKind, timestamp_formats: list[str]) -> str:
    """The normalised values the rules and GX look at (needs the landed_files settings)."""
    columns = [f"{kind.id_sql()} as id_value"]
    for ts in kind.timestamp_columns:
        columns.append(
            f"{timestamp_sql(ts, 'timezone', 'timestamp_format', timestamp_formats)} as {typed_name(ts)}"
        )
    if kind.timestamp_column:
        columns.append(f"{typed_name(kind.timestamp_column)} as timestamp_value")
    else:
        columns.append("null::timestamptz as timestamp_value")
    columns += [f"{date_sql(column)} as {date_name(column)}" for column in kind.date_columns]
    if kind.month_column:
        columns.append(f"{month_sql(kind.month_column)} as month_value")
    if kind.amount_column:
        columns.append(f"{amount_sql(kind.amount_column)} as amount_number")
    if kind.currency_column:
        columns.append(f"upper(nullif(trim({kind.currency_column}), '')) as currency_value")
    # Kinds without a channel or a score get typed NULLs, so every kind has the same columns.
    if kind.channel_column:
        columns.append(f"{channel_sql(kind.channel_column, 'channel_map')} as channel_value")
    else:
        columns.append("null::varchar as channel_value")
    if kind.score_column:
        labels = "coalesce(score_labels = 'leading_number', false)"
        columns += [
            f"{score_text_sql(kind.score_column, labels)} as score_text",
            f"{score_number_sql(kind.score_column, labels)} as score_number",
        ]
    else:
        columns += ["null::varchar as score_text", "null::double as score_number"]
    return ",\n            ".join(columns)


FILE_SETTINGS = (
    "file_rejected_reason",
    "timezone",
    "timestamp_format",
    "channel_map",
    "real_statuses",
    "keep_unfinished_with_score",
    "score_labels",
    "expected_currency",
)


def live_rows_sql(kind: RowKind) -> str:
    """Landed rows of files still in use, with their file's settings."""
    return f"""
        select rows.*, files.file_path, files.landing_seq, files.landed_at,
               files.rejected_reason as file_rejected_reason, files.timezone,
               files.timestamp_format, files.channel_map, files.real_statuses,
               files.keep_unfinished_with_score, files.score_labels,
               files.currency as expected_currency,
               coalesce(files.later_event_replaces, false) as later_event_replaces
        from {kind.rows_table} as rows
        join raw.live_files as files using (file_id)
        where true"""


def timestamp_formats(con: duckdb.DuckDBPyConnection, kind: RowKind) -> list[str]:
    rows = con.execute(
        """select distinct timestamp_format from raw.landed_files
           where kind = $kind and timestamp_format is not null""",
        {"kind": kind.name},
    ).fetchall()
    return [row[0] for row in rows]
