"""The same dbt project on Apache Spark: every mart equal to DuckDB's, row by row.

The committed sample (data/raw) goes through the real pipeline on DuckDB, then the same
warehouse is built again with NPS_ENGINE=spark (PySpark in the dbt process, Java 17): the
landing, validation and lake have nothing new, dbt builds every model, seed and data test on
Spark from the same Parquet files, and publishing swaps the readers' views to a finished
copy (dbt/macros/publish_spark.sql checks that the views show it). Both engines build as of
one moment 40 days after the sample was built (NPS_CLOCK): DuckDB's marts kept up to date
to it, Spark's built at it. Every published mart
and reference table of both engines is compared; the dbt unit
tests (category edges, worked examples, time-zone and ISO-week boundaries...) run on Spark
too; and the summary `make run` prints is the same text on both.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import pyspark
import pytest

from dagster_project.audiences import Audience, load_audiences
from dagster_project.publishing.compare import marts_differences
from dagster_project.publishing.published import published_marts
from dagster_project.publishing.summary import summary_text
from dagster_project.settings import Settings
from tests.conftest import copy_of
from tests.dbt_runs import run_dbt, unit_test_results
from tests.pipeline import run_pipeline

pytestmark = [pytest.mark.pipeline, pytest.mark.long_running(minutes=7)]


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory, sample_warehouse) -> tuple[Settings, Settings]:
    # the sample through the pipeline on DuckDB (a copy: the Spark run shares its warehouse),
    # kept up to date 40 days on (periods complete, call-backs overdue, rolling windows
    # moved), then built on Spark as of the same moment: Spark judges by the run's clock too
    later = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=40)
    on_duckdb = dataclasses.replace(copy_of(sample_warehouse, tmp_path_factory.mktemp("parity")), clock=later)
    assert run_pipeline(on_duckdb).success, "the pipeline on DuckDB, 40 days on, failed"
    on_spark = dataclasses.replace(on_duckdb, engine="spark", dbt_target="spark")
    # HR's file is a DuckDB file on both engines, at the same place: DuckDB's kept aside
    hr_file = _hr(on_duckdb).published_path(on_duckdb)
    shutil.copyfile(hr_file, hr_file.with_name("enps_marts_duckdb.duckdb"))
    assert run_pipeline(on_spark).success, "the pipeline on Spark failed"
    return on_duckdb, on_spark


def _hr(settings: Settings) -> Audience:
    return load_audiences(settings.audiences_config).named("hr")


def published_tables(settings: Settings) -> list[str]:
    with published_marts(settings) as con:
        return [
            f"{schema}.{table}"
            for schema, table in con.execute(
                """select schema_name, table_name from duckdb_tables()
                   where schema_name in ('marts', 'reference') order by 1, 2"""
            ).fetchall()
        ]


def test_every_published_mart_equals_duckdbs(both_engines):
    on_duckdb, on_spark = both_engines
    tables = published_tables(on_duckdb)
    assert len(tables) >= 30 and "marts.nps_by_period" in tables and "reference.nps_benchmark_bands" in tables
    with published_marts(on_spark) as con:
        spark_tables = [
            f"{s}.{t}"
            for s, t in con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema in ('marts', 'reference') order by 1, 2"
            ).fetchall()
        ]
        assert spark_tables == tables
        con.execute("attach $path as duck (read_only)", {"path": str(on_duckdb.published_path)})
        # not a comparison of nothing: the marts hold the sample
        assert con.execute("select count(*) from marts.nps_responses").fetchall()[0][0] > 4000
        assert (
            con.execute("select count(distinct period_grain) from marts.nps_by_period").fetchall()[0][0] == 5
        )
        assert marts_differences(con, tables, "duck") == {}


def test_hrs_file_is_the_same_on_both_engines(both_engines):
    """On Spark HR's marts are exported from the build and published as a DuckDB file of
    their own (publishing/spark.py), never behind Spark's readers' views."""
    on_duckdb, on_spark = both_engines
    hr = _hr(on_spark)
    spark_file = hr.published_path(on_spark)
    duckdb_file = spark_file.with_name("enps_marts_duckdb.duckdb")
    with published_marts(on_spark, audience=hr) as con:
        assert (
            con.execute("select count(*) from hr.enps_by_group where not is_suppressed").fetchall()[0][0] > 50
        )
        con.execute("attach $path as duck (read_only)", {"path": str(duckdb_file)})
        assert marts_differences(con, ["hr.enps_by_group", "hr.enps_comments"], "duck") == {}
    assert stat.S_IMODE(spark_file.stat().st_mode) == hr.file_permissions
    assert not any(t.startswith("hr.") for t in published_tables(on_spark))


def test_the_summary_is_the_same_on_both_engines(both_engines):
    on_duckdb, on_spark = both_engines
    text = summary_text(on_duckdb)
    assert "Relationship NPS by month" in text and "eNPS" not in text
    assert summary_text(on_spark) == text


def test_dbt_unit_tests_pass_on_spark(both_engines):
    _, on_spark = both_engines
    target = on_spark.warehouse_path.parent / "dbt_unit_spark"
    result = run_dbt(on_spark, "test", "--select", "test_type:unit", "--target", "spark", target=target)
    assert result.returncode == 0, result.stdout[-3000:]
    statuses = unit_test_results(target)
    assert len(statuses) >= 24 and set(statuses.values()) == {"pass"}, statuses


def test_bi_tools_read_the_published_marts_through_the_spark_thrift_server(both_engines, tmp_path):
    """The way BI tools reach Spark (docs/spark.md): the Thrift server over the
    pipeline's metastore, queried over JDBC (HiveServer2 protocol) by Beeline."""
    on_duckdb, on_spark = both_engines
    spark_home = Path(pyspark.__file__).parent
    port = free_port()
    metastore = f"jdbc:derby:;databaseName={on_spark.spark_dir / 'metastore'}"
    server = subprocess.Popen(
        [
            str(spark_home / "bin" / "spark-submit"),
            "--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
            "--conf", f"spark.sql.warehouse.dir={on_spark.spark_dir / 'tables'}",
            "--conf", f"spark.hadoop.javax.jdo.option.ConnectionURL={metastore}",
            "--conf", f"spark.hive.server2.thrift.port={port}",
            "--conf", "spark.sql.session.timeZone=UTC",
            "--conf", "spark.ui.enabled=false",
            "--driver-java-options", f"-Dderby.system.home={on_spark.spark_dir}",
            "spark-internal",
        ],
        stdout=(tmp_path / "thrift.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped with its children
    )  # fmt: skip
    try:
        query = "select version, (select count(*) from marts.nps_by_period) from meta.publication"
        listening(port, server, timeout=180)  # a Beeline JVM per attempt would cost more than the wait
        for _attempt in range(3):  # the port may open a moment before sessions are served
            shown = subprocess.run(
                [str(spark_home / "bin" / "beeline"), "-u", f"jdbc:hive2://localhost:{port}",
                 "--outputformat=csv2", "--showHeader=false", "-e", query],
                capture_output=True, text=True, timeout=180,
            )  # fmt: skip
            # (Beeline prefixes a row with its continuation prompts, ". . . >")
            rows = [line.rsplit("> ", 1)[-1] for line in shown.stdout.splitlines() if "," in line]
            if rows or server.poll() is not None:
                break
            time.sleep(2)
    finally:
        stop(server)
    with published_marts(on_spark) as con:
        version, periods = con.execute(
            "select version, (select count(*) from marts.nps_by_period) from meta.publication"
        ).fetchall()[0]
    with published_marts(on_duckdb) as con:
        assert con.execute("select count(*) from marts.nps_by_period").fetchall()[0][0] == periods
    assert rows == [f"{version},{periods}"], (tmp_path / "thrift.log").read_text()[-2000:]


def listening(port: int, server: subprocess.Popen, timeout: float) -> None:
    """Wait until the server accepts connections on `port` (it opens it once it can serve)."""
    deadline = time.monotonic() + timeout
    while server.poll() is None and time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("localhost", port)) == 0:
                return
        time.sleep(0.5)


def stop(server: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL to the server's process group if its shutdown hooks hang (a busy
    2-core machine has seen the Thrift server take over a minute)."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]
