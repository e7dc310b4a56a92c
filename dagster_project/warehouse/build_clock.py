"""One moment per run: what every time-dependent verdict of a build is judged at.

Whether a timestamp is in the future, a follow-up overdue, a period complete, a respondent
inside a rolling window: each depends on "now". A run reads the clock once, when it starts
landing (`Settings.now()`: NPS_CLOCK or the system clock), and records it here; validation,
Great Expectations, dbt (macro `build_time()`, through the lake's copy of this table) and
publishing all judge by that moment, so one build never mixes two clocks, and a warehouse
built as of a moment equals any other built as of the same moment.

After publishing, `next_change_at` says when the clock alone next changes a verdict (the
next local midnight, the next follow-up deadline, the next quarantined "future" timestamp
that comes due): until then a run with nothing new has nothing to do (build_state.py).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import duckdb
import yaml

from dagster_project.settings import DBT_PROJECT_DIR

BUILD_CLOCK_DDL = """
create table if not exists validated.build_clock (
    build_time timestamptz not null,  -- the moment the run judges by
    run_id varchar                    -- the Dagster run that took it
)"""


def start_build(con: duckdb.DuckDBPyConnection, moment: dt.datetime, run_id: str | None) -> dt.datetime:
    """Record `moment` as the build time of the run now starting."""
    con.execute("delete from validated.build_clock")
    con.execute(
        "insert into validated.build_clock values ($moment, $run_id)", {"moment": moment, "run_id": run_id}
    )
    return moment


def build_time(con: duckdb.DuckDBPyConnection) -> dt.datetime:
    """The moment the current build judges by (the system clock if no run recorded one)."""
    rows = con.execute("select max(build_time) from validated.build_clock").fetchall()
    moment = rows[0][0]
    return moment.astimezone(dt.UTC) if moment is not None else dt.datetime.now(dt.UTC)


def next_local_midnight(moment: dt.datetime, reporting_tz: str) -> dt.datetime:
    """The first instant of the next day in the reporting time zone."""
    local = moment.astimezone(ZoneInfo(reporting_tz))
    tomorrow = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), ZoneInfo(reporting_tz))
    return tomorrow.astimezone(dt.UTC)


def followup_sla_hours() -> int:
    """The call-back deadline the dbt project judges follow-ups by (var followup_sla_hours)."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return int(project["vars"]["followup_sla_hours"])


def next_change_at(con: duckdb.DuckDBPyConnection, reporting_tz: str) -> dt.datetime:
    """When the clock alone next changes what a build of this warehouse contains: the next
    local midnight (periods complete, rolling windows move), a detractor's call-back
    deadline (an open case turns overdue; read from the validated answers, so on every
    engine, erring early), a quarantined future timestamp coming due - whichever is first."""
    moment = build_time(con)
    deadline = f"responded_at + interval {followup_sla_hours()} hour"
    candidates = [next_local_midnight(moment, reporting_tz)]
    for query in (
        "select min(due_at) from validated.awaiting_time where due_at > $moment",
        # customers' detractors only: employees are never called back (nor their times told)
        f"""select min({deadline}) from validated.responses
            where survey_type = 'customer' and score <= 6 and {deadline} >= $moment""",
    ):
        found = con.execute(query, {"moment": moment}).fetchall()[0][0]
        if found is not None:
            candidates.append(found.astimezone(dt.UTC))
    return min(candidates)
