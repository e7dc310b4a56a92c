"""The warehouse resource: where the inbox and the DuckDB file are, and how to open it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.landing.pseudonymise import PseudonymKey, load_key
from dagster_project.settings import Settings, memory_limit_share
from dagster_project.warehouse import connection as warehouse
from dagster_project.warehouse.locking import warehouse_lock
from dagster_project.warehouse.tables import ensure_landing_tables

_TEXT_SETTINGS = {"reporting_tz", "duckdb_memory_limit"}


class NpsWarehouse(dg.ConfigurableResource):
    """Paths of one NPS warehouse; built from `Settings` (environment variables)."""

    raw_dir: str
    warehouse_path: str
    reporting_tz: str
    secrets_dir: str
    sources_config: str
    published_path: str
    duckdb_memory_limit: str

    @classmethod
    def from_settings(cls, settings: Settings) -> NpsWarehouse:
        return cls(**{f.name: str(getattr(settings, f.name)) for f in fields(Settings)})

    @property
    def settings(self) -> Settings:
        values = {f.name: getattr(self, f.name) for f in fields(Settings)}
        return Settings(**{k: v if k in _TEXT_SETTINGS else Path(v) for k, v in values.items()})

    @contextmanager
    def writing(self, log=None) -> Iterator[None]:
        """Hold the warehouse's run lock (re-entrant; waits for another run to finish)."""
        with warehouse_lock(Path(self.warehouse_path), on_wait=log.warning if log else None):
            yield

    @contextmanager
    def connect(
        self, read_only: bool = False, log=None, memory_share: float = 1.0
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection under the run lock, capped at `memory_share` of the DuckDB memory limit."""
        settings = self.settings
        with (
            self.writing(log),
            warehouse.connect(
                settings.warehouse_path,
                read_only=read_only,
                memory_limit=memory_limit_share(settings.duckdb_memory_limit, memory_share),
                spill_dir=settings.spill_dir,
            ) as con,
        ):
            if not read_only:
                ensure_landing_tables(con)
            yield con

    def pseudonym_key(self) -> PseudonymKey:
        return load_key(Path(self.secrets_dir))
