"""Delighted's webhook events read as answers: the signature, the fields, what is ignored."""

from __future__ import annotations

import json

import pytest

from dagster_project.landing.sources import SourceConfig
from dagster_project.webhooks.payloads import Ignored, Malformed, delighted_event
from dagster_project.webhooks.signatures import Unsigned, verify_delighted

SOURCE = SourceConfig.model_validate(
    {
        "name": "delighted_nps",
        "kind": "responses",
        "folder": "delighted",
        "format": "delighted_webhook",
        "secret_env": "NPS_DELIGHTED_API_KEY",
        "columns": {"account_id": "Company"},
        "segments": {"region": "Region"},
        "constants": {"survey_id": "dnps"},
    }
)


def delighted(event_type: str = "survey_response.created", **data) -> bytes:
    event_data = {
        "id": "5435",
        "person": {"id": "901", "email": "anna@example.com", "name": "Anna Svensson"},
        "survey_type": "nps",
        "score": 3,
        "comment": None,
        "created_at": 1741594500,  # 2025-03-10 08:15:00 UTC
        "updated_at": 1741594500,
        "person_properties": {
            "Delighted Source": "Email",
            "Region": "North",
            "Company": "ACME-7",
            "Name": "Anna Svensson",
        },
        **data,
    }
    return json.dumps({"event_type": event_type, "event_id": "ev-1", "event_data": event_data}).encode()


def test_a_signature_is_the_hex_hmac_of_the_body_keyed_with_the_api_key():
    body = b'{"event_type":"survey_response.updated"}'
    # computed apart: printf %s "$body" | openssl dgst -sha256 -hmac delighted-test-key
    digest = "99dc7f08779ff6205a1878574187c780865b4a750b7e67e1d8561698782ab670"
    verify_delighted("delighted-test-key", body, {"x-delighted-webhook-signature": f"sha256={digest}"})
    for wrong in (
        {},
        {"x-delighted-webhook-signature": digest},
        {"x-delighted-webhook-signature": "sha256=00"},
    ):
        with pytest.raises(Unsigned):
            verify_delighted("delighted-test-key", body, wrong)
    with pytest.raises(Unsigned):
        verify_delighted("another key", body, {"x-delighted-webhook-signature": f"sha256={digest}"})


def test_a_response_event_is_an_answer_in_canonical_columns():
    event = delighted_event(delighted(comment="Slow refund", updated_at=1741594560), SOURCE)
    assert (event.event_id, event.version) == ("ev-1", 1741594560)
    assert {k: v for k, v in event.record.items() if v is not None} == {
        "response_id": "5435",
        "survey_id": "dnps",
        "respondent_id": "anna@example.com",  # pseudonymised as it lands
        "responded_at": "2025-03-10T08:15:00+00:00",
        "score": "3",
        "channel": "email",
        "reason": "Slow refund",
        "survey_type": "customer",
        "account_id": "ACME-7",
        "segment_region": "North",
    }
    assert "Anna Svensson" not in event.line().decode()  # properties not asked for stay out


def test_employee_nps_is_an_employee_answer_and_other_events_are_ignored():
    assert delighted_event(delighted(survey_type="enps"), SOURCE).record["survey_type"] == "employee"
    with pytest.raises(Ignored, match="csat"):
        delighted_event(delighted(survey_type="csat"), SOURCE)
    with pytest.raises(Ignored, match="unsubscribed"):
        delighted_event(delighted("survey_response.unsubscribed"), SOURCE)


def test_a_body_that_is_no_delighted_response_is_refused_with_the_reason():
    with pytest.raises(Malformed, match="not a Delighted event"):
        delighted_event(b'{"form_response": {}}', SOURCE)
    with pytest.raises(Malformed, match="no response id"):
        delighted_event(delighted(id=None), SOURCE)


def test_a_delighted_source_must_name_its_survey():
    config = {**SOURCE.model_dump(), "constants": {}}
    with pytest.raises(ValueError, match="needs survey_id"):
        SourceConfig.model_validate(config)
