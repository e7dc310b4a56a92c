"""What NPS is worth, on the committed sample run through the whole pipeline: the outcome
marts recomputed here from the published rows and checked against independent formulas
(no SQL shared with the models), the churn effect the sample was generated with is found,
the summary says it, and nothing personal is published."""

from __future__ import annotations

import math
from collections import defaultdict

import duckdb

from dagster_project.publishing.summary import summary_text

Z = 1.959963984540054


def wilson(successes: int, n: int) -> tuple[float, float]:
    p = successes / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return (0.0 if successes == 0 else centre - half, 1.0 if successes == n else centre + half)


def published(warehouse) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(warehouse.settings.published_path), read_only=True)


def test_churn_rates_intervals_and_relative_risk_are_what_the_formulas_give(sample_warehouse):
    with published(sample_warehouse) as con:
        outcomes = con.execute(
            """select programme, period_grain, period_start, horizon_days, nps_category, customers, churned,
                      churn_rate, churn_rate_ci_low, churn_rate_ci_high
               from marts.nps_outcomes"""
        ).fetchall()
        risks = con.execute(
            """select programme, period_grain, period_start, horizon_days, relative_risk,
                      relative_risk_ci_low, relative_risk_ci_high, p_value
               from marts.churn_relative_risk"""
        ).fetchall()
    assert outcomes and risks
    sides = defaultdict(dict)
    for programme, grain, start, horizon, category, customers, churned, rate, low, high in outcomes:
        assert math.isclose(rate, churned / customers)
        expected_low, expected_high = wilson(churned, customers)
        assert math.isclose(low, expected_low, abs_tol=1e-12) and math.isclose(
            high, expected_high, abs_tol=1e-12
        )
        sides[(programme, grain, start, horizon)][category] = (churned, customers)
    checked = 0
    for key, ratio, low, high, p_value in ((r[:4], *r[4:]) for r in risks):
        (a, n1), (c, n2) = sides[key].get("detractor", (0, 0)), sides[key].get("promoter", (0, 0))
        if not (a and c):
            continue
        rr = (a / n1) / (c / n2)
        se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
        pooled = (a + c) / (n1 + n2)
        z = (a / n1 - c / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        assert math.isclose(ratio, rr)
        assert math.isclose(low, rr * math.exp(-Z * se)) and math.isclose(high, rr * math.exp(Z * se))
        # the models' normal tail is Abramowitz & Stegun's (|error| < 1.5e-7 on erf)
        assert math.isclose(p_value, math.erfc(abs(z) / math.sqrt(2)), rel_tol=0, abs_tol=3e-7)
        checked += 1
    assert checked >= 10


def test_the_sample_shows_detractors_leaving_more_often(sample_warehouse):
    """The generator's monthly churn hazard is 4% for detractors, 1% for promoters."""
    with published(sample_warehouse) as con:
        rows = con.execute(
            """select programme, relative_risk, relative_risk_ci_low, p_value from marts.churn_relative_risk
               where period_grain = 'year' and period_start = date '2025-01-01' and horizon_days = 180"""
        ).fetchall()
    assert {programme for programme, *_ in rows} == {"relationship", "transactional"}
    for _, ratio, low, p_value in rows:
        assert ratio > 2 and low > 1 and p_value < 0.01


def test_earned_growth_adds_up_and_links_are_reported(sample_warehouse):
    with published(sample_warehouse) as con:
        growth = con.execute(
            """select period_grain, previous_revenue, revenue, retained_revenue, earned_new_revenue,
                      bought_new_revenue, other_revenue, nrr, enc, egr
               from marts.earned_growth where previous_revenue is not null"""
        ).fetchall()
        links = dict(
            con.execute("select link, sum(answers) from marts.customer_links group by link").fetchall()
        )
        columns = {
            name
            for (name,) in con.execute(
                """select column_name from information_schema.columns
                   where table_name in
                       ('customer_links', 'nps_outcomes', 'churn_relative_risk', 'earned_growth')"""
            ).fetchall()
        }
    assert {grain for grain, *_ in growth} == {"month", "quarter", "year"}
    for _, previous, revenue, retained, earned, bought, other, nrr, enc, egr in growth:
        assert revenue == retained + earned + bought + other
        assert math.isclose(nrr, float(retained / previous)) and math.isclose(enc, float(earned / previous))
        assert math.isclose(egr, nrr + enc - 1)
    assert links["customer_id"] and links["email"] and links["account"]
    assert links["not linked"] < 0.2 * sum(links.values())
    assert not columns & {"customer_id", "email", "respondent_id", "customer_key", "email_key"}


def test_the_summary_says_what_nps_is_worth(sample_warehouse):
    text = summary_text(sample_warehouse.settings)
    assert "What NPS is worth" in text
    assert "relationship, customers who answered in 2025, left within 180 days: detractors " in text
    assert "detractors left " in text and "Earned growth 2025: revenue " in text and "EGR " in text
