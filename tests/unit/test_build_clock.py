"""When the clock alone next changes a build: the next local midnight, a customer
detractor's call-back deadline, or an answer from the future coming due - the first."""

from __future__ import annotations

import datetime as dt

import duckdb

from dagster_project.warehouse.build_clock import build_time, next_change_at, next_local_midnight, start_build
from dagster_project.warehouse.tables import ensure_landing_tables

MORNING = dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.UTC)  # 08:00 in Stockholm
MIDNIGHT = dt.datetime(2026, 11, 2, 23, 0, tzinfo=dt.UTC)  # 00:00 on 3 November in Stockholm


def warehouse(answers: list[tuple[str, int, dt.datetime]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_landing_tables(con)
    con.execute(
        "create table validated.responses (survey_type varchar, score utinyint, responded_at timestamptz)"
    )
    for answer in answers:
        con.execute("insert into validated.responses values (?, ?, ?)", answer)
    start_build(con, MORNING, "run-1")
    return con


def test_the_next_local_midnight_when_nothing_else_is_due():
    con = warehouse([("customer", 9, MORNING - dt.timedelta(hours=1))])
    assert build_time(con) == MORNING
    assert next_local_midnight(MORNING, "Europe/Stockholm") == MIDNIGHT
    assert next_change_at(con, "Europe/Stockholm") == MIDNIGHT


def test_a_customer_detractors_deadline_comes_first_an_employees_never_counts():
    con = warehouse(
        [
            ("employee", 2, MORNING - dt.timedelta(hours=47)),  # due in an hour: no call-back, not told
            ("customer", 3, MORNING - dt.timedelta(hours=40)),  # due at 15:00 UTC
            ("customer", 1, MORNING - dt.timedelta(hours=60)),  # overdue already
        ]
    )
    assert next_change_at(con, "Europe/Stockholm") == MORNING + dt.timedelta(hours=8)


def test_an_answer_from_the_future_coming_due_comes_first():
    con = warehouse([])
    con.execute(
        "insert into validated.awaiting_time values ('responses', 'f1', 1, 'R1', $due)",
        {"due": MORNING + dt.timedelta(hours=3)},
    )
    assert next_change_at(con, "Europe/Stockholm") == MORNING + dt.timedelta(hours=3)
