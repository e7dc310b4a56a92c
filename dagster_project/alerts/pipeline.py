"""The alerts in the pipeline: raised with the validated answers, delivered right after.

`raise_with_validation` is what validation of the answers calls inside its transaction;
`deliver` sends what is due (the `alerts/outbox` asset, a no-op run, the alert sensor's job,
`nps-warehouse alerts`). Both read the configuration files each time, so a changed rule or a
newly set variable takes effect at the next run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb

from dagster_project.alerts.config import AlertsConfig, load_alerts_config
from dagster_project.alerts.delivery import DeliveryReport, deliver_due
from dagster_project.alerts.raising import raise_alerts
from dagster_project.settings import Settings
from dagster_project.survey_catalogue import load_survey_catalogue
from dagster_project.warehouse.build_clock import followup_sla_hours


def alerts_config(settings: Settings) -> AlertsConfig:
    return load_alerts_config(settings.alerts_config)


def raise_with_validation(settings: Settings, now: dt.datetime) -> Callable[[duckdb.DuckDBPyConnection], int]:
    """The step validation runs before it commits: raise the alerts of the fresh answers."""
    config = alerts_config(settings)
    catalogue = load_survey_catalogue(settings.surveys_config)
    sla_hours = followup_sla_hours()

    def _raise(con: duckdb.DuckDBPyConnection) -> int:
        return raise_alerts(con, config, catalogue, now, sla_hours)

    return _raise


def deliver(
    con: duckdb.DuckDBPyConnection, settings: Settings, log: Callable[[str], None] | None = None
) -> DeliveryReport:
    return deliver_due(con, alerts_config(settings), settings.warehouse_path, log=log)
