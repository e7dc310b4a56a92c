"""The blocking GX check, the dbt data tests and the marts' contract rules fail when the
data is wrong.

Each test damages a copy of a built warehouse the way a bug would, and runs the real
check (Dagster + GX), the real dbt tests or the real tables against it.
"""

from __future__ import annotations

import json
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


def test_the_mart_refuses_categories_that_do_not_add_up(damaged_copy):
    con = duckdb.connect(str(damaged_copy.warehouse_path))
    try:
        refused = r"CHECK.*\(promoters \+ passives\) \+ detractors\) = responses"
        with pytest.raises(duckdb.ConstraintException, match=refused):
            con.execute(
                "update marts.nps_by_period set promoters = promoters + 1 "
                "where period_grain = 'month' and period_start = '2025-01-01'"
            )
    finally:
        con.close()


def test_dbt_tests_catch_a_duplicate_period(damaged_copy):
    execute(
        damaged_copy,
        "insert into marts.nps_by_period select * from marts.nps_by_period "
        "where period_grain = 'year' limit 1",
    )
    result = run_dbt_tests(damaged_copy, "nps_by_period")
    assert result.returncode != 0
    assert "FAIL 1 unique_combination_of_columns_nps_by_period" in result.stdout


def test_a_mart_refuses_rows_that_break_its_contract(damaged_copy):
    """The columns' rules (`constraints` in the marts' YAML) live in DuckDB's tables: a build
    that would write such a row fails, and the table stays as it was."""
    con = duckdb.connect(str(damaged_copy.warehouse_path))
    try:
        with pytest.raises(duckdb.ConstraintException, match="programme IN"):
            con.execute("update marts.nps_by_period set programme = 'loyalty' where period_grain = 'year'")
        with pytest.raises(duckdb.ConstraintException, match="NOT NULL constraint failed.*period_start"):
            con.execute("update marts.nps_by_period set period_start = null where period_grain = 'year'")
        kept = con.execute("select count(*) from marts.nps_by_period where programme = 'loyalty'").fetchone()
        assert kept == (0,)
    finally:
        con.close()


def test_on_spark_the_post_hook_counts_the_rows_that_break_a_contract(damaged_copy, tmp_path):
    """Spark's Parquet tables keep no constraints: there the marts' post-hook counts the rows
    that break each rule (macro `constraint_breaches`, the same SQL on both engines), here run
    on a copy of the mart that has no constraints."""
    execute(
        damaged_copy,
        "create table main.bad_copy as select * from marts.nps_by_period;"
        "update main.bad_copy set programme = 'loyalty' where period_grain = 'year';"
        "update main.bad_copy set period_start = null where period_grain = 'quarter';"
        "update main.bad_copy set promoters = promoters + 1 "
        "where period_grain = 'month' and not is_suppressed;",
    )
    con = duckdb.connect(str(damaged_copy.warehouse_path), read_only=True)
    try:
        years, quarters, months = con.execute(
            "select count(*) filter (where period_grain = 'year'), "
            "count(*) filter (where period_grain = 'quarter'), "
            "count(*) filter (where period_grain = 'month' and not is_suppressed) from main.bad_copy"
        ).fetchone()
    finally:
        con.close()
    assert years > 0 and quarters > 0 and months > 0
    breaches = (
        "constraint_breaches(api.Relation.create(schema='main', identifier='bad_copy'), "
        "graph.nodes['model.nps_warehouse.nps_by_period'].columns, "
        "graph.nodes['model.nps_warehouse.nps_by_period'].constraints)"
    )
    result = run_dbt(
        damaged_copy, "show", "--inline",
        f"select '{{{{ {breaches} | join(' | ') | replace(\"'\", \"''\") }}}}' as breaches",
        "--output", "json", "--log-format", "json",
        target=tmp_path / "dbt_show", check=True,
    )
    previews = [json.loads(line).get("data", {}).get("preview") for line in result.stdout.splitlines()]
    (preview,) = [p for p in previews if p]
    (row,) = json.loads(preview)
    programmes = "'relationship', 'transactional', 'employee', 'unclassified'"
    add_up = (
        "case when not is_suppressed then coalesce(promoters + passives + detractors = responses, false) "
        "else true end"
    )
    assert sorted(" ".join(b.split()) for b in row["breaches"].split(" | ")) == [
        f"{add_up} (broken by {months} rows)",
        f"period_start is not null (broken by {quarters} rows)",
        f"programme in ({programmes}) (broken by {years} rows)",
    ]
