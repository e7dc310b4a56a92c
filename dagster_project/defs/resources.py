"""The warehouse resource: where the inbox and the DuckDB file are, and how to open it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.lib import warehouse
from dagster_project.lib.locking import warehouse_lock
from dagster_project.lib.pseudonymise import PseudonymKey, load_key
from dagster_project.settings import Settings


class NpsWarehouse(dg.ConfigurableResource):
    """Paths of one NPS warehouse; built from `Settings` (environment variables)."""

    raw_dir: str
    warehouse_path: str
    reporting_tz: str
    secrets_dir: str
    sources_config: str
    published_path: str

    @classmethod
    def from_settings(cls, settings: Settings) -> NpsWarehouse:
        return cls(
            raw_dir=str(settings.raw_dir),
            warehouse_path=str(settings.warehouse_path),
            reporting_tz=settings.reporting_tz,
            secrets_dir=str(settings.secrets_dir),
            sources_config=str(settings.sources_config),
            published_path=str(settings.published_path),
        )

    @property
    def settings(self) -> Settings:
        return Settings(
            raw_dir=Path(self.raw_dir),
            warehouse_path=Path(self.warehouse_path),
            reporting_tz=self.reporting_tz,
            secrets_dir=Path(self.secrets_dir),
            sources_config=Path(self.sources_config),
            published_path=Path(self.published_path),
        )

    @contextmanager
    def writing(self, log=None) -> Iterator[None]:
        """Hold the warehouse's run lock (re-entrant; waits for another run to finish)."""
        with warehouse_lock(Path(self.warehouse_path), on_wait=log.warning if log else None):
            yield

    @contextmanager
    def connect(self, read_only: bool = False, log=None) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.writing(log), warehouse.connect(Path(self.warehouse_path), read_only=read_only) as con:
            if not read_only:
                warehouse.ensure_landing_tables(con)
            yield con

    def pseudonym_key(self) -> PseudonymKey:
        return load_key(Path(self.secrets_dir))
