"""CRM and billing exports through the whole pipeline: a later CRM export corrects a
customer (now churned), the outcome marts follow it, the earlier row is excluded as replaced
(not an error), and the incremental marts equal a build from scratch of the same inbox."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil

import duckdb

from tests.conftest import copy_of
from tests.mart_snapshot import differences
from tests.pipeline import run_pipeline

CLOCK = dt.datetime(2025, 6, 30, 12, tzinfo=dt.UTC)
CRM = (
    "customer_id,email,account_id,acquired_at,acquisition_source,churned_at,segment_tier\n"
    "K1,Anna.Lindqvist@example.se,,2023-05-01,referral,,gold\n"
    "C0000002,,,2024-01-01,paid,,silver\n"
    "C0000003,,,2024-02-01,paid,2025-02-15,silver\n"
    "C0000006,,,2024-03-01,organic,,gold\n"
    "C0000009,,,2024-04-01,paid,,silver\n"
)
BILLING = (
    "customer_id;month;revenue;currency\n"
    + "".join(
        f"{customer};2025-0{month};{amount};SEK\n"
        for customer, amount in (("K1", "1 000,00"), ("C0000002", "250,50"), ("C0000006", "400"))
        for month in (1, 2, 3)
    )
    + "C0000006;2025-04;-120,00;SEK\n"
)


def deliver(settings, name: str, text: str, step: int) -> None:
    path = settings.raw_dir / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(10**18 + step, 10**18 + step))


PERIOD_COLUMNS = "select period_grain, period_start, customer_key, revenue, was_billed_last_period"
# The same rows computed another way: each grain's periods, and the previous period by lag().
PERIOD_REVENUE_BY_HAND = f"""
    with periods as (
        select grain as period_grain, date_trunc(grain, revenue_month)::date as period_start,
               customer_key, sum(revenue) as revenue
        from staging.stg_inbox__revenue, (values ('month'), ('quarter'), ('year')) as grains(grain)
        group by all
    )
    {PERIOD_COLUMNS.replace("was_billed_last_period", "")}
        coalesce(lag(period_start) over (partition by period_grain, customer_key order by period_start)
            = period_start - ('1 ' || period_grain)::interval, false) as was_billed_last_period
    from periods order by all"""


def january_detractors(published) -> tuple[int, int]:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(
            """select customers, churned from marts.nps_outcomes
               where programme = 'transactional' and period_grain = 'month'
                 and period_start = date '2025-01-01' and nps_category = 'detractor' and horizon_days = 90"""
        ).fetchone()


LINKS = "intermediate.int_answer_customer_links"
NOT_BUILT_AGAIN = "not built again"


def mark_links(settings) -> None:
    """Marks every answer's link in a column no model reads after it (the respondent's key)."""
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(f"update {LINKS} set respondent_key = ?", [NOT_BUILT_AGAIN])


def links_built_again(settings) -> list[str] | str:
    """The answers whose links the last run built again ("all" when it built every one)."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rebuilt = con.execute(
            f"select response_id from {LINKS} where respondent_key is distinct from ? order by 1",
            [NOT_BUILT_AGAIN],
        ).fetchall()
        total = con.execute(f"select count(*) from {LINKS}").fetchone()[0]
    return "all" if len(rebuilt) == total else [row[0] for row in rebuilt]


def test_a_corrected_crm_export_moves_the_outcomes_as_a_fresh_build_would(tmp_path, small_warehouse):
    settings = dataclasses.replace(copy_of(small_warehouse, tmp_path / "incremental"), clock=CLOCK)
    deliver(settings, "customers/crm_2025-03.csv", CRM, 1)
    deliver(settings, "revenue/billing_2025.csv", BILLING, 2)
    assert run_pipeline(settings).success
    # R03 (6, 1 January local) and R06 (3) are January's detractors; C0000003 left 45 days later
    assert january_detractors(settings.published_path) == (2, 1)

    later = CRM.replace(
        "C0000006,,,2024-03-01,organic,,gold", "C0000006,,,2024-03-01,organic,2025-03-01,gold"
    )
    deliver(settings, "customers/crm_2025-06.csv", later, 3)
    mark_links(settings)
    result = run_pipeline(settings)
    assert result.success
    # a new CRM export (every customer again, one churned) links again the answers its
    # customers' keys reach, not the others (anonymous ones, respondents it does not know)
    assert links_built_again(settings) == ["R01", "R02", "R03", "R06", "R07", "R09"]
    assert january_detractors(settings.published_path) == (2, 2)
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        replaced = con.execute(
            """select count(*), min(reason) from marts.excluded_rows
               where kind = 'customers' and source_file_path = 'customers/crm_2025-03.csv'"""
        ).fetchone()
        links = dict(con.execute("select link, sum(answers) from marts.customer_links group by 1").fetchall())
        growth = con.execute(
            """select revenue, retained_revenue, nrr from marts.earned_growth
               where period_grain = 'month' and period_start = date '2025-04-01'"""
        ).fetchone()
        loads = con.execute(
            """select sum(rows_read), sum(valid_rows + quarantined_rows + excluded_rows)
               from marts.file_loads where kind in ('customers', 'revenue') and not is_replaced"""
        ).fetchone()
    assert replaced[0] == 5 and "is in a later export; kept customers/crm_2025-06.csv row" in replaced[1]
    assert links["customer_id"] == 4 and links["email"] == 2  # Anna's two answers by e-mail
    assert growth == (-120, -120, -120 / 1650.5)  # April: a credit note only
    assert loads[0] == loads[1] == 5 + 5 + 10
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        retention_before = con.execute("select count(*) from marts.revenue_retention").fetchone()[0]
    assert retention_before > 0

    # A new answer of C0000002 (its revenue windows are built again, no one else's), then a
    # corrected billing file under the same path with a later month (every window again).
    deliver(
        settings,
        "responses/2025-05_late.csv",
        "response_id,survey_id,respondent_id,responded_at,score,channel\n"
        "R90,tnps,C0000002,2025-05-10T09:00:00Z,3,email\n",
        4,
    )
    mark_links(settings)
    assert run_pipeline(settings).success
    assert links_built_again(settings) == ["R90"]  # the new file's answer, no other
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        windows = con.execute(
            """select count(*) from intermediate.int_customer_revenue_windows
               where answer_month = date '2025-05-01'"""
        ).fetchone()[0]
    assert windows == 3  # R90 in its month, quarter and year
    # A second billing file: May for K1, and February and March for a new customer. Only the
    # rows of its customers are built again, and they add up as a fresh computation from the
    # billing rows does.
    deliver(
        settings,
        "revenue/billing_2025-05.csv",
        "customer_id;month;revenue;currency\nK1;2025-05;1 000,00;SEK\n"
        "C0000009;2025-02;100;SEK\nC0000009;2025-03;100;SEK\n",
        5,
    )
    table = "intermediate.int_customer_period_revenue"
    with duckdb.connect(str(settings.warehouse_path)) as con:  # marks the rows it should keep
        con.execute(f"update {table} set revenue = -1")
    assert run_pipeline(settings).success
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        built = con.execute(f"{PERIOD_COLUMNS} from {table} where revenue != -1 order by all").fetchall()
        kept = con.execute(f"select distinct customer_key from {table} where revenue = -1").fetchall()
        by_hand = con.execute(PERIOD_REVENUE_BY_HAND).fetchall()
    assert len({row[2] for row in built}) == 2 and len(kept) == 2  # K1 and C0000009; not the others
    assert built == [row for row in by_hand if (row[2],) not in kept]
    assert len(built) < len(by_hand)

    corrected = (
        BILLING.replace("C0000002;2025-02;250,50", "C0000002;2025-02;260,00") + "K1;2025-05;1 000,00;SEK\n"
    )
    deliver(settings, "revenue/billing_2025.csv", corrected, 6)
    assert run_pipeline(settings).success

    scratch = settings.raw_dir.parent.parent / "scratch"
    fresh = dataclasses.replace(
        settings,
        raw_dir=scratch / "inbox",
        warehouse_path=scratch / "warehouse" / "nps.duckdb",
        published_path=scratch / "published" / "nps_marts.duckdb",
        secrets_dir=scratch / "secrets",
    )
    shutil.copytree(settings.raw_dir, fresh.raw_dir)
    assert run_pipeline(fresh).success
    found = differences(settings.published_path, fresh.published_path)
    # the load record of the replaced billing file is kept (is_replaced); a fresh build never saw it
    assert found.pop("marts.file_loads") == ["10 rows against 9"]
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        assert con.execute("select count(*) from marts.file_loads where is_replaced").fetchone()[0] == 1
    assert found == {}
