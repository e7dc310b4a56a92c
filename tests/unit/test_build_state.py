"""What the last build was made from: nothing new means nothing to do; any change to the
inbox or the configuration, or the clock reaching a moment that changes a verdict, means a
build."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os

from dagster_project.audiences import load_audiences
from dagster_project.landing.sources import load_sources_config
from dagster_project.warehouse.build_state import (
    BuildFingerprint,
    config_changed,
    last_build,
    nothing_new,
    promote_pending,
    record_pending,
)
from tests.conftest import FIXTURES, make_settings


def built(tmp_path):
    settings = make_settings(tmp_path, FIXTURES / "inbox_small")
    settings.warehouse_path.parent.mkdir(parents=True)
    settings.warehouse_path.write_bytes(b"")
    settings.published_path.parent.mkdir(parents=True)
    settings.published_path.write_bytes(b"")
    hr_file(settings).parent.mkdir(parents=True)
    hr_file(settings).write_bytes(b"")
    sources = load_sources_config(settings.sources_config)
    record_pending(settings, BuildFingerprint.now(settings, sources), "run-1", BUILT_AT)
    assert promote_pending(settings, "run-1", "v1", NEXT_CHANGE)
    return dataclasses.replace(settings, clock=BUILT_AT + dt.timedelta(hours=1)), sources


BUILT_AT = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)
NEXT_CHANGE = dt.datetime(2026, 11, 1, 23, 0, tzinfo=dt.UTC)  # e.g. midnight in Stockholm


def test_a_published_build_of_this_inbox_leaves_nothing_to_do(tmp_path):
    settings, sources = built(tmp_path)
    assert nothing_new(settings, BuildFingerprint.now(settings, sources))
    assert not config_changed(settings)
    assert last_build(settings)["published_version"] == "v1"


def test_a_new_or_touched_file_is_something_new(tmp_path):
    settings, sources = built(tmp_path)
    export = settings.raw_dir / "responses" / "2024-12_export.csv"
    stat = export.stat()
    os.utime(export, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert not nothing_new(settings, BuildFingerprint.now(settings, sources))


def hr_file(settings):
    return load_audiences(settings.audiences_config).named("hr").published_path(settings)


def test_another_time_zone_or_a_missing_published_file_is_something_new(tmp_path):
    settings, sources = built(tmp_path)
    elsewhere = dataclasses.replace(settings, reporting_tz="Europe/Copenhagen")
    assert config_changed(elsewhere)
    assert not nothing_new(elsewhere, BuildFingerprint.now(elsewhere, sources))
    hr_file(settings).unlink()  # any audience's file
    assert not nothing_new(settings, BuildFingerprint.now(settings, sources))
    hr_file(settings).write_bytes(b"")
    assert nothing_new(settings, BuildFingerprint.now(settings, sources))
    settings.published_path.unlink()
    assert not nothing_new(settings, BuildFingerprint.now(settings, sources))


def test_a_run_that_did_not_publish_promotes_nothing(tmp_path):
    settings, sources = built(tmp_path)
    (settings.raw_dir / "responses" / "late.csv").write_text("response_id\n")
    record_pending(settings, BuildFingerprint.now(settings, sources), "run-2", BUILT_AT)
    assert not promote_pending(settings, "run-other", "v2", NEXT_CHANGE)
    assert last_build(settings)["published_version"] == "v1"
    assert not nothing_new(settings, BuildFingerprint.now(settings, sources))


def test_the_clock_reaching_the_next_change_is_something_new(tmp_path):
    settings, sources = built(tmp_path)
    fingerprint = BuildFingerprint.now(settings, sources)
    just_before = dataclasses.replace(settings, clock=NEXT_CHANGE - dt.timedelta(seconds=1))
    assert nothing_new(just_before, fingerprint)
    assert not nothing_new(dataclasses.replace(settings, clock=NEXT_CHANGE), fingerprint)


def test_each_dbt_target_is_judged_by_the_configuration_it_last_built_with(tmp_path):
    settings, sources = built(tmp_path)  # DuckDB's marts built with this configuration
    assert not config_changed(settings, "local")
    assert config_changed(settings, "spark")  # Spark never built
    # Spark builds with another configuration (new code): DuckDB's marts are still the old code's
    spark = dataclasses.replace(settings, dbt_target="spark", reporting_tz="Europe/Copenhagen")
    record_pending(spark, BuildFingerprint.now(spark, sources), "run-3", BUILT_AT)
    assert promote_pending(spark, "run-3", "v3", NEXT_CHANGE)
    local_now = dataclasses.replace(settings, reporting_tz="Europe/Copenhagen")
    assert not config_changed(spark, "spark")
    assert config_changed(local_now, "local")
