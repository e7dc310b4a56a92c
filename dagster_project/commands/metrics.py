"""`nps-warehouse metrics`: MetricFlow (`mf`) in the dbt project, on the published file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_project.commands.outcomes import EXIT_CONFIG, EXIT_FAILED
from dagster_project.settings import DBT_PROJECT_DIR, Settings


def metrics_environment(settings: Settings) -> dict[str, str]:
    """What `mf` needs to read the published file (dbt/profiles.yml, target `metrics`)."""
    return {
        **os.environ,
        "NPS_DBT_PROFILE_TARGET": "metrics",
        "NPS_METRICS_PUBLISHED": str(settings.published_path),
        "NPS_METRICS_DATABASE": settings.warehouse_path.stem,
        "NPS_METRICS_MEMORY_LIMIT": settings.duckdb_memory_limit,
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
    }


def metrics(settings: Settings, mf_args: list[str]) -> int:
    """`mf` in the dbt project on the published marts (DuckDB only; on Spark, MetricFlow
    needs a dbt Semantic Layer connection to the cluster)."""
    import subprocess

    if settings.engine == "spark":
        print("metrics: on Spark, query the marts through the Thrift server (docs/spark.md)", file=sys.stderr)
        return EXIT_CONFIG
    if not settings.published_path.exists():
        print(f"metrics: nothing published at {settings.published_path} (nps-warehouse run)", file=sys.stderr)
        return EXIT_FAILED
    mf = Path(sys.executable).with_name("mf")
    completed = subprocess.run(
        [str(mf), *(mf_args or ["--help"])],
        cwd=DBT_PROJECT_DIR,
        env=metrics_environment(settings),
        check=False,
    )
    return completed.returncode
