"""A failing dbt build names what failed (dbt's tests are not Dagster asset checks: the
step's failure is where a failing test shows, defs/transform/assets.py)."""

from __future__ import annotations

import json
import time

import dagster as dg
import pytest
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from dagster_project.defs.transform.assets import _stream


class Invocation:
    """dbt's invocation as dagster-dbt hands it over: events, then dbt's exit."""

    def __init__(self, events, error: Exception | None):
        self.events, self.error = events, error

    def stream(self):
        yield from self.events
        if self.error:
            raise self.error


def write_results(folder, results) -> None:
    (folder / "run_results.json").write_text(json.dumps({"results": results}), encoding="utf-8")


def test_the_failure_names_the_failing_tests(tmp_path):
    failing = {
        "unique_id": "test.nps_warehouse.unique_combination_of_columns_nps_by_period_x.1a2b",
        "status": "fail",
        "message": "Got 1 result, configured to fail if != 0",
    }
    passing = {"unique_id": "model.nps_warehouse.nps_by_period", "status": "success", "message": "OK"}
    invocation = Invocation(["built"], DagsterDbtCliRuntimeError("The dbt CLI process failed"))
    events = _stream(invocation, tmp_path)
    assert next(events) == "built"
    write_results(tmp_path, [passing, failing])  # dbt writes its results as it ends
    with pytest.raises(dg.Failure) as failure:
        next(events)
    assert "unique_combination_of_columns_nps_by_period_x.1a2b: Got 1 result" in failure.value.description
    assert "nps_by_period:" not in failure.value.description.replace("columns_nps_by_period", "")


def test_results_of_an_earlier_build_are_not_blamed(tmp_path):
    write_results(tmp_path, [{"unique_id": "test.p.old_failure", "status": "fail", "message": "old"}])
    time.sleep(0.01)
    error = DagsterDbtCliRuntimeError("dbt could not parse the project")
    with pytest.raises(DagsterDbtCliRuntimeError):
        list(_stream(Invocation([], error), tmp_path))
