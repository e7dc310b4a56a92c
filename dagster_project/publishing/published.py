"""Reading what was published, on either engine, as DuckDB tables `marts.*`, `reference.*`
and `meta.publication`: what the summary (and a test, or an analyst's script) reads.

DuckDB: the published file, opened read-only. Spark: the Parquet files of the published
copy (`<NPS_SPARK_DIR>/published/<version>/<schema>__<table>/`, publishing/spark.py),
read by an in-memory DuckDB - the bytes Spark wrote, without starting Spark.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dagster_project.audiences import Audience, load_audiences
from dagster_project.settings import Settings
from dagster_project.warehouse.build_state import last_build
from dagster_project.warehouse.connection import connect


class NothingPublished(RuntimeError):
    """No publication to read yet."""


def published_version_dir(settings: Settings, version: str | None = None) -> Path:
    """The folder of a Spark publication (the last one when `version` is None)."""
    version = version or (last_build(settings) or {}).get("published_version")
    if not version:
        raise NothingPublished(
            f"nothing has been published on Spark under {settings.spark_published_dir} yet"
        )
    return settings.spark_published_dir / version


def published_location(settings: Settings) -> Path:
    """What readers open: the DuckDB file, or Spark's last publication."""
    return published_version_dir(settings) if settings.engine == "spark" else settings.published_path


def is_published(settings: Settings) -> bool:
    try:
        return published_location(settings).exists()
    except NothingPublished:
        return False


@contextmanager
def published_marts(
    settings: Settings, version: str | None = None, audience: Audience | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only view of the published marts, whichever engine published them: the default
    audience's, or `audience`'s (a DuckDB file on either engine)."""
    if audience is not None and not audience.default:
        path = audience.published_path(settings)
        if not path.exists():
            raise NothingPublished(f"nothing has been published for audience {audience.name} at {path} yet")
        with connect(path, read_only=True) as con:
            yield con
        return
    if settings.engine != "spark":
        with connect(settings.published_path, read_only=True) as con:
            yield con
        return
    folder = published_version_dir(settings, version)
    if not folder.is_dir():
        raise NothingPublished(f"{folder} is missing")
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        for table_dir in sorted(p for p in folder.iterdir() if "__" in p.name):
            schema, table = table_dir.name.split("__", 1)
            con.execute(f"create schema if not exists {schema}")
            files = str(table_dir / "*.parquet").replace("'", "''")
            con.execute(f"create view {schema}.\"{table}\" as select * from read_parquet('{files}')")
        yield con
    finally:
        con.close()


def published_lines(settings: Settings) -> list[str]:
    """Where each audience reads (what `make run` and `status` print): paths only; an
    audience's numbers are printed only by `summary --audience NAME` from its own file."""
    lines = [f"Published for BI tools and analysts: {published_location(settings)}"]
    for audience in load_audiences(settings.audiences_config).audiences:
        if not audience.default:
            lines.append(
                f"Published for {audience.name} ({audience.description}): "
                f"{audience.published_path(settings)} "
                f"(nps-warehouse summary --audience {audience.name})"
            )
    return lines
