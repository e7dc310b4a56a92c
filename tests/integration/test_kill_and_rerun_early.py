"""Kill the run during landing or during validation (SIGKILL to its process group, dbt included),
run again: the result is exactly the result of an uninterrupted run, mart by mart."""

from __future__ import annotations

import pytest

from tests.crash_tests import kill_then_rerun

pytestmark = pytest.mark.pipeline


@pytest.mark.parametrize("stage", ["landing", "validation"])
def test_a_killed_run_is_finished_by_the_next(tmp_path, small_warehouse, stage):
    kill_then_rerun(tmp_path, stage, small_warehouse.settings.published_path)
