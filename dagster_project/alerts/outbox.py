"""The alert outbox (`validated.alert_outbox`): every alert raised, and how its delivery went.

An alert is written in the transaction that validates its answer, so an answer is never
valid without its alerts, nor alerted without being valid. Its id is stable (answer, its
category, rule, destination): an answer landed again raises nothing new; one whose category
changed is a new alert. Delivery records each attempt as soon as it is made (one row, one
autocommit): a process killed between sending and recording sends at most that one alert
again, with the same id.

Statuses: `pending` (not sent yet, `next_attempt_at` says when to try), `sent`, `dead`
(refused for good, or out of attempts; `last_error` says why; `nps-warehouse alerts
--retry-dead` makes them pending again).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

OUTBOX = "validated.alert_outbox"
OUTBOX_DDL = f"""
create table if not exists {OUTBOX} (
    alert_id varchar primary key,
    response_id varchar not null,
    rule varchar not null,
    destination varchar not null,
    destination_kind varchar not null,   -- slack | webhook | email
    owner_team varchar,
    nps_category varchar not null,
    payload json not null,               -- what is sent: no personal data, no secret
    raised_at timestamptz not null,
    status varchar not null,             -- pending | sent | dead
    attempts integer not null,
    next_attempt_at timestamptz,         -- pending: not before (NULL: at once)
    last_attempt_at timestamptz,
    sent_at timestamptz,
    last_error varchar                   -- the receiver's answer or the error, no secret
)"""
STATUSES = ("pending", "sent", "dead")


@dataclass(frozen=True)
class OutboxAlert:
    alert_id: str
    destination: str
    destination_kind: str
    payload: str
    attempts: int


def ensure_outbox(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists validated")
    con.execute(OUTBOX_DDL)


def due_alerts(
    con: duckdb.DuckDBPyConnection, now: dt.datetime, destinations: list[str]
) -> list[OutboxAlert]:
    """Pending alerts whose time has come, oldest first, for destinations that are on."""
    rows = con.execute(
        f"""select alert_id, destination, destination_kind, payload::varchar, attempts
            from {OUTBOX}
            where status = 'pending' and coalesce(next_attempt_at, raised_at) <= $now
              and list_contains($destinations, destination)
            order by coalesce(next_attempt_at, raised_at), raised_at, alert_id""",
        {"now": now, "destinations": destinations},
    ).fetchall()
    return [OutboxAlert(*row) for row in rows]


def record_sent(con: duckdb.DuckDBPyConnection, alert_id: str, at: dt.datetime) -> None:
    con.execute(
        f"""update {OUTBOX} set status = 'sent', attempts = attempts + 1, sent_at = $at,
                last_attempt_at = $at, next_attempt_at = null, last_error = null
            where alert_id = $id""",
        {"id": alert_id, "at": at},
    )


def record_failure(
    con: duckdb.DuckDBPyConnection, alert_id: str, at: dt.datetime, error: str, retry_at: dt.datetime | None
) -> None:
    """A failed attempt: pending again from `retry_at`, or dead when it is None."""
    con.execute(
        f"""update {OUTBOX} set attempts = attempts + 1, last_attempt_at = $at, last_error = $error,
                status = case when $retry_at is null then 'dead' else 'pending' end,
                next_attempt_at = $retry_at
            where alert_id = $id""",
        {"id": alert_id, "at": at, "error": error[:500], "retry_at": retry_at},
    )


def retry_dead(con: duckdb.DuckDBPyConnection) -> int:
    """Make every dead alert pending again, due at once, with a fresh count of attempts."""
    revived = con.execute(
        f"""update {OUTBOX} set status = 'pending', attempts = 0, next_attempt_at = null
            where status = 'dead' returning alert_id"""
    ).fetchall()
    return len(revived)


def outbox_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    counts = dict(con.execute(f"select status, count(*) from {OUTBOX} group by status").fetchall())
    return {status: counts.get(status, 0) for status in STATUSES}


def next_due(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """When the earliest pending alert is due (None: nothing pending)."""
    return con.execute(
        f"select min(coalesce(next_attempt_at, raised_at)) from {OUTBOX} where status = 'pending'"
    ).fetchone()[0]


def outbox_rows(con: duckdb.DuckDBPyConnection, status: str | None = None, limit: int = 50) -> list[tuple]:
    """(alert_id, rule, destination, owner_team, category, raised_at, status, attempts,
    sent_at, next_attempt_at, last_error), newest first."""
    return con.execute(
        f"""select alert_id, rule, destination, owner_team, nps_category, raised_at, status,
                attempts, sent_at, next_attempt_at, last_error
            from {OUTBOX} where $status is null or status = $status
            order by raised_at desc, alert_id limit $limit""",
        {"status": status, "limit": limit},
    ).fetchall()
