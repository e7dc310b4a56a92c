"""Issue-4 analytics through the whole pipeline, against values computed by hand.

tests/fixtures/inbox_analytics (Stockholm time, February-March 2025):

  customer Feb  score  category  account/role          reason (as delivered)            themes
  r1            10     P         ACC1 decision-maker   Trevlig personal                 staff
  r2             6     D         ACC1                  För dyrt                         price
  r3             9     P         ACC1                  Mit CPR-nummer er 010180-1234     -
  r4             3     D         ACC2 decision-maker   Långsamt bredband                quality
  r5             8     Pa        ACC2                  Fødselsnummer 01018012345        -
  r6             9     P         -                     Snabb leverans                   delivery
  r7             2     D         -                     För dyrt, ring mig på 070-...    price (+ improvement)
  r8             7     Pa        -                     Mitt personnummer är 1980...     price (fakturan)
  r9             0     D         -                     Dårlig dækning, skriv til <email> quality
  r10           10     P         -                     Great support, call me on +47... support
  March: r11 (r7's respondent again, 9: recovered), r12 (r4's respondent again, 2: not).
  employees Feb: Butik 10 9 8 6 3 (NPS 0), HR 9 2 (2 people: suppressed; Butik too, since
  7 - 5 would give HR away). Employee answers reach HR's file only (hr.enps_by_group).

Survey catalogue (tests/fixtures/surveys.yml): rnps relationship, tnps transactional
(support), enps employee.
February: relationship (r1-r5) 2 P, 1 Pa, 2 D, NPS 0; transactional (r6-r10) the same.
March: relationship r12 D (-100), transactional r11 P (+100): blended they would be 0.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest

from tests.conftest import FIXTURES, Warehouse, make_settings
from tests.pipeline import TEST_KEY, run_pipeline

pytestmark = pytest.mark.pipeline
FEB = dt.date(2025, 2, 1)
MAR = dt.date(2025, 3, 1)
Q1 = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Warehouse:
    settings = make_settings(tmp_path_factory.mktemp("analytics"), FIXTURES / "inbox_analytics")
    assert run_pipeline(settings).success
    return Warehouse(settings)


def test_programmes_are_kept_apart(warehouse):
    rows = warehouse.query(
        """select period_start, programme, responses, promoters, passives, detractors, nps
           from marts.nps_by_period where period_grain = 'month' order by 1, 2""",
    )
    assert rows == [
        (FEB, "relationship", 5, 2, 1, 2, 0.0),
        (FEB, "transactional", 5, 2, 1, 2, 0.0),
        # two programmes in one month: two rows with their own NPS, never the blend (0)
        (MAR, "relationship", 1, 0, 0, 1, -100.0),
        (MAR, "transactional", 1, 1, 0, 0, 100.0),
    ]


def test_nps_by_touchpoint(warehouse):
    rows = warehouse.query(
        """select programme, touchpoint, survey_id, survey_name, responses, nps
           from marts.nps_by_touchpoint where period_grain = 'quarter' and period_start = $q1
           order by 1, 2, 3""",
        {"q1": Q1},
    )
    assert rows == [
        # r1-r5 and r12: 2 P, 1 Pa, 3 D
        ("relationship", "none", "all", "all surveys", 6, -100.0 / 6),
        ("relationship", "none", "rnps", "Relationship survey", 6, -100.0 / 6),
        # r6-r11: 3 P, 1 Pa, 2 D
        ("transactional", "support", "all", "all surveys", 6, 100.0 / 6),
        ("transactional", "support", "tnps", "After support", 6, 100.0 / 6),
    ]


def test_every_nps_row_has_its_interval(warehouse):
    ((moe, low, high, low_sample, band),) = warehouse.query(
        """select nps_margin_of_error, nps_ci_low, nps_ci_high, is_low_sample, nps_band
           from marts.nps_by_period
           where programme = 'relationship' and period_grain = 'month' and period_start = $feb""",
        {"feb": FEB},
    )
    # adjusted Wald: (2.75 P, 2.75 D) of 8: p = d = 0.34375, Var = 0.6875, SE = 0.2932
    assert round(moe, 2) == 57.46
    assert (round(low, 2), round(high, 2)) == (-57.46, 57.46)
    assert low_sample and band == "good"


def test_employee_answers_reach_hr_only_as_groups_of_five(warehouse):
    # no employee row in any customer mart
    assert warehouse.query("select count(*) from marts.nps_responses where survey_type = 'employee'") == [
        (0,)
    ]
    assert warehouse.query("select count(*) from marts.nps_by_segment where programme = 'employee'") == [(0,)]
    rows = warehouse.query(
        """select period_grain, dimension, dimension_value, is_suppressed, responses, promoters, passives,
                  detractors, enps, round(enps_ci_low, 2), score_10
           from hr.enps_by_group where period_grain in ('month', 'quarter')
             and dimension in ('overall', 'business_unit') order by 1, 2, 3""",
    )
    # Butik, adjusted Wald: 2.75 P and 2.75 D of 8, Var 0.6875, margin 100 * 1.96 * 0.2932;
    # HR's 2 people are hidden, and Butik with them: 7 - 5 would give HR's two answers away
    assert rows == [
        ("month", "business_unit", "Butik", True, None, None, None, None, None, None, None),
        ("month", "business_unit", "HR", True, None, None, None, None, None, None, None),
        ("month", "overall", "all", False, 7, 3, 1, 3, 0.0, -53.68, 1),
        ("quarter", "business_unit", "Butik", True, None, None, None, None, None, None, None),
        ("quarter", "business_unit", "HR", True, None, None, None, None, None, None, None),
        ("quarter", "overall", "all", False, 7, 3, 1, 3, 0.0, -53.68, 1),
    ]


def test_score_distribution(warehouse):
    rows = warehouse.query(
        """select score, responses_with_score, share_of_responses from marts.score_distribution
           where programme = 'relationship' and period_grain = 'month' and period_start = $feb
             and dimension = 'overall' order by score""",
        {"feb": FEB},
    )
    counts = {score: n for score, n, _ in rows}
    # r1-r5: 10, 6, 9, 3, 8
    assert counts == {0: 0, 1: 0, 2: 0, 3: 1, 4: 0, 5: 0, 6: 1, 7: 0, 8: 1, 9: 1, 10: 1}
    assert [share for score, _, share in rows if score == 10] == [0.2]


def test_verbatims_are_redacted_with_language_and_themes(warehouse):
    rows = dict(
        (verbatim_id, rest)
        for verbatim_id, *rest in warehouse.query(
            "select verbatim_id, verbatim_text, language, themes from marts.verbatims"
        )
    )
    # the [phone] placeholder is not the word "phone" (a support keyword)
    assert rows["r7:reason"] == ["För dyrt, ring mig på [phone]", "sv", "price"]
    assert rows["r7:improvement"] == ["Sänk priset", "sv", "price"]
    assert rows["r8:reason"] == ["Mitt personnummer är [national-id], fixa fakturan", "sv", "price"]
    assert rows["r9:reason"] == ["Dårlig dækning, skriv til [email]", "da", "quality"]
    assert rows["r10:reason"] == ["Great support, call me on [phone]", "en", "support"]
    assert rows["r3:reason"] == ["Mit CPR-nummer er [national-id]", "da", None]
    assert rows["r5:reason"] == ["Fødselsnummer [national-id]", "da", None]
    # an employee's comment is HR's, and only as text of a quarter of at least 5 comments
    assert "e1:reason" not in rows
    assert warehouse.query("select count(*) from hr.enps_comments") == [(0,)]


def test_theme_impact(warehouse):
    rows = {
        (programme, theme): (mentioning, round(nps_mentioning, 2), round(nps_not, 2), round(impact, 2))
        for programme, theme, mentioning, nps_mentioning, nps_not, impact in warehouse.query(
            """select programme, theme, responses_mentioning, nps_mentioning, nps_not_mentioning, impact
               from marts.theme_impact
               where period_grain = 'month' and period_start = $feb""",
            {"feb": FEB},
        )
    }
    # transactional (NPS 0): price r7 D, r8 Pa -> -50; the other 3 (r6 P, r9 D, r10 P) -> 33.33
    assert rows[("transactional", "price")] == (2, -50.0, 33.33, -33.33)
    # quality: r9 D -> -100; the other 4 (2 P, 1 Pa, 1 D) -> 25
    assert rows[("transactional", "quality")] == (1, -100.0, 25.0, -25.0)
    # support: r10 P -> 100; the other 4 (1 P, 1 Pa, 2 D) -> -25
    assert rows[("transactional", "support")] == (1, 100.0, -25.0, 25.0)
    # relationship (NPS 0): staff r1 P -> 100; the other 4 (1 P, 1 Pa, 2 D) -> -25
    assert rows[("relationship", "staff")] == (1, 100.0, -25.0, 25.0)
    assert rows[("relationship", "price")] == (1, -100.0, 25.0, -25.0)


def test_detractor_followups(warehouse):
    rows = {
        response_id: rest
        for response_id, *rest in warehouse.query(
            """select response_id, followup_status, is_contacted_within_sla, hours_to_contact,
                      next_score, is_recovered, outcome_text, reason_text
               from marts.detractor_followups"""
        )
    }
    assert set(rows) == {"r2", "r4", "r7", "r9", "r12"}
    assert rows["r7"] == [
        "resolved",
        True,
        24.0,
        9,
        True,
        "Löst, ring [phone] vid frågor",
        "För dyrt, ring mig på [phone]",
    ]
    assert rows["r9"][:5] == ["contacted", False, 72.0, None, None]
    assert rows["r4"][:5] == ["overdue", False, None, 2, False]
    owner = warehouse.query("select owner_key from marts.detractor_followups where response_id = 'r7'")
    assert owner == [(hmac.new(TEST_KEY.encode(), b"karin berg", hashlib.sha256).hexdigest(),)]


def test_followup_summary(warehouse):
    rows = warehouse.query(
        """select detractors, contacted, contacted_within_sla, share_contacted_within_sla,
                  resolved, overdue, average_hours_to_contact, with_next_response, recovered,
                  recovery_rate
           from marts.followup_summary
           where period_grain = 'month' and period_start = $feb and dimension = 'overall'""",
        {"feb": FEB},
    )
    assert rows == [(4, 2, 1, 0.25, 1, 2, 48.0, 2, 1, 0.5)]


def test_account_nps_by_three_methods(warehouse):
    accounts = warehouse.query(
        """select account_id, responses, round(nps, 2), round(average_score, 3),
                  account_category_by_average, decision_maker_score, account_category_by_decision_maker
           from marts.nps_by_account where period_grain = 'quarter' and period_start = $q1
           order by 1""",
        {"q1": Q1},
    )
    assert accounts == [
        ("ACC1", 3, 33.33, 8.333, "passive", 10, "promoter"),
        ("ACC2", 3, -66.67, 4.333, "detractor", 2, "detractor"),  # the latest decision-maker answer
    ]
    portfolio = warehouse.query(
        """select accounts, responses, round(nps_all_responses, 2), nps_by_account_average,
                  accounts_with_decision_maker, nps_by_decision_maker
           from marts.nps_account_portfolio where period_grain = 'quarter' and period_start = $q1""",
        {"q1": Q1},
    )
    assert portfolio == [(2, 6, -16.67, -50.0, 2, 0.0)]


def test_response_funnel_where_the_source_tracks_it(warehouse):
    rows = warehouse.query(
        """select dimension_value, invitations, responses, delivered, opened, started, completed,
                  delivery_rate, open_rate, start_rate, completion_rate, response_rate,
                  is_response_rate_target_met
           from marts.response_rates where period_grain = 'month' and period_start = $feb
             and dimension in ('overall', 'channel') order by 1""",
        {"feb": FEB},
    )
    assert rows == [
        ("all", 6, 2, 3, 2, 1, 1, 0.75, 2 / 3, 0.5, 1.0, 1 / 3, False),
        ("email", 4, 1, 3, 2, 1, 1, 0.75, 2 / 3, 0.5, 1.0, 0.25, False),
        ("sms", 2, 1, None, None, None, None, None, None, None, None, 0.5, False),
    ]


def test_trend_columns_and_targets(warehouse):
    rows = warehouse.query(
        """select programme, period_start, previous_period_nps, nps_change, is_change_significant,
                  round(rolling_3_month_nps, 2), target_nps, is_target_met, is_period_complete
           from marts.nps_by_period
           where programme in ('relationship', 'transactional') and period_grain = 'month'
           order by 1, 2"""
    )
    # Feb 2 P, 1 Pa, 2 D (Var 0.8, n 5) -> March one response: z = +-100 / (100 sqrt(0.8 / 5))
    # = +-2.5, p = 0.012. Rolling Jan-Mar: relationship 2 P, 1 Pa, 3 D of 6; transactional 3 P, 1 Pa, 2 D
    assert rows == [
        ("relationship", FEB, None, None, None, 0.0, 30.0, False, True),
        ("relationship", MAR, 0.0, -100.0, True, -16.67, 30.0, False, True),
        ("transactional", FEB, None, None, None, 0.0, 30.0, False, True),
        ("transactional", MAR, 0.0, 100.0, True, 16.67, 30.0, True, True),
    ]
