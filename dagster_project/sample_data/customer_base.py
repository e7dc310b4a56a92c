"""The sample's customer base and billing: what NPS is worth, with an effect of known size.

Every customer who answered (by respondent id; a business customer by its account) is a
customer of the CRM export, acquired up to four years before its first answer through a source
(referral and word of mouth are the earned ones). Churn depends on the category of the
customer's latest answer: after it, a detractor leaves with a monthly hazard of 4%, a
passive 2%, a promoter 1% (so detractors leave about four times as often); a customer never
leaves before its last answer. Revenue is billed monthly from acquisition to churn; each
answer moves a customer's monthly revenue by its category (promoters buy more, detractors
less), and now and then a month is a credit note (negative).

Written with its own random stream after the answers, so the survey exports do not change:
two CRM exports (the later, Nordic one replaces the earlier for every customer in both) and
two billing exports (canonical, and Nordic with `1 234,50` amounts).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.nps_scale import category_of
from dagster_project.row_kinds import CUSTOMERS, REVENUE

EARNED_SOURCES = ("referral", "word_of_mouth")
ACQUISITION_SOURCES = {
    "referral": 18,
    "word_of_mouth": 8,
    "paid": 30,
    "organic": 22,
    "sales": 14,
    "partner": 8,
}
MONTHLY_CHURN = {"promoter": 0.01, "passive": 0.02, "detractor": 0.04}
REVENUE_STEP = {"promoter": 1.08, "passive": 1.0, "detractor": 0.93}
BASE_REVENUE = {"private": 299.0, "business": 4900.0}
CREDIT_NOTE_SHARE = 0.005
CURRENCY = "SEK"
DAYS_PER_MONTH = 365.25 / 12
CUSTOMER_COLUMNS = (*CUSTOMERS.columns, "segment_region", "segment_customer_type")


@dataclass
class _Known:
    customer_id: str
    email: str
    account_id: str
    region: str
    customer_type: str
    answers: list[tuple[dt.date, str]] = field(default_factory=list)


class CustomerLedger:
    """The customers who answered, as the CRM knows them, with their answers in time order."""

    def __init__(self) -> None:
        self._known: dict[str, _Known] = {}

    def answered(self, customer, moment: dt.datetime, score: int) -> None:
        if customer.account_id:  # a business customer: the CRM holds the account
            key = customer.account_id
            record = self._known.get(key) or _Known(f"B-{key}", "", key, customer.region, "business")
        else:
            key = customer.respondent_id
            is_email = "@" in key
            customer_id = f"K{len(self._known) + 1:07d}" if is_email else key
            record = self._known.get(key) or _Known(
                customer_id, key if is_email else "", "", customer.region, "private"
            )
        record.answers.append((moment.date(), category_of(score)))
        self._known[key] = record

    def __len__(self) -> int:
        return len(self._known)

    def records(self) -> list[_Known]:
        return list(self._known.values())


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _amount(value: float, nordic: bool) -> str:
    text = f"{value:.2f}"
    if not nordic:
        return text
    whole, cents = text.split(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return f"{sign}{' '.join(groups)},{cents}"


def write_customer_base(
    out_dir: Path, ledger: CustomerLedger, first_month: dt.date, end: dt.date, seed: int
) -> dict[str, int]:
    """customers/ and revenue/ under out_dir for the customers in `ledger`; `end` is the
    first day after the sample; billing starts with the first sample month's year. Returns
    row counts."""
    rng = random.Random(seed * 7919 + 26)
    sources, weights = list(ACQUISITION_SOURCES), list(ACQUISITION_SOURCES.values())
    earlier_export = dt.date(end.year - 1, 12, 31)
    first_billed = dt.date(first_month.year, 1, 1)  # billing history from a whole first year
    crm_early, crm_late, billing = [], [], {}
    for record in ledger.records():
        first_answer, (last_answer, last_category) = record.answers[0][0], record.answers[-1]
        acquired = first_answer - dt.timedelta(days=rng.randint(20, 1500))
        hazard = MONTHLY_CHURN[last_category]
        churn = last_answer + dt.timedelta(days=rng.expovariate(hazard) * DAYS_PER_MONTH + 1)
        churned = churn if churn < end else None
        row = {
            "customer_id": record.customer_id,
            "email": record.email.upper() if record.email and rng.random() < 0.1 else record.email,
            "account_id": record.account_id,
            "acquired_at": acquired,
            "acquisition_source": rng.choices(sources, weights)[0],
            "churned_at": churned,
            "segment_region": record.region,
            "segment_customer_type": record.customer_type,
        }
        crm_late.append(row)
        if acquired <= earlier_export:
            crm_early.append(
                {**row, "churned_at": churned if churned and churned <= earlier_export else None}
            )
        level = BASE_REVENUE[record.customer_type] * math.exp(rng.gauss(0, 0.35))
        answers = iter(record.answers)
        pending = next(answers, None)
        last_billed = (churned or end - dt.timedelta(days=1)).replace(day=1)
        for month in _months(max(acquired, first_billed), last_billed):
            while pending and pending[0] < month:
                level *= REVENUE_STEP[pending[1]]
                pending = next(answers, None)
            amount = level * rng.uniform(0.9, 1.1)
            if rng.random() < CREDIT_NOTE_SHARE:
                amount = -0.4 * amount
            billing.setdefault(month.year, []).append((record.customer_id, month, round(amount, 2)))
    # Two honest mistakes, quarantined with their reason: a date that does not exist in the
    # later CRM export (the earlier export's row of that customer stays valid), and a month
    # billed in euros.
    typo = rng.choice(crm_early)["customer_id"] if crm_early else None
    if billing:
        lines = billing[max(billing)]
        index = rng.randrange(len(lines))
        lines[index] = (*lines[index], "EUR")
    _write_crm(out_dir / "customers" / f"crm_{earlier_export:%Y-%m}.csv", crm_early, nordic=False)
    late = out_dir / "customers" / f"crm_{end - dt.timedelta(days=1):%Y-%m}_nordic.csv"
    _write_crm(late, crm_late, nordic=True, no_such_date_for=typo)
    rows = 0
    for index, (year, lines) in enumerate(sorted(billing.items())):
        nordic = index % 2 == 1
        name = f"billing_{year}{'_nordic' if nordic else ''}.csv"
        rows += _write_billing(out_dir / "revenue" / name, sorted(lines, key=lambda r: (r[1], r[0])), nordic)
    return {"customers": len(crm_late), "revenue": rows}


def _write_crm(path: Path, rows: list[dict], nordic: bool, no_such_date_for: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    day = "%d.%m.%Y" if nordic else "%Y-%m-%d"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, CUSTOMER_COLUMNS, delimiter=";" if nordic else ",", lineterminator="\n"
        )
        writer.writeheader()
        for row in sorted(rows, key=lambda r: (r["acquired_at"], r["customer_id"])):
            writer.writerow(
                {
                    **row,
                    "acquired_at": "30.02.2023"
                    if row["customer_id"] == no_such_date_for
                    else row["acquired_at"].strftime(day),
                    "churned_at": row["churned_at"].strftime(day) if row["churned_at"] else "",
                }
            )


def _write_billing(path: Path, lines: list[tuple], nordic: bool) -> int:
    """(customer id, month, amount[, currency]) lines; the currency is SEK unless given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";" if nordic else ",", lineterminator="\n")
        writer.writerow(REVENUE.columns)
        for customer_id, month, amount, *currency in lines:
            writer.writerow(
                [customer_id, f"{month:%Y-%m}", _amount(amount, nordic), *(currency or [CURRENCY])]
            )
    return len(lines)
