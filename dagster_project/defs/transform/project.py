"""The one dbt project of the code location. Its manifest is built by `make manifest`
(`dbt parse`), never at import time."""

from __future__ import annotations

import json
import shutil
import sys
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from dagster_project.settings import DBT_PROJECT_DIR, Settings

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class ManifestMissing(RuntimeError):
    pass


def manifest_path():
    path = dbt_project.manifest_path
    if not path.exists():
        raise ManifestMissing(
            f"{path} is missing: run `make manifest` (dbt parse) before loading the definitions"
        )
    return path


def dbt_executable() -> str:
    """The dbt installed next to this Python (the project's .venv), else the one on PATH."""
    beside_python = Path(sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else (shutil.which("dbt") or "dbt")


class DbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource, without the dbt adapter it opens in the run process
    and without asking `dbt --version` on every run.

    Before every `dbt build`, dagster-dbt initialises a dbt adapter inside the Dagster process
    (it parses every dbt macro: 3 s, and memory held beside the dbt subprocess) for optional
    features we do not use (row counts and column metadata fetched from the warehouse). dbt
    itself runs as a subprocess either way; the invocation accepts no adapter. It also starts
    `dbt --version` once per run (a second Python process importing dbt: ~3 s) to learn
    whether dbt is dbt-core or Fusion; the dbt we run is the dbt-core pinned in
    pyproject.toml, installed beside this Python. Pinned with dagster-dbt 0.29;
    tests/integration/test_definitions.py holds both overrides to dagster-dbt's hooks.
    """

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 - dagster-dbt's signature
        return None

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))


# dbt's own log file (dbt.log, beside each run's artifacts) at `info`, not dbt's default
# `debug`, which writes every statement and event to it (~10 MB a delivery) and took 4 s of a
# 36 s dbt build of every node at 1M answers. The run's events and errors reach Dagster
# either way, and the compiled SQL and run_results.json stay beside the log.
DBT_GLOBAL_FLAGS = ["--log-level-file", "info"]


def start_from_parsed_project(target_path: Path) -> None:
    """A dbt target folder without dbt's partial-parse state (a new warehouse) starts from the
    one `make manifest` left in dbt/target. dbt uses it only when it was parsed with the same
    vars, profile and dbt version (else it parses the whole project, as it would have): a
    new warehouse's first build skips a full parse of the project (~8 s) when its settings
    are the ones the manifest was parsed with (`make run`)."""
    parsed = PARSED_PROJECT / PARTIAL_PARSE_FILE
    state = target_path / PARTIAL_PARSE_FILE
    if state.exists() or not parsed.exists():
        return
    target_path.mkdir(parents=True, exist_ok=True)
    copying = state.with_name(f".{PARTIAL_PARSE_FILE}.copying")
    shutil.copyfile(parsed, copying)
    copying.replace(state)


def target_and_vars(settings: Settings) -> list[str]:
    """The `--target` and `--vars` of every dbt invocation of the pipeline; `make manifest`
    parses with the same (`nps-warehouse dbt-target`, `dbt-vars`). dbt keeps a partial parse
    only while both stay the same: a new `--target` or var parses the whole project again."""
    return ["--target", settings.dbt_target, "--vars", json.dumps(settings.dbt_vars())]


PARTIAL_PARSE_FILE = "partial_parse.msgpack"
PARSED_PROJECT = DBT_PROJECT_DIR / "target"  # where `make manifest` parses
