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

from dagster_project.row_kinds import RowKind
from dagster_project.validation.judging import create_checked, drop_checked
from dagster_project.validation.reconciliation import create_reconciliation_view
from dagster_project.validation.redaction import register as register_redaction
from dagster_project.validation.scope import (
    SCOPE_TABLES,
    find_valid_rows_changed,
    keep_valid_rows_before,
    shares_an_affected_id,
)
from dagster_project.validation.verdict_tables import create_verdict_tables, write_verdicts
from dagster_project.warehouse.crash_points import crash_point


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
    create_checked(con, kind, validated_at)
    create_verdict_tables(con, kind)
    con.execute("delete from validated.awaiting_time where kind = $k", {"k": kind.name})
    write_verdicts(con, kind, validated_at)
    seq = _next_seq(con)
    _record_answers_touched(con, kind, seq, f"select * from {kind.valid_table}")
    con.execute("delete from validated.file_verdicts where kind = $k", {"k": kind.name})
    con.execute(
        f"""insert into validated.file_verdicts
                (file_id, landing_seq, kind, validation_seq, valid_rows_seq, first_judged_seq,
                 is_live, holds_employee_answers)
            select file_id, landing_seq, '{kind.name}', $seq, $seq, $seq, true, holds_employee_answers
            from ({_with_employee_flag(kind, _live_files_sql(kind))})""",
        {"seq": seq},
    )
    rows = drop_checked(con)
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
    scope = f"(rows.file_id in (select file_id from _new_files) or {shares_an_affected_id(con, kind)})"
    create_checked(con, kind, validated_at, scope)
    keep_valid_rows_before(con, kind)
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
    write_verdicts(con, kind, validated_at)
    _record_answers_touched(
        con, kind, seq, f"select * from {kind.valid_table} semi join _checked using (file_id, row_number)"
    )
    find_valid_rows_changed(con, kind, seq)
    con.execute(
        f"""update validated.file_verdicts as known
            set validation_seq = $seq, valid_rows_seq = $seq, is_live = false
            from _retired_files as retired
            where known.kind = '{kind.name}' and known.is_live
              and known.file_id = retired.file_id and known.landing_seq = retired.landing_seq""",
        {"seq": seq},
    )
    con.execute(
        f"""update validated.file_verdicts
            set validation_seq = $seq,
                valid_rows_seq = case
                    when file_id in (select file_id from _valid_rows_changed) then $seq
                    else coalesce(valid_rows_seq, validation_seq)
                end
            where kind = '{kind.name}' and is_live and file_id in (select file_id from _checked)""",
        {"seq": seq},
    )
    con.execute(
        f"""delete from validated.file_verdicts
            where kind = '{kind.name}' and file_id in (select file_id from _new_files)""",
    )
    con.execute(
        f"""insert into validated.file_verdicts
                (file_id, landing_seq, kind, validation_seq, valid_rows_seq, first_judged_seq,
                 is_live, holds_employee_answers)
            select file_id, landing_seq, '{kind.name}', $seq, $seq, $seq, true, holds_employee_answers
            from ({_with_employee_flag(kind, "select * from _new_files")})""",
        {"seq": seq},
    )
    rows = drop_checked(con)
    for table in ("_new_files", "_retired_files", "_affected_ids", "_due_ids", *SCOPE_TABLES):
        con.execute(f"drop table if exists {table}")
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
