"""Reconciliation: for every file in use, rows read = valid + quarantined + excluded rows.

The one definition is the view `validated.file_reconciliation` (one row per live file),
made here after every validation. The blocking check `rows_reconcile`, the validation
asset's counts, the mart `file_loads` (dbt) and publishing all read it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from dagster_project.row_kinds import ROW_KINDS, RowKind

VIEW = "validated.file_reconciliation"


def _per_kind_sql(kind: RowKind) -> str:
    return f"""
        select files.file_id, files.kind, files.file_path, files.rows_read,
               coalesce(valid.n, 0) as valid_rows,
               coalesce(rejected.quarantined, 0) as quarantined_rows,
               coalesce(rejected.excluded, 0) as excluded_rows
        from raw.live_files as files
        left join (select file_id, count(*) as n from {kind.valid_table} group by all) as valid
            using (file_id)
        left join (
            select file_id,
                   count(*) filter (where disposition = 'quarantined') as quarantined,
                   count(*) filter (where disposition = 'excluded') as excluded
            from {kind.quarantine_table} group by all
        ) as rejected using (file_id)
        where files.kind = '{kind.name}'"""


def create_reconciliation_view(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)make the view over the kinds validated so far (all three after a full run)."""
    existing = {
        f"{schema}.{table}"
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
    }
    kinds = [k for k in ROW_KINDS if {k.valid_table, k.quarantine_table} <= existing]
    if not kinds:
        return
    per_kind = "\n        union all".join(_per_kind_sql(kind) for kind in kinds)
    con.execute(
        f"""create or replace view {VIEW} as
            select *, rows_read = valid_rows + quarantined_rows + excluded_rows as reconciles
            from ({per_kind})"""
    )


@dataclass(frozen=True)
class FileReconciliation:
    file_path: str
    rows_read: int
    valid: int
    quarantined: int
    excluded: int
    reconciles: bool


def reconcile(con: duckdb.DuckDBPyConnection, kind: RowKind) -> list[FileReconciliation]:
    """Per live file of this kind: rows read, valid, quarantined and excluded."""
    rows = con.execute(
        f"""select file_path, rows_read, valid_rows, quarantined_rows, excluded_rows, reconciles
            from {VIEW} where kind = $kind order by file_path""",
        {"kind": kind.name},
    ).fetchall()
    return [FileReconciliation(*row) for row in rows]
