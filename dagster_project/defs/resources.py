"""The warehouse resource: where the inbox and the DuckDB file are, and how to open it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.lib import warehouse
from dagster_project.lib.pseudonymise import PseudonymKey, load_key
from dagster_project.settings import Settings


class NpsWarehouse(dg.ConfigurableResource):
    """Paths of one NPS warehouse; built from `Settings` (environment variables)."""

    raw_dir: str
    warehouse_path: str
    reporting_tz: str
    secrets_dir: str
    sources_config: str

    @classmethod
    def from_settings(cls, settings: Settings) -> NpsWarehouse:
        return cls(
            raw_dir=str(settings.raw_dir),
            warehouse_path=str(settings.warehouse_path),
            reporting_tz=settings.reporting_tz,
            secrets_dir=str(settings.secrets_dir),
            sources_config=str(settings.sources_config),
        )

    @property
    def settings(self) -> Settings:
        return Settings(
            raw_dir=Path(self.raw_dir),
            warehouse_path=Path(self.warehouse_path),
            reporting_tz=self.reporting_tz,
            secrets_dir=Path(self.secrets_dir),
            sources_config=Path(self.sources_config),
        )

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(Path(self.warehouse_path), read_only=read_only) as con:
            if not read_only:
                warehouse.ensure_landing_tables(con)
            yield con

    def pseudonym_key(self) -> PseudonymKey:
        return load_key(Path(self.secrets_dir))
