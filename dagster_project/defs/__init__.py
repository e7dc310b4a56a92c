"""Definitions of the nps-warehouse code location, built from settings."""

from __future__ import annotations

import dagster as dg

from dagster_project.alerts.config import load_alerts_config
from dagster_project.audiences import load_audiences
from dagster_project.defs.alerts.assets import alert_delivery_job, alert_outbox
from dagster_project.defs.automation.jobs import nps_pipeline
from dagster_project.defs.automation.schedules import daily_schedule
from dagster_project.defs.automation.sensors import alerts_sensor, inbox_sensor
from dagster_project.defs.ingest.assets import build_landing_asset
from dagster_project.defs.ingest.checks import files_usable
from dagster_project.defs.lake.assets import export_lake
from dagster_project.defs.ownership import with_owners
from dagster_project.defs.publish.assets import build_publish_assets, build_report_asset
from dagster_project.defs.publish.checks import surveys_catalogued
from dagster_project.defs.quality.assets import validation_assets
from dagster_project.defs.quality.checks import quality_checks
from dagster_project.defs.resources import NpsWarehouse
from dagster_project.defs.transform.assets import nps_dbt_models
from dagster_project.defs.transform.project import DBT_GLOBAL_FLAGS, DbtCli, dbt_executable, dbt_project
from dagster_project.landing.sources import load_sources_config
from dagster_project.settings import Settings
from dagster_project.survey_catalogue import load_survey_catalogue


def build_definitions(settings: Settings) -> dg.Definitions:
    """All definitions for one configuration; an invalid source config, survey catalogue,
    audience or alert file raises here."""
    sources = load_sources_config(settings.sources_config)
    load_survey_catalogue(settings.surveys_config)
    audiences = load_audiences(settings.audiences_config)
    load_alerts_config(settings.alerts_config)
    return dg.Definitions(
        assets=with_owners(
            [
                build_landing_asset(sources),
                *validation_assets,
                alert_outbox,
                export_lake,
                nps_dbt_models,
                *build_publish_assets(nps_dbt_models, audiences),
                build_report_asset(audiences),
            ]
        ),
        asset_checks=[files_usable, *quality_checks, surveys_catalogued],
        jobs=[nps_pipeline, alert_delivery_job],
        schedules=[daily_schedule(settings, sources)],
        sensors=[inbox_sensor(settings, sources), alerts_sensor(settings)],
        resources={
            "warehouse": NpsWarehouse(settings),
            "dbt": DbtCli(
                project_dir=dbt_project,
                dbt_executable=dbt_executable(),
                global_config_flags=DBT_GLOBAL_FLAGS,
            ),
        },
    )
