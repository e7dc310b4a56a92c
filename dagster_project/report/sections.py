"""What the report shows, read from the published marts: one `Section` per question a CX lead
asks on Monday, each a table (what the page prints, the numbers as the marts hold them) and
the chart drawn from it.

Every query reads `marts.*` / `reference.*` / `meta.publication` of the published file (or
Spark's published copy), never the warehouse. Relationship and transactional NPS are shown
apart, never blended. Employee NPS is not here: HR's report reads HR's own file
(report/enps_sections.py). Periods: the last complete month of each programme.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import altair as alt
import duckdb
import pandas as pd

from dagster_project.report import charts

CUSTOMER_PROGRAMMES = ("relationship", "transactional")
TREND_MONTHS = 24
QUEUE_ROWS = 25


@dataclass
class Section:
    key: str  # the HTML id, and what the browser test finds the table by
    title: str
    mart: str  # where the numbers come from
    table: pd.DataFrame
    chart: alt.TopLevelMixin | None = None
    note: str = ""
    charts: list[alt.TopLevelMixin] = field(default_factory=list)
    # More tables under the chart: (key, title, rows)
    details: list[tuple[str, str, pd.DataFrame]] = field(default_factory=list)

    def all_charts(self) -> list[alt.TopLevelMixin]:
        return ([self.chart] if self.chart is not None else []) + self.charts


@dataclass
class Freshness:
    version: str
    published_at: dt.datetime
    first_month: dt.date | None
    last_month: dt.date | None
    latest_response: dt.date | None


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pd.DataFrame:
    return con.execute(sql, params or {}).df()


def freshness(con: duckdb.DuckDBPyConnection) -> Freshness:
    version, published_at = con.execute("select version, published_at from meta.publication").fetchall()[0]
    first, last, latest = con.execute(
        """select min(period_start), max(period_start),
                  (select max(response_date) from marts.nps_responses)
           from marts.nps_by_period where period_grain = 'month'"""
    ).fetchall()[0]
    return Freshness(version, published_at, first, last, latest)


def _last_complete(con, grain: str, programmes: tuple[str, ...]) -> dict[str, dt.date]:
    rows = con.execute(
        """select programme, max(period_start) from marts.nps_by_period
           where period_grain = $grain and is_period_complete and list_contains($programmes, programme)
           group by programme""",
        {"grain": grain, "programmes": list(programmes)},
    ).fetchall()
    return dict(rows)


def _latest_period_filter(latest: dict[str, dt.date], alias: str = "") -> str:
    """A where-clause picking each programme's period (names and dates come from the marts)."""
    if not latest:
        return "false"
    prefix = f"{alias}." if alias else ""
    return (
        "("
        + " or ".join(
            f"({prefix}programme = '{p}' and {prefix}period_start = date '{d}')" for p, d in latest.items()
        )
        + ")"
    )


def nps_trend(con) -> Section:
    table = frame(
        con,
        """select programme, period_start as month, responses, nps, nps_ci_low, nps_ci_high,
                  target_nps, nps_band, is_low_sample, is_period_complete
           from marts.nps_by_period
           where period_grain = 'month' and list_contains($programmes, programme)
             and period_start > (select max(period_start) from marts.nps_by_period
                                 where period_grain = 'month') - to_months($months)
           order by programme, month""",
        {"programmes": list(CUSTOMER_PROGRAMMES), "months": TREND_MONTHS},
    )
    bands = frame(con, "select band, nps_from, nps_to, description from reference.nps_benchmark_bands")
    return Section(
        "nps-trend",
        "NPS by month, relationship and transactional apart",
        "marts.nps_by_period",
        table,
        charts=[
            charts.nps_trend(table[table.programme == p], bands, p)
            for p in CUSTOMER_PROGRAMMES
            if (table.programme == p).any()
        ],
        note="Shaded: the 95% interval of each month's NPS. Background: the benchmark bands "
        "(reference.nps_benchmark_bands). Dashed: the target. Hollow points: under the minimum sample.",
    )


def category_split(con) -> Section:
    table = frame(
        con,
        """select programme, period_start as month, responses,
                  pct_promoters, pct_passives, pct_detractors, nps
           from marts.nps_by_period
           where period_grain = 'month' and list_contains($programmes, programme)
             and period_start > (select max(period_start) from marts.nps_by_period
                                 where period_grain = 'month') - to_months(12)
           order by programme, month""",
        {"programmes": list(CUSTOMER_PROGRAMMES)},
    )
    return Section(
        "categories",
        "Promoters, passives and detractors by month",
        "marts.nps_by_period",
        table,
        charts=charts.per_programme(table, charts.category_split),
        note="Shares in % of the month's responses; NPS = promoters - detractors.",
    )


def score_distribution(con) -> Section:
    latest = _last_complete(con, "quarter", CUSTOMER_PROGRAMMES)
    table = frame(
        con,
        f"""select programme, period_start as quarter, score, responses, share_of_responses
            from marts.score_distribution
            where period_grain = 'quarter' and dimension_kind = 'overall'
              and {_latest_period_filter(latest)}
            order by programme, score""",
    )
    return Section(
        "scores",
        "The 0-10 scores behind the number (last complete quarter)",
        "marts.score_distribution",
        table,
        charts=charts.per_programme(table, charts.score_distribution),
        note="Two programmes can share an NPS and still differ: look at the mix of scores.",
    )


def touchpoints(con) -> Section:
    latest = _last_complete(con, "quarter", ("transactional",))
    table = frame(
        con,
        f"""select programme, period_start as quarter, touchpoint, responses, nps, nps_ci_low, nps_ci_high,
                   is_low_sample
            from marts.nps_by_touchpoint
            where period_grain = 'quarter' and survey_id = 'all' and {_latest_period_filter(latest)}
            order by nps desc, touchpoint""",
    )
    return Section(
        "touchpoints",
        "Transactional NPS per touchpoint (last complete quarter)",
        "marts.nps_by_touchpoint",
        table,
        charts.nps_bars(table, "touchpoint"),
        note="Bars: NPS; lines: 95% interval; pale bars: under the minimum sample.",
    )


def change_decomposition(con) -> Section:
    latest = _last_complete(con, "month", CUSTOMER_PROGRAMMES)
    table = frame(
        con,
        f"""select programme, period_start as month, previous_period_start as previous_month,
                   dimension_value as channel, previous_share, share, previous_nps, nps,
                   mix_effect, performance_effect, total_nps_change
            from marts.nps_change_decomposition
            where period_grain = 'month' and dimension_kind = 'channel' and {_latest_period_filter(latest)}
            order by programme, channel""",
    )
    return Section(
        "what-moved",
        "What moved NPS since the month before, by channel",
        "marts.nps_change_decomposition",
        table,
        charts=charts.per_programme(table, charts.change_decomposition),
        note="Mix: the channel's share of responses changed; performance: its NPS changed. "
        "The effects of a programme add up to its change.",
    )


# Each programme's own invitations, by channel or by segment (long), per sent date: the
# response rate of a programme's row is of that programme's invitations only.
_INVITATIONS_BY = {
    "marts.nps_by_channel": "select *, 'channel' as dimension, channel as value from marts.invitations_daily",
    "marts.nps_by_segment": """select *, replace(segment_column, 'segment_', '') as dimension
                               from (unpivot marts.invitations_daily on columns('^segment_')
                                     into name segment_column value value)""",
}


def _by_dimension(con, key: str, title: str, mart: str, value_column: str, where: str) -> Section:
    latest = _last_complete(con, "quarter", CUSTOMER_PROGRAMMES)
    dimension = "segment_type" if mart == "marts.nps_by_segment" else "'channel'"
    table = frame(
        con,
        f"""with rates as (
                select programme, date_trunc('quarter', sent_date) as period_start, dimension, value,
                       sum(responses) / sum(invitations) as response_rate
                from ({_INVITATIONS_BY[mart]}) as invitations
                group by all
            )
            select nps.programme, nps.period_start as quarter, {dimension} as dimension,
                   nps.{value_column} as value, nps.responses, nps.nps, nps.nps_margin_of_error,
                   nps.is_low_sample, rates.response_rate
            from {mart} as nps
            left join rates
                on rates.programme = nps.programme and rates.period_start = nps.period_start
               and rates.dimension = {dimension} and rates.value = nps.{value_column}
            where nps.period_grain = 'quarter' and {where}
              and {_latest_period_filter(latest, "nps")}
            order by nps.programme, dimension, value""",
    )
    return Section(
        key,
        title,
        mart,
        table,
        charts.nps_and_response_rate(table),
        note="Low sample: fewer responses than the minimum (var nps_min_sample); read such NPS "
        "with its margin. Response rate: of the programme's invitations of that group sent in the quarter.",
    )


def segments(con) -> Section:
    return _by_dimension(
        con,
        "segments",
        "NPS and response rate by segment (last complete quarter)",
        "marts.nps_by_segment",
        "segment_value",
        "not nps.is_suppressed",
    )


def channels(con) -> Section:
    return _by_dimension(
        con,
        "channels",
        "NPS and response rate by channel (last complete quarter)",
        "marts.nps_by_channel",
        "channel",
        "not nps.is_suppressed",
    )


def alerts(con) -> Section:
    table = frame(
        con,
        """select programme, period_start as month, dimension_kind, dimension, dimension_value, alert,
                  responses, nps, previous_period_nps, nps_change, nps_change_p_value
           from marts.nps_trend_alerts
           where period_grain = 'month' and list_contains($programmes, programme)
             and period_start = (select max(period_start) from marts.nps_trend_alerts
                                 where period_grain = 'month' and is_period_complete)
           order by nps_change, programme, dimension_kind, dimension_value""",
        {"programmes": list(CUSTOMER_PROGRAMMES)},
    )
    return Section(
        "alerts",
        "Significant changes and trend alerts (last complete month)",
        "marts.nps_trend_alerts",
        table,
        note="A significant drop (two-proportion test on the NPS difference, p < 0.05) "
        "or a third decline in a row.",
    )


def funnel(con) -> Section:
    table = frame(
        con,
        """select period_start as month, invitations, delivered, opened, started, completed, responses,
                  response_rate
           from marts.response_rates
           where period_grain = 'month' and dimension = 'overall'
             and period_start = (
                 select max(period_start) from marts.response_rates
                 where period_grain = 'month' and dimension = 'overall'
                   and period_start <= (select max(period_start) from marts.nps_by_period
                                        where period_grain = 'month' and is_period_complete))""",
    )
    return Section(
        "funnel",
        "Response funnel (last complete month of invitations)",
        "marts.response_rates",
        table,
        charts.funnel(table),
        note="Stages a survey tool does not report are empty, not zero.",
    )


def closing_the_loop(con) -> Section:
    table = frame(
        con,
        """select period_start as year, detractors, with_case, contacted, contacted_within_sla,
                  share_contacted_within_sla, overdue, still_open, resolved, recovered, recovery_rate,
                  sla_hours
           from marts.followup_summary
           where period_grain = 'year' and dimension = 'overall'
           order by year""",
    )
    queue = frame(
        con,
        """select response_id, channel, score, response_date, due_at, followup_status, has_case
           from marts.detractor_followups
           where followup_status in ('overdue', 'open')
           order by due_at, response_id
           limit $rows""",
        {"rows": QUEUE_ROWS},
    )
    return Section(
        "loop",
        "Closing the loop: detractors called back within the SLA",
        "marts.followup_summary",
        table,
        charts.closing_the_loop(table),
        note=f"The queue below: the {QUEUE_ROWS} open call-backs due first (marts.detractor_followups); "
        "respondents by pseudonymous key only.",
        details=[("loop-queue", "Call-backs due first", queue)],
    )


def themes(con) -> Section:
    latest = _last_complete(con, "quarter", CUSTOMER_PROGRAMMES)
    table = frame(
        con,
        f"""with impact as (
                select programme, period_start as quarter, theme, responses_mentioning, share_mentioning,
                       nps_mentioning, nps_not_mentioning, impact,
                       row_number() over (partition by programme order by abs(impact) desc, theme) as rank
                from marts.theme_impact
                where period_grain = 'quarter' and not is_suppressed and {_latest_period_filter(latest)}
            ),
            example as (
                select verbatims.programme, themes.theme,
                       arg_max(verbatims.verbatim_text, verbatims.response_date) as example_verbatim
                from marts.verbatims
                inner join marts.verbatim_themes as themes using (verbatim_id)
                group by verbatims.programme, themes.theme
            )
            select impact.* exclude (rank), example.example_verbatim
            from impact
            left join example using (programme, theme)
            where rank <= 8
            order by programme, abs(impact) desc, theme""",
    )
    return Section(
        "themes",
        "Top themes and their impact on NPS (last complete quarter)",
        "marts.theme_impact",
        table,
        charts=charts.per_programme(table, charts.theme_impact),
        note="Impact: the programme's NPS minus its NPS without the responses that mention the theme. "
        "Examples are redacted verbatims (emails, phone and id numbers replaced).",
    )


def customer_sections(con) -> list[Section]:
    return [
        nps_trend(con),
        touchpoints(con),
        change_decomposition(con),
        category_split(con),
        score_distribution(con),
        segments(con),
        channels(con),
        alerts(con),
        funnel(con),
        closing_the_loop(con),
        themes(con),
    ]
