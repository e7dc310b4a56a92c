"""The dbt unit tests (logic of categories, periods, statistics, follow-ups, themes), run
by real dbt against a built warehouse. Production runs skip them; `make test` runs them."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from dagster_project.defs.transform.project import dbt_project
from tests.dbt_runs import run_dbt

pytestmark = pytest.mark.pipeline


def test_every_dbt_unit_test_passes(small_warehouse, tmp_path):
    warehouse = tmp_path / "nps.duckdb"
    shutil.copy(small_warehouse.settings.warehouse_path, warehouse)
    settings = dataclasses.replace(small_warehouse.settings, warehouse_path=warehouse)
    result = run_dbt(settings, "test", "--select", "test_type:unit", target=tmp_path / "target")
    assert result.returncode == 0, result.stdout[-3000:]
    declared = len(json.loads(dbt_project.manifest_path.read_text())["unit_tests"])
    summary = [line for line in result.stdout.splitlines() if "Done. PASS=" in line]
    assert declared >= 11
    assert summary and f"PASS={declared} " in summary[0] and "ERROR=0" in summary[0], summary
