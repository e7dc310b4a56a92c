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

Cost follows new data: the big marts are incremental in dbt (rows of unchanged files are
left as they are between two full builds), so when the warehouse's record says the
published file was made from this warehouse since its last full dbt build, the new file
starts as a byte copy of the published one (a file copy, no query), and only the rows of
files validated since are deleted and inserted in its incremental marts (the rows dbt built
since, by key, in `detractor_followups`); every other mart and reference table is replaced
whole (they are aggregates, small next to the facts). The
copy is checked before it is used (its version is the one recorded, its incremental marts
have the warehouse's columns) and after (same row counts as the warehouse); anything else
falls back to a copy of everything.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.settings import DEFAULT_DUCKDB_MEMORY_LIMIT
from dagster_project.warehouse.connection import connect, duckdb_config
from dagster_project.warehouse.crash_points import crash_point
from dagster_project.warehouse.dbt_watermark import last_full_build_at, validation_seq_now

PUBLISHED_SCHEMAS = ("marts", "reference")
PUBLISHED_FILE_MODE = 0o444
PUBLICATION_COMMENTS = {
    "table meta.publication": "Which build this file holds (one row).",
    "column meta.publication.version": "The publication's id; a new one with every publication.",
    "column meta.publication.published_at": "When the file was published.",
    "column meta.publication.dagster_run_id": "The Dagster run that published it.",
    "column meta.publication.table_rows": "Rows of each published table (schema.table).",
}
REQUIRED_TABLES = ("marts.nps_responses", "marts.nps_by_period", "marts.file_loads")
# The marts dbt builds by landed file (dbt/macros/incremental.sql), with their file column;
# tests/unit/test_publish_basis.py holds this list against dbt's manifest.
INCREMENTAL_MARTS = {
    "marts.nps_responses": "source_file_id",
    "marts.verbatims": "source_file_id",
    "marts.verbatim_themes": "source_file_id",
}
# The marts dbt builds by key (delete+insert): their key, and the warehouse table whose
# `built_seq` says which keys were built after a validation run (the published file's).
KEYED_MARTS = {
    "marts.detractor_followups": ("response_id", "intermediate.int_detractor_followups"),
}


class PublicationError(RuntimeError):
    """The build is not fit to publish; the published file was left as it was."""


class _NotReusable(Exception):
    """The previous published file is not the one the warehouse recorded: copy everything."""


@dataclass(frozen=True)
class Basis:
    """What the warehouse is built on now, and what the published file was made from."""

    validation_seq: int | None
    dbt_full_build_at: dt.datetime | None
    published_version: str | None = None
    published_seq: int | None = None
    published_full_build_at: dt.datetime | None = None

    @property
    def reusable(self) -> bool:
        """The published file differs from a fresh copy only in the rows of files
        validated since it was made."""
        return (
            self.published_version is not None
            and self.dbt_full_build_at is not None
            and self.published_full_build_at == self.dbt_full_build_at
        )


def read_basis(con: duckdb.DuckDBPyConnection) -> Basis:
    now = Basis(validation_seq_now(con), last_full_build_at(con))
    last = con.execute(
        "select version, validation_seq, dbt_full_build_at from validated.publication_state"
    ).fetchall()
    return Basis(now.validation_seq, now.dbt_full_build_at, *last[0]) if last else now


def record_basis(con: duckdb.DuckDBPyConnection, version: str, basis: Basis) -> None:
    con.execute("delete from validated.publication_state")
    con.execute(
        "insert into validated.publication_state values ($version, $seq, $full_build_at)",
        {"version": version, "seq": basis.validation_seq, "full_build_at": basis.dbt_full_build_at},
    )


@dataclass(frozen=True)
class Publication:
    path: Path
    version: str
    published_at: dt.datetime
    tables: dict[str, int]  # schema.table -> rows
    incremental: bool = False  # started from the previous file, changed files' rows only

    @property
    def size_bytes(self) -> int:
        """The file's size (DuckDB), or the folder's (Spark's Parquet copy)."""
        if self.path.is_dir():
            return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())
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
    only: Collection[str] | None = None,
) -> Publication:
    """Copy the readable schemas of `warehouse` into a new file and swap it in. `only`: the
    `schema.table` names to publish (the dbt models; a table a renamed model left behind is
    not published), else every table of the readable schemas."""
    published.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(published)
    spill_dir = spill_dir or warehouse.with_name(warehouse.name + ".tmp")
    with connect(warehouse, read_only=True, memory_limit=memory_limit, spill_dir=spill_dir) as con:
        basis = read_basis(con)
    temporary = _temporary_path(published)
    version = uuid.uuid4().hex
    published_at = dt.datetime.now(dt.UTC)
    config = duckdb_config(memory_limit, spill_dir)
    incremental = basis.reusable and published.exists()
    try:
        if incremental:
            try:
                shutil.copyfile(published, temporary)
                tables = _copy(warehouse, temporary, version, published_at, run_id, config, basis, only)
            except _NotReusable:
                _remove(temporary)
                incremental = False
        if not incremental:
            tables = _copy(warehouse, temporary, version, published_at, run_id, config, None, only)
        # Read-only on disk: a BI tool that forgets `read_only` gets "Permission denied" instead
        # of a write lock that would make every other reader's open fail (root ignores modes).
        os.chmod(temporary, PUBLISHED_FILE_MODE)
        _fsync(temporary)
        crash_point("publishing")
        os.replace(temporary, published)
        _fsync(published.parent)
    finally:
        _remove(temporary)
    with connect(warehouse, memory_limit=memory_limit, spill_dir=spill_dir) as con:
        record_basis(con, version, basis)
    return Publication(published, version, published_at, tables, incremental)


def _remove(temporary: Path) -> None:
    temporary.unlink(missing_ok=True)
    temporary.with_name(temporary.name + ".wal").unlink(missing_ok=True)


def _copy(
    warehouse: Path,
    target: Path,
    version: str,
    published_at,
    run_id,
    config,
    basis: Basis | None,
    only: Collection[str] | None,
) -> dict[str, int]:
    """Fill `target` from the warehouse: from nothing, or (with `basis`) from a copy of the
    previous published file, replacing what changed."""
    con = duckdb.connect(str(target), config=config)
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("attach $path as working (read_only)", {"path": str(warehouse)})
        found = [name for name in _tables(con, "working") if only is None or name in only]
        missing = sorted(set(REQUIRED_TABLES) - set(found))
        if missing:
            raise PublicationError(f"the build has no {', '.join(missing)}: nothing was published")
        if basis is not None:
            _check_reusable(con, basis, found)
            for name in set(_tables(con, _own_database(con))) - set(found):
                con.execute(f"drop table {_quoted(name)}")
            con.execute("drop schema meta cascade")
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
        tables = {}
        for name in found:
            # Names come from the warehouse's catalogue (dbt models), never from files.
            if basis is not None and name in INCREMENTAL_MARTS:
                _replace_changed_files(con, name, INCREMENTAL_MARTS[name], basis.published_seq)
            elif basis is not None and name in KEYED_MARTS:
                _replace_rebuilt_rows(con, name, *KEYED_MARTS[name], basis.published_seq)
            else:
                con.execute(f"create or replace table {_quoted(name)} as from working.{_quoted(name)}")
            tables[name] = con.execute(f"select count(*) from {_quoted(name)}").fetchall()[0][0]
            _copy_comments(con, name)
        if basis is not None:
            for name in (*INCREMENTAL_MARTS, *KEYED_MARTS):
                rows = con.execute(f"select count(*) from working.{_quoted(name)}").fetchall()[0][0]
                if rows != tables[name]:
                    raise _NotReusable(f"{name}: {tables[name]} rows after the increment, {rows} built")
        unreconciled = con.execute(
            """select count(*) from marts.file_loads
               where not is_replaced and not coalesce(reconciles, false)"""
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
        for target, comment in PUBLICATION_COMMENTS.items():
            con.execute(f"comment on {target} is {_literal(comment)}")
        con.execute("detach working")
        con.execute("checkpoint")
    finally:
        con.close()
    return tables


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    """`schema.table` of the published schemas in `database`, sorted."""
    return [
        f"{schema}.{table}"
        for schema, table in con.execute(
            """select schema_name, table_name from duckdb_tables()
               where database_name = $database and list_contains($schemas, schema_name)
               order by 1, 2""",
            {"database": database, "schemas": list(PUBLISHED_SCHEMAS)},
        ).fetchall()
    ]


def _copy_comments(con: duckdb.DuckDBPyConnection, name: str) -> None:
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
        con.execute(f"comment on table {_quoted(name)} is {_literal(table_comment[0][0])}")
    for column, comment in con.execute(
        """select column_name, comment from duckdb_columns() where database_name = 'working'
           and schema_name = $schema and table_name = $table and comment is not null""",
        where,
    ).fetchall():
        con.execute(f'comment on column {_quoted(name)}."{column}" is {_literal(comment)}')


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _own_database(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_database()").fetchall()[0][0]


def _quoted(name: str) -> str:
    schema, table = name.split(".", 1)
    return f'{schema}."{table}"'


def _columns(con: duckdb.DuckDBPyConnection, database: str, name: str) -> list[tuple[str, str]]:
    schema, table = name.split(".", 1)
    return con.execute(
        """select column_name, data_type from duckdb_columns()
           where database_name = $database and schema_name = $schema and table_name = $table
           order by column_index""",
        {"database": database, "schema": schema, "table": table},
    ).fetchall()


def _check_reusable(con: duckdb.DuckDBPyConnection, basis: Basis, found: list[str]) -> None:
    try:
        copied_version = con.execute("select version from meta.publication").fetchall()[0][0]
    except duckdb.Error as exc:
        raise _NotReusable(f"the published file has no readable version: {exc}") from exc
    if copied_version != basis.published_version:
        raise _NotReusable(f"the published file is version {copied_version}, not {basis.published_version}")
    for name in (*INCREMENTAL_MARTS, *KEYED_MARTS):
        if name in found and _columns(con, _own_database(con), name) != _columns(con, "working", name):
            raise _NotReusable(f"{name} changed its columns")


def _replace_changed_files(con: duckdb.DuckDBPyConnection, name: str, file_column: str, since: int | None):
    """The rows of files validated after `since`, as the warehouse has them now."""
    changed = f"""select file_id from working.validated.file_verdicts
                  where validation_seq > {int(since) if since is not None else -1}"""
    con.execute(f"delete from {_quoted(name)} where {file_column} in ({changed})")
    con.execute(
        f"insert into {_quoted(name)} by name "
        f"select * from working.{_quoted(name)} where {file_column} in ({changed})"
    )


def _replace_rebuilt_rows(
    con: duckdb.DuckDBPyConnection, name: str, key: str, built_in: str, since: int | None
) -> None:
    """The rows built after validation run `since` (by key), as the warehouse has them now;
    rows whose key is gone from the warehouse go."""
    rebuilt = f"""select {key} from working.{built_in}
                  where built_seq > {int(since) if since is not None else -1}"""
    con.execute(
        f"""delete from {_quoted(name)}
            where {key} not in (select {key} from working.{_quoted(name)}) or {key} in ({rebuilt})"""
    )
    con.execute(
        f"""insert into {_quoted(name)} by name
            select * from working.{_quoted(name)} where {key} in ({rebuilt})"""
    )
