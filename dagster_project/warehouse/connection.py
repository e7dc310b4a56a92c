"""Opening the pipeline's DuckDB file: bounded memory, UTC, waiting out another holder.

The warehouse file is private to the pipeline: one writer at a time (Dagster pool
`nps_warehouse`), connections opened per step and closed at once so dbt can open it next.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dagster_project.settings import DEFAULT_DUCKDB_MEMORY_LIMIT, DEFAULT_LOCK_TIMEOUT_SECONDS
from dagster_project.warehouse.memory import release_unused_memory

WRITER_POOL = "nps_warehouse"


LOCK_CONFLICT = "Could not set lock on file"
LOCK_RETRY_SECONDS = 0.5


def duckdb_config(memory_limit: str, spill_dir: Path | None) -> dict[str, str]:
    """Bounded memory for one connection: DuckDB spills to `spill_dir` past the limit
    instead of taking up to 80% of the machine's RAM."""
    config = {"memory_limit": memory_limit}
    if spill_dir is not None:
        spill_dir.mkdir(parents=True, exist_ok=True)
        config["temp_directory"] = str(spill_dir)
    return config


def _open(
    path: Path, read_only: bool, config: dict[str, str], lock_timeout: float
) -> duckdb.DuckDBPyConnection:
    """Open the file; while another process still holds DuckDB's own lock on it (e.g. a dbt
    left running by a killed run), wait for it, up to `lock_timeout` seconds."""
    deadline = time.monotonic() + lock_timeout
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            if LOCK_CONFLICT not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(LOCK_RETRY_SECONDS)


@contextmanager
def connect(
    path: Path,
    read_only: bool = False,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT,
    spill_dir: Path | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with UTC session time (timestamps without an offset mean UTC), capped
    at `memory_limit` and spilling to `<file>.tmp` (DuckDB's default, so dbt agrees) or `spill_dir`."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    spill = spill_dir or (path.with_name(path.name + ".tmp") if not read_only else None)
    con = _open(path, read_only, duckdb_config(memory_limit, spill), lock_timeout)
    try:
        con.execute("set TimeZone = 'UTC'")
        yield con
    finally:
        con.close()
        release_unused_memory()  # the next step (or dbt beside this process) gets it back
