"""Shared fixtures: real DuckDB files in temporary directories, real pipeline runs."""

from __future__ import annotations

import dataclasses
import fcntl
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.settings import REPO_ROOT, Settings
from tests.pipeline import run_pipeline

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = REPO_ROOT / "data" / "raw"  # the committed sample, what `make run` lands
NO_TELEMETRY = {"telemetry": {"enabled": False}}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files marked `long_running(minutes=...)` first, longest first, then the rest in
    collection order: xdist hands each file to one worker (`--dist loadfile
    --no-loadscope-reorder`) in this order, and the Spark parity file (~7 minutes) handed out
    last would run alone at the end."""

    def minutes(item: pytest.Item) -> float:
        marker = item.get_closest_marker("long_running")
        return marker.kwargs.get("minutes", 1) if marker else 0

    items.sort(key=lambda item: -minutes(item))


@dataclass
class Warehouse:
    settings: Settings
    dagster_home: Path | None = None  # the Dagster instance of the run that built it, where kept

    def materialisations(self) -> dict[dg.AssetKey, dict]:
        """The metadata of every asset's latest materialisation, as the Dagster UI shows it."""
        with dg.DagsterInstance.local_temp(str(self.dagster_home), overrides=NO_TELEMETRY) as instance:
            keys = instance.get_asset_keys()
            latest = instance.get_latest_materialization_events(keys)
        return {key: entry.asset_materialization.metadata for key, entry in latest.items() if entry}

    def query(self, sql: str, params: object = None) -> list[tuple]:
        con = duckdb.connect(str(self.settings.warehouse_path), read_only=True)
        try:
            return con.execute(sql, params).fetchall() if params else con.sql(sql).fetchall()
        finally:
            con.close()


def settings_at(root: Path, **changes: object) -> Settings:
    """A deployment under `root`: inbox/, secrets/, warehouse/nps.duckdb, published/."""
    settings = Settings(
        raw_dir=root / "inbox",
        warehouse_path=root / "warehouse" / "nps.duckdb",
        reporting_tz="Europe/Stockholm",
        secrets_dir=root / "secrets",
        published_path=root / "published" / "nps_marts.duckdb",
        surveys_config=FIXTURES / "surveys.yml",
    )
    return dataclasses.replace(settings, **changes)


def make_settings(root: Path, inbox: Path | None = None) -> Settings:
    settings = settings_at(root)
    if inbox is not None:
        shutil.copytree(inbox, settings.raw_dir)
    else:
        settings.raw_dir.mkdir(parents=True)
    return settings


def copy_deployment(source: Path, root: Path) -> None:
    """Copy a deployment's folder (inbox, secrets, warehouse, lake, published file) to `root`,
    without its lock files: nobody holds the copy."""
    shutil.copytree(source, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.lock"))


def copy_of(warehouse: Warehouse, root: Path) -> Settings:
    """A copy of a built deployment under `root`, laid out as make_settings and
    `tests/cli_runs.Deployment` lay one out: a test that goes on from a built state starts
    from a copy, not from a run of its own."""
    copy_deployment(warehouse.settings.raw_dir.parent, root)
    return dataclasses.replace(
        warehouse.settings,
        raw_dir=root / "inbox",
        warehouse_path=root / "warehouse" / "nps.duckdb",
        secrets_dir=root / "secrets",
        published_path=root / "published" / "nps_marts.duckdb",
    )


def built_once(factory: pytest.TempPathFactory, name: str, inbox: Path, **changes: object) -> Warehouse:
    """An inbox run through the whole Dagster pipeline once per test session, by whichever
    xdist worker asks first (the others wait for it), its Dagster instance kept; each worker
    gets a copy of its own, since tests go on from it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    shared = (factory.getbasetemp().parent if worker else factory.getbasetemp()) / f"built-{name}"
    settings = settings_at(shared, **changes)
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (shared / "built").exists():
            shutil.rmtree(shared, ignore_errors=True)  # what a failed attempt left
            shutil.copytree(inbox, settings.raw_dir)
            home = shared / "dagster_home"
            home.mkdir()
            with dg.DagsterInstance.local_temp(str(home), overrides=NO_TELEMETRY) as instance:
                result = run_pipeline(settings, instance=instance)
            assert result.success, f"the pipeline run on {inbox} failed"
            (shared / "built").touch()
    root = factory.mktemp(name)
    return Warehouse(copy_of(Warehouse(settings), root), dagster_home=root / "dagster_home")


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The hand-computed fixture inbox, run once through the whole Dagster pipeline."""
    return built_once(tmp_path_factory, "small", FIXTURES / "inbox_small")


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The committed sample with the project's survey catalogue: what `make run` builds."""
    return built_once(tmp_path_factory, "sample", SAMPLE, surveys_config=REPO_ROOT / "config" / "surveys.yml")
