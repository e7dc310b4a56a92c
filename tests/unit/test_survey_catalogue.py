"""The survey catalogue: the committed one loads and covers the sample; mistakes are named
precisely; dbt receives it as a var."""

from __future__ import annotations

import csv
import json

import pytest

from dagster_project.config_files import ConfigurationError
from dagster_project.landing.sources import load_sources_config
from dagster_project.settings import REPO_ROOT, Settings
from dagster_project.survey_catalogue import load_survey_catalogue


def test_the_committed_catalogue_covers_every_sample_survey():
    catalogue = load_survey_catalogue(REPO_ROOT / "config" / "surveys.yml")
    programmes = {survey.survey_id: survey.programme for survey in catalogue.surveys}
    sources = load_sources_config(REPO_ROOT / "config" / "sources.yml")
    constant_ids = {s.constants["survey_id"] for s in sources.sources if "survey_id" in s.constants}
    canonical_ids = set()
    for path in (REPO_ROOT / "data" / "raw" / "responses").glob("*.csv"):
        with path.open(encoding="utf-8-sig", errors="replace") as file:
            delimiter = ";" if ";" in file.readline() else ","
            file.seek(0)
            canonical_ids |= {row["survey_id"] for row in csv.DictReader(file, delimiter=delimiter)}
    assert (constant_ids | canonical_ids) <= set(programmes)
    assert programmes["rnps-quarterly"] == programmes["rnps-qualtrics"] == "relationship"
    touchpoints = ("support", "onboarding", "store", "app", "web")
    assert {programmes[f"tnps-{touchpoint}"] for touchpoint in touchpoints} == {"transactional"}
    assert programmes["enps-pulse"] == "employee"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("surveys: [", "is not valid YAML"),
        ("- a", "expected a mapping with a 'surveys' list"),
        (
            "surveys:\n  - {survey_id: x, programme: customer, name: X}",
            "survey #1 ('x'), field programme: Input should be 'relationship', 'transactional' or 'employee'",
        ),
        (
            "surveys:\n  - {survey_id: x, programme: transactional, name: X}",
            "survey #1 ('x'): a transactional survey needs its touchpoint",
        ),
        (
            "surveys:\n  - {survey_id: x, programme: relationship}",
            "survey #1 ('x'), field name: Field required",
        ),
        (
            "surveys:\n  - {survey_id: x, programme: transactional, name: X, touchpoint: Store Visit}",
            "survey #1 ('x'), field touchpoint: must be lower-case letters",
        ),
        (
            "surveys:\n  - {survey_id: x, programme: relationship, name: X}\n"
            "  - {survey_id: x, programme: employee, name: Y}",
            "survey_ids must be unique; repeated: ['x']",
        ),
        (
            "surveys:\n  - {survey_id: x, programme: relationship, name: X, colour: red}",
            "survey #1 ('x'), field colour: Extra inputs are not permitted",
        ),
    ],
)
def test_mistakes_name_the_entry_and_the_field(tmp_path, text, message):
    path = tmp_path / "surveys.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as error:
        load_survey_catalogue(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_a_missing_catalogue_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError, match="survey catalogue .* does not exist"):
        load_survey_catalogue(tmp_path / "nope.yml")


def test_dbt_gets_the_catalogue_as_a_var(tmp_path):
    path = tmp_path / "surveys.yml"
    path.write_text('surveys:\n  - {survey_id: "it\'s", programme: relationship, name: R, owner_team: CX}\n')
    settings = Settings(raw_dir=tmp_path, warehouse_path=tmp_path / "w.duckdb", surveys_config=path)
    catalogue = json.loads(json.dumps(settings.dbt_vars()))["nps_survey_catalogue"]
    assert catalogue == [
        {
            "survey_id": "it's",
            "programme": "relationship",
            "name": "R",
            "touchpoint": None,
            "owner_team": "CX",
        }
    ]
