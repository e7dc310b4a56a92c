"""Crash points: where the kill-and-rerun tests kill a run, mid-stage.

With `NPS_CRASH_AT=<stage>` set, the pipeline kills its own process group with SIGKILL at
that point - as abrupt as a power cut or an OOM kill, dbt subprocesses included. Without
the variable (always, outside tests) a crash point does nothing.

Stages: landing (after the first file committed), validation (inside the transaction,
before commit), dbt (after dbt reported its first finished model), publishing (after the
new file is written, before it replaces the old one).
"""

from __future__ import annotations

import os
import signal

STAGES = ("landing", "validation", "dbt", "publishing")


def crash_point(stage: str) -> None:
    if os.environ.get("NPS_CRASH_AT") == stage:
        os.killpg(os.getpgid(0), signal.SIGKILL)
