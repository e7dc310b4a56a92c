"""Row-level validation in DuckDB: every landed row becomes valid, excluded or quarantined.

The rules mirror the Great Expectations suites in `expectations/` (which then check every
batch independently, see `gx_validation.py`). Each row is judged in this order:

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
from dataclasses import dataclass

import duckdb

from dagster_project.row_kinds import CHANNELS, SURVEY_TOOL_COLUMNS, RowKind
from dagster_project.validation.redaction import redact_sql
from dagster_project.validation.redaction import register as register_redaction
from dagster_project.validation.value_sql import (
    SCORE_PATTERN,
    channel_sql,
    score_number_sql,
    score_text_sql,
    timestamp_sql,
)
from dagster_project.warehouse.crash_points import crash_point

_VALUE_IN_MESSAGE_CHARS = 60
SEGMENT_BATCH_ROWS = 2_000_000  # valid rows whose segments are written in one statement
TRUE_WORDS = ("true", "1", "yes", "t", "y")
FALSE_WORDS = ("false", "0", "no", "f", "n")
NPS_GROUPS = {"1": "detractor", "2": "passive", "3": "promoter"}


def _quoted(expression: str) -> str:
    return f"'''' || left({expression}, {_VALUE_IN_MESSAGE_CHARS}) || ''''"


def _blank(column: str) -> str:
    return f"nullif(trim({column}), '') is null"


def _words(words: tuple[str, ...]) -> str:
    return ", ".join(f"'{w}'" for w in words)


def exclusion_sql(kind: RowKind) -> str:
    """Why a row is not a real response (NULL for a real one). Responses only."""
    if kind.score_column is None:
        return "null"
    return f"""case
            when file_rejected_reason is not null or parse_error is not null then null
            when status is not null and real_statuses is not null
                and not list_contains(real_statuses, trim(status))
                then 'status ' || {_quoted("trim(status)")} || ' is not a real response'
            when lower(trim(finished)) in ({_words(FALSE_WORDS)})
                and not (coalesce(keep_unfinished_with_score, false) and score_number is not null)
                then 'unfinished response (finished = ' || {_quoted("trim(finished)")} || ')'
        end"""


def problem_sql(kind: RowKind) -> str:
    """A CASE expression naming the first rule a landed row breaks (NULL when none)."""
    branches = [
        ("file_rejected_reason is not null", "'file rejected: ' || file_rejected_reason"),
        ("parse_error is not null", "'malformed row: ' || parse_error"),
    ]
    for column in kind.required:
        branches.append((_blank(column), f"'{column} is missing'"))
    if kind.score_column:
        score = "score_text"
        name = kind.score_column
        branches += [
            ("score_number is null", f"'{name} ' || {_quoted(score)} || ' is not a number'"),
            (
                "score_number <> floor(score_number)",
                f"'{name} ' || {_quoted(score)} || ' is not a whole number'",
            ),
            (
                "score_number < 0 or score_number > 10",
                f"'{name} ' || {_quoted(score)} || ' is outside the 0–10 scale'",
            ),
            (
                f"not regexp_full_match({score}, '{SCORE_PATTERN}')",
                f"'{name} ' || {_quoted(score)} || ' is not written as a whole number from 0 to 10'",
            ),
            (
                f"nullif(trim(nps_group), '') is not null "
                f"and trim(nps_group) not in ({_words(tuple(NPS_GROUPS))})",
                f"'nps_group ' || {_quoted('trim(nps_group)')} || ' is not 1, 2 or 3'",
            ),
            (
                "nullif(trim(nps_group), '') is not null and trim(nps_group) <> "
                "case when score_number >= 9 then '3' when score_number >= 7 then '2' else '1' end",
                "'nps_group ' || trim(nps_group) || ' ('"
                f" || {_group_name('trim(nps_group)')} || ') contradicts score '"
                " || cast(score_number as integer) || ' ('"
                f" || {_group_name(_group_of('score_number'))} || ')'",
            ),
            (
                f"nullif(trim(finished), '') is not null and lower(trim(finished)) not in "
                f"({_words(TRUE_WORDS + FALSE_WORDS)})",
                f"'finished ' || {_quoted('trim(finished)')} || ' is not true or false'",
            ),
        ]
    for column, (values, _) in kind.enumerations.items():
        branches.append(
            (
                f"nullif(trim({column}), '') is not null and lower(trim({column})) not in ({_words(values)})",
                f"'{column} ' || {_quoted(f'trim({column})')} || ' is not one of {', '.join(values)}'",
            )
        )
    for ts in kind.timestamp_columns:
        branches += [
            (
                f"nullif(trim({ts}), '') is not null and {_typed(ts)} is null",
                f"'{ts} ' || {_quoted(f'trim({ts})')} || ' is not a valid timestamp'"
                " || case when timestamp_format is not null"
                " then ' (expected format ' || timestamp_format || ')' else ' (ISO 8601 expected)' end",
            ),
            (
                f"{_typed(ts)} > $validated_at",
                f"'{ts} ' || {_quoted(f'trim({ts})')} || ' is in the future'",
            ),
        ]
    if kind.channel_column:
        branches.append(
            (
                f"channel_value not in ({', '.join(repr(c) for c in CHANNELS)})",
                f"'channel ' || {_quoted('trim(channel)')} || ' is not one of {', '.join(CHANNELS)}'",
            )
        )
    cases = "\n            ".join(f"when {cond} then {reason}" for cond, reason in branches)
    return f"case\n            {cases}\n        end"


def _typed(timestamp_column: str) -> str:
    """Name of the parsed value of a timestamp column in the checked rows."""
    return f"ts__{timestamp_column}"


def _group_of(number: str) -> str:
    return f"case when {number} >= 9 then '3' when {number} >= 7 then '2' else '1' end"


def _group_name(group: str) -> str:
    return "case " + " ".join(f"when {group} = '{k}' then '{v}'" for k, v in NPS_GROUPS.items()) + " end"


def typed_columns_sql(kind: RowKind, timestamp_formats: list[str]) -> str:
    """The normalised values the rules and GX look at (needs the landed_files settings)."""
    columns = [f"nullif(trim({kind.id_column}), '') as id_value"]
    for ts in kind.timestamp_columns:
        columns.append(
            f"{timestamp_sql(ts, 'timezone', 'timestamp_format', timestamp_formats)} as {_typed(ts)}"
        )
    columns.append(f"{_typed(kind.timestamp_column)} as timestamp_value")
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


_FILE_SETTINGS = (
    "file_rejected_reason",
    "timezone",
    "timestamp_format",
    "channel_map",
    "real_statuses",
    "keep_unfinished_with_score",
    "score_labels",
)


def live_rows_sql(kind: RowKind) -> str:
    """Landed rows of files still in use, with their file's settings."""
    return f"""
        select rows.*, files.file_path, files.landing_seq, files.landed_at,
               files.rejected_reason as file_rejected_reason, files.timezone,
               files.timestamp_format, files.channel_map, files.real_statuses,
               files.keep_unfinished_with_score, files.score_labels
        from {kind.rows_table} as rows
        join raw.landed_files as files using (file_id)
        where files.replaced_at is null"""


def timestamp_formats(con: duckdb.DuckDBPyConnection, kind: RowKind) -> list[str]:
    rows = con.execute(
        """select distinct timestamp_format from raw.landed_files
           where kind = $kind and timestamp_format is not null""",
        {"kind": kind.name},
    ).fetchall()
    return [row[0] for row in rows]


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
    select * exclude ({", ".join(_FILE_SETTINGS)}),
        case when problem is null and exclusion is null then 1 end as id_rank,
        case when problem is null and exclusion is null then file_path end as winner_file_path,
        case when problem is null and exclusion is null then row_number end as winner_row_number
    from checked"""


def _create_checked(con: duckdb.DuckDBPyConnection, kind: RowKind, validated_at, scope: str = "true"):
    """`_checked`: the rows in scope, judged, with the winner of every id."""
    formats = timestamp_formats(con, kind)
    con.execute(
        f"create or replace temp table _checked as {_checked_rows_sql(kind, formats, scope)}",
        {"validated_at": validated_at},
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
            expressions.append(f"{_typed(column)} as {column}")
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


def validate_source(
    con: duckdb.DuckDBPyConnection,
    kind: RowKind,
    validated_at: dt.datetime | None = None,
    full: bool = False,
) -> ValidationOutcome:
    """Bring `validated.<kind>`, its segments and its quarantine up to date with the live raw rows.

    Incremental by landed file: only rows of files landed since the last validation, and
    the earlier rows that share an id with them or with a replaced file, are judged again;
    everything else keeps its verdict. The result equals a rebuild from all live rows (the
    tests compare both on random delivery sequences). `full=True`, or a warehouse without
    validated tables, rebuilds from scratch. One transaction either way.
    """
    validated_at = validated_at or dt.datetime.now(dt.UTC)
    register_redaction(con)
    full = full or not _has_previous_build(con, kind)
    con.execute("begin transaction")
    try:
        outcome = _validate_all(con, kind, validated_at) if full else _validate_new(con, kind, validated_at)
        crash_point("validation")
        con.execute("commit")
    except BaseException:
        # A failed commit (a full disk) has already ended the transaction: keep its error.
        with contextlib.suppress(duckdb.TransactionException):
            con.execute("rollback")
        raise
    return outcome


def _live_files_sql(kind: RowKind) -> str:
    return (
        "select file_id, landing_seq from raw.landed_files "
        f"where kind = '{kind.name}' and replaced_at is null"
    )


def _validate_all(con: duckdb.DuckDBPyConnection, kind: RowKind, validated_at) -> ValidationOutcome:
    _create_checked(con, kind, validated_at)
    con.execute(f"create or replace table {kind.valid_table} as {_valid_rows_sql(kind)} limit 0")
    con.execute(
        f"create or replace table {kind.valid_table}_segments as "
        f"{_valid_segments_sql(kind, batch=False)} limit 0"
    )
    con.execute(f"create or replace table {kind.quarantine_table} as {_rejected_rows_sql(kind)} limit 0")
    _write_verdicts(con, kind)
    seq = _next_seq(con)
    _record_answers_touched(con, kind, seq, f"select * from {kind.valid_table}")
    con.execute("delete from validated.file_verdicts where kind = $k", {"k": kind.name})
    con.execute(
        f"""insert into validated.file_verdicts
            select file_id, landing_seq, '{kind.name}', $seq, true from ({_live_files_sql(kind)})""",
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
    new, retired = (
        con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in ("_new_files", "_retired_files")
    )
    if not new and not retired:
        return ValidationOutcome("nothing_new")
    # The ids whose winner may change: those in new files and those a replaced file held.
    con.execute(
        f"""create or replace temp table _affected_ids as
            select distinct nullif(trim({kind.id_column}), '') as id_value
            from {kind.rows_table} semi join _new_files using (file_id)
            union
            select {kind.id_column} from {kind.valid_table} semi join _retired_files using (file_id)"""
    )
    scope = f"""(rows.file_id in (select file_id from _new_files)
               or nullif(trim(rows.{kind.id_column}), '') in (select id_value from _affected_ids))"""
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
    for table in (kind.valid_table, f"{kind.valid_table}_segments", kind.quarantine_table):
        con.execute(f"delete from {table} where file_id in (select file_id from _retired_files)")
        con.execute(
            f"""delete from {table} as verdicts using _checked
                where verdicts.file_id = _checked.file_id and verdicts.row_number = _checked.row_number"""
        )
    _write_verdicts(con, kind)
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
            select file_id, landing_seq, '{kind.name}', $seq, true from _new_files""",
        {"seq": seq},
    )
    rows = _drop_checked(con)
    for table in ("_new_files", "_retired_files", "_affected_ids"):
        con.execute(f"drop table {table}")
    return ValidationOutcome("incremental", new, retired, rows, seq)


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
            select file_id, landing_seq from raw.landed_files
            where replaced_at is null and {in_batch}
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
    reason = (
        f"coalesce(exclusion, problem, '{kind.id_column} ' || {_quoted('id_value')}"
        " || ' is repeated; kept ' || winner_file_path || ' row ' || winner_row_number)"
    )
    return f"""
        select
            '{kind.name}' as source,
            file_id,
            file_path,
            row_number,
            case when exclusion is not null then 'excluded' else 'quarantined' end
                as disposition,
            -- reasons and raw values quote what was delivered: personal data that
            -- landed in the wrong column is redacted there too
            {redact_sql(reason)} as reason,
            {redact_sql(f"cast({_raw_values_sql(kind)} as varchar)")} as raw_values,
            landed_at
        from _checked
        where exclusion is not null or problem is not null or id_rank > 1
        order by file_path, row_number"""


def _write_verdicts(con: duckdb.DuckDBPyConnection, kind: RowKind) -> None:
    """Insert the verdicts of the rows in `_checked` into the three validated tables."""
    con.execute(f"insert into {kind.valid_table} {_valid_rows_sql(kind)}")
    # Segments batch by batch of files: the join on (file, row) then fits the memory limit
    # however large the history (all of it is judged again on a full validation).
    for files in _file_batches(con):
        con.execute(f"insert into {kind.valid_table}_segments {_valid_segments_sql(kind)}", {"files": files})
    con.execute(f"insert into {kind.quarantine_table} {_rejected_rows_sql(kind)}")


@dataclass(frozen=True)
class FileReconciliation:
    file_path: str
    rows_read: int
    valid: int
    quarantined: int
    excluded: int = 0

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.valid + self.quarantined + self.excluded


def reconcile(con: duckdb.DuckDBPyConnection, kind: RowKind) -> list[FileReconciliation]:
    """Per live file: rows read, valid, quarantined and excluded."""
    rows = con.execute(
        f"""
        select files.file_path, files.rows_read, coalesce(valid.n, 0),
               coalesce(rejected.quarantined, 0), coalesce(rejected.excluded, 0)
        from raw.landed_files as files
        left join (select file_id, count(*) as n from {kind.valid_table} group by all) as valid
            using (file_id)
        left join (
            select file_id,
                   count(*) filter (where disposition = 'quarantined') as quarantined,
                   count(*) filter (where disposition = 'excluded') as excluded
            from {kind.quarantine_table} group by all
        ) as rejected using (file_id)
        where files.kind = $kind and files.replaced_at is null
        order by files.file_path""",
        {"kind": kind.name},
    ).fetchall()
    return [FileReconciliation(*row) for row in rows]
