"""Publishing on Spark: a finished copy of the marts, then the readers' views swapped to it.

The copying, the checks and the swap are SQL the engine runs (dbt/macros/publish_spark.sql,
`dbt run-operation publish_spark` on the build's target, so it works on a cluster as it
does here); this module chooses the version, hands over what to publish, and reads back
what was written. Readers query `marts.<name>` through the Spark Thrift server or Databricks
SQL (docs/spark.md); the same Parquet files can be read without Spark
(publishing/published.py).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from collections.abc import Callable, Collection

import duckdb

from dagster_project.audiences import DEFAULT_AUDIENCE, Audience
from dagster_project.publishing.names import quoted
from dagster_project.publishing.publish import REQUIRED_TABLES, Publication, publish
from dagster_project.publishing.published import published_marts
from dagster_project.settings import Settings

# Runs `dbt <args>` on the build's target and raises if dbt fails.
DbtInvocation = Callable[[list[str]], None]


def publish_on_spark(
    run_dbt: DbtInvocation,
    settings: Settings,
    tables: Collection[str],
    run_id: str | None = None,
    audience: Audience = DEFAULT_AUDIENCE,
) -> Publication:
    version = uuid.uuid4().hex
    published_at = dt.datetime.now(dt.UTC)
    settings.spark_published_dir.mkdir(parents=True, exist_ok=True)
    arguments = {
        "version": version,
        "tables": sorted(tables),
        "required": list(REQUIRED_TABLES),
        "published_dir": str(settings.spark_published_dir),
        "published_at": published_at.strftime("%Y-%m-%d %H:%M:%S.%f"),
        "run_id": run_id,
        # the audience's programmes only (never an employee row, e.g. the employee survey's
        # catalogue entry), as publish.py keeps them in the DuckDB file
        "programmes": list(audience.programmes),
    }
    run_dbt(["run-operation", "publish_spark", "--args", json.dumps(arguments)])
    with published_marts(settings, version) as con:
        rows = dict(
            con.execute(
                "select unnest(map_keys(table_rows)), unnest(map_values(table_rows)) from meta.publication"
            ).fetchall()
        )
    return Publication(settings.spark_published_dir / version, version, published_at, rows)


def publish_audience_from_spark(
    run_dbt: DbtInvocation,
    settings: Settings,
    audience: Audience,
    tables: Collection[str],
    run_id: str | None = None,
) -> Publication:
    """An audience other than the default one (HR) reads a DuckDB file on Spark too: its
    tables are exported from the build as Parquet (dbt/macros/publish_spark.sql,
    `export_spark_tables`), gathered into a private DuckDB file, and published from there
    like on DuckDB (its own file, its permissions, atomic swap). Spark's readers' views never
    show them."""
    export = settings.spark_dir / "exports" / uuid.uuid4().hex
    staging = settings.work_dir / f"{audience.name}_from_spark.duckdb"
    try:
        arguments = {"tables": sorted(tables), "folder": str(export)}
        run_dbt(["run-operation", "export_spark_tables", "--args", json.dumps(arguments)])
        staging.parent.mkdir(parents=True, exist_ok=True)
        staging.unlink(missing_ok=True)
        with duckdb.connect(str(staging)) as con:
            for name in sorted(tables):
                schema, table = name.split(".", 1)
                files = str(export / f"{schema}__{table}" / "*.parquet").replace("'", "''")
                con.execute(f"create schema if not exists {schema}")
                con.execute(f"create table {quoted(name)} as select * from read_parquet('{files}')")
        return publish(
            staging,
            audience.published_path(settings),
            run_id,
            memory_limit=settings.duckdb_memory_limit,
            spill_dir=settings.spill_dir,
            only=tables,
            audience=audience,
        )
    finally:
        shutil.rmtree(export, ignore_errors=True)
        staging.unlink(missing_ok=True)
