"""Raising alerts: the fresh valid answers the rules pick, one outbox row per destination.

Called inside the transaction that validates the answers (validation/verdicts.py), right
after the verdicts: an answer is never valid without its alerts. Only news alerts: an answer
older than `max_age_hours` at the run's moment (taken as its files land) is history. Employee answers never
alert (their survey type, or a survey the catalogue lists as employee). The payload holds
what the team needs to act and nothing personal: the comment is the validated, redacted
one, and the account id goes through the same redaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass

import duckdb

from dagster_project.alerts.config import AlertsConfig, Destination, Rule
from dagster_project.alerts.outbox import OUTBOX, ensure_outbox
from dagster_project.nps_scale import category_of
from dagster_project.survey_catalogue import SurveyCatalogue
from dagster_project.validation.redaction import redact


@dataclass(frozen=True)
class Answer:
    """A fresh valid customer answer, as the rules see it."""

    response_id: str
    survey_id: str
    responded_at: dt.datetime
    score: int
    comment: str | None
    improvement: str | None
    account_id: str | None
    respondent_role: str | None
    previous_score: int | None  # the respondent's answer before this one, if any


def _fresh_answers(con: duckdb.DuckDBPyConnection, now: dt.datetime, max_age: dt.timedelta) -> list[Answer]:
    rows = con.execute(
        """with fresh as (
               select * from validated.responses
               where responded_at >= $since and responded_at <= $now
                 and survey_type is distinct from 'employee'
           )
           select fresh.response_id, fresh.survey_id, fresh.responded_at, fresh.score,
               fresh.reason, fresh.improvement, fresh.account_id, fresh.respondent_role,
               (select earlier.score from validated.responses as earlier
                where earlier.respondent_key = fresh.respondent_key
                  and earlier.responded_at < fresh.responded_at
                  and earlier.survey_type is distinct from 'employee'
                order by earlier.responded_at desc limit 1) as previous_score
           from fresh
           order by fresh.responded_at, fresh.response_id""",
        {"since": now - max_age, "now": now},
    ).fetchall()
    return [Answer(*row) for row in rows]


def _word_pattern(word: str) -> re.Pattern:
    stem = word.endswith("*")
    text = re.escape(word.rstrip("*")).replace(r"\ ", r"\s+")
    return re.compile(rf"(?<!\w){text}" + ("" if stem else r"(?!\w)"), re.IGNORECASE)


class RuleMatcher:
    """Whether a rule picks an answer of a survey."""

    def __init__(self, rule: Rule, decision_maker_roles: tuple[str, ...]) -> None:
        self.rule = rule
        self.roles = {role.strip().lower() for role in decision_maker_roles}
        self.words = [_word_pattern(word) for word in rule.words]

    def matches(self, answer: Answer, programme: str, touchpoint: str | None, owner_team: str | None) -> bool:
        rule = self.rule
        if programme not in rule.programmes or not rule.scores.min <= answer.score <= rule.scores.max:
            return False
        if rule.surveys and answer.survey_id not in rule.surveys:
            return False
        if rule.touchpoints and touchpoint not in rule.touchpoints:
            return False
        if rule.owner_teams and owner_team not in rule.owner_teams:
            return False
        if self.words:
            text = " ".join(t for t in (answer.comment, answer.improvement) if t)
            if not any(pattern.search(text) for pattern in self.words):
                return False
        if rule.decision_maker is not None:
            is_decision_maker = (answer.respondent_role or "").strip().lower() in self.roles
            if is_decision_maker != rule.decision_maker:
                return False
        if rule.was_promoter is not None:
            was_promoter = answer.previous_score is not None and answer.previous_score >= 9
            if was_promoter != rule.was_promoter:
                return False
        return True


def alert_id(response_id: str, category: str, rule: str, destination: str) -> str:
    """Stable for an answer in one category: sent as `webhook-id` / Message-ID."""
    digest = hashlib.sha256(f"{response_id}\x1f{category}\x1f{rule}\x1f{destination}".encode()).hexdigest()
    return f"alert_{digest[:32]}"


def payload_of(answer: Answer, survey, rule: str, sla_hours: float) -> dict:
    category = category_of(answer.score)
    respond_by = answer.responded_at + dt.timedelta(hours=sla_hours)
    return {
        "type": "nps.alert",
        "rule": rule,
        "response_id": answer.response_id,
        "survey_id": answer.survey_id,
        "survey_name": survey.name,
        "programme": survey.programme,
        "touchpoint": survey.touchpoint,
        "owner_team": survey.owner_team,
        "score": answer.score,
        "nps_category": category,
        "comment": answer.comment,
        "improvement": answer.improvement,
        "account_id": redact(answer.account_id) if answer.account_id else None,
        "responded_at": answer.responded_at.astimezone(dt.UTC).isoformat(),
        "sla_hours": sla_hours,
        "respond_by": respond_by.astimezone(dt.UTC).isoformat(),
    }


def raise_alerts(
    con: duckdb.DuckDBPyConnection,
    config: AlertsConfig,
    catalogue: SurveyCatalogue,
    now: dt.datetime,
    sla_hours: float,
    environ: dict[str, str] | None = None,
) -> int:
    """Write the alerts the fresh answers raise into the outbox (the caller's transaction);
    an alert already there (same answer, category, rule, destination) is not raised again.
    Returns how many were new."""
    ensure_outbox(con)
    active = {d.name: d for d in config.active_destinations(os.environ if environ is None else environ)}
    if not config.rules or not active:
        return 0
    surveys = {s.survey_id: s for s in catalogue.surveys if s.programme != "employee"}
    matchers = [RuleMatcher(rule, config.decision_maker_roles) for rule in config.rules]
    rows = []
    for answer in _fresh_answers(con, now, dt.timedelta(hours=config.max_age_hours)):
        survey = surveys.get(answer.survey_id)
        if survey is None:
            continue  # an employee or uncatalogued survey: no programme, no owner to route to
        category = category_of(answer.score)
        for matcher in matchers:
            if not matcher.matches(answer, survey.programme, survey.touchpoint, survey.owner_team):
                continue
            payload = payload_of(answer, survey, matcher.rule.name, sla_hours)
            for name in matcher.rule.destinations:
                destination: Destination | None = active.get(name)
                if destination is None or (
                    destination.owner_teams and survey.owner_team not in destination.owner_teams
                ):
                    continue
                identifier = alert_id(answer.response_id, category, matcher.rule.name, name)
                rows.append(
                    (
                        identifier,
                        answer.response_id,
                        matcher.rule.name,
                        name,
                        destination.kind,
                        survey.owner_team,
                        category,
                        json.dumps({"alert_id": identifier, **payload}, ensure_ascii=False),
                        now,
                    )
                )
    if not rows:
        return 0
    before = con.execute(f"select count(*) from {OUTBOX}").fetchone()[0]
    con.executemany(
        f"""insert or ignore into {OUTBOX}
                (alert_id, response_id, rule, destination, destination_kind, owner_team,
                 nps_category, payload, raised_at, status, attempts)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0)""",
        rows,
    )
    return con.execute(f"select count(*) from {OUTBOX}").fetchone()[0] - before
