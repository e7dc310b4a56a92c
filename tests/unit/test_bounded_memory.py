"""Every DuckDB connection of the pipeline is capped and spills next to the warehouse; dbt's
profile passes the same cap."""

from __future__ import annotations

from pathlib import Path

import yaml

from dagster_project.settings import DBT_PROJECT_DIR, Settings, memory_limit_share
from dagster_project.warehouse.connection import connect


def test_connections_are_capped_and_spill_next_to_the_warehouse(tmp_path):
    path = tmp_path / "nps.duckdb"
    with connect(path, memory_limit="256MB") as con:
        limit, spill = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchall()[0]
    assert limit == "244.1 MiB"  # 256 MB
    assert spill == str(tmp_path / "nps.duckdb.tmp")


def test_dbt_profile_passes_the_memory_limit():
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    settings = profile["nps_warehouse"]["outputs"]["local"]["settings"]
    assert "var('nps_duckdb_memory_limit')" in settings["memory_limit"]
    assert profile["nps_warehouse"]["outputs"]["local"]["threads"] == 1


def test_shares_of_the_memory_limit():
    assert memory_limit_share("1GB", 0.75) == "750MB"
    assert memory_limit_share("1GB", 1.0) == "1000MB"
    assert memory_limit_share("2GiB", 0.5) == "1073MB"
    assert memory_limit_share("512 mb", 0.5) == "256MB"
    settings = Settings(Path("r"), Path("w.duckdb"), "UTC", Path("s"), duckdb_memory_limit="2GB")
    assert settings.dbt_vars()["nps_duckdb_memory_limit"] == "1500MB"
