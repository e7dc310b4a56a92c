"""The alert rules and their destinations (`config/alerts.yml`, or `NPS_ALERTS_CONFIG`).

A rule says which answers alert (programme, survey, touchpoint, owner team, score range,
words in the comment, a B2B decision-maker, a customer who was a promoter last time); its
destinations say where they go. A destination may serve only some owner teams (the survey
catalogue's `owner_team`), so one rule routes each answer to the team that owns its survey.

Secrets and addresses never live in the file: it names the environment variables that hold
them. A destination whose variables are not set is off (listed by `nps-warehouse alerts`),
so the committed file sends nothing until a variable is set. Employee answers never alert:
a rule cannot name the employee programme, and the raising SQL leaves them out regardless.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dagster_project.config_files import load_config_file

_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_NAME = re.compile(r"[a-z][a-z0-9_-]*")
CUSTOMER_PROGRAMMES = ("relationship", "transactional")


def _env_name(value: str | None) -> str | None:
    if value is not None and not _ENV_NAME.fullmatch(value):
        raise ValueError(
            "must name an environment variable (e.g. NPS_ALERT_WEBHOOK_URL), never hold the value itself"
        )
    return value


def _entry_name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise ValueError("must be lower-case letters, digits, - and _")
    return value


def _repeated(values: list[str]) -> list[str]:
    return sorted({value for value in values if values.count(value) > 1})


class Destination(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: Literal["slack", "webhook", "email"]
    # slack, webhook: the variable holding the URL; webhook: the one holding the signing
    # secret (Standard Webhooks, `whsec_...`)
    url_env: str | None = None
    secret_env: str | None = None
    # email: the variable holding the recipients (comma-separated), the sender, and SMTP's
    to_env: str | None = None
    from_env: str = "NPS_ALERT_EMAIL_FROM"
    smtp_host_env: str = "NPS_SMTP_HOST"
    smtp_port_env: str = "NPS_SMTP_PORT"
    smtp_user_env: str = "NPS_SMTP_USER"
    smtp_password_env: str = "NPS_SMTP_PASSWORD"
    # starttls (port 587), tls (implicit, port 465) or none (a relay on localhost)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    # Only answers of surveys owned by these teams (config/surveys.yml owner_team); all if empty.
    owner_teams: tuple[str, ...] = ()

    _names = field_validator("url_env", "secret_env", "to_env", "from_env", "smtp_host_env")(_env_name)
    _more_names = field_validator("smtp_port_env", "smtp_user_env", "smtp_password_env")(_env_name)

    _name = field_validator("name")(_entry_name)

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Destination:
        needed = {"slack": ("url_env",), "webhook": ("url_env", "secret_env"), "email": ("to_env",)}[
            self.kind
        ]
        missing = [field for field in needed if getattr(self, field) is None]
        if missing:
            raise ValueError(f"a {self.kind} destination needs {' and '.join(missing)}")
        return self

    def missing_variables(self, environ: dict[str, str] | None = None) -> list[str]:
        """The environment variables this destination needs that are not set (then it is off)."""
        environ = os.environ if environ is None else environ
        needed = [self.url_env, self.secret_env, self.to_env]
        if self.kind == "email":
            needed.append(self.smtp_host_env)
        return [name for name in needed if name and not environ.get(name)]


class ScoreRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min: int = Field(default=0, ge=0, le=10)
    max: int = Field(default=10, ge=0, le=10)

    @model_validator(mode="after")
    def _ordered(self) -> ScoreRange:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    destinations: tuple[str, ...]
    # Every condition given must hold; a list holds when any of its values does.
    programmes: tuple[Literal["relationship", "transactional"], ...] = CUSTOMER_PROGRAMMES
    surveys: tuple[str, ...] = ()
    touchpoints: tuple[str, ...] = ()
    owner_teams: tuple[str, ...] = ()
    scores: ScoreRange = ScoreRange(min=0, max=6)
    # Any of these words (case-insensitive, whole words; a trailing * matches a word's start)
    # in the answer's redacted comment (reason or improvement).
    words: tuple[str, ...] = ()
    decision_maker: bool | None = None  # the respondent's role is a decision-maker's
    was_promoter: bool | None = None  # the respondent's previous answer was a promoter's

    _name = field_validator("name")(_entry_name)

    @field_validator("programmes", mode="before")
    @classmethod
    def _no_employee(cls, value):
        if isinstance(value, list | tuple) and "employee" in value:
            raise ValueError("employee answers are anonymous and never alert")
        return value

    @field_validator("destinations")
    @classmethod
    def _some(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("needs at least one destination")
        return value

    @field_validator("words")
    @classmethod
    def _words(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [w for w in value if not re.fullmatch(r"[^\W\d_][\w' -]*\*?", w)]
        if bad:
            raise ValueError(f"words are letters (and a trailing *), not {bad}")
        return tuple(w.lower() for w in value)


class Delivery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_seconds: float = Field(default=10, gt=0)
    first_retry_seconds: float = Field(default=5, gt=0)
    max_backoff_seconds: float = Field(default=300, gt=0)  # the longest wait between tries
    max_attempts: int = Field(default=50, ge=1)  # then the alert is dead (retry by hand)
    run_budget_seconds: float = Field(default=30, gt=0)  # time one run spends sending


class AlertsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # An answer older than this when it lands never alerts (history, late exports).
    max_age_hours: float = Field(default=72, gt=0)
    decision_maker_roles: tuple[str, ...] = ()
    delivery: Delivery = Delivery()
    destinations: tuple[Destination, ...] = ()
    rules: tuple[Rule, ...] = ()

    @model_validator(mode="after")
    def _known_names(self) -> AlertsConfig:
        names = [d.name for d in self.destinations]
        if repeated := _repeated(names):
            raise ValueError(f"destination names must be unique; repeated: {repeated}")
        if repeated := _repeated([r.name for r in self.rules]):
            raise ValueError(f"rule names must be unique; repeated: {repeated}")
        for rule in self.rules:
            unknown = [d for d in rule.destinations if d not in names]
            if unknown:
                raise ValueError(f"rule {rule.name!r} names unknown destinations {unknown} (known: {names})")
        return self

    def active_destinations(self, environ: dict[str, str] | None = None) -> list[Destination]:
        return [d for d in self.destinations if not d.missing_variables(environ)]


def load_alerts_config(path: Path) -> AlertsConfig:
    """Read and validate the alert configuration, or raise a ConfigurationError."""
    return load_config_file(
        path,
        AlertsConfig,
        "alert configuration",
        "rules",
        "rule",
        "name",
        more_entries={"destinations": ("destination", "name")},
    )
