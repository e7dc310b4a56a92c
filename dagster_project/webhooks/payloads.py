"""From a verified body to the answer it carries: (event id, record of canonical columns).

A record holds text values only (validation judges them as it judges a file's cells) and
`segment_<name>` keys for segments; landing reads the segment files as JSON Lines.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from dagster_project.landing.sources import SourceConfig
from dagster_project.row_kinds import RESPONSES, SEGMENT_PREFIX

EVENT_ID_FIELD = "webhook_event_id"  # kept on each line: the service's index is rebuilt from it


class Malformed(Exception):
    """The body is not an answer (answered 400 with the reason)."""


@dataclass(frozen=True)
class Event:
    event_id: str
    record: dict[str, str | None]

    def line(self) -> bytes:
        record = {EVENT_ID_FIELD: self.event_id, **self.record}
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
