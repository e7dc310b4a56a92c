"""The inbox source configuration (`config/sources.yml`, or `NPS_SOURCES_CONFIG`).

Every source says where its files arrive, their format, and how their columns map to
the canonical columns of its kind of row (`row_kinds.py`: responses, invitations,
followups, customers or revenue). The file is validated as a
whole when the code location loads; any mistake is a `ConfigurationError` naming the entry
and the field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dagster_project.config_files import load_config_file
from dagster_project.row_kinds import CHANNELS, ROW_KIND_BY_NAME, SEGMENT_PREFIX, RowKind

NPS_SCALE = "0-10"
# Webhook formats arrive through `nps-warehouse serve` (dagster_project/webhooks), which
# writes each verified event as a JSON line of canonical columns into the source's folder.
WEBHOOK_FORMATS = ("json_webhook", "typeform_webhook", "delighted_webhook")
FORMATS = ("csv", "qualtrics_csv", "surveymonkey_csv", "xlsx", "json", *WEBHOOK_FORMATS)
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
_ENVIRONMENT_VARIABLE = re.compile(r"[A-Z_][A-Z0-9_]*")


class SourceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: Literal["responses", "invitations", "followups", "customers", "revenue"]
    folder: str
    format: Literal[
        "csv",
        "qualtrics_csv",
        "surveymonkey_csv",
        "xlsx",
        "json",
        "json_webhook",
        "typeform_webhook",
        "delighted_webhook",
    ] = "csv"
    columns: dict[str, str] = Field(default_factory=dict)
    constants: dict[str, str] = Field(default_factory=dict)
    segments: dict[str, str] = Field(default_factory=dict)
    segment_prefix: str | None = SEGMENT_PREFIX
    timezone: str = "UTC"
    timestamp_format: str | None = None
    scale: str = NPS_SCALE
    delimiter: Literal["auto", ",", ";", "\t", "|"] = "auto"
    encoding: Literal["auto", "utf-8", "windows-1252"] = "auto"
    sheet: str | None = None
    header_row: int = Field(default=1, ge=1)
    channel_map: dict[str, str] = Field(default_factory=dict)
    real_statuses: list[str] | None = None
    keep_unfinished_with_score: bool = False
    score_labels: Literal["none", "leading_number"] = "none"
    # revenue: the currency (ISO 4217) every row must be in; one per warehouse
    currency: str | None = None
    # webhook formats: the environment variable holding the signing secret (never the secret)
    secret_env: str | None = None

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not _IDENTIFIER.fullmatch(value):
            raise ValueError("must be lower-case letters, digits and _ (starting with a letter)")
        return value

    @field_validator("folder")
    @classmethod
    def _relative_folder(cls, value: str) -> str:
        path = Path(value)
        if path.is_absolute() or ".." in path.parts or not value.strip():
            raise ValueError("must be a folder inside NPS_RAW_DIR (relative, no '..')")
        return path.as_posix()

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone") from exc
        return value

    @field_validator("segments")
    @classmethod
    def _segment_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _IDENTIFIER.fullmatch(name):
                raise ValueError(f"segment name {name!r} must be a lower-case identifier")
        return value

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError(f"{value!r} is not a three-letter ISO 4217 code such as SEK or EUR")
        return value

    @field_validator("channel_map")
    @classmethod
    def _channels(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted({v for v in value.values() if v not in CHANNELS})
        if unknown:
            raise ValueError(f"maps to unknown channel(s) {unknown}; use {', '.join(CHANNELS)}")
        return {k.strip().lower(): v for k, v in value.items()}

    @model_validator(mode="after")
    def _columns_exist(self) -> SourceConfig:
        kind = self.row_kind
        for field in ("columns", "constants"):
            unknown = sorted(set(getattr(self, field)) - set(kind.columns))
            if unknown:
                raise ValueError(
                    f"{field}: {', '.join(unknown)} not canonical {self.kind} column(s); "
                    f"known: {', '.join(kind.columns)}"
                )
        both = sorted(set(self.columns) & set(self.constants))
        if both:
            raise ValueError(f"{', '.join(both)} given both as a column and as a constant")
        if (self.currency is None) == (kind.currency_column is not None):
            needs = "needs a currency (e.g. currency: SEK)" if self.currency is None else "has no currency"
            raise ValueError(f"currency: a {self.kind} source {needs}")
        if self.format == "xlsx" and self.delimiter != "auto":
            raise ValueError("delimiter applies to csv formats, not xlsx")
        if self.is_webhook != (self.secret_env is not None):
            needs = "needs secret_env" if self.is_webhook else "applies to webhook formats only"
            raise ValueError(f"secret_env: a {self.format} source {needs}")
        if self.secret_env is not None and not _ENVIRONMENT_VARIABLE.fullmatch(self.secret_env):
            raise ValueError(
                "secret_env: must name an environment variable (e.g. NPS_WEBHOOK_SECRET), not hold the secret"
            )
        if self.is_webhook and self.kind != "responses":
            raise ValueError(f"kind: a {self.format} source delivers responses")
        if self.format == "delighted_webhook" and "survey_id" not in self.constants:
            raise ValueError(
                "constants: a delighted_webhook source needs survey_id (Delighted's events name none)"
            )
        return self

    @property
    def is_webhook(self) -> bool:
        return self.format in WEBHOOK_FORMATS

    @property
    def later_event_replaces(self) -> bool:
        """A later event for the same response carries the whole response again (Delighted:
        the score first, the comment in an update): the earlier row is replaced, not an error."""
        return self.format == "delighted_webhook"

    def as_landed(self) -> SourceConfig:
        """How landing reads this source's files: a webhook source's events are JSON lines
        already in canonical columns and `segment_*` (the service applied `columns:`)."""
        if not self.is_webhook:
            return self
        return self.model_copy(update={"columns": {}, "segments": {}, "segment_prefix": SEGMENT_PREFIX})

    @property
    def row_kind(self) -> RowKind:
        """The kind of row this source's files hold (`kind:` names it)."""
        return ROW_KIND_BY_NAME[self.kind]

    @property
    def declares_nps_scale(self) -> bool:
        return self.scale.replace(" ", "").replace("–", "-") == NPS_SCALE

    def file_column(self, canonical: str) -> str:
        """The file's column holding a canonical column (its own name unless mapped)."""
        return self.columns.get(canonical, canonical)


class SourcesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[SourceConfig]

    @model_validator(mode="after")
    def _unique(self) -> SourcesConfig:
        for attribute in ("name", "folder"):
            values = [getattr(s, attribute) for s in self.sources]
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"source {attribute}s must be unique; repeated: {repeated}")
        if not self.sources:
            raise ValueError("no sources configured")
        currencies = sorted({s.currency for s in self.sources if s.currency})
        if len(currencies) > 1:
            raise ValueError(
                f"revenue sources in more than one currency ({', '.join(currencies)}): one warehouse "
                "sums revenue in one currency; convert the exports or keep one programme per warehouse"
            )
        return self


def load_sources_config(path: Path) -> SourcesConfig:
    """Read and validate the source configuration, or raise a ConfigurationError."""
    return load_config_file(path, SourcesConfig, "source configuration", "sources", "source", "name")
