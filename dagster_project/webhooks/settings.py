"""What the webhook service reads from the environment (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from dagster_project.config_files import ConfigurationError
from dagster_project.landing.sources import SourceConfig, load_sources_config
from dagster_project.settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_MAX_BODY_BYTES = 256 * 1024  # a survey answer is a few kB; Typeform's largest are ~100 kB
DEFAULT_SEGMENT_EVENTS = 5_000  # events per segment file at most
DEFAULT_SEGMENT_SECONDS = 10.0  # a segment is closed (handed to the inbox) after this long
DEFAULT_MIN_FREE_MB = 64.0  # below this free space events are refused with 503


@dataclass(frozen=True)
class ServiceSettings:
    pipeline: Settings
    sources: dict[str, SourceConfig]  # webhook sources by name
    secrets: dict[str, bytes | str] = field(repr=False)  # source name -> its secret
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    segment_events: int = DEFAULT_SEGMENT_EVENTS
    segment_seconds: float = DEFAULT_SEGMENT_SECONDS
    min_free_mb: float = DEFAULT_MIN_FREE_MB

    @classmethod
    def from_env(cls, pipeline: Settings | None = None) -> ServiceSettings:
        pipeline = pipeline or Settings.from_env()
        config = load_sources_config(pipeline.sources_config)
        sources = {source.name: source for source in config.sources if source.is_webhook}
        missing = [f"{s.name} ({s.secret_env})" for s in sources.values() if not os.environ.get(s.secret_env)]
        if missing:
            raise ConfigurationError(
                f"webhook source(s) {', '.join(missing)}: the environment variable holding the signing "
                "secret is not set (config/sources.yml names it in secret_env)"
            )
        return cls(
            pipeline=pipeline,
            sources=sources,
            secrets={name: os.environ[source.secret_env] for name, source in sources.items()},
            host=os.environ.get("NPS_SERVE_HOST") or DEFAULT_HOST,
            port=_integer("NPS_SERVE_PORT", DEFAULT_PORT),
            max_body_bytes=_integer("NPS_WEBHOOK_MAX_BYTES", DEFAULT_MAX_BODY_BYTES),
            segment_events=_integer("NPS_WEBHOOK_SEGMENT_EVENTS", DEFAULT_SEGMENT_EVENTS),
            segment_seconds=_number("NPS_WEBHOOK_SEGMENT_SECONDS", DEFAULT_SEGMENT_SECONDS),
            min_free_mb=_number("NPS_WEBHOOK_MIN_FREE_MB", DEFAULT_MIN_FREE_MB, minimum_excluded=None),
        )


def _number(name: str, default: float, minimum_excluded: float | None = 0.0) -> float:
    text = os.environ.get(name) or str(default)
    try:
        value = float(text)
    except ValueError as exc:
        raise ConfigurationError(f"{name}={text!r} is not a number") from exc
    if minimum_excluded is not None and value <= minimum_excluded:
        raise ConfigurationError(f"{name}={text!r} must be above {minimum_excluded:g}")
    return value


def _integer(name: str, default: int) -> int:
    value = _number(name, default)
    if value != int(value):
        raise ConfigurationError(f"{name}={value!r} is not a whole number")
    return int(value)
