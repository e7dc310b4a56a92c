"""The whole pipeline on the small fixture inbox, against values computed by hand.

tests/fixtures/inbox_small holds 9 responses and 10 invitations in three formats
(UTF-8 comma, Windows-1252 ';' CRLF, UTF-8 BOM ';'). Reporting time zone Europe/Stockholm.

  response  local date   score category  channel region
  R01       2024-12-30   10    P         email   Skåne        (Monday: ISO week 2024-12-30)
  R02       2024-12-29    9    P         sms     Skåne        (Sunday: week 2024-12-23)
  R03       2025-01-01    6    D         email   Norrland     (23:30 UTC on 31 Dec)
  R04       2024-12-31    7    passive   web     Norrland     (anonymous, 22:30 UTC)
  R05       2024-12-15    8    passive   app     Skåne        (no offset = UTC)
  R06       2025-01-10    3    D         phone   Norrland     (verbatim with a newline)
  R07       2025-01-15   10    P         email   Västra Götaland
  R08       2025-01-20    0    D         store   Skåne        (anonymous)
  R09       2025-02-03    9    P         sms     Västra Götaland (answers I07, sent 31 Jan)

Invitation cohorts (local send date): December I01 I02 I03 I04 I08 (4 answered of 5;
I03 at 20:00 UTC on 31 Dec is December), January I09 I05 I06 I07 I10 (3 of 5; I09 at
23:15 UTC on 31 Dec is 1 January, I07 is answered in February).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re

import dagster as dg
import pytest

from tests.conftest import NO_TELEMETRY
from tests.pipeline import TEST_KEY

pytestmark = pytest.mark.pipeline

D = dt.date


def nps_rows(warehouse, grain: str) -> dict:
    rows = warehouse.query(
        """select period_start, responses, promoters, passives, detractors, nps
           from marts.nps_by_period where period_grain = $grain order by 1""",
        {"grain": grain},
    )
    return {r[0]: r[1:] for r in rows}


def test_every_valid_response_is_in_the_fact_with_its_local_date(small_warehouse):
    rows = small_warehouse.query(
        """select response_id, response_date, score, nps_category, channel, segment_region
           from marts.nps_responses order by response_id"""
    )
    assert rows == [
        ("R01", D(2024, 12, 30), 10, "promoter", "email", "Skåne"),
        ("R02", D(2024, 12, 29), 9, "promoter", "sms", "Skåne"),
        ("R03", D(2025, 1, 1), 6, "detractor", "email", "Norrland"),
        ("R04", D(2024, 12, 31), 7, "passive", "web", "Norrland"),
        ("R05", D(2024, 12, 15), 8, "passive", "app", "Skåne"),
        ("R06", D(2025, 1, 10), 3, "detractor", "phone", "Norrland"),
        ("R07", D(2025, 1, 15), 10, "promoter", "email", "Västra Götaland"),
        ("R08", D(2025, 1, 20), 0, "detractor", "store", "Skåne"),
        ("R09", D(2025, 2, 3), 9, "promoter", "sms", "Västra Götaland"),
    ]


def test_monthly_nps(small_warehouse):
    assert nps_rows(small_warehouse, "month") == {
        D(2024, 12, 1): (4, 2, 2, 0, 50.0),
        D(2025, 1, 1): (4, 1, 0, 3, -50.0),
        D(2025, 2, 1): (1, 1, 0, 0, 100.0),
    }


def test_iso_weeks_start_on_monday_across_the_year_end(small_warehouse):
    assert nps_rows(small_warehouse, "week") == {
        D(2024, 12, 9): (1, 0, 1, 0, 0.0),
        D(2024, 12, 23): (1, 1, 0, 0, 100.0),
        D(2024, 12, 30): (3, 1, 1, 1, 0.0),  # Mon 30 Dec, Tue 31 Dec, Wed 1 Jan (local)
        D(2025, 1, 6): (1, 0, 0, 1, -100.0),
        D(2025, 1, 13): (1, 1, 0, 0, 100.0),
        D(2025, 1, 20): (1, 0, 0, 1, -100.0),
        D(2025, 2, 3): (1, 1, 0, 0, 100.0),
    }


def test_time_zone_boundary_days_quarters_and_years(small_warehouse):
    days = nps_rows(small_warehouse, "day")
    assert days[D(2024, 12, 31)] == (1, 0, 1, 0, 0.0)  # R04, 22:30 UTC
    assert days[D(2025, 1, 1)] == (1, 0, 0, 1, -100.0)  # R03, 23:30 UTC on 31 Dec
    assert nps_rows(small_warehouse, "quarter") == {
        D(2024, 10, 1): (4, 2, 2, 0, 50.0),
        D(2025, 1, 1): (5, 2, 0, 3, -20.0),
    }
    assert nps_rows(small_warehouse, "year") == {
        D(2024, 1, 1): (4, 2, 2, 0, 50.0),
        D(2025, 1, 1): (5, 2, 0, 3, -20.0),
    }


def test_shares_are_percentages_that_add_up(small_warehouse):
    rows = small_warehouse.query(
        """select pct_promoters, pct_passives, pct_detractors, nps from marts.nps_by_period
           where period_grain = 'quarter' and period_start = '2025-01-01'"""
    )
    assert rows == [(40.0, 0.0, 60.0, -20.0)]


def test_nps_by_channel(small_warehouse):
    rows = small_warehouse.query(
        """select period_start, channel, responses, nps from marts.nps_by_channel
           where period_grain = 'month' order by 1, 2"""
    )
    assert rows == [
        (D(2024, 12, 1), "app", 1, 0.0),
        (D(2024, 12, 1), "email", 1, 100.0),
        (D(2024, 12, 1), "sms", 1, 100.0),
        (D(2024, 12, 1), "web", 1, 0.0),
        (D(2025, 1, 1), "email", 2, 0.0),
        (D(2025, 1, 1), "phone", 1, -100.0),
        (D(2025, 1, 1), "store", 1, -100.0),
        (D(2025, 2, 1), "sms", 1, 100.0),
    ]


def test_nps_by_segment_is_long_form(small_warehouse):
    rows = small_warehouse.query(
        """select period_start, segment_type, segment_value, responses, promoters,
                  passives, detractors, round(nps, 2)
           from marts.nps_by_segment where period_grain = 'month' order by 1, 3"""
    )
    assert rows == [
        (D(2024, 12, 1), "region", "Norrland", 1, 0, 1, 0, 0.0),
        (D(2024, 12, 1), "region", "Skåne", 3, 2, 1, 0, 66.67),
        (D(2025, 1, 1), "region", "Norrland", 2, 0, 0, 2, -100.0),
        (D(2025, 1, 1), "region", "Skåne", 1, 0, 0, 1, -100.0),
        (D(2025, 1, 1), "region", "Västra Götaland", 1, 1, 0, 0, 100.0),
        (D(2025, 2, 1), "region", "Västra Götaland", 1, 1, 0, 0, 100.0),
    ]


def test_response_rates_follow_the_invitation_cohort(small_warehouse):
    rows = small_warehouse.query(
        """select period_start, dimension, dimension_value, invitations, responses,
                  non_respondents, response_rate
           from marts.response_rates where period_grain = 'month' order by 1, 2, 3"""
    )
    assert rows == [
        (D(2024, 12, 1), "channel", "app", 1, 1, 0, 1.0),
        (D(2024, 12, 1), "channel", "email", 3, 2, 1, 2 / 3),
        (D(2024, 12, 1), "channel", "sms", 1, 1, 0, 1.0),
        (D(2024, 12, 1), "overall", "all", 5, 4, 1, 0.8),
        (D(2024, 12, 1), "region", "Norrland", 2, 1, 1, 0.5),
        (D(2024, 12, 1), "region", "Skåne", 3, 3, 0, 1.0),
        (D(2025, 1, 1), "channel", "email", 2, 1, 1, 0.5),
        (D(2025, 1, 1), "channel", "phone", 1, 1, 0, 1.0),
        (D(2025, 1, 1), "channel", "sms", 2, 1, 1, 0.5),
        (D(2025, 1, 1), "overall", "all", 5, 3, 2, 0.6),
        (D(2025, 1, 1), "region", "Norrland", 1, 1, 0, 1.0),
        (D(2025, 1, 1), "region", "Skåne", 2, 0, 2, 0.0),
        (D(2025, 1, 1), "region", "Västra Götaland", 2, 2, 0, 1.0),
    ]


def test_respondents_are_pseudonymised_with_the_keyed_hash(small_warehouse):
    expected = hmac.new(TEST_KEY.encode(), b"anna.lindqvist@example.se", hashlib.sha256).hexdigest()
    rows = small_warehouse.query(
        "select response_id, respondent_key from marts.nps_responses "
        "where response_id in ('R01', 'R07', 'R04') order by 1"
    )
    # R01 wrote Anna.Lindqvist@Example.se, R07 anna.lindqvist@example.se: one respondent.
    assert rows == [("R01", expected), ("R04", None), ("R07", expected)]
    text = " ".join(str(v) for row in small_warehouse.query("select * from marts.nps_responses") for v in row)
    assert "@" not in text and "C0000002" not in text


def test_every_file_reconciles_and_is_described(small_warehouse):
    rows = small_warehouse.query(
        """select file_path, encoding, delimiter, rows_read, valid_rows, quarantined_rows
           from marts.file_loads order by file_path"""
    )
    assert rows == [
        ("invitations/2024-12.csv", "utf-8", ",", 6, 6, 0),
        ("invitations/2025-01.csv", "utf-8-sig", ";", 4, 4, 0),
        ("responses/2024-12_export.csv", "utf-8", ",", 6, 6, 0),
        ("responses/2025-01_nordic.csv", "windows-1252", ";", 3, 3, 0),
    ]


def test_mart_materialisations_carry_row_counts_latest_nps_and_a_preview(small_warehouse):
    """What the Dagster UI shows on a mart (defs/transform/mart_metadata.py): read from the
    warehouse after dbt ends; a mart that models read (surveys) streams with dbt's metadata."""
    materialised = small_warehouse.materialisations()
    by_period = materialised[dg.AssetKey(["marts", "nps_by_period"])]
    [(rows,)] = small_warehouse.query("select count(*) from marts.nps_by_period")
    assert by_period["dagster/row_count"].value == rows > 0
    latest = small_warehouse.query(
        """select programme, strftime(max(period_start), '%Y-%m-%d') from marts.nps_by_period
           where period_grain = 'month' group by programme order by programme"""
    )
    table = by_period["latest_month_nps"].value
    for programme, month in latest:
        assert f"| {programme} | {month} |" in table
    assert by_period["preview"].value.startswith("| programme | period_grain |")
    for key, metadata in materialised.items():
        if key.path[0] == "marts" and key.path[-1] != "surveys":
            assert "dagster/row_count" in metadata and "preview" in metadata, key
    assert "preview" not in materialised[dg.AssetKey(["marts", "surveys"])]
    # HR's marts are HR's: the Dagster UI shows none of their rows, nor an eNPS
    hr = {key: metadata for key, metadata in materialised.items() if key.path[0] == "hr"}
    assert set(hr) == {dg.AssetKey(["hr", "enps_by_group"]), dg.AssetKey(["hr", "enps_comments"])}
    assert not any({"preview", "latest_month_nps"} & set(metadata) for metadata in hr.values())


def test_dbt_logs_its_file_at_info_not_debug(small_warehouse):
    """dbt's log file beside the artifacts says what ran, not every statement (dbt's
    default, debug, wrote ~10 MB a delivery and cost seconds of every build)."""
    log = small_warehouse.settings.warehouse_path.parent / "dbt_target" / "local" / "dbt.log"
    events = [json.loads(line)["info"] for line in log.read_text(encoding="utf-8").splitlines()]
    assert any(event["name"] == "StatsLine" for event in events)  # "Done. PASS=..."
    assert {event["level"] for event in events} <= {"info", "warn", "error"}


def test_passing_data_tests_are_counted_not_stored(small_warehouse):
    """dbt's data tests run in `dbt build`; Dagster's event log holds no event per passing
    test (each was ~12 ms of every run), the step's log says how many passed."""
    artifacts = small_warehouse.settings.warehouse_path.parent / "dbt_target" / "local"
    results = json.loads((artifacts / "run_results.json").read_text(encoding="utf-8"))["results"]
    passed = sum(r["status"] == "pass" for r in results if r["unique_id"].startswith("test."))
    assert passed > 100
    with dg.DagsterInstance.local_temp(str(small_warehouse.dagster_home), overrides=NO_TELEMETRY) as instance:
        (run,) = instance.get_runs()
        logs = instance.all_logs(run.run_id)
    observed = [e.dagster_event for e in logs if e.dagster_event and e.dagster_event.is_asset_observation]
    assert not [e for e in observed if "test." in str(e.event_specific_data)]
    # (a test of several models, such as `assert_invitations_daily_adds_up`, is no
    # observation of one: dagster-dbt leaves it to dbt's log)
    (counted,) = [
        int(m.group(1)) for e in logs if (m := re.match(r"dbt: (\d+) data tests passed \(", e.user_message))
    ]
    assert 100 < counted <= passed
