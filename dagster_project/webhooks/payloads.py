"""From a verified body to the answer it carries: (event id, record of canonical columns).

A record holds text values only (validation judges them as it judges a file's cells) and
`segment_<name>` keys for segments; landing reads the segment files as JSON Lines.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass

from dagster_project.landing.sources import SourceConfig
from dagster_project.row_kinds import RESPONSES, SEGMENT_PREFIX

EVENT_ID_FIELD = "webhook_event_id"  # kept on each line: the service's index is rebuilt from it
VERSION_FIELD = "webhook_response_version"  # likewise, for sources whose later event replaces


class Malformed(Exception):
    """The body is not an answer (answered 400 with the reason)."""


class Ignored(Exception):
    """A genuine event that carries no NPS answer (answered 200, not stored)."""


@dataclass(frozen=True)
class Event:
    event_id: str
    record: dict[str, str | None]
    # Sources whose later event for a response replaces the earlier (Delighted): the
    # response's version (its update time); an event older than one stored is not stored.
    version: int | None = None

    @property
    def response_id(self) -> str:
        return self.record.get("response_id") or ""

    def line(self) -> bytes:
        record = {EVENT_ID_FIELD: self.event_id, **self.record}
        if self.version is not None:
            record[VERSION_FIELD] = self.version
        return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _json_object(body: bytes) -> dict:
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Malformed(f"the body is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise Malformed("the body is not a JSON object")
    return value


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise Malformed(f"{value!r} is not a text or number")


def _require(record: Mapping[str, str | None]) -> None:
    missing = [c for c in RESPONSES.required if not (record.get(c) or "").strip()]
    if missing:
        raise Malformed(f"missing field(s): {', '.join(missing)}")


def json_webhook_event(event_id: str, body: bytes, source: SourceConfig) -> Event:
    """One answer in our canonical columns; segments as `segment_<name>` or an object
    `segments: {name: value}`."""
    payload = _json_object(body)
    record: dict[str, str | None] = dict.fromkeys(RESPONSES.columns)
    for name, value in payload.items():
        if name == "segments" and isinstance(value, dict):
            for segment, segment_value in value.items():
                record[f"{SEGMENT_PREFIX}{segment}"] = _text(segment_value)
        elif name in RESPONSES.columns or name.startswith(SEGMENT_PREFIX):
            try:
                record[name] = _text(value)
            except Malformed as exc:
                raise Malformed(f"field {name}: {exc}") from None
        else:
            raise Malformed(f"unknown field {name!r} (canonical columns: {', '.join(RESPONSES.columns)})")
    for column, constant in source.constants.items():
        record[column] = record.get(column) or constant
    _require(record)
    return Event(event_id, record)


def _typeform_answer(answer: dict) -> str | None:
    kind = answer.get("type")
    value = answer.get(kind) if kind else None
    if kind == "choice" and isinstance(value, dict):
        return _text(value.get("label") or value.get("other"))
    if kind == "choices" and isinstance(value, dict):
        return ", ".join(str(label) for label in value.get("labels") or [])
    return _text(value) if not isinstance(value, dict | list) else json.dumps(value, ensure_ascii=False)


def typeform_event(body: bytes, source: SourceConfig) -> Event:
    """Typeform's `form_response`: the response token is the response id, `submitted_at`
    the time, the form id the survey (unless `constants: survey_id`); `columns:` maps a
    canonical column to a question's `ref` or a hidden field; other hidden fields (or those
    named in `segments:`) become segments."""
    payload = _json_object(body)
    response = payload.get("form_response")
    event_id = payload.get("event_id")
    if payload.get("event_type") != "form_response" or not isinstance(response, dict) or not event_id:
        raise Malformed("not a Typeform form_response event (event_id, event_type, form_response)")
    answers = {
        str((answer.get("field") or {}).get("ref")): _typeform_answer(answer)
        for answer in response.get("answers") or []
        if isinstance(answer, dict)
    }
    hidden = {str(k): _text(v) for k, v in (response.get("hidden") or {}).items()}
    record: dict[str, str | None] = dict.fromkeys(RESPONSES.columns)
    record.update(
        response_id=_text(response.get("token")),
        responded_at=_text(response.get("submitted_at") or response.get("landed_at")),
        survey_id=_text(response.get("form_id")),
        channel="web",
    )
    used = set()
    for column, ref in source.columns.items():
        if ref in answers:
            record[column] = answers[ref]
        elif ref in hidden:
            record[column] = hidden[ref]
            used.add(ref)
    segments = source.segments or {name: name for name in hidden if name not in used}
    for segment, field in segments.items():
        record[f"{SEGMENT_PREFIX}{segment}"] = hidden.get(field)
    record.update(source.constants)
    _require(record)
    return Event(str(event_id), record)


DELIGHTED_RESPONSE_EVENTS = ("survey_response.created", "survey_response.updated")
DELIGHTED_SURVEY_TYPES = {"nps": "customer", "enps": "employee"}
DELIGHTED_CHANNEL_PROPERTY = "Delighted Source"  # how the person was surveyed (Email, SMS, Web, ...)


def _unix_time(value: object) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.UTC).isoformat()
    return _text(value)


def _delighted_version(data: dict) -> int | None:
    version = data.get("updated_at") or data.get("created_at")
    return int(version) if isinstance(version, int | float) and not isinstance(version, bool) else None


def delighted_event(body: bytes, source: SourceConfig) -> Event:
    """Delighted's `survey_response.created` (often the score only) and `.updated` (the
    comment, answers added later): each carries the whole response, and the later one
    replaces the earlier (validation excludes the earlier row, `later_event_replaces`).
    The response id, `created_at` the time, the comment the reason, the person's email the
    respondent (pseudonymised as it lands), the channel from the person property "Delighted
    Source" (a `channel_map:` folds its values); `columns:` maps a canonical column to a
    person property. Properties become segments only when `segments:` names them: they
    often hold names and emails. Other events and other survey types are ignored.

    Required fields are judged by validation, not here: a signed response lacking one is
    quarantined with its reason rather than refused (Delighted would lose it)."""
    payload = _json_object(body)
    event_type, event_id, data = payload.get("event_type"), payload.get("event_id"), payload.get("event_data")
    if not isinstance(event_type, str) or not event_id or not isinstance(data, dict):
        raise Malformed("not a Delighted event (event_id, event_type, event_data)")
    if event_type not in DELIGHTED_RESPONSE_EVENTS:
        raise Ignored(f"{event_type} carries no answer")
    survey_type = DELIGHTED_SURVEY_TYPES.get(str(data.get("survey_type") or "nps").lower())
    if survey_type is None:
        raise Ignored(f"a {data.get('survey_type')} response is not NPS")
    if not _text(data.get("id")):
        raise Malformed("event_data has no response id")
    person = data.get("person") if isinstance(data.get("person"), dict) else {}
    properties = data.get("person_properties") if isinstance(data.get("person_properties"), dict) else {}
    channel = properties.get(DELIGHTED_CHANNEL_PROPERTY)
    record: dict[str, str | None] = dict.fromkeys(RESPONSES.columns)
    record.update(
        response_id=_text(data.get("id")),
        responded_at=_unix_time(data.get("created_at")),
        score=_text(data.get("score")),
        reason=_text(data.get("comment")),
        respondent_id=_text(person.get("email") or person.get("id") or data.get("person")),
        channel=_text(channel).lower() if isinstance(channel, str) else None,
        survey_type=survey_type,
    )
    for column, name in source.columns.items():
        if name in properties:
            record[column] = _text(properties[name])
    for segment, name in source.segments.items():
        record[f"{SEGMENT_PREFIX}{segment}"] = _text(properties.get(name))
    record.update(source.constants)
    return Event(str(event_id), record, _delighted_version(data))
