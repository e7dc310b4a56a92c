"""What the webhook receiver (`nps-warehouse serve`) takes and how soon an answer posted to
it is published and alerted.

- Intake: `events` signed answers posted at `connections` concurrent connections to a fresh
  service on 127.0.0.1 (its own empty inbox); events per second acknowledged (each one on
  disk before its 200), and how many segment files they became.
- To the marts and the alert: with the service writing into the built warehouse's inbox,
  one fresh detractor is posted; when its segment is handed to the inbox (after
  NPS_WEBHOOK_SEGMENT_SECONDS) `nps-warehouse run` starts, as the inbox sensor does when it
  next looks (its polling interval and NPS_INBOX_SETTLE_SECONDS come on top). Seconds from
  the POST to the alert at a receiver on localhost and to the end of the run (the marts
  published).
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: tests/
from alert_latency import run_until_alert  # noqa: E402

from tests.alert_receivers import http_receiver  # noqa: E402 - real servers, as the tests use
from tests.webhook_service import answer, post_answer, post_burst, running_service, stored_lines  # noqa: E402

SEGMENT_SECONDS = "2"


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_intake(root: Path, events: int, connections: int = 20) -> dict:
    inbox = root / "webhook_inbox"
    records = [(f"bench-{i}", answer(f"WB-{i:07d}", score=i % 11)) for i in range(events)]
    acknowledged: list[str] = []
    with running_service(inbox, root / "webhook_service.log") as service:
        started = time.monotonic()
        post_burst(service.url, records, acknowledged, connections)
        seconds = time.monotonic() - started
        service.stop()
    stored = stored_lines(inbox / "webhook")
    return {
        "events": events,
        "connections": connections,
        "acknowledged": len(acknowledged),
        "seconds": round(seconds, 2),
        "events_per_second": round(len(acknowledged) / seconds, 1),
        "stored_once": len(stored) == len({line["webhook_event_id"] for line in stored}) == len(acknowledged),
        "segment_files": len(list((inbox / "webhook").glob("*.jsonl"))),
    }


def measure_to_marts(
    command: list[str], env: dict[str, str], inbox: Path, cwd: Path, log: Path, tries: int
) -> dict:
    to_alert, to_marts = [], []
    with log.open("a") as out:  # a warm-up run: the warehouse brought to this code's build first
        if subprocess.run(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
            raise SystemExit(f"the warm-up run failed: see {log}")
    with http_receiver() as receiver:
        env = {**env, "NPS_ALERT_WEBHOOK_URL": receiver.url}
        extra = {k: v for k, v in env.items() if k.startswith("NPS_")} | {
            "NPS_WEBHOOK_SEGMENT_SECONDS": SEGMENT_SECONDS
        }
        with running_service(inbox, log, **extra) as service, httpx.Client() as client:
            for attempt in range(tries):
                seen, segments = len(receiver.received), set((inbox / "webhook").glob("*.jsonl"))
                answered = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
                record = answer(
                    f"WEBHOOK-{attempt}-{time.time_ns()}",
                    score=2,
                    survey_id="tnps-store",
                    responded_at=answered,
                )
                start = time.time()
                if post_answer(client, service.url, f"latency-{time.time_ns()}", record).status_code != 200:
                    raise SystemExit(f"the service refused the event: see {log}")
                deadline = time.monotonic() + 60
                while set((inbox / "webhook").glob("*.jsonl")) == segments and time.monotonic() < deadline:
                    time.sleep(0.05)
                to_alert.append(run_until_alert(command, env, cwd, log, receiver, seen, start))
                to_marts.append(round(time.time() - start, 2))
            service.stop()
    return {
        "tries": tries,
        "segment_seconds": float(SEGMENT_SECONDS),
        "to_alert_p50_seconds": round(statistics.median(to_alert), 2),
        "to_alert_p95_seconds": _p(to_alert, 0.95),
        "to_marts_p50_seconds": round(statistics.median(to_marts), 2),
        "to_marts_p95_seconds": _p(to_marts, 0.95),
        "each": {"to_alert": to_alert, "to_marts": to_marts},
    }


if __name__ == "__main__":  # the intake alone: python bench/webhook_intake.py <dir> [events]
    print(json.dumps(measure_intake(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 10_000)))
