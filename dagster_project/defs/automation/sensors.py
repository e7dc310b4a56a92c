"""Start a run when files appear in (or change in) the inbox.

The sensor never opens the warehouse (that would block the writer): it fingerprints the
inbox listing (path, size, modification time) and asks for a run when the fingerprint
differs from the last one it saw. The run key is the fingerprint, so one inbox state
starts at most one run; the landing assets skip content already landed. A file still being
written (changed within NPS_INBOX_SETTLE_SECONDS) is not in the fingerprint yet: the run
starts once it has settled.
"""

import datetime as dt

import dagster as dg

from dagster_project.defs.automation.jobs import nps_pipeline
from dagster_project.landing.sources import SourcesConfig
from dagster_project.settings import Settings
from dagster_project.warehouse.build_state import inbox_fingerprint


def inbox_sensor(settings: Settings, sources: SourcesConfig) -> dg.SensorDefinition:
    raw_dir = settings.raw_dir

    @dg.sensor(
        name="nps_inbox_sensor",
        job=nps_pipeline,
        # every 15 s: a detractor's alert should not wait on the sensor (docs/alerts.md)
        minimum_interval_seconds=15,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Runs the pipeline when files in {raw_dir} are added or changed.",
    )
    def _sensor(context: dg.SensorEvaluationContext):
        fingerprint, files = inbox_fingerprint(raw_dir, sources, settings.settled_before())
        if files == 0:
            return dg.SkipReason(f"no files in {raw_dir}")
        if fingerprint == context.cursor:
            return dg.SkipReason("inbox unchanged")
        context.update_cursor(fingerprint)
        return dg.RunRequest(run_key=fingerprint, tags={"nps/inbox_files": str(files)})

    return _sensor


def alerts_sensor(settings: Settings) -> dg.SensorDefinition:
    """Start the alert delivery job when a pending alert is due, so a failed delivery is
    retried on its backoff and never waits for the next file. Reads only the due time the
    last delivery wrote next to the warehouse (alerts/delivery.py), never the warehouse."""
    from dagster_project.alerts.delivery import read_due_file
    from dagster_project.defs.alerts.assets import alert_delivery_job

    @dg.sensor(
        name="nps_alerts_sensor",
        job=alert_delivery_job,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Sends pending detractor alerts when their next try is due.",
    )
    def _sensor(context: dg.SensorEvaluationContext):
        due = read_due_file(settings.warehouse_path)
        if due is None:
            return dg.SkipReason("no alert pending")
        if due > dt.datetime.now(dt.UTC):
            return dg.SkipReason(f"next alert due at {due.isoformat()}")
        return dg.RunRequest(run_key=f"alerts-due-{due.isoformat()}")

    return _sensor
