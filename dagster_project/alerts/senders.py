"""Sending one alert to one destination, and what the answer means for the next try.

- `slack`: POST the chat message (`text`, `blocks`) to the incoming-webhook URL.
- `webhook`: POST the alert as JSON, signed the Standard Webhooks way (`webhook-id` is the
  alert id, `webhook-timestamp`, `webhook-signature`), so a receiver verifies it with the
  `standardwebhooks` library and drops a repeated id.
- `email`: SMTP with STARTTLS or implicit TLS (or none, for a relay on localhost),
  credentials from the environment; the Message-ID carries the alert id.

Outcomes: `sent`; `retry` (timeouts, refused connections, 5xx, 408, 429 with its
`Retry-After`, SMTP 4xx); `dead` (any other 4xx, SMTP 5xx: trying again will not help). An
error message names the status or the error, never the URL (it may hold a token) or a
password.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

import httpx
from standardwebhooks import Webhook

from dagster_project.alerts.config import Destination
from dagster_project.alerts.messages import chat_message, email_text

USER_AGENT = "nps-warehouse-alerts/1"


@dataclass(frozen=True)
class Outcome:
    result: str  # sent | retry | dead
    error: str | None = None
    retry_after_seconds: float | None = None  # a receiver's Retry-After


SENT = Outcome("sent")


def _retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def _http_outcome(response: httpx.Response) -> Outcome:
    status = response.status_code
    if 200 <= status < 300:
        return SENT
    reason = f"HTTP {status} {response.reason_phrase}".strip()
    if status == 429:
        wait = _retry_after(response.headers.get("retry-after"), dt.datetime.now(dt.UTC))
        return Outcome("retry", reason, wait)
    if status >= 500 or status == 408:
        return Outcome(
            "retry", reason, _retry_after(response.headers.get("retry-after"), dt.datetime.now(dt.UTC))
        )
    return Outcome("dead", f"{reason}: {response.text[:200]}")


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    try:
        response = httpx.post(
            url,
            content=body,
            headers={"content-type": "application/json", "user-agent": USER_AGENT, **headers},
            timeout=timeout,
            follow_redirects=False,
        )
    except httpx.TimeoutException:
        return Outcome("retry", f"no answer within {timeout:g} s")
    except httpx.TransportError as exc:
        return Outcome("retry", f"cannot connect: {type(exc).__name__}")
    return _http_outcome(response)


def send_slack(alert: dict, url: str, timeout: float) -> Outcome:
    return _post(url, json.dumps(chat_message(alert), ensure_ascii=False).encode(), {}, timeout)


def send_webhook(alert: dict, url: str, secret: str, timeout: float) -> Outcome:
    body = json.dumps({"type": "nps.alert", "data": alert}, ensure_ascii=False)
    timestamp = dt.datetime.now(dt.UTC)
    signature = Webhook(secret).sign(alert["alert_id"], timestamp, body)
    headers = {
        "webhook-id": alert["alert_id"],
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }
    return _post(url, body.encode(), headers, timeout)


def send_email(alert: dict, destination: Destination, environ: dict[str, str], timeout: float) -> Outcome:
    subject, body = email_text(alert)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = environ.get(destination.from_env) or "nps-warehouse@localhost"
    recipients = [a.strip() for a in environ[destination.to_env].split(",") if a.strip()]
    message["To"] = ", ".join(recipients)
    message["Message-ID"] = f"<{alert['alert_id']}@nps-warehouse>"
    message["Date"] = email.utils.formatdate(usegmt=True)
    message.set_content(body)
    host = environ[destination.smtp_host_env]
    security = destination.smtp_security
    port = int(environ.get(destination.smtp_port_env) or {"starttls": 587, "tls": 465, "none": 25}[security])
    context = ssl.create_default_context(cafile=environ.get("NPS_SMTP_CA_FILE") or None)
    try:
        if security == "tls":
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if security == "starttls":
                client.starttls(context=context)
            user = environ.get(destination.smtp_user_env)
            if user:
                client.login(user, environ.get(destination.smtp_password_env, ""))
            client.send_message(message, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused:
        return Outcome("dead", "the SMTP server refused every recipient")
    except smtplib.SMTPResponseException as exc:
        kind = "retry" if 400 <= exc.smtp_code < 500 else "dead"
        return Outcome(kind, f"SMTP {exc.smtp_code} {exc.smtp_error.decode(errors='replace')[:200]}")
    except TimeoutError:
        return Outcome("retry", f"no answer from the SMTP server within {timeout:g} s")
    except ssl.SSLError as exc:
        return Outcome("dead", f"TLS with the SMTP server failed: {exc.reason or exc}")
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome("retry", f"SMTP: {type(exc).__name__}: {exc}"[:300])
    return SENT


def send(alert: dict, destination: Destination, environ: dict[str, str], timeout: float) -> Outcome:
    if destination.kind == "slack":
        return send_slack(alert, environ[destination.url_env], timeout)
    if destination.kind == "webhook":
        return send_webhook(alert, environ[destination.url_env], environ[destination.secret_env], timeout)
    return send_email(alert, destination, environ, timeout)
