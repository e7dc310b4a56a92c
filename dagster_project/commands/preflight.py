"""Before a run starts: the machine can hold its output, and the key is the warehouse's."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from dagster_project.config_files import ConfigurationError
from dagster_project.settings import Settings


class EnvironmentProblem(RuntimeError):
    """The machine cannot hold the pipeline's output; the message says what to change."""


def check_writable(directory: Path, what: str, variable: str, min_free_mb: float) -> None:
    """The directory exists (or can be made), takes a file, and has room."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-check-"):
            pass
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise EnvironmentProblem(
            f"cannot write the {what} to {directory}: {reason}. Set {variable} to a writable location."
        ) from None
    free = shutil.disk_usage(directory).free
    if free < min_free_mb * 1024 * 1024:
        raise EnvironmentProblem(
            f"the disk holding {directory} ({what}) has only {free // (1024 * 1024)} MB free; "
            f"the run needs at least {min_free_mb:g} MB (NPS_MIN_FREE_MB). "
            f"Free space or set {variable} elsewhere."
        )


def preflight(settings: Settings) -> None:
    check_writable(settings.warehouse_path.parent, "warehouse", "NPS_WAREHOUSE", settings.min_free_mb)
    check_writable(settings.lake_dir, "lake", "NPS_LAKE_DIR", settings.min_free_mb)
    if settings.engine == "spark":
        check_writable(settings.spark_dir, "local Spark's tables", "NPS_SPARK_DIR", settings.min_free_mb)
    else:
        published = settings.published_path.parent
        check_writable(published, "published marts", "NPS_PUBLISHED", settings.min_free_mb)


def check_key(settings: Settings) -> None:
    """Before anything runs: the pseudonymisation key is the one the warehouse was built with
    (landing/key_record.py; the landing step checks again under the lock). A warehouse
    another run holds is checked by that step."""
    import duckdb

    from dagster_project.landing.key_record import warehouse_key
    from dagster_project.warehouse.connection import connect

    if not settings.warehouse_path.exists():
        return
    try:
        with connect(
            settings.warehouse_path, read_only=True, memory_limit=settings.duckdb_memory_limit, lock_timeout=0
        ) as con:
            warehouse_key(con, settings.secrets_dir, settings.pseudonymisation_key, record=False)
    except duckdb.IOException:
        return  # held by another run


def check_engine_installed(settings: Settings) -> None:
    """NPS_ENGINE=spark needs the `spark` extra (dbt-spark, PySpark), which the core install
    leaves out; `NPS_ENGINE=spark make run` installs it."""
    import importlib.util

    if settings.engine == "spark" and importlib.util.find_spec("pyspark") is None:
        raise ConfigurationError(
            "NPS_ENGINE=spark needs dbt-spark and PySpark, which the DuckDB install leaves out: "
            "run `NPS_ENGINE=spark make run` (it installs them), or `.venv/bin/pip install -e '.[spark]'`"
        )
