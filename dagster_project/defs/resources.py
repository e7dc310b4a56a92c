"""The warehouse resource: the run's `Settings`, and how to open the warehouse under them.

A plain object built once from the `Settings` (`build_definitions`): assets and checks take
it as `warehouse: Warehouse` and read `warehouse.settings`; nothing converts the settings
to strings and back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from dagster_project.landing.key_record import warehouse_key
from dagster_project.landing.pseudonymise import PseudonymKey
from dagster_project.settings import Settings, memory_limit_share
from dagster_project.warehouse import connection
from dagster_project.warehouse.locking import warehouse_lock
from dagster_project.warehouse.tables import ensure_landing_tables


class NpsWarehouse:
    """One NPS warehouse: its settings, its run lock and its connections."""

    def __init__(self, settings: Settings):
        self.settings = settings

    @contextmanager
    def writing(self, log=None) -> Iterator[None]:
        """Hold the warehouse's run lock (re-entrant; waits for another run to finish)."""
        with warehouse_lock(
            self.settings.warehouse_path,
            timeout=self.settings.lock_timeout_seconds,
            on_wait=log.warning if log else None,
        ):
            yield

    @contextmanager
    def connect(
        self, read_only: bool = False, log=None, memory_share: float = 1.0
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection under the run lock, capped at `memory_share` of the DuckDB memory limit."""
        settings = self.settings
        with (
            self.writing(log),
            connection.connect(
                settings.warehouse_path,
                read_only=read_only,
                memory_limit=memory_limit_share(settings.duckdb_memory_limit, memory_share),
                spill_dir=settings.spill_dir,
                lock_timeout=settings.lock_timeout_seconds,
            ) as con,
        ):
            if not read_only:
                ensure_landing_tables(con)
            yield con

    def pseudonym_key(self, con: duckdb.DuckDBPyConnection) -> PseudonymKey:
        """The key this warehouse lands with (checked against, or recorded in, `con`'s warehouse)."""
        return warehouse_key(con, self.settings.secrets_dir, self.settings.pseudonymisation_key)


# How assets and checks ask for it: `warehouse: Warehouse`.
Warehouse = dg.ResourceParam[NpsWarehouse]
