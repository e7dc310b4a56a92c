"""Delighted through the webhook receiver: the score arrives first, the comment in a later
`survey_response.updated`; the later event replaces the earlier one down to the marts, and
a retry of the earlier event that comes late changes nothing."""

from __future__ import annotations

import dataclasses
import json
import signal

import duckdb
import httpx

from dagster_project.webhooks.signatures import sign_delighted
from tests.conftest import REPO_ROOT, copy_of
from tests.pipeline import run_pipeline
from tests.webhook_service import running_service, stored_lines

API_KEY = "delighted-test-api-key"
DELIGHTED_SOURCE = """
  - name: delighted_nps
    kind: responses
    folder: delighted
    format: delighted_webhook
    secret_env: NPS_DELIGHTED_API_KEY
    columns: {respondent_id: Customer ID}
    segments: {region: Region}
    constants: {survey_id: dnps}
"""
ANSWERED_AT = 1741594500  # 2025-03-10 08:15:00 UTC


def delighted_event(event_id: str, event_type: str, updated_at: int, **data) -> bytes:
    event_data = {
        "id": "D-5435",
        "person": {"id": "901", "email": "anna@example.com", "name": "Anna Svensson"},
        "survey_type": "nps",
        "score": 3,
        "comment": None,
        "created_at": ANSWERED_AT,
        "updated_at": updated_at,
        "person_properties": {"Delighted Source": "Email", "Region": "north", "Customer ID": "C0000002"},
        **data,
    }
    return json.dumps({"event_type": event_type, "event_id": event_id, "event_data": event_data}).encode()


def post(client: httpx.Client, url: str, body: bytes, key: str = API_KEY) -> httpx.Response:
    headers = {"content-type": "application/json", "x-delighted-webhook-signature": sign_delighted(key, body)}
    return client.post(f"{url}/webhooks/delighted_nps", content=body, headers=headers)


def rows_of_d5435(settings) -> dict[str, list[tuple]]:
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        return {
            "responses": con.execute(
                """select score, channel, segment_region from marts.nps_responses
                   where response_id = 'D-5435'"""
            ).fetchall(),
            "followups": con.execute(
                "select reason_text from marts.detractor_followups where response_id = 'D-5435'"
            ).fetchall(),
            "excluded": con.execute(
                "select reason from marts.excluded_rows where source_file_path like 'delighted/%'"
            ).fetchall(),
            "quarantined": con.execute(
                "select reason from marts.quarantined_rows where source_file_path like 'delighted/%'"
            ).fetchall(),
        }


def test_a_later_delighted_event_replaces_the_earlier_down_to_the_marts(tmp_path, small_warehouse):
    settings = copy_of(small_warehouse, tmp_path / "deployment")
    sources = tmp_path / "sources.yml"
    sources.write_text((REPO_ROOT / "config" / "sources.yml").read_text() + DELIGHTED_SOURCE)
    settings = dataclasses.replace(settings, sources_config=sources)
    environment = {"NPS_SOURCES_CONFIG": str(sources), "NPS_DELIGHTED_API_KEY": API_KEY}
    log = tmp_path / "service.log"

    created = delighted_event("ev-created", "survey_response.created", ANSWERED_AT)
    with running_service(settings.raw_dir, log, **environment) as service, httpx.Client() as client:
        assert post(client, service.url, created, key="another project's key").status_code == 401
        unsigned = {"content-type": "application/json"}
        assert (
            client.post(
                f"{service.url}/webhooks/delighted_nps", content=created, headers=unsigned
            ).status_code
            == 401
        )
        first = post(client, service.url, created)
        assert (first.status_code, first.json()["outcome"]) == (200, "stored")
        unsubscribed = post(client, service.url, delighted_event("ev-u", "survey_response.unsubscribed", 0))
        csat = post(
            client, service.url, delighted_event("ev-c", "survey_response.created", 0, survey_type="csat")
        )
        assert [(r.status_code, r.json()["stored"]) for r in (unsubscribed, csat)] == [(200, False)] * 2
        assert service.stop() in (0, -signal.SIGTERM)
    assert run_pipeline(settings).success
    assert rows_of_d5435(settings) == {
        "responses": [(3, "email", "north")],
        "followups": [(None,)],
        "excluded": [],
        "quarantined": [],
    }

    updated = delighted_event(
        "ev-updated", "survey_response.updated", ANSWERED_AT + 40, comment="Slow refund"
    )
    late_retry = delighted_event("ev-created-retry", "survey_response.created", ANSWERED_AT)
    with running_service(settings.raw_dir, log, **environment) as service, httpx.Client() as client:
        outcomes = [
            post(client, service.url, body).json()["outcome"] for body in (updated, updated, late_retry)
        ]
        assert outcomes == ["stored", "repeated", "superseded"]  # the index survived the restart
        assert service.stop() in (0, -signal.SIGTERM)
    lines = stored_lines(settings.raw_dir / "delighted")
    assert [line["webhook_event_id"] for line in lines] == ["ev-created", "ev-updated"]
    assert "anna@example.com" not in json.dumps(lines) and "Anna" not in json.dumps(lines)

    assert run_pipeline(settings).success
    published = rows_of_d5435(settings)
    assert published["responses"] == [(3, "email", "north")]
    assert published["followups"] == [("Slow refund",)]
    assert published["quarantined"] == []  # replaced, not an error
    ((reason,),) = published["excluded"]
    assert "D-5435" in reason and "is replaced by a later event" in reason
    text = log.read_text()
    assert API_KEY not in text and "Slow refund" not in text
