"""Shared fixtures: real DuckDB files in temporary directories, real pipeline runs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.settings import Settings
from tests.pipeline import run_pipeline

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files marked `long_running(minutes=...)` first, longest first, then the rest in
    collection order: xdist hands each file to one worker (`--dist loadfile
    --no-loadscope-reorder`) in this order, and the Spark parity file (~9 minutes) handed out
    last would run alone at the end."""

    def minutes(item: pytest.Item) -> float:
        marker = item.get_closest_marker("long_running")
        return marker.kwargs.get("minutes", 1) if marker else 0

    items.sort(key=lambda item: -minutes(item))


@dataclass
class Warehouse:
    settings: Settings
    result: dg.ExecuteInProcessResult | None = None  # the run that built it, where kept

    def query(self, sql: str, params: object = None) -> list[tuple]:
        con = duckdb.connect(str(self.settings.warehouse_path), read_only=True)
        try:
            return con.execute(sql, params).fetchall() if params else con.sql(sql).fetchall()
        finally:
            con.close()


def make_settings(root: Path, inbox: Path | None = None) -> Settings:
    raw_dir = root / "inbox"
    if inbox is not None:
        shutil.copytree(inbox, raw_dir)
    else:
        raw_dir.mkdir(parents=True)
    return Settings(
        raw_dir=raw_dir,
        warehouse_path=root / "warehouse" / "nps.duckdb",
        reporting_tz="Europe/Stockholm",
        secrets_dir=root / "secrets",
        published_path=root / "published" / "nps_marts.duckdb",
        surveys_config=FIXTURES / "surveys.yml",
    )


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """The hand-computed fixture inbox, run once through the whole Dagster pipeline."""
    settings = make_settings(tmp_path_factory.mktemp("small"), FIXTURES / "inbox_small")
    result = run_pipeline(settings)
    assert result.success, "the pipeline run on the small fixture inbox failed"
    yield Warehouse(settings, result)
