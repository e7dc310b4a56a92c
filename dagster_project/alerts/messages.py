"""What an alert says, for people: a chat message (Slack's `text` and `blocks`) and an e-mail.

Built from the outbox payload alone (raising.py), which holds no personal data.
"""

from __future__ import annotations

import datetime as dt

CATEGORY_WORD = {"detractor": "Detractor", "passive": "Passive", "promoter": "Promoter"}


def headline(alert: dict) -> str:
    where = alert.get("touchpoint") or alert.get("programme")
    return (
        f"{CATEGORY_WORD.get(alert['nps_category'], alert['nps_category'])} ({alert['score']}/10) "
        f"on {alert['survey_name']} ({where})"
    )


def _deadline(alert: dict) -> str:
    respond_by = dt.datetime.fromisoformat(alert["respond_by"])
    return f"{respond_by:%Y-%m-%d %H:%M} UTC ({alert['sla_hours']:g} h after the answer)"


def facts(alert: dict) -> list[tuple[str, str]]:
    """(label, value) lines of an alert, in the order a team reads them."""
    lines = [
        ("Owner team", alert.get("owner_team") or "(none in config/surveys.yml)"),
        ("Score", f"{alert['score']} ({alert['nps_category']})"),
        ("Comment", alert.get("comment") or "(no comment)"),
    ]
    if alert.get("improvement"):
        lines.append(("What would improve it", alert["improvement"]))
    if alert.get("account_id"):
        lines.append(("Account", alert["account_id"]))
    lines += [
        ("Response", alert["response_id"]),
        ("Answered", alert["responded_at"]),
        ("Call back by", _deadline(alert)),
        ("Rule", alert["rule"]),
    ]
    return lines


def chat_message(alert: dict) -> dict:
    """A Slack-compatible incoming-webhook body: `text` (notifications, plain clients) and
    `blocks` (Block Kit sections)."""
    lines = facts(alert)
    text = headline(alert) + "\n" + "\n".join(f"{label}: {value}" for label, value in lines)
    return {
        "text": text,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": headline(alert)[:150]}},
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{label}*\n{_escape(value)}"} for label, value in lines[:10]
                ],
            },
            {"type": "context", "elements": [{"type": "plain_text", "text": f"alert {alert['alert_id']}"}]},
        ],
    }


def _escape(value: str) -> str:
    # Slack's mrkdwn reads &, < and > as markup
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")[:2000]


def email_text(alert: dict) -> tuple[str, str]:
    """(subject, plain-text body)."""
    body = "\n".join(f"{label}: {value}" for label, value in facts(alert))
    body += f"\n\nAlert id: {alert['alert_id']} (sent again only if a delivery was not confirmed)\n"
    return f"NPS alert: {headline(alert)}", body
