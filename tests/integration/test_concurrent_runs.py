"""Two runs started at once: the second waits for the first (or, told not to wait, stops
with a clear message); the warehouse is never corrupted."""

from __future__ import annotations

import time

import pytest

from dagster_project.warehouse.locking import lock_path
from tests.cli_runs import deployment, published_tables
from tests.conftest import FIXTURES

pytestmark = pytest.mark.pipeline


def wait_for_holder(warehouse, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        path = lock_path(warehouse)
        if path.exists() and path.read_text():
            return
        time.sleep(0.1)
    raise AssertionError("the first run never took the lock")


def test_a_second_run_waits_and_an_impatient_one_stops_with_a_clear_message(tmp_path, small_warehouse):
    site = deployment(tmp_path, FIXTURES / "inbox_small")
    first = site.start()
    wait_for_holder(site.warehouse)
    impatient = site.run("--no-wait")
    second = site.start()
    out_first, err_first = first.communicate(timeout=600)
    out_second, err_second = second.communicate(timeout=600)

    assert impatient.returncode == 3
    assert f"is being written by process {first.pid}" in impatient.stderr
    assert "not waiting" in impatient.stderr
    assert first.returncode == 0, err_first[-2000:]
    assert second.returncode == 0, err_second[-2000:]
    assert f"waiting for process {first.pid}" in err_second
    # the second run found everything landed; the warehouse is what one clean run makes
    assert published_tables(site.published) == published_tables(small_warehouse.settings.published_path)
