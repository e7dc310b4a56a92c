"""Delivering the outbox: every due alert once, each attempt recorded before the next.

At least once: an alert is marked sent only after its receiver confirmed it, and the mark is
written before the next alert is sent, so a process killed in between sends at most that
alert again (same id). A failure waits `first_retry_seconds`, doubling with every attempt up
to `max_backoff_seconds`, or what the receiver's `Retry-After` asks (capped at an hour); after
`max_attempts` or a refusal that will not change (4xx, SMTP 5xx) the alert is dead, its
reason kept. One pass sends for at most `run_budget_seconds`; what is left stays due.

Runs in the pipeline right after validation, in every run (a no-op run too), from the
`nps_alerts_sensor`, and from `nps-warehouse alerts`. The time a pending alert is next due
is written next to the warehouse (`alerts_due.json`) so the sensor can tell without opening
the warehouse.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project.alerts.config import AlertsConfig
from dagster_project.alerts.outbox import due_alerts, ensure_outbox, next_due, record_failure, record_sent
from dagster_project.alerts.senders import Outcome, send

MAX_RETRY_AFTER_SECONDS = 3600.0


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    left_due: int = 0  # due but not tried: the pass ran out of time
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        parts = [f"{self.sent} sent", f"{self.retrying} to retry", f"{self.dead} dead"]
        if self.left_due:
            parts.append(f"{self.left_due} left for the next pass")
        return "alerts: " + ", ".join(parts)


def backoff_seconds(attempts: int, config: AlertsConfig, retry_after: float | None = None) -> float:
    """The wait after the `attempts`-th failed attempt."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), MAX_RETRY_AFTER_SECONDS)
    delivery = config.delivery
    return min(delivery.first_retry_seconds * 2 ** max(attempts - 1, 0), delivery.max_backoff_seconds)


def due_file(warehouse_path: Path) -> Path:
    return warehouse_path.with_name("alerts_due.json")


def write_due_file(con: duckdb.DuckDBPyConnection, warehouse_path: Path) -> dt.datetime | None:
    """Record when the earliest pending alert is due (the sensor reads it), atomically."""
    due = next_due(con)
    path = due_file(warehouse_path)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps({"next_due_at": due.isoformat() if due else None}))
    temporary.replace(path)
    return due


def read_due_file(warehouse_path: Path) -> dt.datetime | None:
    try:
        text = json.loads(due_file(warehouse_path).read_text()).get("next_due_at")
    except (OSError, ValueError):
        return None
    return dt.datetime.fromisoformat(text) if text else None


def deliver_due(
    con: duckdb.DuckDBPyConnection,
    config: AlertsConfig,
    warehouse_path: Path,
    environ: dict[str, str] | None = None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    log: Callable[[str], None] | None = None,
) -> DeliveryReport:
    """Send every due alert of the destinations that are on, within the run budget."""
    environ = dict(os.environ) if environ is None else environ
    ensure_outbox(con)
    report = DeliveryReport()
    destinations = {d.name: d for d in config.active_destinations(environ)}
    deadline = time.monotonic() + config.delivery.run_budget_seconds
    alerts = due_alerts(con, clock(), list(destinations))
    for position, alert in enumerate(alerts):
        if time.monotonic() >= deadline:
            report.left_due = len(alerts) - position
            break
        payload = json.loads(alert.payload)
        outcome: Outcome = send(
            payload, destinations[alert.destination], environ, config.delivery.timeout_seconds
        )
        at = clock()
        if outcome.result == "sent":
            record_sent(con, alert.alert_id, at)
            report.sent += 1
            continue
        attempts = alert.attempts + 1
        if outcome.result == "retry" and attempts < config.delivery.max_attempts:
            wait = backoff_seconds(attempts, config, outcome.retry_after_seconds)
            record_failure(con, alert.alert_id, at, outcome.error or "", at + dt.timedelta(seconds=wait))
            report.retrying += 1
        else:
            error = outcome.error or ""
            if outcome.result == "retry":
                error = f"{error} (gave up after {attempts} attempts)"
            record_failure(con, alert.alert_id, at, error, None)
            report.dead += 1
        report.errors.append(f"{alert.destination}: {outcome.error}")
        if log:
            log(f"alert {alert.alert_id} to {alert.destination}: {outcome.result} ({outcome.error})")
    write_due_file(con, warehouse_path)
    return report
