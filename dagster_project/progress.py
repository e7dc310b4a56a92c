"""Live progress of `nps-warehouse run`: the stage the run is in, files landed of total
(with rows per second), dbt models built of total - a bar on a terminal, plain lines when
the output is not a terminal (CI, logs).

Assets report their progress as Dagster log messages made by `progress_message` (so the
Dagster UI shows them too); the CLI runs the job with a known run id and a thread follows
that run's event log (`follow`), printing to standard error (standard output keeps the
summary)."""

from __future__ import annotations

import re
import sys
import threading
import time
from dataclasses import dataclass, field

PREFIX = "[progress]"
_MESSAGE = re.compile(r"^\[progress\] (?P<stage>[\w ]+) (?P<done>\d+)/(?P<total>\d+)(?: · (?P<detail>.*))?$")

# What each step is, in words (step keys of the nps_pipeline job; checks are "checking").
STAGES = (
    ("land_inbox", "landing files"),
    ("validate_", "validating rows"),
    ("_gx_", "checking rows (Great Expectations, reconciliation)"),
    ("reconcile", "checking rows (Great Expectations, reconciliation)"),
    ("export_lake", "writing the lake"),
    ("nps_dbt_models", "building dbt models"),
    ("published__", "publishing the marts"),
    ("nps_report", "writing the report"),
)


def progress_message(stage: str, done: int, total: int, detail: str = "") -> str:
    return f"{PREFIX} {stage} {done}/{total}" + (f" · {detail}" if detail else "")


@dataclass
class Throttle:
    """At most one progress message per `interval` seconds (and always the last item): every
    Dagster log line is an event written to the instance's storage (~15 ms each on SQLite),
    so a message per dbt node cost seconds of a small run."""

    interval: float = 1.0
    last: float = float("-inf")

    def due(self, done: int, total: int) -> bool:
        now = time.monotonic()
        if done >= total or now - self.last >= self.interval:
            self.last = now
            return True
        return False


def stage_of(step_key: str) -> str:
    for needle, label in STAGES:
        if needle in step_key:
            return label
    return STAGES[2][1] if "__" in step_key else step_key


@dataclass
class Progress:
    """What the run is doing now, and how it is printed."""

    mode: str  # bar | lines | none
    out: object = field(default=sys.stderr)
    stage: str = "starting"
    done: int = 0
    total: int = 0
    detail: str = ""
    started: float = field(default_factory=time.monotonic)
    printed_at: float = 0.0
    # Plain lines: a new stage, a stage's last item, or at most one line per interval.
    line_interval: float = 2.0

    def step_started(self, step_key: str) -> None:
        stage = stage_of(step_key)
        if stage != self.stage:
            self.stage, self.done, self.total, self.detail = stage, 0, 0, ""
            self._show(new_stage=True)

    def message(self, text: str) -> None:
        match = _MESSAGE.match(text)
        if not match:
            return
        self.stage = match["stage"]
        self.done, self.total = int(match["done"]), int(match["total"])
        self.detail = match["detail"] or ""
        self._show()

    def _line(self) -> str:
        elapsed = time.monotonic() - self.started
        count = f" {self.done}/{self.total}" if self.total else ""
        detail = f" · {self.detail}" if self.detail else ""
        return f"[{elapsed:5.0f} s] {self.stage}{count}{detail}"

    def _show(self, new_stage: bool = False) -> None:
        if self.mode == "none":
            return
        if self.mode == "lines":
            now = time.monotonic()
            if new_stage or self.done == self.total or now - self.printed_at >= self.line_interval:
                print(self._line(), file=self.out, flush=True)
                self.printed_at = now
            return
        width = 24
        filled = int(width * self.done / self.total) if self.total else 0
        bar = "#" * filled + "." * (width - filled)
        text = f"\r[{bar}] {self._line()}"[:160]
        print(f"{text:<160}", end="", file=self.out, flush=True)

    def finish(self) -> None:
        if self.mode == "bar":
            print(file=self.out, flush=True)


def resolve_mode(requested: str, stream=sys.stderr) -> str:
    if requested != "auto":
        return requested
    return "bar" if hasattr(stream, "isatty") and stream.isatty() else "lines"


class Follower(threading.Thread):
    """Reads the run's event log every `interval` seconds and feeds a `Progress`."""

    def __init__(self, instance, run_id: str, progress: Progress, interval: float = 0.5):
        super().__init__(daemon=True, name="nps-progress")
        self.instance, self.run_id, self.progress, self.interval = instance, run_id, progress, interval
        self.stopping = threading.Event()
        self._seen = 0

    def poll(self) -> None:
        try:
            entries = self.instance.all_logs(self.run_id)
        except Exception:  # the event log is being written; try again next time
            return
        for entry in entries[self._seen :]:
            event = entry.dagster_event
            if event is not None and event.event_type_value == "STEP_START" and event.step_key:
                self.progress.step_started(event.step_key)
            elif entry.user_message and entry.user_message.startswith(PREFIX):
                self.progress.message(entry.user_message)
        self._seen = len(entries)

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            self.poll()
        self.poll()
        self.progress.finish()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)
