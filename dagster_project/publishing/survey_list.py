"""Which survey ids the warehouse has seen, and what to write in `config/surveys.yml` for
those the catalogue does not list yet (`nps-warehouse surveys`, and the summary after a run).

A survey id the catalogue does not list is `unclassified`: in no programme's NPS. Its entry
is printed ready to paste, its programme guessed from its answers and marked as a guess
(customer answers: relationship or transactional, which only the programme's owner knows;
employee answers: employee). Customer surveys are read from the published file. Employee
answers of a survey not catalogued as an employee survey are published nowhere, so they
are found in the warehouse, by id only (how many employees answered is HR's to know).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dagster_project.survey_catalogue import UNCLASSIFIED, SurveyCatalogue, uncatalogued_employee_surveys

ENTRIES_SHOWN = 5  # the summary's paste-ready entries; `nps-warehouse surveys` shows every one
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class SeenSurvey:
    survey_id: str
    programme: str  # the catalogue's, or unclassified
    responses: int | None  # None: employee answers (not counted here)
    first_answer: dt.date | None
    last_answer: dt.date | None
    listed: bool  # in config/surveys.yml (an unclassified listed survey: its rows contradict it)

    @property
    def needs_entry(self) -> bool:
        return self.programme == UNCLASSIFIED and not self.listed


def published_surveys(con, catalogue: SurveyCatalogue) -> list[SeenSurvey]:
    """Every survey of the published customer marts and of the catalogue (customer surveys
    without an answer yet too), uncatalogued first, then by programme and id."""
    listed = {survey.survey_id: survey for survey in catalogue.surveys}
    rows = con.execute(
        """select survey_id, programme, count(*), min(response_date), max(response_date)
           from marts.nps_responses group by survey_id, programme"""
    ).fetchall()
    seen = [
        SeenSurvey(sid, programme, n, first, last, sid in listed) for sid, programme, n, first, last in rows
    ]
    answered = {survey.survey_id for survey in seen}
    seen += [
        SeenSurvey(survey.survey_id, survey.programme, 0, None, None, True)
        for survey in catalogue.surveys
        if survey.survey_id not in answered and survey.programme != "employee"
    ]
    return sorted(
        seen, key=lambda s: (not s.needs_entry, s.programme != UNCLASSIFIED, s.programme, s.survey_id)
    )


def employee_surveys_published_nowhere(warehouse_con, catalogue: SurveyCatalogue) -> list[SeenSurvey]:
    """Survey ids of valid employee answers the catalogue does not list as employee surveys."""
    listed = {survey.survey_id for survey in catalogue.surveys}
    return [
        SeenSurvey(survey_id, UNCLASSIFIED, None, None, None, survey_id in listed)
        for survey_id in uncatalogued_employee_surveys(warehouse_con, catalogue)
    ]


def catalogue_entry(survey: SeenSurvey, employee: bool = False) -> str:
    """The survey's entry for config/surveys.yml, valid YAML as it stands."""
    survey_id = survey.survey_id if _PLAIN.fullmatch(survey.survey_id) else f'"{survey.survey_id}"'
    if employee:
        programme = "employee  # its answers say survey_type employee"
    else:
        programme = (
            "relationship  # a guess: customer answers; asked after one interaction?"
            " then transactional, with a touchpoint"
        )
    return "\n".join(
        [
            f"  - survey_id: {survey_id}",
            f"    programme: {programme}",
            f"    name: {survey_id}  # a readable name for the report",
            "    # touchpoint: support  # transactional surveys: where in the journey it is asked",
        ]
    )


def _answered(survey: SeenSurvey) -> str:
    if survey.responses is None:
        return "employee answers"
    if not survey.responses:
        return "no answers yet"
    return f"{survey.responses} responses, {survey.first_answer} to {survey.last_answer}"


def surveys_table(surveys: list[SeenSurvey], employee: list[SeenSurvey]) -> list[str]:
    """`nps-warehouse surveys`: every survey seen, uncatalogued first, and the entries to add."""
    lines = [f"{'survey_id':<24}{'programme':<15}answers"]
    for survey in [*employee, *surveys]:
        note = ""
        if survey.programme == UNCLASSIFIED:
            note = (
                "  (listed, but its rows contradict it)" if survey.listed else "  (not in config/surveys.yml)"
            )
        if survey.responses is None:
            note = "  (employee answers published nowhere until listed as an employee survey)"
        lines.append(f"{survey.survey_id:<24}{survey.programme:<15}{_answered(survey)}{note}")
    return lines + entry_lines(surveys, employee, shown=None)


def entry_lines(
    surveys: list[SeenSurvey], employee: list[SeenSurvey], shown: int | None = ENTRIES_SHOWN
) -> list[str]:
    """The paste-ready entries of the surveys the catalogue lacks (the first `shown`)."""
    missing = [(s, True) for s in employee if not s.listed] + [(s, False) for s in surveys if s.needs_entry]
    if not missing:
        return []
    lines = ["Add to config/surveys.yml under `surveys:` (then run again):"]
    lines += [catalogue_entry(survey, employee=is_employee) for survey, is_employee in missing[:shown]]
    if shown is not None and len(missing) > shown:
        lines.append(f"  # ... and {len(missing) - shown} more: nps-warehouse surveys")
    return lines
