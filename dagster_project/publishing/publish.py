"""Publishing what readers may see: each audience's marts, as a separate DuckDB file,
replaced atomically.

Each audience (config/audiences.yml, dagster_project/audiences.py) gets a file of its own
holding only its schemas (customers: `marts` and `reference`; HR: `hr` and `reference`) and,
within them, only its programmes' rows, with the audience's file and folder permissions.

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

Cost follows new data (the default audience's file; HR's aggregates are small and copied
whole every time): the big marts are incremental in dbt (rows of unchanged files are
left as they are between two full builds), so when the warehouse's record says the
published file was made from this warehouse since its last full dbt build, the new file
starts as a byte copy of the published one (a file copy, no query), and only the rows of
files validated since are deleted and inserted in its incremental marts (the rows dbt built
since, by key, in `detractor_followups`); every other mart and reference table that a dbt
build remade since the file was made (`validated.dbt_relation_builds`) is replaced whole
(they are aggregates, small next to the facts), and the rest stay as published. The
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

from dagster_project.audiences import DEFAULT_AUDIENCE, Audience
from dagster_project.durable import fsync_path
from dagster_project.publishing.comments import comment_publication_table, copy_comments
from dagster_project.publishing.increment import (
    INCREMENTAL_MARTS,
    KEYED_MARTS,
    Basis,
    NotReusable,
    check_reusable,
    content_digest,
    read_basis,
    record_basis,
    replace_changed_files,
    replace_rebuilt_rows,
)
from dagster_project.publishing.names import columns, literal, own_database, quoted, tables
from dagster_project.settings import DEFAULT_DUCKDB_MEMORY_LIMIT
from dagster_project.warehouse.connection import connect, duckdb_config
from dagster_project.warehouse.crash_points import crash_point
from dagster_project.warehouse.dbt_watermark import DUCKDB_TARGET

# What a publication must hold, by the audience's first schema.
REQUIRED_TABLES = ("marts.nps_responses", "marts.nps_by_period", "marts.file_loads")
REQUIRED_HR_TABLES = ("hr.enps_by_group",)


class PublicationError(RuntimeError):
    """The build is not fit to publish; the published file was left as it was."""


@dataclass(frozen=True)
class Publication:
    path: Path
    version: str
    published_at: dt.datetime
    tables: dict[str, int]  # schema.table -> rows
    incremental: bool = False  # started from the previous file, changed files' rows only
    kept: frozenset[str] = frozenset()  # tables left as published (no build changed them)
    copied_whole_because: str | None = None  # why an increment was tried and not used

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


def publish(
    warehouse: Path,
    published: Path,
    run_id: str | None = None,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT,
    spill_dir: Path | None = None,
    only: Collection[str] | None = None,
    audience: Audience = DEFAULT_AUDIENCE,
    target: str = DUCKDB_TARGET,
) -> Publication:
    """Copy the audience's schemas of `warehouse` into a new file and swap it in. `only`: the
    `schema.table` names to publish (the dbt models; a table a renamed model left behind is
    not published), else every table of those schemas. `target`: the dbt target that built
    the marts (its watermark says what changed since the last publication)."""
    _prepare_folder(published.parent, audience)
    remove_stale_temporaries(published)
    spill_dir = spill_dir or warehouse.with_name(warehouse.name + ".tmp")
    with connect(warehouse, read_only=True, memory_limit=memory_limit, spill_dir=spill_dir) as con:
        # the warehouse records what the default audience's file was made from
        basis = read_basis(con, target) if audience.default else None
    temporary = _temporary_path(published)
    version = uuid.uuid4().hex
    published_at = dt.datetime.now(dt.UTC)
    config = duckdb_config(memory_limit, spill_dir)
    incremental = basis is not None and basis.reusable and published.exists()
    copied_whole_because = None
    try:
        if incremental:
            try:
                shutil.copyfile(published, temporary)
                copied, kept = _copy(
                    warehouse, temporary, version, published_at, run_id, config, basis, only, audience
                )
            except (NotReusable, duckdb.IOException) as exc:  # e.g. a damaged published file
                _remove(temporary)
                incremental, copied_whole_because = False, str(exc).splitlines()[0][:300]
        if not incremental:
            copied, kept = _copy(
                warehouse, temporary, version, published_at, run_id, config, None, only, audience
            )
        # Read-only on disk: a BI tool that forgets `read_only` gets "Permission denied" instead
        # of a write lock that would make every other reader's open fail (root ignores modes);
        # readable only by whom the audience names (its mode and group).
        if audience.gid is not None:
            os.chown(temporary, -1, audience.gid)
        os.chmod(temporary, audience.file_permissions)
        fsync_path(temporary)
        crash_point("publishing")
        os.replace(temporary, published)
        fsync_path(published.parent)
    finally:
        _remove(temporary)
    if basis is not None:
        with connect(warehouse, memory_limit=memory_limit, spill_dir=spill_dir) as con:
            record_basis(con, version, basis)
    return Publication(
        published, version, published_at, copied, incremental, frozenset(kept), copied_whole_because
    )


def _prepare_folder(folder: Path, audience: Audience) -> None:
    """The audience's folder, with its mode and group (the default audience's folder is
    left as the deployment made it)."""
    folder.mkdir(parents=True, exist_ok=True)
    if audience.gid is not None:
        os.chown(folder, -1, audience.gid)
    if audience.folder_permissions is not None:
        os.chmod(folder, audience.folder_permissions)


def programme_rows(con: duckdb.DuckDBPyConnection, name: str, audience: Audience) -> str:
    """A where-condition keeping the audience's programmes' rows of `working.<name>` (all rows
    of a table without a programme column, and of HR's own schema). The customer marts hold
    no employee answer (dbt keeps them out); this keeps out the rest, e.g. the employee
    surveys' catalogue entries."""
    if audience.is_employee or "programme" not in {column for column, _ in columns(con, "working", name)}:
        return "true"
    return "programme in (" + ", ".join(literal(p) for p in sorted(audience.programmes)) + ")"


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
    audience: Audience,
) -> tuple[dict[str, int], set[str]]:
    """Fill `target` from the warehouse: from nothing, or (with `basis`) from a copy of the
    previous published file, replacing what changed; the rows per table, and the tables kept."""
    con = duckdb.connect(str(target), config=config)
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("attach $path as working (read_only)", {"path": str(warehouse)})
        found = [name for name in tables(con, "working", audience.schemas) if only is None or name in only]
        required = REQUIRED_HR_TABLES if audience.is_employee else REQUIRED_TABLES
        missing = sorted(set(required) - set(found))
        if missing:
            raise PublicationError(f"the build has no {', '.join(missing)}: nothing was published")
        kept: set[str] = set()
        if basis is not None:
            check_reusable(con, basis, found)
            published = set(tables(con, own_database(con), audience.schemas))
            for name in published - set(found):
                con.execute(f"drop table {quoted(name)}")
            con.execute("drop schema meta cascade")
            # tables no dbt build changed since the file was made stay as they are
            kept = {
                name
                for name in published & set(found)
                if basis.unchanged_since_published(name)
                and columns(con, own_database(con), name) == columns(con, "working", name)
            }
        for schema in audience.schemas:
            con.execute(f"create schema if not exists {schema}")
        copied, wanted = {}, {}
        for name in found:
            # Names come from the warehouse's catalogue (dbt models), never from files.
            rows = wanted[name] = programme_rows(con, name, audience)
            if basis is not None and name in INCREMENTAL_MARTS:
                replace_changed_files(con, name, INCREMENTAL_MARTS[name], basis.published_seq, rows)
            elif basis is not None and name in KEYED_MARTS:
                replace_rebuilt_rows(con, name, KEYED_MARTS[name], basis.published_seq, rows)
            elif name not in kept:
                con.execute(
                    f"create or replace table {quoted(name)} as from working.{quoted(name)} where {rows}"
                )
            copied[name] = con.execute(f"select count(*) from {quoted(name)}").fetchall()[0][0]
            if name not in kept:
                copy_comments(con, name)
        if basis is not None:
            # What the increments made must be what was built, row for row, before the swap.
            for name in (*INCREMENTAL_MARTS, *KEYED_MARTS):
                published, built = (
                    content_digest(con, table, rows)
                    for table, rows in ((quoted(name), "true"), (f"working.{quoted(name)}", wanted[name]))
                )
                if published != built:
                    raise NotReusable(
                        f"{name}: the increment gives {published[0]} rows (digest {published[1]}), "
                        f"the build {built[0]} (digest {built[1]})"
                    )
        if "marts.file_loads" in found:
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
                "tables": copied,
            },
        )
        comment_publication_table(con)
        con.execute("detach working")
        con.execute("checkpoint")
    finally:
        con.close()
    return copied, kept
