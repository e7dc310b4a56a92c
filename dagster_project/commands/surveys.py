"""`nps-warehouse surveys`: every survey id seen, with its programme, answers and first and
last answer, uncatalogued first, and the `config/surveys.yml` entries to add. `run` prints
the entries of employee surveys published nowhere (the summary has the customers')."""

from __future__ import annotations

import sys

import duckdb

from dagster_project.commands.outcomes import EXIT_FAILED, duckdb_errors
from dagster_project.publishing.published import NothingPublished, published_marts
from dagster_project.publishing.survey_list import (
    SeenSurvey,
    employee_surveys_published_nowhere,
    entry_lines,
    published_surveys,
    surveys_table,
)
from dagster_project.settings import Settings
from dagster_project.survey_catalogue import load_survey_catalogue
from dagster_project.warehouse.connection import connect


def _employee_surveys(settings: Settings) -> list[SeenSurvey] | None:
    """From the warehouse, without waiting for a run that holds it (None then)."""
    if not settings.warehouse_path.exists():
        return []
    catalogue = load_survey_catalogue(settings.surveys_config)
    try:
        with connect(
            settings.warehouse_path, read_only=True, memory_limit=settings.duckdb_memory_limit, lock_timeout=0
        ) as con:
            return employee_surveys_published_nowhere(con, catalogue)
    except (duckdb.IOException, duckdb.CatalogException):
        return None


def employee_survey_lines(settings: Settings) -> list[str]:
    """After a run (the caller holds the lock): the employee surveys published nowhere."""
    employee = _employee_surveys(settings) or []
    if not employee:
        return []
    ids = ", ".join(survey.survey_id for survey in employee)
    return [
        f"Employee answers of survey id(s) {ids} are published nowhere until config/surveys.yml "
        "lists them as employee surveys.",
        *entry_lines([], employee),
    ]


def surveys_command(settings: Settings) -> int:
    catalogue = load_survey_catalogue(settings.surveys_config)
    try:
        with published_marts(settings) as con:
            surveys = published_surveys(con, catalogue)
    except (NothingPublished, *duckdb_errors()) as exc:
        print(f"surveys: nothing published to read ({exc}); run `nps-warehouse run`", file=sys.stderr)
        return EXIT_FAILED
    employee = _employee_surveys(settings)
    print("\n".join(surveys_table(surveys, employee or [])))
    if employee is None:
        print("(a run holds the warehouse: employee surveys were not looked at)")
    return 0
