"""Checks on the published marts: what readers see, built on whichever engine."""

import dagster as dg

from dagster_project.defs.metadata import markdown_table
from dagster_project.defs.publish.assets import PUBLISHED
from dagster_project.defs.resources import Warehouse
from dagster_project.publishing.published import published_marts
from dagster_project.survey_catalogue import UNCLASSIFIED, uncatalogued_surveys
from dagster_project.warehouse.connection import WRITER_POOL


@dg.asset_check(
    asset=PUBLISHED,
    name="surveys_catalogued",
    pool=WRITER_POOL,
    description=(
        "Every survey id is in the survey catalogue (config/surveys.yml), and its rows agree with "
        "its entry. Responses of a survey it does not list, or whose rows contradict it (employee "
        f"rows in a customer programme or the reverse), are counted in programme `{UNCLASSIFIED}`, "
        "never in another: this warns and lists those ids with their counts."
    ),
)
def surveys_catalogued(warehouse: Warehouse) -> dg.AssetCheckResult:
    with published_marts(warehouse.settings) as con:
        unknown = uncatalogued_surveys(con)
    listed = ", ".join(f"{survey_id} ({responses})" for survey_id, responses, _, _ in unknown)
    return dg.AssetCheckResult(
        passed=not unknown,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{len(unknown)} survey id(s) not in {warehouse.settings.surveys_config.name} (or contradicting "
            f"their entry), counted as programme `{UNCLASSIFIED}`: {listed}"
            if unknown
            else "every survey id is in the catalogue"
        ),
        metadata={
            "uncatalogued_survey_ids": len(unknown),
            "responses_unclassified": sum(n for _, n, _, _ in unknown),
            "surveys": markdown_table(
                ("survey_id", "responses", "first response", "last response"), unknown, empty="none"
            ),
        },
    )
