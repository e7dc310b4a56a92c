"""Detractor alerts: raised with the validated answers, delivered to real receivers on
localhost (an HTTP server, aiosmtpd), at least once with a stable id, retried with backoff,
dead letters kept, nothing personal in any payload. Every wait is bounded."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from dagster_project.alerts.config import AlertsConfig, load_alerts_config
from dagster_project.alerts.delivery import backoff_seconds, deliver_due, read_due_file
from dagster_project.alerts.outbox import OUTBOX, outbox_counts, retry_dead
from dagster_project.alerts.raising import raise_alerts
from dagster_project.landing.land import land_source
from dagster_project.landing.sources import SourceConfig
from dagster_project.row_kinds import RESPONSES
from dagster_project.settings import REPO_ROOT
from dagster_project.survey_catalogue import Survey, SurveyCatalogue
from dagster_project.validation.verdicts import validate_kind
from dagster_project.warehouse.connection import connect
from dagster_project.warehouse.tables import ensure_landing_tables
from tests.alert_receivers import Reply, free_port, http_receiver, smtp_receiver
from tests.pipeline import LANDING_KEY

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # base64 of 24 bytes, a test key
SOURCE = SourceConfig(name="responses", kind="responses", folder="responses")
CATALOGUE = SurveyCatalogue(
    surveys=[
        Survey(
            survey_id="rnps", programme="relationship", name="Relationship survey", owner_team="CX office"
        ),
        Survey(
            survey_id="tnps-store",
            programme="transactional",
            name="After a store visit",
            touchpoint="store",
            owner_team="Retail",
        ),
        Survey(survey_id="enps", programme="employee", name="Employee pulse"),
    ]
)
HEADER = (
    "response_id,survey_id,respondent_id,responded_at,score,channel,reason,survey_type,"
    "account_id,respondent_role\n"
)


def config(**delivery) -> AlertsConfig:
    return AlertsConfig.model_validate(
        {
            "max_age_hours": 72,
            "decision_maker_roles": ["ceo", "beslutsfattare"],
            "delivery": {"timeout_seconds": 1, "first_retry_seconds": 5, "run_budget_seconds": 20,
                         **delivery},
            "destinations": [
                {"name": "chat", "kind": "slack", "url_env": "CHAT_URL"},
                {"name": "signed", "kind": "webhook", "url_env": "HOOK_URL", "secret_env": "HOOK_SECRET"},
                {"name": "retail-mail", "kind": "email", "to_env": "MAIL_TO", "smtp_security": "none",
                 "owner_teams": ["Retail"]},
            ],
            "rules": [
                {"name": "detractor", "destinations": ["chat", "signed", "retail-mail"]},
                {"name": "churn-words", "scores": {"min": 0, "max": 8}, "words": ["säga upp", "cancel*"],
                 "destinations": ["chat"]},
                {"name": "lost-promoter", "was_promoter": True, "destinations": ["chat"]},
                {"name": "decision-maker", "decision_maker": True, "scores": {"min": 0, "max": 8},
                 "destinations": ["chat"]},
            ],
        }
    )  # fmt: skip


def stamp(hours_ago: float) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def answers_file() -> str:
    return (
        HEADER
        + "\n".join(
            [
                # a fresh detractor whose comment holds a phone number, an e-mail address and
                # a national id number
                f"R1,rnps,C1,{stamp(2)},3,email,Ring 070-123 45 67 eller anna@example.se (19811218-9876),,,",
                # a fresh passive who speaks of leaving (Swedish), and a store detractor
                f"R2,rnps,C2,{stamp(3)},7,email,Jag ska säga upp avtalet,,,",
                f"R3,tnps-store,C3,{stamp(1)},5,web,Lång kö,,ACC-9,ceo",
                # C4 was a promoter last time, a detractor now
                f"R4a,rnps,C4,{stamp(24 * 40)},10,email,,,,",
                f"R4b,rnps,C4,{stamp(4)},2,email,,,,",
                # history: older than 72 hours; an employee's answer: never
                f"R5,rnps,C5,{stamp(24 * 5)},0,email,Dåligt,,,",
                f"R6,enps,E1,{stamp(1)},0,email,Chefen,employee,,",
                # a promoter: no rule picks it
                f"R7,rnps,C7,{stamp(1)},10,email,Bra,,,",
            ]
        )
        + "\n"
    )


def land_answers(root: Path, files: dict[str, str], alerts: AlertsConfig, env: dict[str, str]) -> Path:
    folder = root / "inbox" / "responses"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    warehouse = root / "w.duckdb"
    now = dt.datetime.now(dt.UTC)
    with connect(warehouse) as con:
        ensure_landing_tables(con)
        land_source(con, SOURCE, root / "inbox", root / "work", LANDING_KEY)
        validate_kind(
            con, RESPONSES, now,
            before_commit=lambda c: raise_alerts(c, alerts, CATALOGUE, now, 48, environ=env),
        )  # fmt: skip
    return warehouse


def outbox(warehouse: Path) -> list[tuple]:
    with connect(warehouse, read_only=True) as con:
        return con.execute(
            f"""select response_id, rule, destination, status, attempts, last_error
                from {OUTBOX} order by 1, 2, 3"""
        ).fetchall()


def deliver(warehouse: Path, alerts: AlertsConfig, env: dict[str, str], clock=None):
    with connect(warehouse) as con:
        if clock is None:
            return deliver_due(con, alerts, warehouse, environ=env)
        return deliver_due(con, alerts, warehouse, environ=env, clock=clock)


def test_fresh_customer_answers_alert_once_per_rule_and_destination(tmp_path):
    alerts = config()
    with http_receiver() as chat, http_receiver() as hook, smtp_receiver() as smtp:
        env = {
            "CHAT_URL": chat.url,
            "HOOK_URL": hook.url,
            "HOOK_SECRET": SECRET,
            "MAIL_TO": "retail-team@example.com",
            "NPS_SMTP_HOST": smtp.host,
            "NPS_SMTP_PORT": str(smtp.port),
        }
        warehouse = land_answers(tmp_path, {"answers.csv": answers_file()}, alerts, env)
        raised = {(r[0], r[1], r[2]) for r in outbox(warehouse)}
        assert raised == {
            ("R1", "detractor", "chat"), ("R1", "detractor", "signed"),
            ("R2", "churn-words", "chat"),
            ("R3", "detractor", "chat"), ("R3", "detractor", "signed"), ("R3", "detractor", "retail-mail"),
            ("R3", "decision-maker", "chat"),
            ("R4b", "detractor", "chat"), ("R4b", "detractor", "signed"), ("R4b", "lost-promoter", "chat"),
        }  # fmt: skip
        report = deliver(warehouse, alerts, env)
        assert (report.sent, report.retrying, report.dead) == (10, 0, 0)
        # delivered again, and the same answers landed again in another file: nothing more
        assert deliver(warehouse, alerts, env).sent == 0
        warehouse = land_answers(tmp_path, {"answers_again.csv": answers_file()}, alerts, env)
        assert deliver(warehouse, alerts, env).sent == 0
        assert len(chat.received) == 6 and len(hook.received) == 3 and len(smtp.messages) == 1
        # a corrected answer in another category is news: one alert more per destination
        correction = HEADER + f"R2,rnps,C2,{stamp(3)},1,email,Jag ska säga upp avtalet,,,\n"
        warehouse = land_answers(tmp_path, {"answers_fix.csv": correction}, alerts, env)
        assert deliver(warehouse, alerts, env).sent == 3  # detractor: chat + signed; churn words again

    # what a chat receives: Slack's text and blocks, the redacted comment, the deadline
    messages = [json.loads(r.body) for r in chat.received]
    (message,) = [m for m in messages if m["text"].startswith("Detractor (3/10) on Relationship survey")]
    assert set(message) == {"text", "blocks"} and "Comment: Ring [p" in message["text"]
    assert "Call back by" in message["text"] and "48 h after the answer" in message["text"]
    # the signed webhook verifies with the standardwebhooks library; its id is the alert's
    for request in hook.received:
        event = Webhook(SECRET).verify(request.body, request.headers)
        assert event["data"]["alert_id"] == request.headers["webhook-id"]
    ids = [r.headers["webhook-id"] for r in hook.received]
    assert len(set(ids)) == len(ids)
    # the e-mail went to the store's team only, with the alert id as Message-ID
    recipients, mail = smtp.messages[0]
    assert recipients == ["retail-team@example.com"] and mail["Message-ID"].startswith("<alert_")
    assert "After a store visit" in mail["Subject"] and "ACC-9" in mail.get_content()
    # nothing personal in any payload: the comment's phone number and e-mail are redacted
    everything = b"".join(r.body for r in chat.received + hook.received).decode() + str(mail)
    assert "anna@example.se" not in everything and "070-123 45 67" not in everything
    assert "19811218-9876" not in everything and "811218" not in everything
    assert not re.search(r"[\w.]+@example\.se|\b07\d[- ]?\d{3}", everything)
    assert "C1" not in json.dumps([json.loads(r.body) for r in hook.received])  # no respondent id


def test_a_receiver_down_then_up_gets_the_alert_once(tmp_path):
    alerts = config()
    port = free_port()
    env = {"CHAT_URL": f"http://127.0.0.1:{port}/hook"}
    only_r3 = HEADER + f"R3,tnps-store,C3,{stamp(1)},5,web,Lång kö,,,\n"
    warehouse = land_answers(tmp_path, {"a.csv": only_r3}, alerts, env)
    report = deliver(warehouse, alerts, env)  # nobody listens on the port
    assert (report.sent, report.retrying) == (0, 1)
    (row,) = outbox(warehouse)
    assert row[3:5] == ("pending", 1) and "cannot connect" in row[5]
    due = read_due_file(warehouse)
    assert due is not None and due > dt.datetime.now(dt.UTC)  # the backoff: not at once
    later = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(seconds=6)  # noqa: E731 - past the 5 s backoff
    with http_receiver(port=port) as chat:
        assert deliver(warehouse, alerts, env, clock=later).sent == 1
        assert deliver(warehouse, alerts, env, clock=later).sent == 0
    assert len(chat.received) == 1 and outbox(warehouse)[0][3:5] == ("sent", 2)
    assert read_due_file(warehouse) is None


def test_5xx_and_slow_receivers_are_retried_429_waits_as_asked_4xx_is_dead(tmp_path):
    alerts = config()
    replies = (Reply(500), Reply(429, retry_after="120"), Reply(200, delay_seconds=2), Reply(200))
    with http_receiver(*replies) as chat, http_receiver(Reply(400)) as hook:
        env = {"CHAT_URL": chat.url, "HOOK_URL": hook.url, "HOOK_SECRET": SECRET}
        warehouse = land_answers(
            tmp_path, {"a.csv": HEADER + f"R1,rnps,C1,{stamp(1)},0,email,,,,\n"}, alerts, env
        )
        start = dt.datetime.now(dt.UTC)
        clock = [start]
        tick = lambda: clock[0]  # noqa: E731 - the delivery's clock, moved by the test
        report = deliver(warehouse, alerts, env, clock=tick)
        assert (report.retrying, report.dead) == (1, 1)  # chat: 500; hook: 400 is for good
        rows = {r[2]: r for r in outbox(warehouse)}
        assert rows["signed"][3] == "dead" and "HTTP 400" in rows["signed"][5]
        assert rows["chat"][3:5] == ("pending", 1) and "HTTP 500" in rows["chat"][5]
        clock[0] = start + dt.timedelta(seconds=5)  # the first backoff has passed: 429
        assert deliver(warehouse, alerts, env, clock=tick).retrying == 1
        with connect(warehouse, read_only=True) as con:
            (wait,) = con.execute(
                f"select next_attempt_at - last_attempt_at from {OUTBOX} where destination = 'chat'"
            ).fetchone()
        assert wait == dt.timedelta(seconds=120)  # Retry-After, not the 10 s backoff
        clock[0] = start + dt.timedelta(seconds=5 + 60)
        assert deliver(warehouse, alerts, env, clock=tick).sent == 0  # not yet
        clock[0] = start + dt.timedelta(seconds=5 + 121)
        report = deliver(warehouse, alerts, env, clock=tick)  # the receiver answers after 2 s
        assert report.retrying == 1 and "no answer within 1 s" in report.errors[0]
        clock[0] += dt.timedelta(seconds=20)
        assert deliver(warehouse, alerts, env, clock=tick).sent == 1
        # retried by hand, the dead one goes out when the receiver takes it
        with connect(warehouse) as con:
            assert retry_dead(con) == 1
            assert deliver_due(con, alerts, warehouse, environ=env, clock=tick).sent == 1
            assert outbox_counts(con) == {"pending": 0, "sent": 2, "dead": 0}
    # every try of the chat alert carried the same id: one alert to the receiver
    assert len({json.loads(r.body)["blocks"][-1]["elements"][0]["text"] for r in chat.received}) == 1
    assert len(chat.received) == 4  # 500, 429, slow (given up on), 200


def test_backoff_doubles_up_to_its_cap_and_honours_retry_after():
    alerts = config(first_retry_seconds=5, max_backoff_seconds=60)
    assert [backoff_seconds(n, alerts) for n in (1, 2, 3, 4, 5, 9)] == [5, 10, 20, 40, 60, 60]
    assert backoff_seconds(3, alerts, retry_after=7) == 7
    assert backoff_seconds(3, alerts, retry_after=10**6) == 3600  # capped at an hour


def test_without_variables_nothing_is_raised_and_the_committed_config_is_valid(tmp_path):
    committed = load_alerts_config(REPO_ROOT / "config" / "alerts.yml")
    assert [d.name for d in committed.active_destinations({})] == []
    warehouse = land_answers(tmp_path, {"a.csv": answers_file()}, committed, {})
    assert outbox(warehouse) == []
    # one variable: every customer detractor goes to the chat webhook
    env = {"NPS_ALERT_WEBHOOK_URL": "http://127.0.0.1:9/hook"}
    assert [d.name for d in committed.active_destinations(env)] == ["team-chat"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: [{name: r, destinations: [nowhere]}]", "names unknown destinations ['nowhere']"),
        (
            "destinations: [{name: d, kind: slack, url_env: 'https://hooks.example.com/x'}]",
            "destination #1 ('d'), field url_env: must name an environment variable",
        ),
        (
            "destinations: [{name: d, kind: webhook, url_env: U}]",
            "destination #1 ('d'): a webhook destination needs secret_env",
        ),
        (
            "destinations: [{name: d, kind: slack, url_env: U}]\n"
            "rules: [{name: r, programmes: [employee], destinations: [d]}]",
            "rule #1 ('r'), field programmes: employee answers are anonymous and never alert",
        ),
        ("rules: [{name: r, scores: {min: 7, max: 3}, destinations: [d]}]", "min 7 is above max 3"),
    ],
)
def test_configuration_mistakes_are_named(tmp_path, text, message):
    from dagster_project.config_files import ConfigurationError

    path = tmp_path / "alerts.yml"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        load_alerts_config(path)


def test_killed_while_sending_resends_at_most_that_alert_with_the_same_id(tmp_path):
    """`nps-warehouse alerts --send` killed (SIGKILL) while a receiver holds its request: the
    next pass sends that alert again, with the same id, and every other alert once."""
    import os
    import signal
    import subprocess
    import sys

    alerts = config(timeout_seconds=30)
    path = tmp_path / "alerts.yml"
    path.write_text(json.dumps(alerts.model_dump(mode="json")))  # JSON is YAML
    slow_first = Reply(200, delay_seconds=20)
    with http_receiver(slow_first) as chat:
        env = {"CHAT_URL": chat.url}
        three = HEADER + "".join(f"R{i},rnps,C{i},{stamp(i)},{i},email,,,,\n" for i in (1, 2, 3))
        warehouse = land_answers(tmp_path, {"a.csv": three}, alerts, env)
        command = [sys.executable, "-m", "dagster_project.cli", "alerts", "--send"]
        process_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("NPS_")},
            **env,
            "NPS_WAREHOUSE": str(warehouse),
            "NPS_ALERTS_CONFIG": str(path),
        }
        process = subprocess.Popen(command, env=process_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert chat.arrived.wait(timeout=60), "the first alert never reached the receiver"
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
        assert [r[3] for r in outbox(warehouse)] == ["pending"] * 3  # nothing recorded as sent
        again = subprocess.run(command, env=process_env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        assert "3 sent" in again.stdout
    ids = [json.loads(r.body)["blocks"][-1]["elements"][0]["text"] for r in chat.received]
    assert len(ids) == 4 and ids[0] == ids[1] and len(set(ids)) == 3
    assert [r[3] for r in outbox(warehouse)] == ["sent"] * 3
    # what an operator sees: destinations on or off, counts, each alert; no URL
    listing = subprocess.run(
        [*command[:-1], "--status", "sent"], env=process_env, capture_output=True, text=True
    )
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert "destination chat (slack): on" in lines
    assert "destination signed (webhook): off (set HOOK_URL, HOOK_SECRET)" in lines
    assert "alerts: 0 pending, 3 sent, 0 dead" in lines
    assert sum(" sent    detractor -> chat (CX office, detractor)" in line for line in lines) == 3
    assert "127.0.0.1" not in listing.stdout


@pytest.mark.long_running(minutes=2)
def test_the_pipeline_alerts_a_fresh_answer_but_never_the_sample_history(
    sample_warehouse, tmp_path, monkeypatch
):
    """With the one variable set, the committed sample (history) raises nothing; a fresh
    detractor in a new file reaches the receiver in the same run, before the marts."""
    import dataclasses

    import dagster as dg

    from tests.conftest import copy_of
    from tests.pipeline import TEST_KEY, run_pipeline

    committed = load_alerts_config(REPO_ROOT / "config" / "alerts.yml")
    settings = copy_of(sample_warehouse, tmp_path)
    with http_receiver() as chat:
        monkeypatch.setenv("NPS_ALERT_WEBHOOK_URL", chat.url)
        # the sample's answers are history: nothing would alert (the sample run had no variable)
        with connect(settings.warehouse_path) as con:
            from dagster_project.survey_catalogue import load_survey_catalogue

            catalogue = load_survey_catalogue(settings.surveys_config)
            assert raise_alerts(con, committed, catalogue, dt.datetime.now(dt.UTC), 48) == 0
        (settings.raw_dir / "responses" / "fresh.csv").write_text(
            HEADER + f"FRESH-1,tnps-store,NEW-1,{stamp(0.5)},4,web,Fick vänta länge,,,\n", encoding="utf-8"
        )
        instance = dg.DagsterInstance.ephemeral()
        result = run_pipeline(dataclasses.replace(settings, clock=None), instance=instance)
        assert result.success
        assert chat.wait_for(1, timeout=10) and len(chat.received) == 1
    message = json.loads(chat.received[0].body)["text"]
    assert message.startswith("Detractor (4/10) on After a store visit (tablet in store) (store)")
    assert "Owner team: Retail" in message and "Comment: Fick vänta länge" in message
    (event,) = [
        e for e in result.get_asset_materialization_events() if e.asset_key.path == ["alerts", "outbox"]
    ]
    outbox_meta = event.materialization.metadata
    assert outbox_meta["sent"].value == 1 and outbox_meta["pending"].value == 0
    # the marts of the same run: the alert, and the alerted detractor in the closed loop
    with connect(settings.published_path, read_only=True) as con:
        alerts = con.execute(
            "select response_id, alert_rule, destination, owner_team, alert_status from marts.alerts"
        ).fetchall()
        (alerted,) = con.execute(
            """select sum(alerted) from marts.followup_summary
               where period_grain = 'year' and dimension = 'overall'"""
        ).fetchone()
    assert alerts == [("FRESH-1", "customer-detractor", "team-chat", "Retail", "sent")] and alerted == 1
    # sent by the validation of the answers, before the other checks, the lake and the marts
    received_at = chat.received[0].at
    started = {
        entry.dagster_event.step_key: entry.timestamp
        for entry in instance.all_logs(result.run_id)
        if entry.is_dagster_event and entry.dagster_event.event_type_value == "STEP_START"
    }
    assert received_at < started["validated__responses_gx_valid_rows"] < started["nps_dbt_models"]

    # A receiver that asks to wait (429, Retry-After): pending; the sensor asks for the
    # delivery job once it is due, and a run with nothing new (no-op) sends it.
    from dagster_project.commands.run import run as cli_run
    from dagster_project.defs.automation.sensors import alerts_sensor

    sensor = alerts_sensor(settings)
    with http_receiver(Reply(429, retry_after="30")) as chat:
        monkeypatch.setenv("NPS_ALERT_WEBHOOK_URL", chat.url)
        (settings.raw_dir / "responses" / "fresh2.csv").write_text(
            HEADER + f"FRESH-2,rnps-quarterly,NEW-2,{stamp(0.2)},0,web,,,,\n", encoding="utf-8"
        )
        assert run_pipeline(dataclasses.replace(settings, clock=None)).success
        assert len(chat.received) == 1  # the 429
        due = read_due_file(settings.warehouse_path)
        assert due is not None
        if due > dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1):  # the run was quicker than the wait
            assert isinstance(sensor(dg.build_sensor_context()), dg.SkipReason)
        time.sleep(max(0.0, (due - dt.datetime.now(dt.UTC)).total_seconds()) + 0.5)
        request = sensor(dg.build_sensor_context())
        assert isinstance(request, dg.RunRequest) and request.run_key.startswith("alerts-due-")
        as_run = dataclasses.replace(settings, clock=None, pseudonymisation_key=TEST_KEY)
        assert cli_run(as_run) == 0  # nothing new in the inbox: the no-op path sends it
        assert len(chat.received) == 2
    first, second = (r.headers.get("user-agent") and json.loads(r.body)["blocks"][-1] for r in chat.received)
    assert first == second  # the same alert id both times
    assert read_due_file(settings.warehouse_path) is None


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_email_over_starttls_or_tls_with_the_account_from_the_environment(tmp_path, security):
    """SMTP with STARTTLS (or implicit TLS), a certificate the client checks against
    NPS_SMTP_CA_FILE, and AUTH with NPS_SMTP_USER / NPS_SMTP_PASSWORD; a wrong password is
    refused for good (dead), not retried."""
    from tests.alert_receivers import self_signed_certificate

    certificate = self_signed_certificate(tmp_path)
    alerts = AlertsConfig.model_validate(
        {
            "delivery": {"timeout_seconds": 5},
            "destinations": [
                {"name": "mail", "kind": "email", "to_env": "MAIL_TO", "smtp_security": security},
            ],
            "rules": [{"name": "detractor", "destinations": ["mail"]}],
        }
    )
    with smtp_receiver(security, certificate, account=("alerts", "s3cret")) as smtp:
        env = {
            "MAIL_TO": "cx@example.com, retail@example.com",
            "NPS_SMTP_HOST": smtp.host,
            "NPS_SMTP_PORT": str(smtp.port),
            "NPS_SMTP_USER": "alerts",
            "NPS_SMTP_PASSWORD": "s3cret",
            "NPS_SMTP_CA_FILE": str(certificate[0]),
            "NPS_ALERT_EMAIL_FROM": "nps@example.com",
        }
        two = HEADER + f"R1,rnps,C1,{stamp(1)},2,email,,,,\n" + f"R2,rnps,C2,{stamp(1)},3,email,,,,\n"
        warehouse = land_answers(tmp_path, {"a.csv": two}, alerts, env)
        with connect(warehouse) as con:
            con.execute(f"update {OUTBOX} set status = 'dead' where response_id = 'R2'")  # sent later
        assert deliver(warehouse, alerts, env).sent == 1
        with connect(warehouse) as con:
            retry_dead(con)
        report = deliver(warehouse, alerts, {**env, "NPS_SMTP_PASSWORD": "wrong"})
    assert (report.sent, report.dead) == (0, 1) and "SMTP 535" in report.errors[0]
    assert "wrong" not in report.errors[0] and "s3cret" not in str(outbox(warehouse))
    (recipients, mail) = smtp.messages[0]
    assert recipients == ["cx@example.com", "retail@example.com"] and mail["From"] == "nps@example.com"
    # the right account logged in; the wrong password was refused (smtplib tries each mechanism)
    assert smtp.logins[0] == ("alerts", True) and {ok for _, ok in smtp.logins[1:]} == {False}
