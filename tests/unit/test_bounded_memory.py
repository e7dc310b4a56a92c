"""Every DuckDB connection of the pipeline is capped and spills next to the warehouse; dbt's
profile passes the same cap."""

from __future__ import annotations

from pathlib import Path

import yaml

from dagster_project.settings import DBT_PROJECT_DIR, Settings, memory_limit_share
from dagster_project.validation.judging import rank_repeated_ids
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


def test_ids_that_repeat_are_ranked_within_the_cap(tmp_path):
    """A CRM history of full exports (every customer in each): half its rows lose their id to
    the later export. Ranked under a cap far below the rows' size, they spill; one statement
    that counted, ranked and updated the rows in place ran out of memory (at 3M answers:
    2.7M CRM rows under 1 GB; here 1M rows under 100 MB)."""
    rows = 1_000_000
    with connect(tmp_path / "nps.duckdb", memory_limit="100MB") as con:
        con.execute("begin transaction")
        con.execute(
            f"""create temp table _judged as
                select 'file' || (i % 2) as file_id, i as row_number, i % 2 as landing_seq,
                    'C' || lpad((i // 2)::varchar, 9, '0') as id_value,
                    'inbox/customers/crm_' || (i % 2) || '.csv' as file_path,
                    1 as id_rank,
                    'inbox/customers/crm_' || (i % 2) || '.csv' as winner_file_path,
                    i as winner_row_number,
                    repeat('x', 300) || i as raw_values
                from range({rows}) as t(i)"""
        )
        rank_repeated_ids(con)
        lost, won = con.execute(
            """select
                   count(*) filter (where id_rank = 2 and winner_file_path = 'inbox/customers/crm_1.csv'
                                    and winner_row_number = row_number + 1),
                   count(*) filter (where id_rank = 1 and winner_row_number = row_number)
               from _checked"""
        ).fetchall()[0]
    assert (lost, won) == (rows // 2, rows // 2)
