"""CRM and billing exports land like answers: pseudonymised at landing, every row valid,
excluded (replaced by a later export) or quarantined with a reason, and GX judges them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from dagster_project.landing.land import land_source
from dagster_project.landing.sources import SourceConfig, SourcesConfig
from dagster_project.row_kinds import CUSTOMERS, REVENUE
from dagster_project.validation.gx import GxValidator, validate_batches
from dagster_project.validation.verdicts import validate_kind
from dagster_project.warehouse.connection import connect
from dagster_project.warehouse.tables import ensure_landing_tables
from tests.pipeline import LANDING_KEY

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
CUSTOMER_SOURCE = SourceConfig(name="customers", kind="customers", folder="customers")
REVENUE_SOURCE = SourceConfig(name="revenue", kind="revenue", folder="revenue", currency="SEK")


def land(root: Path, source: SourceConfig, files: dict[str, str]) -> Path:
    folder = root / "inbox" / source.folder
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    warehouse = root / "w.duckdb"
    with connect(warehouse) as con:
        ensure_landing_tables(con)
        land_source(con, source, root / "inbox", root / "work", LANDING_KEY)
        validate_kind(con, source.row_kind, validated_at=NOW)
    return warehouse


def land_crm_and_billing(con, inbox: Path, work: Path, *sources: SourceConfig) -> None:
    ensure_landing_tables(con)
    for source in sources:
        land_source(con, source, inbox, work, LANDING_KEY)
        validate_kind(con, source.row_kind, validated_at=NOW)


def test_customers_are_pseudonymised_and_a_later_export_replaces_the_earlier(tmp_path):
    first = (
        "customer_id,email,account_id,acquired_at,acquisition_source,churned_at,segment_region\n"
        "C1,Anna@Example.se,ACC-1,2024-01-15,Referral,,north\n"
        "C2,,,15.02.2024,paid,2025-03-01,south\n"
        "C3,,,2024-13-01,paid,,south\n"
        "C4,,,2025-01-01,paid,2024-12-31,south\n"
        ",x@example.se,,2024-01-01,paid,,south\n"
    )
    warehouse = land(tmp_path, CUSTOMER_SOURCE, {"crm_2025-01.csv": first})
    later = "customer_id,email,acquired_at,churned_at\nc1 ,anna@example.se,2024-01-15,2026-02-01\n"
    (tmp_path / "inbox" / "customers" / "crm_2026-02.csv").write_text(later, encoding="utf-8")
    with connect(warehouse) as con:
        land_source(con, CUSTOMER_SOURCE, tmp_path / "inbox", tmp_path / "work", LANDING_KEY)
        validate_kind(con, CUSTOMERS, validated_at=NOW)
        valid = con.execute(
            """select customer_key, email_key, account_id, acquired_at, acquisition_source, churned_at
               from validated.customers order by acquired_at"""
        ).fetchall()
        rejected = con.execute(
            """select row_number, disposition, reason from validated.customers_quarantine
               order by file_path, row_number"""
        ).fetchall()
        text = str(con.execute("select * from raw.customers_rows").fetchall())
    # the same customer id in any case and spacing is one pseudonym; the later export won
    assert len(valid) == 2
    anna = next(row for row in valid if row[2] is None)
    assert anna[0] == LANDING_KEY_OF("C1") and anna[1] == LANDING_KEY_OF("anna@example.se")
    assert anna[3] == dt.date(2024, 1, 15) and anna[5] == dt.date(2026, 2, 1)
    assert valid[1][3] == dt.date(2024, 2, 15) and valid[1][4] == "paid"
    assert "C1" not in text and "Anna@Example.se" not in text  # never stored in clear
    reasons = {row: (disposition, reason) for row, disposition, reason in rejected}
    assert (
        reasons[1][0] == "excluded"
        and "is in a later export; kept customers/crm_2026-02.csv row 1" in reasons[1][1]
    )
    assert reasons[1][1].startswith("customer_id '") and "C1" not in reasons[1][1]
    assert reasons[3] == ("quarantined", "acquired_at '2024-13-01' is not a date (YYYY-MM-DD or DD.MM.YYYY)")
    assert reasons[4] == ("quarantined", "churned_at 2024-12-31 is before acquired_at 2025-01-01")
    assert reasons[5] == ("quarantined", "customer_id is missing")


def LANDING_KEY_OF(value: str) -> str:  # noqa: N802 - reads like the constant it derives from
    import duckdb

    from dagster_project.landing.pseudonymise import hmac_sql

    return duckdb.execute(f"select {hmac_sql('$v')}", {"v": value, **LANDING_KEY.sql_params()}).fetchone()[0]


def test_revenue_reads_nordic_amounts_keeps_credit_notes_and_refuses_a_second_currency(tmp_path):
    export = (
        "customer_id;month;revenue;currency\n"
        "C1;2025-01;1 234,50;SEK\n"
        "C1;2025-02;-200,00;sek\n"
        "C2;2025-01;99.90;EUR\n"
        "C2;2025-1;10;SEK\n"
        "C3;2025-01;tio;SEK\n"
        "C3;2025-02;10;\n"
    )
    warehouse = land(tmp_path, REVENUE_SOURCE, {"billing_2025.csv": export})
    correction = "customer_id,month,revenue,currency\nC1,2025-02,-150,SEK\n"
    (tmp_path / "inbox" / "revenue" / "billing_2025_fix.csv").write_text(correction, encoding="utf-8")
    with connect(warehouse) as con:
        land_source(con, REVENUE_SOURCE, tmp_path / "inbox", tmp_path / "work", LANDING_KEY)
        validate_kind(con, REVENUE, validated_at=NOW)
        valid = con.execute(
            "select month, revenue, currency from validated.revenue order by month"
        ).fetchall()
        rejected = dict(
            con.execute(
                """select row_number, disposition || ': ' || reason from validated.revenue_quarantine
                   where file_path = 'revenue/billing_2025.csv'"""
            ).fetchall()
        )
        reconciled = con.execute(
            """select sum(rows_read), sum(valid_rows + quarantined_rows + excluded_rows)
               from validated.file_reconciliation"""
        ).fetchone()
    assert valid == [("2025-01", Decimal("1234.5"), "SEK"), ("2025-02", Decimal("-150"), "SEK")]
    assert (
        rejected[2].startswith("excluded: customer_id + month '")
        and "/ 2025-02' is in a later export" in rejected[2]
    )
    assert rejected[3] == (
        "quarantined: currency 'EUR' is not SEK, the currency of the revenue sources (config/sources.yml):"
        " one warehouse sums one currency"
    )
    assert rejected[4] == "quarantined: month '2025-1' is not a month (YYYY-MM)"
    assert rejected[5] == "quarantined: revenue 'tio' is not an amount (e.g. 1234.50 or 1 234,50)"
    assert rejected[6] == "quarantined: currency is missing"
    assert reconciled[0] == reconciled[1] == 7


def test_one_warehouse_sums_one_currency():
    euro = SourceConfig(name="revenue_eu", kind="revenue", folder="eu", currency="EUR")
    with pytest.raises(ValueError, match="more than one currency \\(EUR, SEK\\)"):
        SourcesConfig(sources=[REVENUE_SOURCE, euro])
    with pytest.raises(ValueError, match="a revenue source needs a currency"):
        SourceConfig(name="r", kind="revenue", folder="r")
    with pytest.raises(ValueError, match="not a three-letter ISO 4217 code"):
        SourceConfig(name="r", kind="revenue", folder="r", currency="kr")


def test_gx_judges_customer_and_revenue_batches(tmp_path):
    warehouse = land(
        tmp_path,
        REVENUE_SOURCE,
        {
            "b.csv": "customer_id,month,revenue,currency\n"
            "C1,2025-01,10,SEK\nC1,2025-01,12,SEK\nC2,2025-13,x,SEK\n"
        },
    )
    validator = GxValidator(tmp_path / "gx")
    with connect(warehouse) as con:
        (landed,) = validate_batches(con, validator, REVENUE, "landed", NOW)
        (valid,) = validate_batches(con, validator, REVENUE, "valid", NOW)
    failed = {rule.rule: rule.unexpected_count for rule in landed.failed_rules}
    assert failed == {
        "customer_id + month is unique in the batch": 2,
        "month is a month (YYYY-MM)": 1,
        "revenue is an amount": 1,
    }
    assert valid.success and valid.rows == 1


def _workbook(path: Path, rows: list[tuple]) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)


def test_workbook_exports_land_with_date_cells_and_numbers(tmp_path):
    """CRM and billing exports saved from Excel: dates and months are date cells, amounts
    numbers. A month cell is the first of its month; a date cell carries a midnight time."""
    folder = tmp_path / "inbox"
    (folder / "crm").mkdir(parents=True)
    (folder / "billing").mkdir()
    _workbook(
        folder / "crm" / "crm.xlsx",
        [
            ("customer_id", "email", "acquired_at", "acquisition_source", "churned_at"),
            ("C1", "anna@example.se", dt.datetime(2024, 1, 15), "referral", None),
            ("C2", None, dt.date(2024, 2, 1), "paid", dt.datetime(2025, 3, 1)),
            ("C3", None, dt.datetime(2024, 2, 1, 14, 30), "paid", None),
        ],
    )
    _workbook(
        folder / "billing" / "billing.xlsx",
        [
            ("customer_id", "month", "revenue", "currency"),
            ("C1", dt.datetime(2025, 1, 1), 1234.5, "SEK"),
            ("C1", "2025-02", -200, "SEK"),
            ("C2", dt.datetime(2025, 1, 15), 10, "SEK"),
            ("C2", "2025-02-01", 99.9, "SEK"),
        ],
    )
    crm = SourceConfig(name="crm", kind="customers", folder="crm", format="xlsx")
    billing = SourceConfig(name="billing", kind="revenue", folder="billing", format="xlsx", currency="SEK")
    with connect(tmp_path / "w.duckdb") as con:
        land_crm_and_billing(con, folder, tmp_path / "work", crm, billing)
        customers = con.execute(
            "select acquired_at, churned_at from validated.customers order by acquired_at"
        ).fetchall()
        revenue = con.execute(
            "select month, revenue from validated.revenue order by month, revenue"
        ).fetchall()
        rejected = con.execute(
            """select file_path, row_number, reason from validated.customers_quarantine
               union all select file_path, row_number, reason from validated.revenue_quarantine
               order by 1, 2"""
        ).fetchall()
        ids = con.execute(f"select {REVENUE.id_sql()} from raw.revenue_rows order by row_number").fetchall()
    assert customers == [(dt.date(2024, 1, 15), None), (dt.date(2024, 2, 1), dt.date(2025, 3, 1))]
    assert revenue == [
        ("2025-01", Decimal("1234.5")),
        ("2025-02", Decimal("-200")),
        ("2025-02", Decimal("99.9")),
    ]
    assert rejected == [
        ("billing/billing.xlsx", 3, "month '2025-01-15 00:00:00' is not a month (YYYY-MM)"),
        (
            "crm/crm.xlsx",
            3,
            "acquired_at '2024-02-01 14:30:00' is not a date (YYYY-MM-DD or DD.MM.YYYY)",
        ),
    ]
    # a month written as a date cell and as text is one month: one id for both
    assert ids[1][0].endswith("|2025-02") and ids[3][0].endswith("|2025-02")


def test_json_exports_land_with_numbers_nulls_and_nested_fields(tmp_path):
    """A CRM export as a JSON array (segments nested, a churn date null) and billing as JSON
    Lines (amounts as numbers, a credit note, a line that is not an object)."""
    folder = tmp_path / "inbox"
    (folder / "crm").mkdir(parents=True)
    (folder / "billing").mkdir()
    (folder / "crm" / "crm.json").write_text(
        '[{"customer_id": "C1", "email": "anna@example.se", "acquired_at": "2024-01-15",'
        ' "acquisition_source": "referral", "churned_at": null, "segment": {"tier": "gold"}},'
        ' {"customer_id": "C2", "acquired_at": "2024-02-01", "churned_at": "2025-03-01"}]',
        encoding="utf-8",
    )
    (folder / "billing" / "billing.jsonl").write_text(
        '{"customer_id": "C1", "month": "2025-01", "revenue": 1234.5, "currency": "SEK"}\n'
        '{"customer_id": "C1", "month": "2025-02", "revenue": -200, "currency": "SEK"}\n'
        "not json\n"
        '{"customer_id": "C2", "month": "2025-01", "revenue": "10,50", "currency": "SEK"}\n',
        encoding="utf-8",
    )
    crm = SourceConfig(name="crm", kind="customers", folder="crm", format="json", segment_prefix="segment.")
    billing = SourceConfig(name="billing", kind="revenue", folder="billing", format="json", currency="SEK")
    with connect(tmp_path / "w.duckdb") as con:
        land_crm_and_billing(con, folder, tmp_path / "work", crm, billing)
        customers = con.execute(
            "select acquired_at, churned_at, email_key is not null from validated.customers order by 1"
        ).fetchall()
        segments = con.execute("select segment_name, segment_value from raw.customers_segments").fetchall()
        revenue = con.execute("select month, revenue from validated.revenue order by 1, 2").fetchall()
        rejected = con.execute("select file_path, row_number from validated.revenue_quarantine").fetchall()
        stored = con.execute(
            "select count(*) from raw.customers_rows as r where r::varchar like '%anna@%'"
        ).fetchone()
    assert customers == [
        (dt.date(2024, 1, 15), None, True),
        (dt.date(2024, 2, 1), dt.date(2025, 3, 1), False),
    ]
    assert segments == [("tier", "gold")]
    assert revenue == [
        ("2025-01", Decimal("10.5")),
        ("2025-01", Decimal("1234.5")),
        ("2025-02", Decimal("-200")),
    ]
    assert rejected == [("billing/billing.jsonl", 3)]
    assert stored == (0,)
