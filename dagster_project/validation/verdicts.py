"""Row-level validation in DuckDB: every landed row becomes valid, excluded or quarantined.

The rules mirror the Great Expectations suites in `expectations/` (which then check every
batch independently, see `gx.py`). Each row is judged in this order:

1. quarantined: its file was rejected as a whole; the row was malformed;
2. excluded (not an error, not a response): a `status` that is not a real response
   (Qualtrics `Survey Preview`, `Spam`...), an unfinished response (unless the source
   keeps unfinished responses that carry a score);
3. quarantined, first failing rule: required value missing, score (not a number / not
   whole / outside 0-10 / not written as 0-10), survey-tool NPS group that contradicts
   the score, `finished` unreadable, a value outside its set (survey_type), each timestamp
   (unparseable / in the future), channel unknown;
4. among rows that pass, the id must be unique: the later landed file, then the later
   row, wins; the other is quarantined with a pointer to the winner.

Valid rows are typed; personal ids arrive already pseudonymised (at landing) and free text is
redacted here (emails, phone and national id numbers), so nothing downstream holds personal data.
Validation is incremental by landed file (`validated.file_verdicts` says which files the
validated tables reflect): a run judges the rows of new files and the earlier rows that share
an id with them or with a replaced file, in one transaction; its result equals a rebuild
from all live landed rows, so a late file can still change which row wins.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from dagster_project.row_kinds import SURVEY_TOOL_COLUMNS, RowKind
from dagster_project.validation.reconciliation import create_reconciliation_view
from dagster_project.validation.redaction import redact_sql
from dagster_project.validation.redaction import register as register_redaction
from dagster_project.validation.rules import IN_THE_FUTURE, exclusion_sql, problem_sql, quoted_value
from dagster_project.validation.typed_rows import (
    FILE_SETTINGS,
    date_name,
    live_rows_sql,
    timestamp_formats,
    typed_columns_sql,
    typed_name,
)
from dagster_project.warehouse.crash_points import crash_point

SEGMENT_BATCH_ROWS = 2_000_000  # valid rows whose segments are written in one statement


def _checked_rows_sql(kind: RowKind, formats: list[str], scope: str = "true") -> str:
    """Every row in scope with its verdict; a row that passes every rule starts as the
    winner of its id (`id_rank` 1) - `_rank_repeated_ids` then ranks the few repeated ids."""
    return f"""
    with live_rows as ({live_rows_sql(kind)} and {scope}),
    typed as (
        select *,
            {typed_columns_sql(kind, formats)}
        from live_rows
    ),
    excluded as (
        select *, {exclusion_sql(kind)} as exclusion
        from typed
    ),
    checked as (
        select *, case when exclusion is null then {problem_sql(kind)} end as problem
        from excluded
    )
    -- the file's settings were needed to judge the row, not afterwards (a map and lists
    -- repeated on every row of the history would fill the temp table)
    select * exclude ({", ".join(FILE_SETTINGS)}),
        case when problem is null and exclusion is null then 1 end as id_rank,
        case when problem is null and exclusion is null then file_path end as winner_file_path,
        case when problem is null and exclusion is null then row_number end as winner_row_number
    from checked"""


def _create_checked(con: duckdb.DuckDBPyConnection, kind: RowKind, validated_at, scope: str = "true"):
    """`_checked`: the rows in scope, judged, with the winner of every id."""
    formats = timestamp_formats(con, kind)
    sql = _checked_rows_sql(kind, formats, scope)
    # Only kinds with timestamps judge by the moment (a date is never "in the future" here).
    con.execute(
        f"create or replace temp table _checked as {sql}",
        {"validated_at": validated_at} if "$validated_at" in sql else {},
    )
    _rank_repeated_ids(con)


def _rank_repeated_ids(con: duckdb.DuckDBPyConnection) -> None:
    """Among the rows that pass, an id must be unique: the later landed file, then the later
    row, wins. Only ids that occur more than once are ranked (a window over every row would
    sort the whole history for the few repeats)."""
    con.execute(
        """update _checked as rows
           set id_rank = ranked.id_rank, winner_file_path = ranked.winner_file_path,
               winner_row_number = ranked.winner_row_number
           from (
               select file_id, row_number,
                   row_number() over latest_first as id_rank,
                   first_value(file_path) over latest_first as winner_file_path,
                   first_value(row_number) over latest_first as winner_row_number
               from _checked
               where id_rank is not null and id_value in (
                   select id_value from _checked where id_rank is not null
                   group by id_value having count(*) > 1)
               window latest_first as (partition by id_value order by landing_seq desc, row_number desc)
           ) as ranked
           where rows.file_id = ranked.file_id and rows.row_number = ranked.row_number"""
    )


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


@dataclass(frozen=True)
class ValidationOutcome:
    mode: str  # full | incremental | nothing_new
    files_new: int = 0
    files_retired: int = 0
    rows_checked: int = 0  # rows judged in this run (new files and rows sharing their ids)
    validation_seq: int | None = None


def _has_previous_build(con: duckdb.DuckDBPyConnection, kind: RowKind) -> bool:
    """The validated tables exist and say which files they reflect (else: build from scratch)."""
    schema, table = kind.valid_table.split(".")
    tables = con.execute(
        """select count(*) from duckdb_tables()
           where database_name = current_database() and schema_name = $schema
             and table_name in ($t, $t || '_segments', $t || '_quarantine')""",
        {"schema": schema, "t": table},
    ).fetchall()[0][0]
    known = con.execute("select count(*) from validated.file_verdicts where kind = $k", {"k": kind.name})
    return tables == 3 and known.fetchall()[0][0] > 0


def validate_kind(
    con: duckdb.DuckDBPyConnection,
    kind: RowKind,
    validated_at: dt.datetime | None = None,
    full: bool = False,
    before_commit: Callable[[duckdb.DuckDBPyConnection], object] | None = None,
) -> ValidationOutcome:
    """Bring `validated.<kind>`, its segments and its quarantine up to date with the live raw rows.

    Incremental by landed file: only rows of files landed since the last validation, and
    the earlier rows that share an id with them or with a replaced file, are judged again;
    everything else keeps its verdict. The result equals a rebuild from all live rows (the
    tests compare both on random delivery sequences). `full=True`, or a warehouse without
    validated tables, rebuilds from scratch. One transaction either way; `before_commit`
    runs inside it, after the verdicts (the answers' alerts: alerts/raising.py).
    """
    validated_at = validated_at or dt.datetime.now(dt.UTC)
    register_redaction(con)
    full = full or not _has_previous_build(con, kind)
    con.execute("begin transaction")
    try:
        outcome = _validate_all(con, kind, validated_at) if full else _validate_new(con, kind, validated_at)
        create_reconciliation_view(con)
        if before_commit is not None:
            before_commit(con)
        crash_point("validation")
        con.execute("commit")
    except BaseException:
        # A failed commit (a full disk) has already ended the transaction: keep its error.
        with contextlib.suppress(duckdb.TransactionException):
            con.execute("rollback")
        raise
    return outcome


def _live_files_sql(kind: RowKind) -> str:
    return f"select file_id, landing_seq from raw.live_files where kind = '{kind.name}'"


def _validate_all(con: duckdb.DuckDBPyConnection, kind: RowKind, validated_at) -> ValidationOutcome:
    _create_checked(con, kind, validated_at)
    con.execute(f"create or replace table {kind.valid_table} as {_valid_rows_sql(kind)} limit 0")
    con.execute(
        f"create or replace table {kind.valid_table}_segments as "
        f"{_valid_segments_sql(kind, batch=False)} limit 0"
    )
    con.execute(f"create or replace table {kind.quarantine_table} as {_rejected_rows_sql(kind)} limit 0")
    con.execute("delete from validated.awaiting_time where kind = $k", {"k": kind.name})
    _write_verdicts(con, kind, validated_at)
    seq = _next_seq(con)
    _record_answers_touched(con, kind, seq, f"select * from {kind.valid_table}")
    con.execute("delete from validated.file_verdicts where kind = $k", {"k": kind.name})
    con.execute(
        f"""insert into validated.file_verdicts
                (file_id, landing_seq, kind, validation_seq, is_live, holds_employee_answers)
            select file_id, landing_seq, '{kind.name}', $seq, true, holds_employee_answers
            from ({_with_employee_flag(kind, _live_files_sql(kind))})""",
        {"seq": seq},
    )
    rows = _drop_checked(con)
    files = con.execute(f"select count(*) from ({_live_files_sql(kind)})").fetchall()[0][0]
    return ValidationOutcome("full", files_new=files, rows_checked=rows, validation_seq=seq)


def _validate_new(con: duckdb.DuckDBPyConnection, kind: RowKind, validated_at) -> ValidationOutcome:
    con.execute(
        f"""create or replace temp table _new_files as
            select file_id, landing_seq from ({_live_files_sql(kind)}) as live
            anti join (
                select file_id, landing_seq from validated.file_verdicts
                where kind = '{kind.name}' and is_live
            ) using (file_id, landing_seq)"""
    )
    con.execute(
        f"""create or replace temp table _retired_files as
            select file_id, landing_seq from validated.file_verdicts as known
            anti join ({_live_files_sql(kind)}) as live using (file_id, landing_seq)
            where known.kind = '{kind.name}' and known.is_live"""
    )
    # Rows quarantined as in the future whose moment has come are judged again.
    con.execute(
        f"""create or replace temp table _due_ids as
            select distinct id_value from validated.awaiting_time
            where kind = '{kind.name}' and due_at <= $validated_at
              and file_id in (select file_id from ({_live_files_sql(kind)}))""",
        {"validated_at": validated_at},
    )
    new, retired, due = (
        con.execute(f"select count(*) from {t}").fetchall()[0][0]
        for t in ("_new_files", "_retired_files", "_due_ids")
    )
    if not new and not retired and not due:
        return ValidationOutcome("nothing_new")
    # The ids whose winner may change: those in new files, those a replaced file held, and
    # those of rows no longer in the future.
    con.execute(
        f"""create or replace temp table _affected_ids as
            select distinct {kind.id_sql()} as id_value
            from {kind.rows_table} semi join _new_files using (file_id)
            union
            select {kind.id_sql()} from {kind.valid_table} semi join _retired_files using (file_id)
            union
            select id_value from _due_ids"""
    )
    scope = f"""(rows.file_id in (select file_id from _new_files)
               or {kind.id_sql("rows")} in (select id_value from _affected_ids))"""
    _create_checked(con, kind, validated_at, scope)
    seq = _next_seq(con)
    # Verdicts about to be judged again, and every row of replaced files, go (the
    # invitations their valid rows answered may lose their answer).
    _record_answers_touched(
        con,
        kind,
        seq,
        f"""select * from {kind.valid_table} semi join _retired_files using (file_id)
            union all
            select * from {kind.valid_table} semi join _checked using (file_id, row_number)""",
    )
    verdict_tables = [(table, "true") for table in (kind.valid_table, f"{kind.valid_table}_segments")]
    verdict_tables += [(kind.quarantine_table, "true"), ("validated.awaiting_time", f"kind = '{kind.name}'")]
    for table, of_kind in verdict_tables:
        con.execute(
            f"delete from {table} where {of_kind} and file_id in (select file_id from _retired_files)"
        )
        con.execute(
            f"""delete from {table} as verdicts using _checked
                where {of_kind} and verdicts.file_id = _checked.file_id
                  and verdicts.row_number = _checked.row_number"""
        )
    _write_verdicts(con, kind, validated_at)
    _record_answers_touched(
        con, kind, seq, f"select * from {kind.valid_table} semi join _checked using (file_id, row_number)"
    )
    con.execute(
        f"""update validated.file_verdicts as known set validation_seq = $seq, is_live = false
            from _retired_files as retired
            where known.kind = '{kind.name}' and known.is_live
              and known.file_id = retired.file_id and known.landing_seq = retired.landing_seq""",
        {"seq": seq},
    )
    con.execute(
        f"""update validated.file_verdicts set validation_seq = $seq
            where kind = '{kind.name}' and is_live and file_id in (select file_id from _checked)""",
        {"seq": seq},
    )
    con.execute(
        f"""delete from validated.file_verdicts
            where kind = '{kind.name}' and file_id in (select file_id from _new_files)""",
    )
    con.execute(
        f"""insert into validated.file_verdicts
                (file_id, landing_seq, kind, validation_seq, is_live, holds_employee_answers)
            select file_id, landing_seq, '{kind.name}', $seq, true, holds_employee_answers
            from ({_with_employee_flag(kind, "select * from _new_files")})""",
        {"seq": seq},
    )
    rows = _drop_checked(con)
    for table in ("_new_files", "_retired_files", "_affected_ids", "_due_ids"):
        con.execute(f"drop table {table}")
    return ValidationOutcome("incremental", new, retired, rows, seq)


def _with_employee_flag(kind: RowKind, files: str) -> str:
    """`files` (file_id, landing_seq) with whether each holds an employee answer: a landed
    row whose survey_type says employee, valid or not (false for kinds without one)."""
    if "survey_type" not in kind.columns:
        return f"select *, false as holds_employee_answers from ({files})"
    return f"""
        select files.*, coalesce(flags.holds_employee_answers, false) as holds_employee_answers
        from ({files}) as files
        left join (
            select file_id, bool_or(lower(trim({kind.raw_column("survey_type")})) = 'employee')
                as holds_employee_answers
            from {kind.rows_table}
            where file_id in (select file_id from ({files}))
            group by file_id
        ) as flags using (file_id)"""


def _record_answers_touched(con: duckdb.DuckDBPyConnection, kind: RowKind, seq: int, valid_rows: str) -> None:
    """The invitations that `valid_rows` answer gained or lost an answer in run `seq`."""
    if kind.answers_column is None:
        return
    con.execute(
        f"""insert into validated.answers_touched
            select distinct $seq, {kind.answers_column} from ({valid_rows})
            where {kind.answers_column} is not null""",
        {"seq": seq},
    )


def _next_seq(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select nextval('validated.validation_seq')").fetchall()[0][0]


def _drop_checked(con: duckdb.DuckDBPyConnection) -> int:
    rows = con.execute("select count(*) from _checked").fetchall()[0][0]
    con.execute("drop table _checked")
    return rows


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
    reason = (
        f"coalesce(exclusion, problem, '{kind.id_label} ' || {quoted_value(_id_shown_sql(kind))}"
        f" || ' ' || {repeated} || '; kept ' || winner_file_path || ' row ' || winner_row_number)"
    )
    return f"""
        select
            '{kind.name}' as kind,
            file_id,
            file_path,
            row_number,
            case when exclusion is not null or ({replaced}) then 'excluded' else 'quarantined' end
                as disposition,
            -- reasons and raw values quote what was delivered: personal data that
            -- landed in the wrong column is redacted there too
            {redact_sql(reason)} as reason,
            {redact_sql(f"cast({_raw_values_sql(kind)} as varchar)")} as raw_values,
            landed_at
        from _checked
        where exclusion is not null or problem is not null or id_rank > 1
        order by file_path, row_number"""


def _id_shown_sql(kind: RowKind) -> str:
    """The id as a reason quotes it: its parts joined by ' / ', a pseudonym by its first 12
    characters (enough to find it, short enough to leave room for the rest)."""
    parts = [
        f"left(trim({kind.raw_column(c)}), 12) || '…'" if c in kind.personal_columns else f"trim({c})"
        for c in kind.id_columns
    ]
    return " || ' / ' || ".join(parts)


def _write_verdicts(con: duckdb.DuckDBPyConnection, kind: RowKind, validated_at) -> None:
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
