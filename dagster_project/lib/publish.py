"""Publishing what readers may see: the marts, as a separate DuckDB file, replaced atomically.

The pipeline's own DuckDB file is private: DuckDB allows one writer, and even a read-only
reader (a BI tool left connected) blocks it. So after a successful build the pipeline
copies the `marts` and `reference` schemas - nothing from raw, validated, staging or
intermediate - into a new file next to the published one, checks it, flushes it to disk,
and renames it over the published file (an atomic rename on the same file system).

A reader connected to the published file keeps reading the version it opened (its open
file still points to it) until it reconnects; a new connection opens the new version. No
reader ever sees a half-written file, and no reader can block the pipeline, which never
opens the published file. A failed or interrupted publication leaves the old file in place
and a temporary file that the next publication removes.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.lib.crash_points import crash_point
from dagster_project.lib.warehouse import duckdb_config
from dagster_project.settings import DEFAULT_DUCKDB_MEMORY_LIMIT

PUBLISHED_SCHEMAS = ("marts", "reference")
REQUIRED_TABLES = ("marts.fct_nps_responses", "marts.nps_by_period", "marts.file_loads")


class PublicationError(RuntimeError):
    """The build is not fit to publish; the published file was left as it was."""


@dataclass(frozen=True)
class Publication:
    path: Path
    version: str
    published_at: dt.datetime
    tables: dict[str, int]  # schema.table -> rows

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size


def _temporary_path(published: Path) -> Path:
    return published.with_name(f".{published.name}.{uuid.uuid4().hex}.tmp")


def remove_stale_temporaries(published: Path) -> list[Path]:
    """Temporary files of interrupted publications (never read by anyone)."""
    stale = sorted(published.parent.glob(f".{published.name}.*.tmp*"))
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(
    warehouse: Path,
    published: Path,
    run_id: str | None = None,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT,
    spill_dir: Path | None = None,
) -> Publication:
    """Copy the readable schemas of `warehouse` into a new file and swap it in."""
    published.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(published)
    temporary = _temporary_path(published)
    version = uuid.uuid4().hex
    published_at = dt.datetime.now(dt.UTC)
    try:
        config = duckdb_config(memory_limit, spill_dir or warehouse.with_name(warehouse.name + ".tmp"))
        tables = _copy(warehouse, temporary, version, published_at, run_id, config)
        _fsync(temporary)
        crash_point("publishing")
        os.replace(temporary, published)
        _fsync(published.parent)
    finally:
        temporary.unlink(missing_ok=True)
        temporary.with_name(temporary.name + ".wal").unlink(missing_ok=True)
    return Publication(published, version, published_at, tables)


def _copy(warehouse: Path, target: Path, version: str, published_at, run_id, config) -> dict[str, int]:
    con = duckdb.connect(str(target), config=config)
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("attach $path as working (read_only)", {"path": str(warehouse)})
        found = con.execute(
            """select schema_name, table_name from duckdb_tables()
               where database_name = 'working' and list_contains($schemas, schema_name)
               order by 1, 2""",
            {"schemas": list(PUBLISHED_SCHEMAS)},
        ).fetchall()
        missing = sorted(set(REQUIRED_TABLES) - {f"{s}.{t}" for s, t in found})
        if missing:
            raise PublicationError(f"the build has no {', '.join(missing)}: nothing was published")
        tables = {}
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
        for schema, table in found:
            # Names come from the warehouse's catalogue (dbt models), never from files.
            con.execute(f'create table {schema}."{table}" as select * from working.{schema}."{table}"')
            tables[f"{schema}.{table}"] = con.execute(f'select count(*) from {schema}."{table}"').fetchall()[
                0
            ][0]
        unreconciled = con.execute(
            """select count(*) from marts.file_loads
               where not is_replaced and rows_read <> valid_rows + quarantined_rows + excluded_rows"""
        ).fetchall()[0][0]
        if unreconciled:
            raise PublicationError(f"{unreconciled} file(s) do not reconcile: nothing was published")
        con.execute("create schema meta")
        con.execute(
            """create table meta.publication as select
                   $version as version, $published_at::timestamptz as published_at,
                   $run_id as dagster_run_id, $tables::map(varchar, bigint) as table_rows""",
            {
                "version": version,
                "published_at": published_at,
                "run_id": run_id,
                "tables": tables,
            },
        )
        con.execute("detach working")
        con.execute("checkpoint")
    finally:
        con.close()
    return tables
