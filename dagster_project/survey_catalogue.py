"""The survey catalogue (`config/surveys.yml`, or `NPS_SURVEYS_CONFIG`): which NPS each
survey measures.

Relationship NPS (asked on a schedule: how the customer feels about the company),
transactional NPS (asked after one interaction, at a touchpoint of the journey) and
employee NPS are different measures (docs/nps.md#programmes); every NPS mart keeps them
apart by `programme`. A survey id the catalogue does not list lands in programme
`unclassified`, never in another programme, and the Dagster check
`surveys_catalogued` lists such ids with their counts.

The file is validated as a whole, like the source configuration: any mistake is a
`ConfigurationError` naming the entry and the field. dbt receives the catalogue as the
var `nps_survey_catalogue` (`Settings.dbt_vars`), from which it builds `marts.surveys`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from dagster_project.config_files import load_config_file

PROGRAMMES = ("relationship", "transactional", "employee")
# Where a survey id the catalogue does not list is counted: never folded into a programme.
UNCLASSIFIED = "unclassified"
_SURVEY_ID = re.compile(r"\S(.*\S)?")
_TOUCHPOINT = re.compile(r"[a-z][a-z0-9_-]*")


class Survey(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    survey_id: str
    programme: Literal["relationship", "transactional", "employee"]
    name: str
    touchpoint: str | None = None
    owner_team: str | None = None

    @field_validator("survey_id", "name")
    @classmethod
    def _text(cls, value: str) -> str:
        if not _SURVEY_ID.fullmatch(value):
            raise ValueError("must be non-empty text without surrounding spaces")
        return value

    @field_validator("touchpoint")
    @classmethod
    def _touchpoint(cls, value: str | None) -> str | None:
        if value is not None and not _TOUCHPOINT.fullmatch(value):
            raise ValueError("must be lower-case letters, digits, - and _ (e.g. support, store)")
        return value

    @model_validator(mode="after")
    def _touchpoint_of_transactional(self) -> Survey:
        if self.programme == "transactional" and self.touchpoint is None:
            raise ValueError("a transactional survey needs its touchpoint (where in the journey it is asked)")
        return self


class SurveyCatalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    surveys: list[Survey]

    @model_validator(mode="after")
    def _unique(self) -> SurveyCatalogue:
        ids = [survey.survey_id for survey in self.surveys]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"survey_ids must be unique; repeated: {repeated}")
        return self

    def as_dbt_var(self) -> list[dict[str, str | None]]:
        """The catalogue as dbt's `nps_survey_catalogue` var (models/marts/surveys.sql)."""
        return [survey.model_dump() for survey in self.surveys]


def load_survey_catalogue(path: Path) -> SurveyCatalogue:
    """Read and validate the survey catalogue, or raise a ConfigurationError."""
    return load_config_file(path, SurveyCatalogue, "survey catalogue", "surveys", "survey", "survey_id")


def uncatalogued_surveys(con) -> list[tuple[str, int, object, object]]:
    """Survey ids in the published marts counted as unclassified (the catalogue does not list
    them, or their rows contradict their entry): (survey_id, responses, first and last
    response date), most responses first."""
    return con.execute(
        f"""select survey_id, count(*) as responses, min(response_date), max(response_date)
            from marts.nps_responses
            where programme = '{UNCLASSIFIED}'
            group by survey_id
            order by responses desc, survey_id"""
    ).fetchall()


def uncatalogued_employee_surveys(warehouse_con, catalogue: SurveyCatalogue) -> list[str]:
    """Survey ids of valid employee answers (survey_type employee) that the catalogue does not
    list as employee surveys: they are published nowhere (not to HR, never to customers)
    until it does. Ids only: how many employees answered is HR's to know."""
    employee = [survey.survey_id for survey in catalogue.surveys if survey.programme == "employee"]
    return [
        survey_id
        for (survey_id,) in warehouse_con.execute(
            """select distinct coalesce(survey_id, '(none)') from validated.responses
               where survey_type = 'employee' and not list_contains($employee, coalesce(survey_id, ''))
               order by 1""",
            {"employee": employee},
        ).fetchall()
    ]
