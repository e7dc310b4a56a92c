"""A daily run, in the reporting time zone."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.automation.jobs import nps_pipeline


def daily_schedule(reporting_tz: str) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="nps_daily",
        job=nps_pipeline,
        cron_schedule="0 6 * * *",
        execution_timezone=reporting_tz,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Rebuild the warehouse every morning at 06:00 local time.",
    )
