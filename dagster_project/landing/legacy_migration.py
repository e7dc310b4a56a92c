"""Bringing a warehouse built by an older version up to this one's raw tables."""

from __future__ import annotations

import duckdb

from dagster_project.landing.pseudonymise import PseudonymKey, hmac_sql
from dagster_project.row_kinds import ROW_KINDS


def pseudonymise_legacy_columns(con: duckdb.DuckDBPyConnection, key: PseudonymKey) -> list[str]:
    """Warehouses built before ids were pseudonymised at landing hold them in clear in
    `raw.<kind>_rows` (e.g. `respondent_id`): hash them into the pseudonym column and drop
    the clear column, in one transaction. Returns the columns migrated."""
    migrated = []
    for kind in ROW_KINDS:
        columns = {row[0] for row in con.execute(f"describe {kind.rows_table}").fetchall()}
        for clear, pseudonym in kind.personal_columns.items():
            if clear not in columns or clear == pseudonym:
                continue
            con.execute("begin transaction")
            try:
                con.execute(
                    f"""update {kind.rows_table} set {pseudonym} = {hmac_sql(clear)}
                        where {pseudonym} is null and {clear} is not null""",
                    key.sql_params(),
                )
                con.execute(f"alter table {kind.rows_table} drop column {clear}")
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
            migrated.append(f"{kind.rows_table}.{clear}")
    return migrated
