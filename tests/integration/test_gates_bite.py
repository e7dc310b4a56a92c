"""The blocking GX check and the dbt data tests fail when the data is wrong.

Each test damages a copy of a built warehouse the way a bug would, and runs the real
check (Dagster + GX) or the real dbt tests against it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.settings import Settings
from tests.dbt_runs import run_dbt
from tests.pipeline import run_pipeline

pytestmark = pytest.mark.pipeline


@pytest.fixture
def damaged_copy(small_warehouse, tmp_path) -> Settings:
    source = small_warehouse.settings
    settings = Settings(
        raw_dir=source.raw_dir,
        warehouse_path=tmp_path / "nps.duckdb",
        reporting_tz=source.reporting_tz,
        secrets_dir=source.secrets_dir,
        published_path=tmp_path / "published" / "nps_marts.duckdb",
        # the copy builds from a copy of the same lake (its validated rows as Parquet)
        lake_dir_setting=tmp_path / "lake",
    )
    shutil.copy(source.warehouse_path, settings.warehouse_path)
    shutil.copytree(source.lake_dir, tmp_path / "lake")
    return settings


def execute(settings: Settings, sql: str) -> None:
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        con.execute(sql)
    finally:
        con.close()


def test_gx_gate_fails_when_an_invalid_score_sits_among_valid_rows(damaged_copy):
    # As if validation had a bug: a valid row's stored score is 11 in a batch that validation
    # has just changed (GX checks each changed batch, not unchanged history). The valid stage
    # judges the values validation stored, the ones dbt reads, not the landed text again.
    execute(damaged_copy, "update validated.responses set score = 11 where response_id = 'R02'")
    execute(damaged_copy, "update validated.file_verdicts set validation_seq = validation_seq + 1")
    check = dg.AssetCheckKey(dg.AssetKey(["validated", "responses"]), "gx_valid_rows")
    result = run_pipeline(damaged_copy, selection=dg.AssetSelection.checks(check))
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.severity.value == "ERROR"
    assert "score is a whole number from 0 to 10" in evaluation.metadata["report"].value


def test_reconciliation_fails_when_a_row_goes_missing(damaged_copy):
    execute(damaged_copy, "delete from validated.responses where response_id = 'R05'")
    check = dg.AssetCheckKey(dg.AssetKey(["validated", "responses"]), "rows_reconcile")
    result = run_pipeline(damaged_copy, selection=dg.AssetSelection.checks(check))
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert "2024-12_export.csv" in evaluation.description


def run_dbt_tests(settings: Settings, select: str) -> subprocess.CompletedProcess:
    return run_dbt(
        settings, "test", "--select", select, target=Path(settings.warehouse_path).parent / "dbt_target"
    )


def test_dbt_tests_pass_on_the_built_marts(damaged_copy):
    result = run_dbt_tests(damaged_copy, "nps_by_period")
    assert result.returncode == 0, result.stdout[-2000:]


def test_dbt_tests_catch_categories_that_do_not_add_up(damaged_copy):
    execute(
        damaged_copy,
        "update marts.nps_by_period set promoters = promoters + 1 "
        "where period_grain = 'month' and period_start = '2025-01-01'",
    )
    result = run_dbt_tests(damaged_copy, "nps_by_period")
    assert result.returncode != 0
    assert "FAIL 1 expression_is_true_nps_by_period_promoters_passives_detractors_responses" in (
        result.stdout
    )


def test_dbt_tests_catch_a_duplicate_period(damaged_copy):
    execute(
        damaged_copy,
        "insert into marts.nps_by_period select * from marts.nps_by_period "
        "where period_grain = 'year' limit 1",
    )
    result = run_dbt_tests(damaged_copy, "nps_by_period")
    assert result.returncode != 0
    assert "FAIL 1 unique_combination_of_columns_nps_by_period" in result.stdout
