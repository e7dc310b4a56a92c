"""What the Dagster UI shows on a mart's materialisation: its row count, the latest period's
NPS per programme (marts with an NPS by period) and a preview of its first rows.

Read from the warehouse after dbt has finished (DuckDB admits one process at a time, and
dbt holds the file while it builds); on Spark the marts live in Spark and only dbt's own
metadata is shown."""

from __future__ import annotations

import dagster as dg
import duckdb

from dagster_project.defs.metadata import markdown_table

PREVIEW_ROWS = 5
PREVIEW_COLUMNS = 8


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            """select column_name from duckdb_columns()
               where schema_name = $schema and table_name = $table order by column_index""",
            {"schema": schema, "table": table},
        ).fetchall()
    ]


def mart_metadata(con: duckdb.DuckDBPyConnection, key: dg.AssetKey) -> dict[str, dg.MetadataValue]:
    schema, table = key.path[0], key.path[-1]
    columns = _columns(con, schema, table)
    if not columns:
        return {}
    relation = f'{schema}."{table}"'  # names from dbt's manifest, never from data
    metadata: dict[str, dg.MetadataValue] = {
        "dagster/row_count": dg.MetadataValue.int(
            con.execute(f"select count(*) from {relation}").fetchall()[0][0]
        )
    }
    if {"programme", "period_grain", "period_start", "nps", "responses"} <= set(columns):
        overall = " and dimension_kind = 'overall'" if "dimension_kind" in columns else ""
        rows = con.execute(
            f"""select programme, period_start, responses, round(nps, 1)
                from {relation}
                where period_grain = 'month'{overall}
                qualify period_start = max(period_start) over (partition by programme)
                order by programme, period_start
                limit 20"""
        ).fetchall()
        metadata["latest_month_nps"] = markdown_table(["programme", "month", "responses", "NPS"], rows)
    shown = columns[:PREVIEW_COLUMNS]
    preview = con.execute(
        f"select {', '.join(chr(34) + c + chr(34) for c in shown)} from {relation} limit {PREVIEW_ROWS}"
    ).fetchall()
    metadata["preview"] = markdown_table(shown, preview)
    return metadata
