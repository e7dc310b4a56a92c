"""Two builds of the same data, made differently (kept up to date run by run, or from
scratch), must hold the same rows in every mart: the project's own comparison
(dagster_project/publishing/compare.py, also what holds Spark to DuckDB), on two files."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dagster_project.publishing.compare import marts_differences
from dagster_project.publishing.names import literal, own_database, tables

# When a file landed or was replaced differs between two builds by construction.
LINEAGE_COLUMNS = ("landed_at", "replaced_at")


def mart_tables(path: Path, schemas: tuple[str, ...] = ("marts",)) -> list[str]:
    """`schema.table` of `schemas` in the DuckDB file at `path`."""
    with duckdb.connect(str(path), read_only=True) as con:
        return tables(con, own_database(con), schemas)


def differences(mine: Path, other: Path, schemas: tuple[str, ...] = ("marts",)) -> dict[str, list[str]]:
    """Per table of `schemas` in either file, what differs (nothing: equal), lineage times left out."""
    with duckdb.connect(str(mine), read_only=True) as con:
        con.execute(f"attach {literal(str(other))} as other (read_only)")
        found, theirs = tables(con, own_database(con), schemas), tables(con, "other", schemas)
        missing = {name: ["in one file only"] for name in set(found) ^ set(theirs)}
        both = [name for name in found if name in theirs]
        return missing | marts_differences(con, both, "other", LINEAGE_COLUMNS)
