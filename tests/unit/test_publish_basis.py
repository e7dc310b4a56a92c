"""Publishing by increment relies on which marts dbt builds by landed file, and on when the
published file can be reused: both checked here, without a pipeline run."""

from __future__ import annotations

import datetime as dt
import json

from dagster_project.defs.transform.project import manifest_path
from dagster_project.publishing.increment import COPIED_WHOLE_MARTS
from dagster_project.publishing.publish import INCREMENTAL_MARTS, KEYED_MARTS, Basis


def test_the_incremental_marts_are_the_ones_dbt_builds_by_landed_file():
    nodes = json.loads(manifest_path().read_text())["nodes"].values()
    incremental = {
        f"{node['schema']}.{node['name']}": node
        for node in nodes
        if node["resource_type"] == "model" and node["schema"] == "marts"
        and node["config"]["materialized"] == "incremental"
    }  # fmt: skip
    assert set(incremental) == set(INCREMENTAL_MARTS) | set(KEYED_MARTS) | set(COPIED_WHOLE_MARTS)
    for name, (key, built_in, _changes_with_time) in KEYED_MARTS.items():
        # rows replaced by key (delete+insert), those int_detractor_followups built since
        assert incremental[name]["config"]["unique_key"] == key
        assert incremental[name]["config"]["incremental_strategy"] == "delete+insert"
        assert key in incremental[name]["columns"]
        (built_node,) = [node for node in nodes if node["name"] == built_in.split(".")[1]]
        assert "built_seq" in built_node["columns"]
    for name, node in ((n, v) for n, v in incremental.items() if n in INCREMENTAL_MARTS):
        # rows are deleted and inserted by file (macros/incremental.sql), on the column publishing uses
        assert "delete_changed_files(" in json.dumps(node["config"]["pre-hook"])
        assert INCREMENTAL_MARTS[name] in node["columns"]


def test_the_published_file_is_reused_only_since_the_same_full_build():
    full = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert Basis(7, full, "v1", 5, full).reusable
    assert not Basis(7, full).reusable  # never published from this warehouse
    assert not Basis(7, full, "v1", 5, full - dt.timedelta(days=1)).reusable  # dbt rebuilt everything since
    assert not Basis(None, None, "v1", 5, None).reusable  # dbt never built


def test_a_table_stays_as_published_only_when_no_build_remade_it_since():
    full = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    builds = {"marts.score_distribution": 3, "marts.file_loads": 5}
    basis = Basis(7, full, "v1", 5, full, published_build_number=4, dbt_build_number=5, table_builds=builds)
    assert basis.unchanged_since_published("marts.score_distribution")  # made by build 3, published at 4
    assert not basis.unchanged_since_published("marts.file_loads")  # remade by build 5
    assert not basis.unchanged_since_published("marts.surveys")  # no build recorded it
    # a file published before builds were recorded keeps nothing
    assert not Basis(7, full, "v1", 5, full, table_builds=builds).unchanged_since_published(
        "marts.score_distribution"
    )
