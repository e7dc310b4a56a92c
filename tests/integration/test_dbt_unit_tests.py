"""The dbt unit tests (logic of categories, periods, statistics, follow-ups, themes), run
by real dbt against a built warehouse. Production runs skip them; `make test` runs them."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from dagster_project.defs.transform.project import dbt_project
from tests.dbt_runs import run_dbt, unit_test_results

pytestmark = pytest.mark.pipeline


def test_every_dbt_unit_test_passes(small_warehouse, tmp_path):
    warehouse = tmp_path / "nps.duckdb"
    shutil.copy(small_warehouse.settings.warehouse_path, warehouse)
    shutil.copytree(small_warehouse.settings.lake_dir, tmp_path / "lake")  # a lake of its own
    settings = dataclasses.replace(
        small_warehouse.settings, warehouse_path=warehouse, lake_dir_setting=tmp_path / "lake"
    )
    result = run_dbt(settings, "test", "--select", "test_type:unit", target=tmp_path / "target")
    assert result.returncode == 0, result.stdout[-3000:]
    declared = len(json.loads(dbt_project.manifest_path.read_text())["unit_tests"])
    statuses = unit_test_results(tmp_path / "target")
    assert declared >= 11
    assert len(statuses) == declared and set(statuses.values()) == {"pass"}, statuses
