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

import csv
import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from dagster_project.nps_scale import category_of
from dagster_project.row_kinds import FOLLOWUPS, INVITATIONS, RESPONSES, SEGMENT_PREFIX, SURVEY_TOOL_COLUMNS

SEED = 20261124
LOCAL_TZ = ZoneInfo("Europe/Stockholm")

# region: (country, language, base effect, drift per month after month 12)
REGIONS: dict[str, tuple[str, str, float, float]] = {
    "Stockholm": ("SE", "sv", 0.0, 0.0),
    "Västra Götaland": ("SE", "sv", 0.15, 0.0),
    "Skåne": ("SE", "sv", 0.3, 0.0),
    "Norrland": ("SE", "sv", -0.3, -0.07),
    "Hovedstaden": ("DK", "da", -0.2, 0.0),
    "Sjælland": ("DK", "da", 0.1, 0.0),
    "Jylland": ("DK", "da", -0.4, 0.06),
    "Østlandet": ("NO", "en", 0.2, 0.0),
    "Trøndelag": ("NO", "en", -0.1, 0.0),
}
REGION_WEIGHTS = (24, 16, 14, 8, 12, 6, 10, 7, 3)
PRODUCTS = {"Mobil": 0.2, "Bredband": -0.5, "TV & Streaming": -0.3, "Smart Hem": 0.4}
PRODUCT_WEIGHTS = (45, 30, 15, 10)
CONSUMER_UNIT = "Konsument"
BUSINESS_UNITS = ("Företag", "Offentlig sektor")
CUSTOMER_TYPE_EFFECT = {"private": 0.0, "business": -0.3}

# channel: (share of invitations, response rate, score effect)
INVITATION_CHANNELS: dict[str, tuple[float, float, float]] = {
    "email": (0.44, 0.31, -0.2),
    "sms": (0.30, 0.43, 0.0),
    "app": (0.10, 0.27, 0.1),
    "phone": (0.10, 0.68, 0.3),
    "store": (0.06, 0.55, 0.5),
}
ANONYMOUS_CHANNELS = {"web": -0.4, "store": 0.5}
# channel: P(delivered), P(opened | delivered), P(started | opened), as a survey tool tracks them
FUNNEL = {
    "email": (0.96, 0.58, 0.75),
    "sms": (0.98, 0.70, 0.80),
    "app": (1.0, 0.50, 0.70),
    "phone": (0.85, 1.0, 0.85),
    "store": (1.0, 0.80, 0.85),
}
# B2B contacts' roles; the first is the decision-maker.
ROLES = ("Beslutsfattare", "IT-ansvarig", "Ekonomiansvarig", "Användare")
ROLE_WEIGHTS = (3, 2, 1, 4)
# eNPS: department -> (weight, score effect); HR is small, so its groups are under 5.
EMPLOYEE_SHARE = 0.05
PULSE_MONTHS = (1, 4, 7, 10)
DEPARTMENTS = {"Kundtjänst": (8, -0.6), "Tekniker": (6, 0.3), "Butik": (5, 0.0), "HR": (1, 0.5)}
EMPLOYEE_VERBATIMS = {
    "promoter": ("Bra kollegor och flexibla arbetstider", "Jag lär mig nya saker varje vecka"),
    "passive": ("Okej arbetsplats men lönen kunde vara bättre", "Mycket omorganisationer"),
    "detractor": ("Hög arbetsbelastning i kundtjänst", "Otydligt ledarskap", "För få kollegor på kvällarna"),
}
CASE_OWNERS = ("Karin Berg", "Søren Nielsen", "Ingrid Dahl", "Erik Öberg", "Mette Hansen")
FOLLOWUP_OUTCOMES = {
    "sv": {
        "contacted": ("Kunden kontaktad, återkommer", "Inget svar, lämnat röstmeddelande"),
        "resolved": ("Löst: kreditering 200 kr", "Löst: tekniker bokad", "Löst: fel på fakturan rättat"),
    },
    "da": {
        "contacted": ("Kunden kontaktet, vender tilbage", "Intet svar"),
        "resolved": ("Løst: kreditnota sendt", "Løst: tekniker booket"),
    },
    "en": {
        "contacted": ("Customer called, follow-up needed", "No answer, voicemail left"),
        "resolved": ("Resolved: refund issued", "Resolved: technician visit, call back on +47 912 34 567"),
    },
}
ANONYMOUS_SHARE = 0.08
SURVEYS = ("tnps-support", "tnps-onboarding", "rnps-quarterly")

FIRST_NAMES = ("anna", "erik", "lars", "karin", "mette", "søren", "ingrid", "ole", "åsa", "jörgen")
LAST_NAMES = ("lindqvist", "nielsen", "berg", "johansson", "hansen", "dahl", "öberg", "møller")
EMAIL_DOMAINS = {"SE": "example.se", "DK": "example.dk", "NO": "example.no"}
ASCII_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "ø": "o", "æ": "ae"})
CUSTOMER_POOL_SIZE = 50_000
RETURNING_CUSTOMER_SHARE = 0.25

VERBATIMS: dict[str, dict[str, tuple[str, ...]]] = {
    "sv": {
        "promoter": (
            "Snabb och trevlig kundtjänst",
            "Bra täckning överallt, även i stugan",
            "Prisvärt abonnemang och inga överraskningar på fakturan",
            "Personalen i butiken hjälpte mig direkt",
        ),
        "passive": (
            "Fungerar bra men priset kunde vara lägre",
            "Okej, men appen är lite krånglig",
            "Helt godkänt, inget att klaga på",
        ),
        "detractor": (
            "Fakturan var fel igen och ingen ringde tillbaka",
            "Dålig täckning och långsamt bredband på kvällarna",
            "Lång väntetid i telefon, över 40 minuter",
            "För dyrt jämfört med konkurrenterna",
            "Ring mig på 070-123 45 67, jag vill säga upp avtalet",
        ),
        "improvement": (
            "Sänk priset",
            "Bättre täckning på landsbygden",
            "Kortare väntetid i kundtjänst",
            "Gör appen enklare",
            "",
        ),
    },
    "da": {
        "promoter": (
            "Hurtig levering og god service",
            "Rigtig god dækning og stabilt internet",
            "Venligt personale i butikken",
        ),
        "passive": (
            "Det virker fint, men prisen er høj",
            "Appen kunne være bedre",
            "Helt okay",
        ),
        "detractor": (
            "Dårlig dækning i hele Jylland",
            "For dyrt, og regningen er svær at forstå",
            "Lang ventetid hos kundeservice",
            "Internettet falder ud hver aften, skriv til mig på mette.hansen@example.dk",
        ),
        "improvement": ("Lavere pris", "Bedre dækning", "Hurtigere svar fra support", ""),
    },
    "en": {
        "promoter": (
            "Great coverage and friendly support",
            "Easy to set up and good value for money",
            "The app makes everything simple",
        ),
        "passive": (
            "Good service but a bit expensive",
            "Fine overall, delivery took a while",
            "Decent, nothing special",
        ),
        "detractor": (
            "Billing errors every month",
            "Slow broadband and nobody answers the phone",
            "Too expensive for what you get",
            "Technician never showed up, call me on +47 912 34 567",
        ),
        "improvement": ("Lower prices", "Faster support", "Fix the billing", ""),
    },
}

BROKEN_SCORES = ("11", "tio", "9,5", "", "-1", "N/A", "10.5")


@dataclass(frozen=True)
class FileFormat:
    name: str
    encoding: str
    delimiter: str
    line_end: str
    timestamp_style: str  # offset | utc_naive


CANONICAL = FileFormat("canonical", "utf-8", ",", "\n", "offset")
NORDIC = FileFormat("nordic", "cp1252", ";", "\r\n", "utc_naive")
BOM_SEMICOLON = FileFormat("bom", "utf-8-sig", ";", "\r\n", "offset")
FORMAT_ROTATION = (CANONICAL, NORDIC, BOM_SEMICOLON)

SEGMENT_COLUMNS = tuple(
    f"{SEGMENT_PREFIX}{name}" for name in ("region", "business_unit", "product", "customer_type")
)
RESPONSE_COLUMNS = tuple(c for c in RESPONSES.columns if c not in SURVEY_TOOL_COLUMNS) + SEGMENT_COLUMNS
INVITATION_COLUMNS = INVITATIONS.columns + SEGMENT_COLUMNS
FOLLOWUP_COLUMNS = FOLLOWUPS.columns


@dataclass(frozen=True)
class GeneratorConfig:
    responses: int = 4000
    months: int = 24
    end_month: dt.date = dt.date(2026, 10, 1)  # the last month generated
    broken_row_share: float = 0.004
    seed: int = SEED
    id_prefix: str = ""  # e.g. "X": RSP-X00000001, so that an extra delivery has ids of its own


def month_starts(config: GeneratorConfig) -> list[dt.date]:
    months = []
    year, month = config.end_month.year, config.end_month.month
    for _ in range(config.months):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _format_timestamp(moment: dt.datetime, style: str) -> str:
    if style == "utc_naive":
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    return moment.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


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
            "responded_at": _format_timestamp(moment, style),
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
                    "responded_at": _format_timestamp(moment, style),
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
            contacted_text = _format_timestamp(contacted, style)
            outcome = rng.choice(FOLLOWUP_OUTCOMES[customer.language]["contacted"])
            resolved = contacted + dt.timedelta(days=rng.uniform(0.2, 10))
            if rng.random() < 0.65 and resolved < self.end:
                resolved_text = _format_timestamp(resolved, style)
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


class _RotatingWriter:
    """One open file per half-year; the format rotates from one half-year to the next."""

    def __init__(self, folder: Path, prefix: str, columns: tuple[str, ...], rotate: bool = True):
        self.folder = folder
        self.prefix = prefix
        self.columns = columns
        self.rotate = rotate
        self.period: str | None = None
        self.handle = None
        self.writer = None
        self.format = CANONICAL
        self.paths: list[Path] = []
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, period: str, row: dict) -> None:
        if period != self.period:
            self._open(period)
        style = self.format.timestamp_style
        self.writer.writerow(
            [
                _format_timestamp(value, style) if isinstance(value, dt.datetime) else value
                for value in (row.get(column, "") for column in self.columns)
            ]
        )

    @property
    def timestamp_style(self) -> str:
        return self.format.timestamp_style

    def _open(self, period: str) -> None:
        self.close()
        if self.rotate:
            self.format = FORMAT_ROTATION[len(self.paths) % len(FORMAT_ROTATION)]
        suffix = "" if self.format is CANONICAL else f"_{self.format.name}"
        path = self.folder / f"{self.prefix}_{period}{suffix}.csv"
        self.handle = path.open("w", encoding=self.format.encoding, newline="")
        self.writer = csv.writer(
            self.handle, delimiter=self.format.delimiter, lineterminator=self.format.line_end
        )
        self.writer.writerow(self.columns)
        self.period = period
        self.paths.append(path)

    def close(self) -> None:
        if self.handle:
            self.handle.close()
            self.handle = None


def generate(out_dir: Path, config: GeneratorConfig | None = None) -> dict[str, int]:
    """Write responses/, invitations/ and followups/ under out_dir; returns row counts."""
    config = config or GeneratorConfig()
    generator = SampleGenerator(config)
    response_files = _RotatingWriter(out_dir / "responses", "responses", RESPONSE_COLUMNS)
    invitation_files = _RotatingWriter(out_dir / "invitations", "invitations", INVITATION_COLUMNS)
    followup_files = _RotatingWriter(out_dir / "followups", "cases", FOLLOWUP_COLUMNS, rotate=False)
    counts = {"invitations": 0, "responses": 0, "followups": 0}
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
    return counts
