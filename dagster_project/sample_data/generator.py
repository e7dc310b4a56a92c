"""A deterministic generator of realistic NPS survey exports, of any size.

The fictional Nordvind Telekom sells mobile, broadband, TV and smart-home services in
Sweden, Denmark and Norway. It sends survey invitations by email, SMS, app, phone and
in store; customers answer (or not) a few hours to days later; web pop-ups and store
tablets add anonymous responses with no invitation. Scores differ by region, product,
channel and customer type and drift over time (Norrland falls after a price rise,
Jylland improves after a network upgrade). Verbatims are Swedish, Danish or English.
A small share of rows is broken the way real exports are (scores of 11, 'tio', 9,5,
unknown channels, unparseable dates, re-submitted responses) so validation has work.

Business customers belong to company accounts and have roles (one the decision-maker);
an employee eNPS pulse runs every quarter (departments, one of them under 5 people);
invitations carry the survey tool's funnel (delivered, opened, started, completed); most
customer detractors get a case in the follow-up tool (contacted, resolved, outcome, owner),
and a solved problem lifts that customer's next score.

Files are written month by month as they are generated (constant memory), one file per
half-year and kind, in rotating formats: canonical UTF-8 CSV with offsets, Nordic
spreadsheet CSV (';', Windows-1252, CRLF, UTC without offset) and UTF-8 with BOM.

    python -m dagster_project.sample_data --out data/raw --responses 4000
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dagster_project.nps_scale import category_of
from dagster_project.sample_data.customer_base import CustomerLedger, write_customer_base
from dagster_project.sample_data.files import (
    CANONICAL,
    FOLLOWUP_COLUMNS,
    INVITATION_COLUMNS,
    RESPONSE_COLUMNS,
    RotatingWriter,
    format_timestamp,
)
from dagster_project.sample_data.world import (
    ANONYMOUS_CHANNELS,
    ANONYMOUS_SHARE,
    ASCII_FOLD,
    BROKEN_SCORES,
    BUSINESS_UNITS,
    CASE_OWNERS,
    CONSUMER_UNIT,
    CUSTOMER_POOL_SIZE,
    CUSTOMER_TYPE_EFFECT,
    DEPARTMENTS,
    EMAIL_DOMAINS,
    EMPLOYEE_SHARE,
    EMPLOYEE_VERBATIMS,
    FIRST_NAMES,
    FOLLOWUP_OUTCOMES,
    FUNNEL,
    INVITATION_CHANNELS,
    LAST_NAMES,
    LOCAL_TZ,
    PRODUCT_WEIGHTS,
    PRODUCTS,
    PULSE_MONTHS,
    REGION_WEIGHTS,
    REGIONS,
    RETURNING_CUSTOMER_SHARE,
    ROLE_WEIGHTS,
    ROLES,
    SEED,
    SURVEYS,
    VERBATIMS,
)


@dataclass(frozen=True)
class GeneratorConfig:
    responses: int = 4000
    months: int = 24
    end_month: dt.date = dt.date(2026, 10, 1)  # the last month generated
    broken_row_share: float = 0.004
    seed: int = SEED
    id_prefix: str = ""  # e.g. "X": RSP-X00000001, so that an extra delivery has ids of its own
    customer_base: bool = True  # also the CRM and billing exports of the customers who answered


def month_starts(config: GeneratorConfig) -> list[dt.date]:
    months = []
    year, month = config.end_month.year, config.end_month.month
    for _ in range(config.months):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def draw_score(rng: random.Random, mean: float) -> int:
    """A 0..10 score: a noisy latent satisfaction, skewed as real NPS answers are."""
    latent = rng.gauss(mean, 1.9)
    if rng.random() < 0.18:  # enthusiasts answer 10 more often than a bell curve says
        latent = max(latent, 9.6)
    return max(0, min(10, round(latent)))


class _Customer:
    __slots__ = (
        "respondent_id",
        "region",
        "product",
        "customer_type",
        "business_unit",
        "country",
        "language",
        "account_id",
        "role",
        "bonus",
    )


class SampleGenerator:
    def __init__(self, config: GeneratorConfig):
        self.config = config
        self.rng = random.Random(config.seed)
        self.months = month_starts(config)
        mean_rate = sum(share * rate for share, rate, _ in INVITATION_CHANNELS.values())
        self.invitations_per_month = max(
            1, math.ceil(config.responses * (1 - ANONYMOUS_SHARE) / mean_rate / config.months)
        )
        self.anonymous_per_month = max(0, round(config.responses * ANONYMOUS_SHARE / config.months))
        self.employees_per_pulse = max(12, round(config.responses * EMPLOYEE_SHARE / (config.months / 3)))
        self.end = dt.datetime.combine(_next_month(self.months[-1]), dt.time(), tzinfo=LOCAL_TZ)
        self._response_serial = 0
        self._case_serial = 0
        self._recent_responses: list[dict] = []
        self._customers: list[_Customer] = []
        self._accounts: list[str] = []

    # -- people and segments -------------------------------------------------------------
    def pick_customer(self) -> _Customer:
        """A returning customer now and then (so follow-ups can be tracked), else a new one."""
        if self._customers and self.rng.random() < RETURNING_CUSTOMER_SHARE:
            return self.rng.choice(self._customers)
        customer = self._new_customer()
        if len(self._customers) < CUSTOMER_POOL_SIZE:
            self._customers.append(customer)
        else:
            self._customers[self.rng.randrange(CUSTOMER_POOL_SIZE)] = customer
        return customer

    def _new_customer(self) -> _Customer:
        rng = self.rng
        customer = _Customer()
        customer.region = rng.choices(list(REGIONS), REGION_WEIGHTS)[0]
        customer.country, customer.language = REGIONS[customer.region][:2]
        customer.product = rng.choices(list(PRODUCTS), PRODUCT_WEIGHTS)[0]
        customer.customer_type = "business" if rng.random() < 0.22 else "private"
        customer.business_unit = (
            rng.choices(BUSINESS_UNITS, (4, 1))[0] if customer.customer_type == "business" else CONSUMER_UNIT
        )
        customer.account_id, customer.role, customer.bonus = "", "", 0.0
        if customer.customer_type == "business":
            # Several contacts per company account, one of them usually the decision-maker.
            if self._accounts and rng.random() < 0.7:
                customer.account_id = rng.choice(self._accounts)
            else:
                customer.account_id = f"ACC-{len(self._accounts) + 1:05d}"
                self._accounts.append(customer.account_id)
            customer.role = rng.choices(ROLES, ROLE_WEIGHTS)[0]
        if rng.random() < 0.4:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            domain = EMAIL_DOMAINS[customer.country]
            local_part = f"{first}.{last}{rng.randint(1, 99)}".translate(ASCII_FOLD)
            customer.respondent_id = f"{local_part}@{domain}"
        else:
            customer.respondent_id = f"C{rng.randint(1, 9_999_999):07d}"
        return customer

    def mean_score(self, customer: _Customer, channel_effect: float, month_index: int) -> float:
        _, _, region_effect, drift = REGIONS[customer.region]
        months_after = max(0, month_index - 12)
        return (
            7.75
            + region_effect
            + drift * months_after
            + PRODUCTS[customer.product]
            + CUSTOMER_TYPE_EFFECT[customer.customer_type]
            + channel_effect
            + customer.bonus
        )

    def _segments(self, customer: _Customer) -> dict[str, str]:
        return {
            "segment_region": customer.region,
            "segment_business_unit": customer.business_unit,
            "segment_product": customer.product,
            "segment_customer_type": customer.customer_type,
        }

    def verbatims(self, customer: _Customer, score: int) -> tuple[str, str]:
        texts = VERBATIMS[customer.language]
        if self.rng.random() < 0.25:
            return "", ""
        reason = self.rng.choice(texts[category_of(score)])
        improvement = self.rng.choice(texts["improvement"]) if score <= 8 else ""
        return reason, improvement

    # -- rows ------------------------------------------------------------------------------
    def response_row(
        self,
        customer: _Customer,
        survey_id: str,
        invitation_id: str,
        moment: dt.datetime,
        channel: str,
        channel_effect: float,
        month_index: int,
        style: str,
        anonymous: bool,
    ) -> tuple[dict, int]:
        """(row, score) for one customer response."""
        self._response_serial += 1
        score = draw_score(self.rng, self.mean_score(customer, channel_effect, month_index))
        customer.bonus = 0.0  # a recovery lifts the next answer only
        reason, improvement = self.verbatims(customer, score)
        row = {
            "response_id": f"RSP-{self.config.id_prefix}{self._response_serial:08d}",
            "survey_id": survey_id,
            "invitation_id": invitation_id,
            "respondent_id": "" if anonymous else customer.respondent_id,
            "responded_at": format_timestamp(moment, style),
            "score": str(score),
            "channel": channel,
            "reason": reason,
            "improvement": improvement,
            "survey_type": "customer",
            "account_id": customer.account_id,
            "respondent_role": customer.role,
            **self._segments(customer),
        }
        return self._maybe_break(row), score

    def employee_rows(self, pulse: dt.datetime, month_index: int, style: str) -> list[dict]:
        """An eNPS pulse: employees answer anonymously, by department and region."""
        rng = self.rng
        rows = []
        for _ in range(self.employees_per_pulse):
            department = rng.choices(list(DEPARTMENTS), [w for w, _ in DEPARTMENTS.values()])[0]
            moment = pulse + dt.timedelta(hours=rng.uniform(0, 240))
            score = draw_score(rng, 7.0 + DEPARTMENTS[department][1] - 0.03 * month_index)
            self._response_serial += 1
            rows.append(
                {
                    "response_id": f"RSP-{self.config.id_prefix}{self._response_serial:08d}",
                    "survey_id": "enps-pulse",
                    "respondent_id": f"E{rng.randint(1, 900):04d}",
                    "responded_at": format_timestamp(moment, style),
                    "score": str(score),
                    "channel": "web",
                    "reason": rng.choice(EMPLOYEE_VERBATIMS[category_of(score)]),
                    "survey_type": "employee",
                    "segment_region": rng.choice(("Stockholm", "Skåne", "Jylland")),
                    "segment_business_unit": department,
                }
            )
        return rows

    def followup_row(self, response: dict, score: int, customer: _Customer, moment: dt.datetime, style: str):
        """A case for a customer detractor, as the case tool exports it (None when no case)."""
        rng = self.rng
        if score > 6 or not response["respondent_id"] or not response["response_id"] or rng.random() > 0.85:
            return None
        self._case_serial += 1
        contacted = moment + dt.timedelta(hours=rng.lognormvariate(math.log(30), 0.8))
        contacted_text = resolved_text = ""
        outcome = ""
        if rng.random() < 0.9 and contacted < self.end:
            contacted_text = format_timestamp(contacted, style)
            outcome = rng.choice(FOLLOWUP_OUTCOMES[customer.language]["contacted"])
            resolved = contacted + dt.timedelta(days=rng.uniform(0.2, 10))
            if rng.random() < 0.65 and resolved < self.end:
                resolved_text = format_timestamp(resolved, style)
                outcome = rng.choice(FOLLOWUP_OUTCOMES[customer.language]["resolved"])
                customer.bonus = 1.5  # a solved problem often wins the customer back
        return {
            "response_id": response["response_id"],
            "contacted_at": contacted_text,
            "resolved_at": resolved_text,
            "outcome": outcome,
            "owner": rng.choice(CASE_OWNERS),
        }

    def _maybe_break(self, row: dict) -> dict:
        rng = self.rng
        if rng.random() >= self.config.broken_row_share:
            self._recent_responses = (self._recent_responses + [row])[-50:]
            return row
        kind = rng.randrange(5)
        broken = dict(row)
        if kind == 0:
            broken["score"] = rng.choice(BROKEN_SCORES)
        elif kind == 1:
            broken["channel"] = rng.choice(("fax", "letter", "e-post"))
        elif kind == 2:
            broken["responded_at"] = rng.choice(("igår", "31/02/2025", "2025-13-01 10:00"))
        elif kind == 3 and self._recent_responses:
            # A re-submission: the same response id again, with another score.
            broken = dict(rng.choice(self._recent_responses))
            broken["score"] = str(rng.randint(0, 10))
        else:
            broken["response_id"] = ""
        return broken

    def _funnel(self, channel: str, sent_at: dt.datetime, answered_at: dt.datetime | None) -> dict:
        """Delivered / opened / started / completed times as the survey tool tracks them."""
        rng = self.rng
        p_delivered, p_opened, p_started = FUNNEL[channel]
        stages = {"delivered_at": None, "opened_at": None, "started_at": None, "completed_at": None}
        if answered_at is not None:
            gap = (answered_at - sent_at).total_seconds()
            stages["delivered_at"] = sent_at + dt.timedelta(seconds=min(60, gap * 0.05))
            stages["opened_at"] = sent_at + dt.timedelta(seconds=gap * 0.6)
            stages["started_at"] = sent_at + dt.timedelta(seconds=gap * 0.9)
            stages["completed_at"] = answered_at
        elif rng.random() < p_delivered:
            stages["delivered_at"] = sent_at + dt.timedelta(seconds=rng.uniform(1, 120))
            if rng.random() < p_opened * 0.6:
                stages["opened_at"] = stages["delivered_at"] + dt.timedelta(hours=rng.uniform(0.1, 48))
                if rng.random() < p_started * 0.3:
                    stages["started_at"] = stages["opened_at"] + dt.timedelta(minutes=rng.uniform(0, 5))
        return {k: v for k, v in stages.items() if v is not None and v < self.end}

    def months_of_rows(self) -> Iterator[tuple[dt.date, int, list, list]]:
        """(month, index, invitations, responses) in time order; timestamps as datetimes."""
        rng = self.rng
        channels = list(INVITATION_CHANNELS)
        weights = [INVITATION_CHANNELS[c][0] for c in channels]
        invitation_serial = 0
        for month_index, month in enumerate(self.months):
            month_start = dt.datetime.combine(month, dt.time(), tzinfo=LOCAL_TZ)
            seconds = (
                dt.datetime.combine(_next_month(month), dt.time(), tzinfo=LOCAL_TZ) - month_start
            ).total_seconds()
            invitations, responses = [], []
            seasonal = 0.04 * math.sin(2 * math.pi * month.month / 12)
            for _ in range(self.invitations_per_month):
                invitation_serial += 1
                customer = self.pick_customer()
                channel = rng.choices(channels, weights)[0]
                _, rate, effect = INVITATION_CHANNELS[channel]
                sent_at = month_start + dt.timedelta(seconds=rng.uniform(0, seconds))
                invitation_id = f"INV-{self.config.id_prefix}{invitation_serial:08d}"
                survey_id = rng.choice(SURVEYS)
                answered_at = None
                if rng.random() < min(0.95, rate + seasonal):
                    delay_hours = rng.uniform(0.05, 1.0) if channel == "phone" else rng.expovariate(1 / 30)
                    answered_at = sent_at + dt.timedelta(hours=delay_hours)
                    if answered_at >= self.end:
                        answered_at = None  # would answer after the export was taken
                invitation = {
                    "invitation_id": invitation_id,
                    "survey_id": survey_id,
                    "respondent_id": customer.respondent_id,
                    "sent_at": sent_at,
                    "channel": channel,
                    **self._funnel(channel, sent_at, answered_at),
                    **self._segments(customer),
                }
                invitations.append((sent_at, invitation))
                if answered_at is not None:
                    responses.append((answered_at, customer, survey_id, invitation_id, channel, effect))
            for _ in range(self.anonymous_per_month):
                customer = self.pick_customer()
                channel = rng.choice(list(ANONYMOUS_CHANNELS))
                responded_at = month_start + dt.timedelta(seconds=rng.uniform(0, seconds))
                responses.append(
                    (
                        responded_at,
                        customer,
                        "tnps-store" if channel == "store" else "tnps-web",
                        "",
                        channel,
                        ANONYMOUS_CHANNELS[channel],
                    )
                )
            yield month, month_index, invitations, responses


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _half_year(month: dt.date) -> str:
    return f"{month.year}H{1 if month.month <= 6 else 2}"


def generate(out_dir: Path, config: GeneratorConfig | None = None) -> dict[str, int]:
    """Write responses/, invitations/ and followups/ (and customers/ and revenue/, see
    customer_base.py) under out_dir; returns row counts."""
    config = config or GeneratorConfig()
    generator = SampleGenerator(config)
    response_files = RotatingWriter(out_dir / "responses", "responses", RESPONSE_COLUMNS)
    invitation_files = RotatingWriter(out_dir / "invitations", "invitations", INVITATION_COLUMNS)
    followup_files = RotatingWriter(out_dir / "followups", "cases", FOLLOWUP_COLUMNS, rotate=False)
    counts = {"invitations": 0, "responses": 0, "followups": 0}
    ledger = CustomerLedger()
    try:
        for month, month_index, invitations, responses in generator.months_of_rows():
            period = _half_year(month)
            for _, row in sorted(invitations, key=lambda item: item[0]):
                invitation_files.write(period, row)
                counts["invitations"] += 1
            if period != response_files.period:
                response_files._open(period)
            style = response_files.timestamp_style
            followups = []
            for responded_at, customer, survey_id, invitation_id, channel, effect in sorted(
                responses, key=lambda item: item[0]
            ):
                row, score = generator.response_row(
                    customer, survey_id, invitation_id, responded_at, channel, effect,
                    month_index, style, anonymous=not invitation_id,
                )  # fmt: skip
                response_files.write(period, row)
                counts["responses"] += 1
                if invitation_id and config.customer_base:
                    ledger.answered(customer, responded_at, score)
                case = generator.followup_row(row, score, customer, responded_at, CANONICAL.timestamp_style)
                if case:
                    followups.append(case)
            if month.month in PULSE_MONTHS:
                pulse = dt.datetime.combine(month, dt.time(9), tzinfo=LOCAL_TZ) + dt.timedelta(days=6)
                for row in generator.employee_rows(pulse, month_index, style):
                    response_files.write(period, row)
                    counts["responses"] += 1
            for case in followups:
                followup_files.write(period, case)
                counts["followups"] += 1
    finally:
        response_files.close()
        invitation_files.close()
        followup_files.close()
    if config.customer_base:
        end = _next_month(generator.months[-1])
        counts.update(write_customer_base(out_dir, ledger, generator.months[0], end, config.seed))
    return counts
