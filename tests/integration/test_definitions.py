"""The code location loads, its asset graph is what review expects, automation works."""

from __future__ import annotations

import dataclasses
import functools
import os
import subprocess
import time
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.defs import build_definitions
from dagster_project.defs.automation.sensors import inbox_sensor
from dagster_project.landing.sources import load_sources_config
from tests.conftest import FIXTURES, make_settings

SNAPSHOT = Path(__file__).parent.parent / "snapshots" / "asset_graph.txt"


@pytest.fixture(scope="module")
def defs(tmp_path_factory) -> dg.Definitions:
    return build_definitions(make_settings(tmp_path_factory.mktemp("defs")))


def describe_graph(defs: dg.Definitions) -> str:
    graph = defs.resolve_asset_graph()
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        parents = ", ".join(sorted(p.to_user_string() for p in node.parent_keys))
        lines.append(f"{key.to_user_string()} [{node.group_name}] <- {parents}")
    python_checks = [
        k for k in graph.asset_check_keys if k.asset_key.path[0] not in ("staging", "intermediate", "marts")
    ]
    for check in sorted(python_checks, key=lambda k: k.to_user_string()):
        blocking = graph.get_check_spec(check).blocking
        lines.append(f"check {check.to_user_string()}{' (blocking)' if blocking else ''}")
    return "\n".join(lines) + "\n"


def test_definitions_load(defs):
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("nps_pipeline")


def test_asset_graph_snapshot(defs):
    """Changes to the graph show up in review. Update with UPDATE_SNAPSHOTS=1."""
    current = describe_graph(defs)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current)
    assert current == SNAPSHOT.read_text()


def test_the_definitions_have_one_shape_on_both_engines(defs, tmp_path):
    """NPS_ENGINE=spark changes the dbt target the assets build through, not the assets,
    checks, job, schedule or sensor (the keys follow dbt's folders, not Spark's schemas)."""
    spark = dataclasses.replace(make_settings(tmp_path), engine="spark", dbt_target="spark")
    on_spark = build_definitions(spark)
    assert describe_graph(on_spark) == describe_graph(defs)
    for shape in (lambda d: sorted(j.name for j in d.jobs), lambda d: [s.cron_schedule for s in d.schedules]):
        assert shape(on_spark) == shape(defs)
    assert [s.name for s in on_spark.sensors] == [s.name for s in defs.sensors]


def test_dbt_folders_are_groups_and_sources_are_the_python_assets(defs):
    graph = defs.resolve_asset_graph()
    fact = graph.get(dg.AssetKey(["marts", "nps_responses"]))
    assert fact.group_name == "marts"
    staging = graph.get(dg.AssetKey(["staging", "stg_inbox__responses"]))
    # dbt reads the lake, which the export asset writes after validation
    assert dg.AssetKey(["lake", "responses"]) in staging.parent_keys
    lake = graph.get(dg.AssetKey(["lake", "responses"]))
    assert dg.AssetKey(["validated", "responses"]) in lake.parent_keys


def test_every_warehouse_writer_is_in_the_one_pool(defs):
    for assets_def in defs.assets:
        if isinstance(assets_def, dg.AssetsDefinition) and assets_def.is_executable:
            assert assets_def.op.pool == "nps_warehouse", assets_def.node_def.name


def test_the_schedule_runs_daily_in_the_reporting_time_zone(defs):
    schedule = defs.resolve_schedule_def("nps_daily")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.execution_timezone == "Europe/Stockholm"
    assert schedule.job_name == "nps_pipeline"


def test_the_sensor_asks_for_a_run_only_when_the_inbox_changes(tmp_path):
    settings = make_settings(tmp_path, FIXTURES / "inbox_small")
    sensor = inbox_sensor(settings, load_sources_config(settings.sources_config))
    with dg.instance_for_test() as instance:
        first = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        assert len(first.run_requests) == 1
        again = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert not again.run_requests and again.skip_message == "inbox unchanged"
        (settings.raw_dir / "responses" / "late.csv").write_text("response_id\n")
        changed = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert len(changed.run_requests) == 1
        assert changed.run_requests[0].run_key != first.run_requests[0].run_key


def test_the_sensor_waits_for_a_file_to_settle_and_never_takes_a_temporary_name(tmp_path):
    settings = dataclasses.replace(make_settings(tmp_path, FIXTURES / "inbox_small"), inbox_settle_seconds=30)
    sensor = inbox_sensor(settings, load_sources_config(settings.sources_config))
    files = [path for path in settings.raw_dir.rglob("*") if path.is_file()]
    with dg.instance_for_test() as instance:
        for path in files:
            os.utime(path)  # written just now: an upload may still be going on
        first = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        assert not first.run_requests
        for path in files:
            os.utime(path, (time.time() - 60, time.time() - 60))
        settled = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        assert len(settled.run_requests) == 1
        for name in ("upload.csv.part", "export.tmp", "~$export.xlsx", "export.csv.crdownload"):
            (settings.raw_dir / "responses" / name).write_text("response_id\n")
            old = time.time() - 60
            os.utime(settings.raw_dir / "responses" / name, (old, old))
        again = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=settled.cursor))
        assert not again.run_requests and again.skip_message == "inbox unchanged"


def test_an_empty_inbox_skips(tmp_path):
    settings = make_settings(tmp_path)
    sensor = inbox_sensor(settings, load_sources_config(settings.sources_config))
    with dg.instance_for_test() as instance:
        result = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
    assert not result.run_requests


def test_dbt_runs_without_an_adapter_in_the_run_process(defs):
    from dagster_dbt import DbtCliResource

    from dagster_project.defs.transform.project import DbtCli

    dbt = defs.resources["dbt"]
    assert isinstance(dbt, DbtCli)
    # what DbtCli overrides is still dagster-dbt's hook (else the override would do nothing)
    assert callable(getattr(DbtCliResource, "_initialize_dbt_core_adapter", None))
    assert dbt._initialize_dbt_core_adapter(["build"]) is None
    # nor a `dbt --version` subprocess per run: the version is the installed dbt-core's, the
    # one the executable reports
    assert isinstance(DbtCliResource.__dict__.get("_cli_version"), functools.cached_property)
    reported = subprocess.run([dbt.dbt_executable, "--version"], capture_output=True, text=True, check=True)
    assert f"installed: {dbt._cli_version}" in reported.stdout + reported.stderr


def test_every_asset_has_an_owner_and_tags_and_readers_see_fresh_data(defs):
    """Owners and tags on every asset; what readers see (marts, reference tables, the
    published file, the report) must be materialised within 26 hours (a missed daily run
    fails its freshness policy)."""
    graph = defs.resolve_asset_graph()
    reader_facing = 0
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_external:
            continue
        assert node.owners, key
        assert node.tags.get("nps/layer") == node.group_name, key
        if node.group_name in ("marts", "hr", "reference", "publish"):
            reader_facing += 1
            assert node.freshness_policy is not None, key
            assert node.freshness_policy.fail_window.to_timedelta().total_seconds() == 26 * 3600, key
        else:
            assert node.freshness_policy is None, key
    assert reader_facing > 25
    assert graph.get(dg.AssetKey(["published", "nps_report"])).owners == ["team:cx-analytics"]
    assert graph.get(dg.AssetKey(["raw", "landed_files"])).owners == ["team:data-engineering"]
