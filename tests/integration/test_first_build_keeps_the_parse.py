"""A new warehouse's first dbt build keeps the parse `make manifest` made: the Makefile parses
with the target and vars the pipeline builds with, so dbt does not parse the whole project
again (~6 s of a first `make run`). Real `dbt parse` runs, the Makefile's own command."""

from __future__ import annotations

import json
import shutil
import subprocess

from dagster_project.defs.transform import project
from dagster_project.defs.transform.project import dbt_executable, start_from_parsed_project, target_and_vars
from dagster_project.settings import DBT_PROJECT_DIR, REPO_ROOT, Settings

REPARSED = "Unable to do partial parsing"


def _makefile_parse_command() -> str:
    dry_run = subprocess.run(
        ["make", "--dry-run", "--always-make", "manifest"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\\\n", " ")
    return next(line for line in dry_run.splitlines() if "/dbt parse " in line)


def _parse_as_the_pipeline(args: list[str], target_path) -> str:
    parsed = subprocess.run(
        [dbt_executable(), "parse", "--profiles-dir", ".", *args, "--target-path", str(target_path)],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return parsed.stdout


def test_the_first_build_starts_from_the_parse_of_make_manifest(tmp_path, monkeypatch):
    made = tmp_path / "made_by_make_manifest"
    subprocess.run(f"{_makefile_parse_command()} --target-path {made}", shell=True, cwd=REPO_ROOT, check=True)
    monkeypatch.setattr(project, "PARSED_PROJECT", made)
    settings = Settings.from_env()

    first_build = tmp_path / "warehouse" / "dbt_target" / settings.dbt_target
    start_from_parsed_project(first_build)
    assert REPARSED not in _parse_as_the_pipeline(target_and_vars(settings), first_build)

    # the check can fail: with one var changed dbt says it parses everything again
    other = tmp_path / "other_vars"
    other.mkdir()
    shutil.copy(first_build / project.PARTIAL_PARSE_FILE, other)
    changed = {**settings.dbt_vars(), "nps_reporting_tz": "UTC"}
    assert REPARSED in _parse_as_the_pipeline(
        ["--target", settings.dbt_target, "--vars", json.dumps(changed)], other
    )
