"""The scope of an incremental validation run (validation/verdicts.py): which earlier rows
it judges again (those sharing an id with what changed), and which files' valid rows its
verdicts changed (`validated.file_verdicts.valid_rows_seq`).

Temp tables, dropped by the run: `_affected_rows`, `_valid_before`, `_valid_rows_changed`;
the rows of earlier files whose validity changed are kept in `validated.rows_revalidated`."""

from __future__ import annotations

import duckdb

from dagster_project.row_kinds import RowKind

SCOPE_TABLES = ("_affected_rows", "_valid_before", "_valid_rows_changed")


def _valid_checked_rows(kind: RowKind) -> str:
    return f"""select file_id, row_number from {kind.valid_table}
               semi join _checked using (file_id, row_number)"""


def keep_valid_rows_before(con: duckdb.DuckDBPyConnection, kind: RowKind) -> None:
    """`_valid_before`: which judged rows were valid before this run's verdicts."""
    con.execute(f"create or replace temp table _valid_before as {_valid_checked_rows(kind)}")


def find_valid_rows_changed(con: duckdb.DuckDBPyConnection, kind: RowKind, seq: int) -> None:
    """`_valid_rows_changed`: the files of judged rows that became valid or stopped being
    valid (a judged row that stays valid keeps its values: they follow from its landed row).
    A file whose judged rows only changed their quarantine reason is not among them. Such
    rows of files judged in an earlier run go into `validated.rows_revalidated` (the rows of
    a new file are all new)."""
    con.execute(f"create or replace temp table _valid_after as {_valid_checked_rows(kind)}")
    con.execute(
        """create or replace temp table _valid_rows_moved as
           select * from (select * from _valid_before except select * from _valid_after)
           union
           select * from (select * from _valid_after except select * from _valid_before)"""
    )
    con.execute(
        "create or replace temp table _valid_rows_changed as select distinct file_id from _valid_rows_moved"
    )
    con.execute(
        """insert into validated.rows_revalidated
           select $seq, $kind, file_id, row_number from _valid_rows_moved
           where file_id not in (select file_id from _new_files)""",
        {"seq": seq, "kind": kind.name},
    )
    con.execute("drop table _valid_after")
    con.execute("drop table _valid_rows_moved")


def shares_an_affected_id(con: duckdb.DuckDBPyConnection, kind: RowKind) -> str:
    """SQL over `rows`: the row's id is one of `_affected_ids`.

    An id of two parts (billing: the customer and the month, however it was written) is
    costly to compute for every row ever landed. When its first part is a pseudonym (as
    landed: lowercase hex or NULL, never blank or padded, and no '|' in it, so the first
    '|' of an id ends it), rows with an affected id are found among the rows of an
    affected customer, by a plain join on the stored pseudonym (`_affected_rows`): a
    billing export of a few customers reads their months, not the whole billing history,
    through the id's rules."""
    in_affected = f"{kind.id_sql('rows')} in (select id_value from _affected_ids)"
    first = kind.id_columns[0]
    if len(kind.id_columns) == 1 or first not in kind.personal_columns:
        return in_affected
    con.execute(
        f"""create or replace temp table _affected_rows as
            select file_id, row_number from (
                select rows.file_id, rows.row_number, {kind.id_sql("rows")} as id_value
                from {kind.rows_table} as rows
                semi join (
                    select distinct split_part(id_value, '|', 1) as pseudonym from _affected_ids
                ) as customers on rows.{kind.raw_column(first)} = customers.pseudonym
            ) as candidates
            where id_value in (select id_value from _affected_ids)"""
    )
    return """exists (
        select 1 from _affected_rows as affected
        where affected.file_id = rows.file_id and affected.row_number = rows.row_number)"""
