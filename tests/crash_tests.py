"""Shared by the kill-and-rerun tests: kill a run at a stage, run again, compare."""

from __future__ import annotations

from pathlib import Path

from tests.cli_runs import deployment, published_tables
from tests.conftest import FIXTURES


def kill_then_rerun(root: Path, stage: str, baseline: Path) -> None:
    site = deployment(root, FIXTURES / "inbox_small")
    killed = site.run(NPS_CRASH_AT=stage)
    assert killed.returncode == -9, (stage, killed.returncode, killed.stderr[-2000:])
    rerun = site.run()
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "waiting for" not in rerun.stderr  # the killed run left no lock behind
    assert published_tables(site.published) == published_tables(baseline)
    leftovers = [p.name for p in site.published.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
