"""Every DuckDB connection of the pipeline is capped and spills next to the warehouse; dbt's
profile passes the same cap."""

from __future__ import annotations

import yaml

from dagster_project.lib.warehouse import connect
from dagster_project.settings import DBT_PROJECT_DIR


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
    assert "NPS_DUCKDB_MEMORY_LIMIT" in settings["memory_limit"]
    assert profile["nps_warehouse"]["outputs"]["local"]["threads"] == 1
