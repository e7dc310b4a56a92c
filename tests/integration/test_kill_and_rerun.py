"""Runs killed at every stage (SIGKILL to the run's process group, dbt included), one
after another on the same inbox, then one run to the end: the result is exactly that of an
uninterrupted run, mart by mart.

Each killed run starts from what the previous one left: killed during landing (after the
first file committed), the next run lands the rest and is killed during validation (inside
its transaction), the next validates and is killed during dbt (after its first model), the
next builds and is killed during publishing (the new file written, not yet in place), and
the last one publishes. Whatever a kill left half done at any stage would survive into the
final marts, which are compared with a clean run's.
"""

from __future__ import annotations

import pytest

from dagster_project.warehouse.crash_points import STAGES
from tests.cli_runs import deployment, published_tables
from tests.conftest import FIXTURES

pytestmark = [pytest.mark.pipeline, pytest.mark.long_running(minutes=2)]


def test_runs_killed_at_every_stage_are_finished_by_the_next(tmp_path, small_warehouse):
    site = deployment(tmp_path, FIXTURES / "inbox_small")
    for stage in STAGES:
        killed = site.run(NPS_CRASH_AT=stage)
        # -9: the run reached this stage's crash point (work was left for it) and was killed
        assert killed.returncode == -9, (stage, killed.returncode, killed.stderr[-2000:])
        assert "waiting for" not in killed.stderr, stage  # the previous killed run left no lock
    assert not site.published.exists()  # no run got as far as replacing the published file
    rerun = site.run()
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "waiting for" not in rerun.stderr
    assert published_tables(site.published) == published_tables(small_warehouse.settings.published_path)
    leftovers = [p.name for p in site.published.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
