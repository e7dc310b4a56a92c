"""Row-level validation in DuckDB: every landed row becomes valid or quarantined, with a reason.

The rules mirror the Great Expectations suites in `expectations/` (which then check every
batch independently, see `gx_validation.py`). Each row gets the first failing rule, in
this order: file rejected, unparseable row, missing required value, score, timestamp,
channel; and among rows that pass, the id must be unique (the later landed file, then
the later row, wins; the loser is quarantined with a pointer to the winner).

Validated tables are rebuilt from all live landed rows in one transaction, so a re-run
gives the same result and a late file can change which row wins.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from dagster_project.lib.pseudonymise import PseudonymKey, hmac_sql
from dagster_project.lib.sources import CHANNELS, SourceSpec

# The score must read as a whole number from 0 to 10: 10, 10.0 and 10,0 are 10.
SCORE_PATTERN = r"(?:10|[0-9])(?:[.,]0+)?"  # the same pattern as the GX suite
NUMBER_PATTERN = r"-?[0-9]+([.,][0-9]+)?"
_VALUE_IN_MESSAGE_CHARS = 60


def _quoted(expression: str) -> str:
    return f"'''' || left({expression}, {_VALUE_IN_MESSAGE_CHARS}) || ''''"


def _blank(column: str) -> str:
    return f"nullif(trim({column}), '') is null"


def problem_sql(spec: SourceSpec) -> str:
    """A CASE expression naming the first rule a landed row breaks (NULL when none)."""
    branches = [
        ("file_rejected_reason is not null", "'file rejected: ' || file_rejected_reason"),
        ("parse_error is not null", "'malformed row: ' || parse_error"),
    ]
    for column in spec.required:
        branches.append((_blank(column), f"'{column} is missing'"))
    if spec.score_column:
        score = f"trim({spec.score_column})"
        branches += [
            (
                "score_number is null",
                f"'{spec.score_column} ' || {_quoted(score)} || ' is not a number'",
            ),
            (
                "score_number <> floor(score_number)",
                f"'{spec.score_column} ' || {_quoted(score)} || ' is not a whole number'",
            ),
            (
                "score_number < 0 or score_number > 10",
                f"'{spec.score_column} ' || {_quoted(score)} || ' is outside the 0–10 scale'",
            ),
            (
                f"not regexp_full_match({score}, '{SCORE_PATTERN}')",
                f"'{spec.score_column} ' || {_quoted(score)}"
                " || ' is not written as a whole number from 0 to 10'",
            ),
        ]
    ts = spec.timestamp_column
    branches += [
        (
            "timestamp_value is null",
            f"'{ts} ' || {_quoted(f'trim({ts})')} || ' is not an ISO 8601 timestamp'",
        ),
        (
            "timestamp_value > $validated_at",
            f"'{ts} ' || {_quoted(f'trim({ts})')} || ' is in the future'",
        ),
        (
            f"channel_value not in ({', '.join(repr(c) for c in CHANNELS)})",
            f"'channel ' || {_quoted('trim(channel)')} || ' is not one of {', '.join(CHANNELS)}'",
        ),
    ]
    cases = "\n            ".join(f"when {cond} then {reason}" for cond, reason in branches)
    return f"case\n            {cases}\n        end"


def _checked_rows_sql(spec: SourceSpec) -> str:
    score_number = "null::double"
    if spec.score_column:
        score = f"trim({spec.score_column})"
        score_number = (
            f"case when regexp_full_match({score}, '{NUMBER_PATTERN}') "
            f"then cast(replace({score}, ',', '.') as double) end"
        )
    return f"""
    with live_rows as (
        select rows.*, files.file_path, files.landing_seq, files.landed_at,
               files.rejected_reason as file_rejected_reason
        from {spec.rows_table} as rows
        join raw.landed_files as files using (file_id)
        where files.replaced_at is null
    ),
    typed as (
        select *,
            nullif(trim({spec.id_column}), '') as id_value,
            try_cast(trim({spec.timestamp_column}) as timestamptz) as timestamp_value,
            lower(trim(channel)) as channel_value,
            {score_number} as score_number
        from live_rows
    ),
    checked as (
        select *, {problem_sql(spec)} as problem
        from typed
    )
    select *,
        case when problem is null then row_number() over latest_first end as id_rank,
        case when problem is null then first_value(file_path) over latest_first end
            as winner_file_path,
        case when problem is null then first_value(row_number) over latest_first end
            as winner_row_number
    from checked
    window latest_first as (
        partition by id_value, problem is null
        order by landing_seq desc, row_number desc
    )"""


def _valid_columns_sql(spec: SourceSpec) -> str:
    expressions = []
    for column in spec.columns:
        if column in spec.personal_columns:
            expressions.append(f"{hmac_sql(column)} as respondent_key")
        elif column == spec.timestamp_column:
            expressions.append(f"timestamp_value as {column}")
        elif column == spec.score_column:
            expressions.append(f"cast(score_number as utinyint) as {column}")
        elif column == "channel":
            expressions.append("channel_value as channel")
        else:
            expressions.append(f"nullif(trim({column}), '') as {column}")
    return ",\n            ".join(expressions)


def _raw_values_sql(spec: SourceSpec) -> str:
    shown = [c for c in spec.columns if c not in spec.personal_columns + spec.free_text_columns]
    return "to_json(struct_pack(" + ", ".join(f"{c} := {c}" for c in shown) + "))"


def validate_source(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    key: PseudonymKey,
    validated_at: dt.datetime | None = None,
) -> None:
    """Rebuild `validated.<source>`, its segments and its quarantine from the live raw rows."""
    validated_at = validated_at or dt.datetime.now(dt.UTC)
    con.execute("begin transaction")
    try:
        con.execute(
            f"create or replace temp table _checked as {_checked_rows_sql(spec)}",
            {"validated_at": validated_at},
        )
        con.execute(
            f"""
            create or replace table {spec.valid_table} as
            select file_id, row_number,
            {_valid_columns_sql(spec)}
            from _checked
            where problem is null and id_rank = 1
            order by file_id, row_number""",
            key.sql_params(),
        )
        con.execute(
            f"""
            create or replace table {spec.valid_table}_segments as
            select segments.file_id, segments.row_number,
                   lower(trim(segments.segment_name)) as segment_name,
                   trim(segments.segment_value) as segment_value
            from {spec.segments_table} as segments
            semi join {spec.valid_table} as valid using (file_id, row_number)""",
        )
        con.execute(
            f"""
            create or replace table {spec.quarantine_table} as
            select
                '{spec.name}' as source,
                file_id,
                file_path,
                row_number,
                coalesce(
                    problem,
                    '{spec.id_column} ' || {_quoted("id_value")} || ' is repeated; kept '
                    || winner_file_path || ' row ' || winner_row_number
                ) as reason,
                {_raw_values_sql(spec)} as raw_values,
                landed_at
            from _checked
            where problem is not null or id_rank > 1
            order by file_path, row_number"""
        )
        con.execute("drop table _checked")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


@dataclass(frozen=True)
class FileReconciliation:
    file_path: str
    rows_read: int
    valid: int
    quarantined: int

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.valid + self.quarantined


def reconcile(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> list[FileReconciliation]:
    """Per live file: rows read, valid and quarantined."""
    rows = con.execute(
        f"""
        select files.file_path, files.rows_read,
               coalesce(valid.n, 0), coalesce(quarantined.n, 0)
        from raw.landed_files as files
        left join (select file_id, count(*) as n from {spec.valid_table} group by all) as valid
            using (file_id)
        left join (
            select file_id, count(*) as n from {spec.quarantine_table} group by all
        ) as quarantined using (file_id)
        where files.source = $source and files.replaced_at is null
        order by files.file_path""",
        {"source": spec.name},
    ).fetchall()
    return [FileReconciliation(*row) for row in rows]
