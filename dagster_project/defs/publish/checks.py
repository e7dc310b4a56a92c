"""Checks on the published marts: what readers see, built on whichever engine."""

import dagster as dg

from dagster_project.defs.metadata import markdown_table
from dagster_project.defs.publish.assets import PUBLISHED
from dagster_project.defs.resources import Warehouse
from dagster_project.publishing.published import published_marts
from dagster_project.survey_catalogue import (
    UNCLASSIFIED,
    load_survey_catalogue,
    uncatalogued_employee_surveys,
    uncatalogued_surveys,
)
from dagster_project.warehouse.connection import WRITER_POOL


@dg.asset_check(
    asset=PUBLISHED,
    name="surveys_catalogued",
    pool=WRITER_POOL,
    description=(
        "Every survey id is in the survey catalogue (config/surveys.yml), and its rows agree with "
        "its entry. Responses of a survey it does not list, or whose rows contradict it (employee "
        f"rows in a customer programme or the reverse), are counted in programme `{UNCLASSIFIED}`, "
        "never in another: this warns and lists those ids with their counts. Employee answers "
        "of a survey not listed as an employee survey are published nowhere: their ids are listed "
        "(without counts)."
    ),
)
def surveys_catalogued(warehouse: Warehouse) -> dg.AssetCheckResult:
    settings = warehouse.settings
    with published_marts(settings) as con:
        unknown = uncatalogued_surveys(con)
    with warehouse.connect(read_only=True) as con:
        employee = uncatalogued_employee_surveys(con, load_survey_catalogue(settings.surveys_config))
    listed = ", ".join(f"{survey_id} ({responses})" for survey_id, responses, _, _ in unknown)
    problems = []
    if unknown:
        problems.append(
            f"{len(unknown)} survey id(s) not in {settings.surveys_config.name} (or contradicting "
            f"their entry), counted as programme `{UNCLASSIFIED}`: {listed}"
        )
    if employee:
        problems.append(
            f"employee answers of survey id(s) {', '.join(employee)} are published nowhere until "
            f"{settings.surveys_config.name} lists them with programme employee"
        )
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(problems) or "every survey id is in the catalogue",
        metadata={
            "uncatalogued_employee_survey_ids": dg.MetadataValue.text(", ".join(employee) or "none"),
            "uncatalogued_survey_ids": len(unknown),
            "responses_unclassified": sum(n for _, n, _, _ in unknown),
            "surveys": markdown_table(
                ("survey_id", "responses", "first response", "last response"), unknown, empty="none"
            ),
        },
    )
