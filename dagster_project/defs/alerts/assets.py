"""The alert outbox in Dagster: delivered right after validation, and shown in the UI."""

import dagster as dg

from dagster_project.alerts.outbox import outbox_counts, outbox_rows
from dagster_project.alerts.pipeline import deliver
from dagster_project.defs.metadata import markdown_table
from dagster_project.defs.quality.assets import valid_key
from dagster_project.defs.resources import Warehouse
from dagster_project.warehouse.connection import WRITER_POOL

OUTBOX_KEY = dg.AssetKey(["alerts", "outbox"])


@dg.asset(
    key=OUTBOX_KEY,
    deps=[valid_key("responses")],
    group_name="alerts",
    kinds={"duckdb"},
    pool=WRITER_POOL,
    description=(
        "Detractor alerts (config/alerts.yml): raised with the validated answers, sent here "
        "to each destination that is on, before the marts are built (the lake waits for it). "
        "At least once, with a stable id; failures retried with backoff by every run and by "
        "`nps_alerts_sensor`; a refusal that will not change is a dead letter."
    ),
)
def alert_outbox(context: dg.AssetExecutionContext, warehouse: Warehouse):
    with warehouse.connect(log=context.log) as con:
        report = deliver(con, warehouse.settings, log=context.log.warning)
        counts = outbox_counts(con)
        recent = outbox_rows(con, limit=20)
    context.log.info(report.line())
    return dg.MaterializeResult(
        metadata={
            "sent_now": report.sent,
            "retrying_now": report.retrying,
            "dead_now": report.dead,
            "pending": counts["pending"],
            "sent": counts["sent"],
            "dead": counts["dead"],
            "latest": markdown_table(
                (
                    "alert",
                    "rule",
                    "destination",
                    "owner team",
                    "category",
                    "raised",
                    "status",
                    "attempts",
                    "sent",
                    "next try",
                    "last error",
                ),
                recent,
                empty="no alerts yet",
            ),
        }
    )


alert_delivery_job = dg.define_asset_job(
    "nps_alert_delivery",
    selection=dg.AssetSelection.assets(OUTBOX_KEY),
    description="Send the alerts that are due (started by nps_alerts_sensor).",
    tags={"nps/warehouse": "writer"},
)
