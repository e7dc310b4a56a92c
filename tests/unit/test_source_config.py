"""The source configuration: the committed one loads; mistakes are named precisely."""

from __future__ import annotations

import pytest

from dagster_project.config_files import ConfigurationError
from dagster_project.landing.sources import load_sources_config
from dagster_project.settings import REPO_ROOT


def test_the_committed_configuration_loads():
    config = load_sources_config(REPO_ROOT / "config" / "sources.yml")
    formats = {s.format for s in config.sources}
    assert formats == {"csv", "qualtrics_csv", "surveymonkey_csv", "xlsx", "json", "json_webhook"}
    webhook = next(s for s in config.sources if s.is_webhook)
    assert webhook.secret_env == "NPS_WEBHOOK_SECRET"
    qualtrics = next(s for s in config.sources if s.format == "qualtrics_csv")
    assert qualtrics.file_column("score") == "Q1" and qualtrics.file_column("survey_id") == "survey_id"
    assert qualtrics.channel_map["smsinvite"] == "sms"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources: [", "is not valid YAML"),
        ("- a\n- b", "expected a mapping with a 'sources' list"),
        ("sources: []", "no sources configured"),
        (
            "sources:\n  - {name: a, kind: responses, folder: x, format: pdf}",
            "source #1 ('a'), field format: Input should be 'csv', 'qualtrics_csv'",
        ),
        (
            "sources:\n  - {name: a, kind: surveys, folder: x}",
            "source #1 ('a'), field kind: Input should be 'responses', 'invitations', 'followups', "
            "'customers' or 'revenue'",
        ),
        (
            "sources:\n  - {name: a, kind: responses, folder: x, columns: {scroe: Q1}}",
            "source #1 ('a'): columns: scroe not canonical responses column(s)",
        ),
        (
            "sources:\n  - {name: a, kind: responses, folder: x, timezone: Mars/Base}",
            "source #1 ('a'), field timezone: 'Mars/Base' is not an IANA time zone",
        ),
        (
            "sources:\n  - {name: a, kind: responses, folder: ../etc}",
            "field folder: must be a folder inside NPS_RAW_DIR",
        ),
        (
            "sources:\n  - {name: a, kind: responses, folder: x, channel_map: {post: letter}}",
            "field channel_map: maps to unknown channel(s) ['letter']",
        ),
        (
            "sources:\n  - {name: a, kind: responses, folder: x}\n"
            "  - {name: a, kind: invitations, folder: y}",
            "source names must be unique; repeated: ['a']",
        ),
        (
            "sources:\n  - {name: a, kind: responses, folder: x, colums: {}}",
            "source #1 ('a'), field colums: Extra inputs are not permitted",
        ),
        (
            "sources:\n  - {name: A-1, kind: responses, folder: x}",
            "field name: must be lower-case letters, digits and _",
        ),
        (
            "sources:\n  - {name: a, kind: responses, folder: x, format: json_webhook}",
            "source #1 ('a'): secret_env: a json_webhook source needs secret_env",
        ),
        (
            "sources:\n  - {name: a, kind: responses, folder: x, format: json_webhook, secret_env: wh_abc}",
            "secret_env: must name an environment variable (e.g. NPS_WEBHOOK_SECRET), not hold the secret",
        ),
        (
            "sources:\n  - {name: a, kind: responses, folder: x, secret_env: NPS_X}",
            "secret_env: a csv source applies to webhook formats only",
        ),
    ],
)
def test_invalid_configuration_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "sources.yml"
    path.write_text(text)
    with pytest.raises(ConfigurationError) as error:
        load_sources_config(path)
    assert str(error.value).startswith(str(path))
    assert message in str(error.value)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_sources_config(tmp_path / "nope.yml")
