"""Running real dbt from a test the way the pipeline does: settings passed as --vars."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from dagster_project.defs.transform.project import dbt_executable
from dagster_project.settings import DBT_PROJECT_DIR, Settings


def run_dbt(settings: Settings, *args: str, target: Path, check: bool = False) -> subprocess.CompletedProcess:
    """`dbt <args>` on the settings' warehouse, artifacts in `target`."""
    return subprocess.run(
        [
            dbt_executable(),
            *args,
            "--profiles-dir",
            ".",
            "--vars",
            json.dumps(settings.dbt_vars()),
            "--target-path",
            str(target),
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        check=check,
    )


def unit_test_results(target: Path) -> dict[str, str]:
    """unit test -> status, from the run results of a `dbt test` in `target`."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
