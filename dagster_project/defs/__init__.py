"""Definitions of the nps-warehouse code location, built from settings."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.defs.automation.jobs import nps_pipeline
from dagster_project.defs.automation.schedules import daily_schedule
from dagster_project.defs.automation.sensors import inbox_sensor
from dagster_project.defs.ingest.assets import land_inbox
from dagster_project.defs.quality.assets import validation_assets
from dagster_project.defs.quality.checks import quality_checks
from dagster_project.defs.resources import NpsWarehouse
from dagster_project.defs.transform.assets import nps_dbt_models
from dagster_project.defs.transform.project import dbt_executable, dbt_project
from dagster_project.settings import Settings


def build_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[land_inbox, *validation_assets, nps_dbt_models],
        asset_checks=quality_checks,
        jobs=[nps_pipeline],
        schedules=[daily_schedule(settings.reporting_tz)],
        sensors=[inbox_sensor(settings.raw_dir)],
        resources={
            "warehouse": NpsWarehouse.from_settings(settings),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
        },
    )
