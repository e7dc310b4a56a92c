"""Writing the verdicts of `_checked` (judging.py): valid rows (typed, free text redacted)
and their segments into `validated.<kind>` and `validated.<kind>_segments`, the rest into
`validated.<kind>_quarantine` (quarantined, or excluded: not an error), with a reason that
names the rule, and the rows in the future into `validated.awaiting_time`."""

from __future__ import annotations

import duckdb

from dagster_project.row_kinds import SURVEY_TOOL_COLUMNS, RowKind
from dagster_project.validation.redaction import redact_sql
from dagster_project.validation.rules import IN_THE_FUTURE, quoted_value
from dagster_project.validation.typed_rows import date_name, typed_name

SEGMENT_BATCH_ROWS = 2_000_000  # valid rows whose segments are written in one statement


def create_verdict_tables(con: duckdb.DuckDBPyConnection, kind: RowKind) -> None:
    """The three validated tables of a kind, empty, with the columns the verdicts have."""
    con.execute(f"create or replace table {kind.valid_table} as {_valid_rows_sql(kind)} limit 0")
    con.execute(
        f"create or replace table {kind.valid_table}_segments as "
        f"{_valid_segments_sql(kind, batch=False)} limit 0"
    )
    con.execute(f"create or replace table {kind.quarantine_table} as {_rejected_rows_sql(kind)} limit 0")


def _valid_columns_sql(kind: RowKind) -> str:
    expressions = []
    for column in kind.columns:
        if column in kind.personal_columns:
            expressions.append(kind.personal_columns[column])  # pseudonymised as it landed
        elif column in kind.timestamp_columns:
            expressions.append(f"{typed_name(column)} as {column}")
        elif column in kind.date_columns:
            expressions.append(f"{date_name(column)} as {column}")
        elif column == kind.month_column:
            expressions.append(f"strftime(month_value, '%Y-%m') as {column}")
        elif column == kind.amount_column:
            expressions.append(f"amount_number as {column}")
        elif column == kind.currency_column:
            expressions.append(f"currency_value as {column}")
        elif column == kind.score_column:
            expressions.append(f"cast(score_number as utinyint) as {column}")
        elif column == kind.channel_column:
            expressions.append(f"channel_value as {column}")
        elif column in kind.enumerations:
            default = kind.enumerations[column][1]
            expressions.append(f"coalesce(lower(nullif(trim({column}), '')), '{default}') as {column}")
        elif column in kind.free_text_columns:
            expressions.append(f"{redact_sql(f'nullif(trim({column}), {chr(39) * 2})')} as {column}")
        elif column in SURVEY_TOOL_COLUMNS:
            continue  # used by the rules; not carried into valid rows
        else:
            expressions.append(f"nullif(trim({column}), '') as {column}")
    return ",\n            ".join(expressions)


def _raw_values_sql(kind: RowKind) -> str:
    hidden = set(kind.personal_columns) | set(kind.free_text_columns)
    shown = [c for c in kind.columns if c not in hidden]
    return "to_json(struct_pack(" + ", ".join(f"{c} := {c}" for c in shown) + "))"


def _valid_rows_sql(kind: RowKind) -> str:
    return f"""
        select file_id, row_number,
        {_valid_columns_sql(kind)}
        from _checked
        where problem is null and exclusion is null and id_rank = 1"""


def _valid_segments_sql(kind: RowKind, batch: bool = True) -> str:
    """Segments of the valid rows (of the files in `$files`, a batch). Rows are matched by
    (landing_seq, row_number): 16 bytes a key, where the file's id is a 64-character hash."""
    in_batch = "list_contains($files, file_id)" if batch else "true"
    return f"""
        select segments.file_id, segments.row_number,
               lower(trim(segments.segment_name)) as segment_name,
               trim(segments.segment_value) as segment_value
        from {kind.segments_table} as segments
        join (
            select file_id, landing_seq from raw.live_files
            where {in_batch}
        ) as files using (file_id)
        semi join (
            select landing_seq, row_number from _checked
            where problem is null and exclusion is null and id_rank = 1 and {in_batch}
        ) as valid
            on files.landing_seq = valid.landing_seq and segments.row_number = valid.row_number"""


def _file_batches(
    con: duckdb.DuckDBPyConnection, rows_per_batch: int = SEGMENT_BATCH_ROWS
) -> list[list[str]]:
    """The files of `_checked` in groups of about `rows_per_batch` valid rows."""
    batches: list[list[str]] = []
    size = rows_per_batch
    for file_id, rows in con.execute(
        """select file_id, count(*) from _checked
           where problem is null and exclusion is null and id_rank = 1
           group by file_id order by file_id"""
    ).fetchall():
        if size + rows > rows_per_batch and size > 0:
            batches.append([])
            size = 0
        batches[-1].append(file_id)
        size += rows
    return batches


def _rejected_rows_sql(kind: RowKind) -> str:
    # A later export of a CRM or billing record replaces the earlier one, and so does a later
    # event of a source whose events carry the whole response again (a Delighted update):
    # not an error. Elsewhere a repeated id is quarantined with a pointer to the row that won.
    if kind.later_export_replaces:
        replaced, repeated = "problem is null and id_rank > 1", "'is in a later export'"
    else:
        replaced = "problem is null and id_rank > 1 and later_event_replaces"
        repeated = "case when later_event_replaces then 'is replaced by a later event' else 'is repeated' end"
    # Reasons and raw values quote what was delivered: personal data that landed in the
    # wrong column is redacted there too. A pseudonym is ours, not delivered: not redacted.
    repeated_reason = (
        f"'{kind.id_label} ' || {quoted_value(_id_shown_sql(kind))} || ' ' || {repeated}"
        f" || '; kept ' || {redact_sql('winner_file_path')} || ' row ' || winner_row_number"
    )
    return f"""
        select
            '{kind.name}' as kind,
            file_id,
            file_path,
            row_number,
            case when exclusion is not null or ({replaced}) then 'excluded' else 'quarantined' end
                as disposition,
            coalesce({redact_sql("coalesce(exclusion, problem)")}, {repeated_reason}) as reason,
            {redact_sql("raw_text")} as raw_values,
            landed_at
        from (
            select *, cast({_raw_values_sql(kind)} as varchar) as raw_text
            from _checked
            where exclusion is not null or problem is not null or id_rank > 1
        )
        order by file_path, row_number"""


def _id_shown_sql(kind: RowKind) -> str:
    """The id as a reason quotes it: its parts joined by ' / ', a pseudonym by its first 12
    characters (enough to find it, short enough to leave room for the rest)."""
    parts = [
        f"left(trim({kind.raw_column(c)}), 12) || '…'"
        if c in kind.personal_columns
        else redact_sql(f"trim({c})")
        for c in kind.id_columns
    ]
    return " || ' / ' || ".join(parts)


def write_verdicts(con: duckdb.DuckDBPyConnection, kind: RowKind, validated_at) -> None:
    """Insert the verdicts of the rows in `_checked` into the three validated tables, and
    the rows in the future into `validated.awaiting_time` (judged again when due)."""
    con.execute(f"insert into {kind.valid_table} {_valid_rows_sql(kind)}")
    # Segments batch by batch of files: the join on (file, row) then fits the memory limit
    # however large the history (all of it is judged again on a full validation).
    for files in _file_batches(con):
        con.execute(f"insert into {kind.valid_table}_segments {_valid_segments_sql(kind)}", {"files": files})
    con.execute(f"insert into {kind.quarantine_table} {_rejected_rows_sql(kind)}")
    if not kind.timestamp_columns:
        return
    latest = f"list_max([{', '.join(typed_name(ts) for ts in kind.timestamp_columns)}])"
    con.execute(
        f"""insert into validated.awaiting_time
            select '{kind.name}', file_id, row_number, id_value, {latest}
            from _checked
            where exclusion is null and ends_with(problem, '{IN_THE_FUTURE}') and {latest} > $validated_at""",
        {"validated_at": validated_at},
    )
