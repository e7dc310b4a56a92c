"""What the report shows, read from the published marts: one `Section` per question a CX lead
asks on Monday, each a table (what the page prints, the numbers as the marts hold them) and
the chart drawn from it.

Every query reads `marts.*` / `reference.*` / `meta.publication` of the published file (or
Spark's published copy), never the warehouse. Relationship and transactional NPS are shown
apart, never blended. Employee NPS is not here: HR's report reads HR's own file
(report/enps_sections.py). Periods: the last complete month of each programme.
"""

from __future__ import annotations

from dagster_project.report import charts
from dagster_project.report.acting_sections import alerts, closing_the_loop, funnel, themes
from dagster_project.report.section import (
    CUSTOMER_PROGRAMMES,
    Section,
    frame,
    last_complete,
    latest_period_filter,
)

TREND_MONTHS = 24


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
    latest = last_complete(con, "quarter", CUSTOMER_PROGRAMMES)
    table = frame(
        con,
        f"""select programme, period_start as quarter, score, responses, share_of_responses
            from marts.score_distribution
            where period_grain = 'quarter' and dimension_kind = 'overall'
              and {latest_period_filter(latest)}
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
    latest = last_complete(con, "quarter", ("transactional",))
    table = frame(
        con,
        f"""select programme, period_start as quarter, touchpoint, responses, nps, nps_ci_low, nps_ci_high,
                   is_low_sample
            from marts.nps_by_touchpoint
            where period_grain = 'quarter' and survey_id = 'all' and {latest_period_filter(latest)}
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
    latest = last_complete(con, "month", CUSTOMER_PROGRAMMES)
    table = frame(
        con,
        f"""select programme, period_start as month, previous_period_start as previous_month,
                   dimension_value as channel, previous_share, share, previous_nps, nps,
                   mix_effect, performance_effect, total_nps_change
            from marts.nps_change_decomposition
            where period_grain = 'month' and dimension_kind = 'channel' and {latest_period_filter(latest)}
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
    latest = last_complete(con, "quarter", CUSTOMER_PROGRAMMES)
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
              and {latest_period_filter(latest, "nps")}
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
