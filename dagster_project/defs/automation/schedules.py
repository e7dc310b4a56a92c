"""A daily run, in the reporting time zone; skipped when nothing changed since the last build."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.automation.jobs import nps_pipeline
from dagster_project.landing.sources import SourcesConfig
from dagster_project.settings import Settings
from dagster_project.warehouse.build_state import BuildFingerprint, nothing_new


def daily_schedule(settings: Settings, sources: SourcesConfig) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="nps_daily",
        job=nps_pipeline,
        cron_schedule="0 6 * * *",
        execution_timezone=settings.reporting_tz,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Build the warehouse every morning at 06:00 local time (skipped when the "
        "inbox, configuration and date are those of the last build).",
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        # Never opens the warehouse: the fingerprint is the inbox listing and the config.
        if nothing_new(settings, BuildFingerprint.now(settings, sources)):
            return dg.SkipReason("nothing new since the last build")
        return dg.RunRequest()

    return _schedule
