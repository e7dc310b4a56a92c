"""Checking that an event comes from the sender that holds the secret, over the raw bytes,
before anything is parsed; comparisons in constant time."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


class Unsigned(Exception):
    """The signature is missing or wrong (answered 401; never 404 or 410, on which Typeform
    disables the webhook)."""


def verify_standard_webhook(secret: str | bytes, body: bytes, headers: Mapping[str, str]) -> str:
    """The Standard Webhooks way (`webhook-id`, `webhook-timestamp` within ±5 minutes,
    `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`); returns the event id."""
    try:
        Webhook(secret).verify(body, dict(headers), json_parse=False)
    except (WebhookVerificationError, ValueError, binascii.Error) as exc:
        raise Unsigned(f"webhook signature: {exc}") from None
    return headers["webhook-id"]


def _body_hmac(secret: str | bytes, body: bytes) -> bytes:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, body, hashlib.sha256).digest()


def _check(header: str, given: str, expected: str) -> None:
    if not given.startswith("sha256="):
        raise Unsigned(f"{header} is missing")
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise Unsigned(f"{header} does not match")


def verify_typeform(secret: str | bytes, body: bytes, headers: Mapping[str, str]) -> None:
    """Typeform's `Typeform-Signature: sha256=<base64 HMAC-SHA256 of the raw body>`."""
    _check("Typeform-Signature", headers.get("typeform-signature") or "", sign_typeform(secret, body))


def sign_typeform(secret: str | bytes, body: bytes) -> str:
    """The header value Typeform would send (tests and the bench send events with it)."""
    return "sha256=" + base64.b64encode(_body_hmac(secret, body)).decode()


def verify_delighted(secret: str | bytes, body: bytes, headers: Mapping[str, str]) -> None:
    """Delighted's `X-Delighted-Webhook-Signature: sha256=<hex HMAC-SHA256 of the raw body>`,
    keyed with the project's API key."""
    header = "X-Delighted-Webhook-Signature"
    _check(header, headers.get(header.lower()) or "", sign_delighted(secret, body))


def sign_delighted(secret: str | bytes, body: bytes) -> str:
    """The header value Delighted would send."""
    return "sha256=" + _body_hmac(secret, body).hex()
