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


def kaplan_meier(followed: list[tuple[int, bool]]) -> dict[int, float]:
    """Survival after each day on which someone left or was censored (the product-limit
    estimator, written out: at each day, survival × (1 − left / at risk))."""
    survival, curve = 1.0, {}
    for day in sorted({d for d, _ in followed}):
        at_risk = sum(1 for d, _ in followed if d >= day)
        left = sum(1 for d, gone in followed if d == day and gone)
        survival *= 1 - left / at_risk
        curve[day] = survival
    return curve


def test_retention_curves_are_the_product_limit_estimate(sample_warehouse):
    """Customers followed from their last answer in the programme, recomputed in Python from
    the warehouse's linked answers and the CRM export."""
    (known,) = sample_warehouse.query("select churn_known_through from intermediate.int_churn_known_through")[
        0
    ]
    customers = {
        key: (acquired, churned)
        for key, acquired, churned in sample_warehouse.query(
            "select customer_key, acquired_at, churned_at from staging.stg_inbox__customers"
        )
    }
    latest: dict[tuple[str, str], tuple] = {}
    for programme, key, responded_at, response_id, day, category in sample_warehouse.query(
        """select programme, customer_key, responded_at, response_id, response_date, nps_category
           from intermediate.int_answer_customer_links where customer_key is not null"""
    ):
        if (programme, key) not in latest or (responded_at, response_id) > latest[(programme, key)][:2]:
            latest[(programme, key)] = (responded_at, response_id, day, category)
    followed = defaultdict(list)
    for (programme, key), (_, _, day, category) in latest.items():
        acquired, churned = customers[key]
        if day > known or (acquired and acquired > day) or (churned and churned < day):
            continue
        gone = churned is not None and churned <= known
        followed[(programme, category)].append((((churned if gone else known) - day).days, gone))
    with published(sample_warehouse) as con:
        rows = con.execute(
            """select programme, nps_category, days_since_answer, survival, customers_at_risk
               from marts.retention_curves"""
        ).fetchall()
    assert {(p, c) for p, c, *_ in rows} == set(followed)
    for (programme, category), people in followed.items():
        expected = kaplan_meier(people)
        curve = {day: s for p, c, day, s, _ in rows if (p, c) == (programme, category) and day in expected}
        assert curve.keys() == expected.keys()
        for day, survival in expected.items():
            assert math.isclose(curve[day], survival, rel_tol=1e-9, abs_tol=1e-12), (programme, category, day)
    # promoters stay longer: after a year, more of them are still customers than detractors
    year = {
        (p, c): min((s for p2, c2, day, s, _ in rows if (p2, c2) == (p, c) and day <= 365), default=1.0)
        for p, c in followed
    }
    for programme in ("relationship", "transactional"):
        assert year[(programme, "promoter")] > year[(programme, "detractor")]


def test_lagged_correlations_are_pearsons_r_of_the_segment_series(sample_warehouse):
    import statistics

    series = defaultdict(dict)
    for programme, kind, value, quarter, nps, churn, nrr in sample_warehouse.query(
        """select programme, segment_type, segment_value, quarter_start, nps, churn_rate, nrr
           from intermediate.int_segment_quarters"""
    ):
        series[(programme, kind, value)][quarter] = (nps, churn, nrr)
    with published(sample_warehouse) as con:
        rows = con.execute(
            """select programme, segment_type, segment_value, lag_quarters, outcome, quarters,
                      correlation, p_value
               from marts.nps_outcome_correlations"""
        ).fetchall()
    assert {outcome for *_, outcome, _, _, _ in rows} == {"churn_rate", "nrr"}
    checked = 0
    for programme, kind, value, lag, outcome, n, r, p_value in rows:
        quarters = series[(programme, kind, value)]
        pairs = []
        for quarter, (nps, _, _) in quarters.items():
            month = quarter.month - 1 + 3 * lag
            later = quarters.get(quarter.replace(year=quarter.year + month // 12, month=month % 12 + 1))
            value_later = later and later[1 if outcome == "churn_rate" else 2]
            if nps is not None and value_later is not None:
                pairs.append((nps, value_later))
        assert n == len(pairs)
        if n < 4 or len({x for x, _ in pairs}) < 2 or len({y for _, y in pairs}) < 2:
            continue
        expected = statistics.correlation([x for x, _ in pairs], [y for _, y in pairs])
        assert math.isclose(r, expected, abs_tol=1e-9)
        if abs(r) < 1:
            z = math.atanh(r) * math.sqrt(n - 3)
            assert math.isclose(p_value, math.erfc(abs(z) / math.sqrt(2)), rel_tol=0, abs_tol=3e-7)
        checked += 1
    assert checked >= 20
