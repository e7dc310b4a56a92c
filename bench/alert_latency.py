"""How long a detractor waits for its alert: from the moment its file is in the inbox to the
moment a receiver on localhost has the alert, with the warehouse's whole history behind it.

Each try writes one file with one fresh detractor answer into the built warehouse's inbox
and starts `nps-warehouse run` at once (what the inbox sensor does when it next looks; its
polling interval and NPS_INBOX_SETTLE_SECONDS come on top), with NPS_ALERT_WEBHOOK_URL set
to an HTTP receiver on 127.0.0.1. The time to the alert is measured at the receiver; the run
goes on to build the marts, and the next try starts when it has finished.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: tests/
from tests.alert_receivers import http_receiver  # noqa: E402 - a real receiver, as the tests use

HEADER = "response_id,survey_id,respondent_id,responded_at,score,channel,reason\n"
TIMEOUT_SECONDS = 600


def _fresh_answer(inbox: Path, run: int, attempt: int) -> None:
    answered = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    row = f"ALERT-{run}-{attempt},tnps-store,ALERT-RESPONDENT-{run}-{attempt},{answered},3,web,Lång kö\n"
    (inbox / "responses" / f"alert_{run}_{attempt}.csv").write_text(HEADER + row, encoding="utf-8")


def run_until_alert(command, env, cwd: Path, log: Path, receiver, seen: int, start: float) -> float:
    """Run the pipeline; seconds from `start` to the alert after the `seen` ones (the run is
    waited for too: the next measurement starts on a quiet warehouse)."""
    with log.open("a") as out:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        if not receiver.wait_for(seen + 1, timeout=TIMEOUT_SECONDS):
            process.kill()
            raise SystemExit(f"no alert within {TIMEOUT_SECONDS} s: see {log}")
        if process.wait(timeout=TIMEOUT_SECONDS) != 0:
            raise SystemExit(f"the run failed: see {log}")
    return round(receiver.received[seen].at - start, 2)


def measure_alert_latency(
    command: list[str], env: dict[str, str], inbox: Path, cwd: Path, log: Path, tries: int, run: int
) -> dict:
    """p50/p95 (and each try) of seconds from file to alert, and of the whole run."""
    latencies, runs = [], []
    with http_receiver() as receiver:
        env = {**env, "NPS_ALERT_WEBHOOK_URL": receiver.url}
        for attempt in range(tries):
            seen = len(receiver.received)
            start = time.time()
            _fresh_answer(inbox, run, attempt)
            latencies.append(run_until_alert(command, env, cwd, log, receiver, seen, start))
            runs.append(round(time.time() - start, 2))
    ordered = sorted(latencies)
    return {
        "tries": tries,
        "p50_seconds": round(statistics.median(ordered), 2),
        "p95_seconds": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "each_seconds": latencies,
        "run_seconds_median": round(statistics.median(runs), 2),
    }
