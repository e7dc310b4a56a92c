"""Judging the rows in scope: the temporary table `_checked` holds every row with its
verdict (the exclusion or the first problem, or none) and, among the rows that pass, the
winner of each id (`id_rank` 1: the later landed file, then the later row)."""

from __future__ import annotations

import duckdb

from dagster_project.row_kinds import RowKind
from dagster_project.validation.rules import exclusion_sql, problem_sql
from dagster_project.validation.typed_rows import (
    FILE_SETTINGS,
    live_rows_sql,
    timestamp_formats,
    typed_columns_sql,
)


def _checked_rows_sql(kind: RowKind, formats: list[str], scope: str = "true") -> str:
    """Every row in scope with its verdict; a row that passes every rule starts as the
    winner of its id (`id_rank` 1) - `rank_repeated_ids` then ranks the few repeated ids."""
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


def create_checked(con: duckdb.DuckDBPyConnection, kind: RowKind, validated_at, scope: str = "true"):
    """`_checked`: the rows in scope, judged, with the winner of every id."""
    formats = timestamp_formats(con, kind)
    sql = _checked_rows_sql(kind, formats, scope)
    # Only kinds with timestamps judge by the moment (a date is never "in the future" here).
    con.execute(
        f"create or replace temp table _judged as {sql}",
        {"validated_at": validated_at} if "$validated_at" in sql else {},
    )
    rank_repeated_ids(con)


def rank_repeated_ids(con: duckdb.DuckDBPyConnection) -> None:
    """`_judged` becomes `_checked`, where among the rows that pass an id is unique: the later
    landed file, then the later row, wins. Only ids that occur more than once are ranked (a
    window over every row would sort the whole history for the few repeats), and only the
    rows that lose one are written again.

    Each step is a statement of its own, and none updates the judged rows in place: at 3M
    answers (2.7M CRM rows, half of them repeats; 38M billing months) one statement that
    counted, ranked and updated ran out of the 1 GB cap, and so did the update alone (an
    update's changes stay in memory until the transaction ends)."""
    con.execute(
        """create or replace temp table _repeated_ids as
           select id_value from _judged
           where id_rank is not null and hash(id_value) in (
               -- counted by their 64-bit hash first: a tenth of the memory of the text; a
               -- collision only adds an id that the count below finds unique
               select hash(id_value) from _judged where id_rank is not null
               group by hash(id_value) having count(*) > 1)
           group by id_value having count(*) > 1"""
    )
    if not con.execute("select count(*) from _repeated_ids").fetchall()[0][0]:
        con.execute("drop table _repeated_ids")
        con.execute("drop table if exists _checked")
        con.execute("alter table _judged rename to _checked")
        return
    con.execute(
        """create or replace temp table _losers as
           select * from (
               select file_id, row_number,
                   row_number() over latest_first as id_rank,
                   first_value(file_path) over latest_first as winner_file_path,
                   first_value(row_number) over latest_first as winner_row_number
               from _judged
               where id_rank is not null and id_value in (select id_value from _repeated_ids)
               window latest_first as (partition by id_value order by landing_seq desc, row_number desc)
           )
           -- the winner of each id already holds rank 1 and its own file and row
           where id_rank > 1"""
    )
    con.execute(
        """create or replace temp table _checked as
           select _judged.* replace (
                   coalesce(_losers.id_rank, _judged.id_rank) as id_rank,
                   coalesce(_losers.winner_file_path, _judged.winner_file_path) as winner_file_path,
                   coalesce(_losers.winner_row_number, _judged.winner_row_number) as winner_row_number)
           from _judged left join _losers using (file_id, row_number)"""
    )
    for table in ("_repeated_ids", "_losers", "_judged"):
        con.execute(f"drop table {table}")


def drop_checked(con: duckdb.DuckDBPyConnection) -> int:
    rows = con.execute("select count(*) from _checked").fetchall()[0][0]
    con.execute("drop table _checked")
    return rows
