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


def create_checked(con: duckdb.DuckDBPyConnection, kind: RowKind, validated_at, scope: str = "true"):
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
    sort the whole history for the few repeats). The repeated ids are found first, on their
    own: a history without any (a billing history of 38M customer-months) updates nothing,
    and the count over every id never shares the memory cap with the window and the update
    (together they ran out of it at 38M rows under a 1 GB cap)."""
    con.execute(
        """create or replace temp table _repeated_ids as
           select id_value from _checked
           where id_rank is not null and hash(id_value) in (
               -- ids counted by their 64-bit hash: a tenth of the memory of the text; a
               -- collision only adds an id that the count below finds unique
               select hash(id_value) from _checked where id_rank is not null
               group by hash(id_value) having count(*) > 1)
           group by id_value having count(*) > 1"""
    )
    if con.execute("select count(*) from _repeated_ids").fetchall()[0][0]:
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
                   where id_rank is not null and id_value in (select id_value from _repeated_ids)
                   window latest_first as (partition by id_value order by landing_seq desc, row_number desc)
               ) as ranked
               -- the winner of each id already holds rank 1 and its own file and row
               where rows.file_id = ranked.file_id and rows.row_number = ranked.row_number
                   and ranked.id_rank > 1"""
        )
    con.execute("drop table _repeated_ids")


def drop_checked(con: duckdb.DuckDBPyConnection) -> int:
    rows = con.execute("select count(*) from _checked").fetchall()[0][0]
    con.execute("drop table _checked")
    return rows
