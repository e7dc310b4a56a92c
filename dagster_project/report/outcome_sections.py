"""What NPS is worth, in the report: churn by category after the answers of the latest year
with a horizon that is over (marts.nps_outcomes), retention curves by category
(marts.retention_curves) and earned growth by quarter (marts.earned_growth). Left out when
the warehouse has no CRM or billing exports."""

from __future__ import annotations

import altair as alt
import duckdb
import pandas as pd

from dagster_project.report import charts
from dagster_project.report.section import Section, frame


def churn_by_category(con: duckdb.DuckDBPyConnection) -> Section | None:
    table = frame(
        con,
        """with latest as (
               select programme, max(period_start) as year
               from marts.nps_outcomes
               where period_grain = 'year' and is_horizon_complete and horizon_days = 180
               group by programme
           )
           select outcomes.programme, outcomes.period_start as year, outcomes.horizon_days,
                  outcomes.nps_category, outcomes.customers, outcomes.churned, outcomes.churn_rate,
                  outcomes.churn_rate_ci_low, outcomes.churn_rate_ci_high, outcomes.is_low_sample,
                  outcomes.is_horizon_complete, risk.relative_risk, risk.relative_risk_ci_low,
                  risk.relative_risk_ci_high, risk.p_value
           from marts.nps_outcomes as outcomes
           inner join latest
               on outcomes.programme = latest.programme and outcomes.period_start = latest.year
           left join marts.churn_relative_risk as risk
               on risk.programme = outcomes.programme and risk.period_grain = outcomes.period_grain
               and risk.period_start = outcomes.period_start and risk.horizon_days = outcomes.horizon_days
               and outcomes.nps_category = 'detractor'
           where outcomes.period_grain = 'year'
           order by outcomes.programme, outcomes.horizon_days,
                    case outcomes.nps_category when 'detractor' then 1 when 'passive' then 2 else 3 end""",
    )
    if table.empty:
        return None
    return Section(
        "worth-churn",
        "What NPS is worth: customers who left after answering, by category",
        "marts.nps_outcomes",
        table,
        charts=charts.per_programme(table, _churn_chart),
        note="Of the customers who answered in the year (and were customers that day), the share who left "
        "within 90, 180 and 365 days of their last answer, with 95% intervals; relative risk = detractors' "
        "rate ÷ promoters' (marts.churn_relative_risk). A horizon not yet over is a floor "
        "(is_horizon_complete). Association, not cause.",
    )


def _with_category_label(table: pd.DataFrame) -> pd.DataFrame:
    """The chart colours are keyed by the plural labels the other charts use (promoters ...)."""
    return table.assign(category=table.nps_category + "s")


def _churn_chart(table: pd.DataFrame) -> alt.TopLevelMixin:
    base = alt.Chart(_with_category_label(table)).properties(width="container", height=charts.HEIGHT)
    horizon = alt.X("horizon_days:O", title="days after the answer")
    colour = alt.Color("category:N", scale=charts._categories(), legend=alt.Legend(orient="bottom"))
    bars = base.mark_bar().encode(
        x=horizon,
        xOffset="category:N",
        y=alt.Y("churn_rate:Q", title="left", axis=alt.Axis(format="%")),
        color=colour,
        tooltip=[
            "nps_category:N",
            "horizon_days:O",
            "customers:Q",
            "churned:Q",
            alt.Tooltip("churn_rate:Q", format=".1%"),
            alt.Tooltip("churn_rate_ci_low:Q", format=".1%"),
            alt.Tooltip("churn_rate_ci_high:Q", format=".1%"),
        ],
    )
    whiskers = base.mark_rule(color="#333").encode(
        x=horizon, xOffset="category:N", y="churn_rate_ci_low:Q", y2="churn_rate_ci_high:Q"
    )
    return bars + whiskers


def retention_curves(con: duckdb.DuckDBPyConnection) -> Section | None:
    table = frame(
        con,
        """select programme, nps_category, days_since_answer, customers_at_risk, churned, censored,
                  survival, survival_ci_low, survival_ci_high
           from marts.retention_curves
           where days_since_answer <= 730
           order by programme, nps_category, days_since_answer""",
    )
    if table.empty:
        return None
    # the table under the chart: the curves at 90, 180 and 365 days (the last step at or before)
    marks = frame(
        con,
        """select programme, nps_category, marks.days as days_since_answer,
                  arg_max(survival, days_since_answer) as survival,
                  arg_max(survival_ci_low, days_since_answer) as survival_ci_low,
                  arg_max(survival_ci_high, days_since_answer) as survival_ci_high
           from marts.retention_curves
           cross join (select unnest([90, 180, 365]) as days) as marks
           where days_since_answer <= marks.days
           group by programme, nps_category, marks.days
           order by programme, marks.days, nps_category""",
    )
    return Section(
        "worth-retention",
        "What NPS is worth: retention curves by category",
        "marts.retention_curves",
        marks,
        charts=charts.per_programme(table, _retention_chart),
        note="The share of customers still customers that many days after their last answer (Kaplan-Meier; "
        "those still customers on the day churn is known through are followed until then). The table: the "
        "curves at 90, 180 and 365 days with 95% intervals.",
    )


def _retention_chart(table: pd.DataFrame) -> alt.TopLevelMixin:
    return (
        alt.Chart(_with_category_label(table))
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("days_since_answer:Q", title="days after the answer"),
            y=alt.Y(
                "survival:Q", title="still a customer", axis=alt.Axis(format="%"), scale=alt.Scale(zero=False)
            ),
            color=alt.Color("category:N", scale=charts._categories(), legend=alt.Legend(orient="bottom")),
            tooltip=[
                "nps_category:N",
                "days_since_answer:Q",
                "customers_at_risk:Q",
                alt.Tooltip("survival:Q", format=".1%"),
            ],
        )
        .properties(width="container", height=charts.HEIGHT)
    )


def earned_growth(con: duckdb.DuckDBPyConnection) -> Section | None:
    table = frame(
        con,
        """select period_start as quarter, currency, previous_revenue, revenue, retained_revenue,
                  earned_new_revenue, bought_new_revenue, other_revenue, nrr, enc, egr, reported_growth,
                  earned_share_of_growth, is_complete_period
           from marts.earned_growth
           where period_grain = 'quarter' and previous_revenue is not null
           order by quarter""",
    )
    if table.empty:
        return None
    long = table.melt(id_vars=["quarter"], value_vars=["egr", "reported_growth"], var_name="measure")
    chart = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("quarter:T", title=None, axis=alt.Axis(format="%Y Q%q")),
            y=alt.Y("value:Q", title="growth on the previous quarter", axis=alt.Axis(format="%")),
            color=alt.Color("measure:N", legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("quarter:T", format="%Y-%m"),
                "measure:N",
                alt.Tooltip("value:Q", format=".1%"),
            ],
        )
        .properties(width="container", height=charts.HEIGHT, title="Earned Growth Rate and reported growth")
    )
    return Section(
        "worth-growth",
        "What NPS is worth: earned growth by quarter",
        "marts.earned_growth",
        table,
        chart,
        note="EGR = NRR + ENC − 1: revenue kept from last quarter's customers plus revenue of customers who "
        "came through a recommendation (referral, word of mouth), as shares of last quarter's revenue. "
        "The growth the company would have had without buying any customer.",
    )


def outcome_sections(con: duckdb.DuckDBPyConnection) -> list[Section]:
    sections = (churn_by_category(con), retention_curves(con), earned_growth(con))
    return [section for section in sections if section is not None]
