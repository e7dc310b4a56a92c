"""What NPS is worth, in the summary `make run` prints: churn by category after the answers
of the latest year whose horizon has elapsed (marts.nps_outcomes, marts.churn_relative_risk),
and the Earned Growth Rate of the last complete year (marts.earned_growth). Nothing is
printed when the warehouse has no CRM or billing exports."""

from __future__ import annotations

import duckdb

CATEGORIES = ("detractor", "passive", "promoter")


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _churn_lines(con: duckdb.DuckDBPyConnection, programme: str) -> list[str]:
    """The latest year cohort and the longest horizon that has elapsed for all of it (else
    the latest cohort's shortest horizon, said to be a floor)."""
    rows = con.execute(
        """select period_start, horizon_days, bool_and(is_horizon_complete) as complete
           from marts.nps_outcomes
           where programme = $programme and period_grain = 'year'
           group by period_start, horizon_days
           order by complete desc, period_start desc, horizon_days desc
           limit 1""",
        {"programme": programme},
    ).fetchall()
    if not rows:
        return []
    year, horizon, complete = rows[0]
    rates = dict(
        (category, (rate, low, high, customers))
        for category, rate, low, high, customers in con.execute(
            """select nps_category, churn_rate, churn_rate_ci_low, churn_rate_ci_high, customers
               from marts.nps_outcomes
               where programme = $programme and period_grain = 'year' and period_start = $year
                 and horizon_days = $horizon""",
            {"programme": programme, "year": year, "horizon": horizon},
        ).fetchall()
    )
    shown = ", ".join(
        f"{category}s {_percent(rates[category][0])} [{_percent(rates[category][1])}–"
        f"{_percent(rates[category][2])}] of {rates[category][3]}"
        for category in CATEGORIES
        if category in rates
    )
    floor = "" if complete else " (horizon not over yet: a floor)"
    lines = [
        f"  {programme}, customers who answered in {year:%Y}, left within {horizon} days{floor}: {shown}"
    ]
    risk = con.execute(
        """select relative_risk, relative_risk_ci_low, relative_risk_ci_high, p_value
           from marts.churn_relative_risk
           where programme = $programme and period_grain = 'year' and period_start = $year
             and horizon_days = $horizon""",
        {"programme": programme, "year": year, "horizon": horizon},
    ).fetchall()
    if risk and risk[0][0] is not None:
        ratio, low, high, p_value = risk[0]
        interval = f"95%: {low:.1f}–{high:.1f}, " if low is not None else ""
        significance = "p < 0.001" if p_value is not None and p_value < 0.001 else f"p = {p_value:.3f}"
        lines.append(f"    detractors left {ratio:.1f}× as often as promoters ({interval}{significance})")
    return lines


def _growth_line(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        """select period_start, currency, previous_revenue, revenue, nrr, enc, egr, reported_growth,
                  earned_share_of_growth
           from marts.earned_growth
           where period_grain = 'year' and is_complete_period
           order by period_start desc limit 1"""
    ).fetchall()
    if not rows:
        return []
    year, currency, previous, revenue, nrr, enc, egr, growth, share = rows[0]
    earned = f"; {_percent(share)} of the growth earned" if share is not None else ""
    return [
        f"  Earned growth {year:%Y}: revenue {previous:,.0f} → {revenue:,.0f} {currency} "
        f"({_percent(growth)}); NRR {_percent(nrr)}, earned new customers {_percent(enc)}, "
        f"EGR {_percent(egr)}{earned} (marts.earned_growth)"
    ]


def outcome_lines(con: duckdb.DuckDBPyConnection, programmes: tuple[str, ...]) -> list[str]:
    churn = [line for programme in programmes for line in _churn_lines(con, programme)]
    growth = _growth_line(con)
    if not churn and not growth:
        return []
    header = (
        "What NPS is worth (churn by category of the last answer: marts.nps_outcomes; association, not cause)"
    )
    return [header, *churn, *growth]
