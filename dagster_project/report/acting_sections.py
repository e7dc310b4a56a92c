"""The report's sections on acting on NPS: detractor alerts, the response funnel, closing
the loop (the call-backs due first) and what customers say (themes and their impact)."""

from __future__ import annotations

from dagster_project.report import charts
from dagster_project.report.section import (
    CUSTOMER_PROGRAMMES,
    Section,
    frame,
    last_complete,
    latest_period_filter,
)

QUEUE_ROWS = 25


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
    latest = last_complete(con, "quarter", CUSTOMER_PROGRAMMES)
    table = frame(
        con,
        f"""with impact as (
                select programme, period_start as quarter, theme, responses_mentioning, share_mentioning,
                       nps_mentioning, nps_not_mentioning, impact,
                       row_number() over (partition by programme order by abs(impact) desc, theme) as rank
                from marts.theme_impact
                where period_grain = 'quarter' and not is_suppressed and {latest_period_filter(latest)}
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
