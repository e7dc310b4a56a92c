"""The dbt unit tests (logic of categories, periods, statistics, follow-ups, themes), run
by real dbt against a built warehouse. Production runs skip them; `make test` runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from dagster_project.defs.transform.project import dbt_executable, dbt_project
from dagster_project.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.pipeline


def test_every_dbt_unit_test_passes(small_warehouse, tmp_path):
    warehouse = tmp_path / "nps.duckdb"
    shutil.copy(small_warehouse.settings.warehouse_path, warehouse)
    result = subprocess.run(
        [
            dbt_executable(),
            "test",
            "--profiles-dir",
            ".",
            "--select",
            "test_type:unit",
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "NPS_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    declared = len(json.loads(dbt_project.manifest_path.read_text())["unit_tests"])
    summary = [line for line in result.stdout.splitlines() if "Done. PASS=" in line]
    assert declared >= 11
    assert summary and f"PASS={declared} " in summary[0] and "ERROR=0" in summary[0], summary
