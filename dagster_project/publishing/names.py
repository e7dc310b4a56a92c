"""Names and catalogue look-ups of DuckDB tables, shared by the publishing modules. Table
names come from the warehouse's catalogue (dbt models), never from files."""

from __future__ import annotations

from collections.abc import Collection

import duckdb


def quoted(name: str) -> str:
    """`schema.table` as SQL: schema."table"."""
    schema, table = name.split(".", 1)
    return f'{schema}."{table}"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def own_database(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_database()").fetchall()[0][0]


def tables(con: duckdb.DuckDBPyConnection, database: str, schemas: Collection[str]) -> list[str]:
    """`schema.table` of `schemas` in `database`, sorted."""
    return [
        f"{schema}.{table}"
        for schema, table in con.execute(
            """select schema_name, table_name from duckdb_tables()
               where database_name = $database and list_contains($schemas, schema_name)
               order by 1, 2""",
            {"database": database, "schemas": list(schemas)},
        ).fetchall()
    ]


def columns(con: duckdb.DuckDBPyConnection, database: str, name: str) -> list[tuple[str, str]]:
    schema, table = name.split(".", 1)
    return con.execute(
        """select column_name, data_type from duckdb_columns()
           where database_name = $database and schema_name = $schema and table_name = $table
           order by column_index""",
        {"database": database, "schema": schema, "table": table},
    ).fetchall()
