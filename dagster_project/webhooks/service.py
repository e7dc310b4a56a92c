"""The ASGI app: `POST /webhooks/<source>` for each webhook source, `GET /health`.

Verify before parsing, store before answering: 2xx only once the event is on disk
(`spool.py`). 401 for a missing or wrong signature and for a source it does not know
(never 404 or 410: Typeform disables a webhook on those), 400 with the reason for a body
that is not an answer, 413 past the size limit, 415 for a body that is not JSON, 503 (with
Retry-After) when the disk is nearly full or the service is stopping. Logs name the source
and the outcome, never a payload or a secret.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dagster_project.landing.sources import SourceConfig
from dagster_project.webhooks.payloads import (
    Event,
    Ignored,
    Malformed,
    delighted_event,
    json_webhook_event,
    typeform_event,
)
from dagster_project.webhooks.settings import ServiceSettings
from dagster_project.webhooks.signatures import (
    Unsigned,
    verify_delighted,
    verify_standard_webhook,
    verify_typeform,
)
from dagster_project.webhooks.spool import STORED, NotNow, Spool

LOG = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = "30"


class TooLarge(Exception):
    pass


def _json_webhook(source: SourceConfig, secret, body: bytes, headers) -> Event:
    event_id = verify_standard_webhook(secret, body, headers)
    return json_webhook_event(event_id, body, source)


def _typeform_webhook(source: SourceConfig, secret, body: bytes, headers) -> Event:
    verify_typeform(secret, body, headers)
    return typeform_event(body, source)


def _delighted_webhook(source: SourceConfig, secret, body: bytes, headers) -> Event:
    verify_delighted(secret, body, headers)
    return delighted_event(body, source)


# format -> (verify and parse: source, secret, body, headers -> Event)
FORMATS: dict[str, Callable[..., Event]] = {
    "json_webhook": _json_webhook,
    "typeform_webhook": _typeform_webhook,
    "delighted_webhook": _delighted_webhook,
}


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(status_code: int, **fields) -> JSONResponse:
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if status_code == 503 else None
    return JSONResponse(fields, status_code=status_code, headers=headers)


def create_app(settings: ServiceSettings) -> Starlette:
    spools: dict[str, Spool] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for name, source in settings.sources.items():
            spool = Spool(
                settings.pipeline.raw_dir / source.folder,
                settings.segment_events,
                settings.segment_seconds,
                int(settings.min_free_mb * (1 << 20)),
            )
            spool.start()
            spools[name] = spool
        LOG.warning("webhook service: sources %s", ", ".join(sorted(spools)) or "(none)")
        try:
            yield
        finally:
            for spool in spools.values():
                spool.closing = True
            for spool in spools.values():
                await spool.stop()

    async def receive(request: Request) -> JSONResponse:
        name = request.path_params["source"]
        source, spool = settings.sources.get(name), spools.get(name)
        if source is None or spool is None or source.format not in FORMATS:
            return _answer(401, error="no webhook source of that name accepts events here")
        try:
            body = await _body(request, settings.max_body_bytes)
        except TooLarge:
            return _answer(413, error=f"the body is larger than {settings.max_body_bytes} bytes")
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return _answer(415, error="send the event as application/json")
        try:
            event = FORMATS[source.format](source, settings.secrets[name], body, request.headers)
        except Unsigned as exc:
            LOG.warning("webhook %s: refused, %s", name, exc)
            return _answer(401, error="the signature is missing or wrong")
        except Malformed as exc:
            return _answer(400, error=str(exc))
        except Ignored as exc:
            return _answer(200, stored=False, ignored=str(exc))
        try:
            outcome = await spool.store(event)
        except NotNow as exc:
            return _answer(503, error=str(exc))
        return _answer(200, stored=outcome == STORED, outcome=outcome, event_id=event.event_id)

    async def health(request: Request) -> JSONResponse:
        closing = any(spool.closing for spool in spools.values())
        status = "stopping" if closing else "ok"
        return _answer(503 if closing else 200, status=status, sources=sorted(spools))

    return Starlette(
        routes=[
            Route("/webhooks/{source}", receive, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
