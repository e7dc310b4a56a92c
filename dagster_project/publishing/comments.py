"""The descriptions BI tools show beside each published table and column: dbt's (persist_docs)
copied from the warehouse, and the publication record's own."""

from __future__ import annotations

import duckdb

from dagster_project.publishing.names import literal, quoted

PUBLICATION_COMMENTS = {
    "table meta.publication": "Which build this file holds (one row).",
    "column meta.publication.version": "The publication's id; a new one with every publication.",
    "column meta.publication.published_at": "When the file was published.",
    "column meta.publication.dagster_run_id": "The Dagster run that published it.",
    "column meta.publication.table_rows": "Rows of each published table (schema.table).",
}


def comment_publication_table(con: duckdb.DuckDBPyConnection) -> None:
    for target, comment in PUBLICATION_COMMENTS.items():
        con.execute(f"comment on {target} is {literal(comment)}")


def copy_comments(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """The table's and its columns' descriptions (dbt's persist_docs) as the warehouse has them:
    what a BI tool shows next to each mart and column."""
    schema, table = name.split(".", 1)
    where = {"schema": schema, "table": table}
    table_comment = con.execute(
        """select comment from duckdb_tables() where database_name = 'working'
           and schema_name = $schema and table_name = $table""",
        where,
    ).fetchall()
    if table_comment and table_comment[0][0]:
        con.execute(f"comment on table {quoted(name)} is {literal(table_comment[0][0])}")
    for column, comment in con.execute(
        """select column_name, comment from duckdb_columns() where database_name = 'working'
           and schema_name = $schema and table_name = $table and comment is not null""",
        where,
    ).fetchall():
        con.execute(f'comment on column {quoted(name)}."{column}" is {literal(comment)}')
