"""The short result `make run` prints: recent monthly relationship and transactional NPS
(apart) with their margins, response rate, alerts, closing the loop, what NPS is worth
(churn by category, earned growth: outcome_summary.py), and what happened to the rows.
Customer NPS only: eNPS is HR's (`nps-warehouse summary --audience hr`, hr_summary.py)."""

from __future__ import annotations

import datetime as dt

from dagster_project.publishing.outcome_summary import outcome_lines
from dagster_project.publishing.published import published_marts
from dagster_project.publishing.survey_list import entry_lines, published_surveys
from dagster_project.settings import Settings
from dagster_project.survey_catalogue import load_survey_catalogue

MONTHS_SHOWN = 6
CUSTOMER_PROGRAMMES = ("relationship", "transactional")
GRAINS = ("week", "month", "quarter", "year")


def period_label(start: dt.date, grain: str) -> str:
    if grain == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if grain == "quarter":
        return f"{start:%Y}-Q{(start.month - 1) // 3 + 1}"
    if grain == "year":
        return f"{start:%Y}"
    return f"{start:%Y-%m}"


def summary_text(
    settings: Settings,
    months: int = MONTHS_SHOWN,
    grain: str = "month",
    since: dt.date | None = None,
    segment: str | None = None,
) -> str:
    """The short result `make run` prints, read from what was published (never the
    warehouse), on either engine: the same text from the same marts. `grain`: the periods
    shown (week, month, quarter, year); `since`: every period from that date on, instead of
    the last `months`; `segment`: NPS by that segment's values too (region, product, ...)."""
    if grain not in GRAINS:
        raise ValueError(f"grain {grain!r}: choose one of {', '.join(GRAINS)}")
    window = {"months": months if since is None else 100_000, "grain": grain, "since": since or dt.date.min}
    with published_marts(settings) as con:
        programmes = {
            programme: con.execute(
                """
                select period_start, responses, nps, nps_margin_of_error,
                       pct_promoters, pct_passives, pct_detractors, is_period_complete
                from marts.nps_by_period
                where period_grain = $grain and programme = $programme and period_start >= $since
                order by period_start desc
                limit $months""",
                {**window, "programme": programme},
            ).fetchall()
            for programme in CUSTOMER_PROGRAMMES
        }
        rates = con.execute(
            """select period_start, invitations, responses, response_rate from marts.response_rates
               where period_grain = $grain and dimension = 'overall' and period_start >= $since
               order by period_start desc limit $months""",
            window,
        ).fetchall()
        by_segment = {
            programme: con.execute(
                """select period_start, segment_value, responses, nps, nps_margin_of_error, is_low_sample
                   from marts.nps_by_segment
                   where period_grain = $grain and programme = $programme and segment_type = $segment
                     and period_start in (select period_start from marts.nps_by_period
                                          where period_grain = $grain and programme = $programme
                                            and period_start >= $since
                                          order by period_start desc limit $months)
                   order by period_start, segment_value""",
                {**window, "programme": programme, "segment": segment},
            ).fetchall()
            for programme in (CUSTOMER_PROGRAMMES if segment else ())
        }
        segment_types = [
            t
            for (t,) in con.execute(
                "select distinct segment_type from marts.nps_by_segment order by 1"
            ).fetchall()
        ]
        unclassified = con.execute(
            """select count(distinct survey_id), count(*) from marts.nps_responses
               where programme = 'unclassified'"""
        ).fetchall()[0]
        seen = []  # what to add to the catalogue, looked up only when something is missing from it
        if unclassified[1]:
            seen = published_surveys(con, load_survey_catalogue(settings.surveys_config))
        alerts = con.execute(
            """select count(*) from marts.nps_trend_alerts
               where period_grain = 'month' and programme in ('relationship', 'transactional')
                 and period_start = (select max(period_start) from marts.nps_trend_alerts
                                     where period_grain = 'month' and is_period_complete)"""
        ).fetchall()[0][0]
        loop = con.execute(
            """select sum(detractors), sum(contacted_within_sla), sum(recovered), sum(with_next_response)
               from marts.followup_summary where period_grain = 'year' and dimension = 'overall'"""
        ).fetchall()[0]
        files, valid, quarantined, excluded = con.execute(
            """select count(*), sum(valid_rows), sum(quarantined_rows), sum(excluded_rows)
               from marts.file_loads where not is_replaced"""
        ).fetchall()[0]
        rejected = con.execute(
            "select file_path, rejected_reason from marts.file_loads "
            "where rejected_reason is not null and not is_replaced order by 1"
        ).fetchall()
        worth = outcome_lines(con, CUSTOMER_PROGRAMMES)
        alert_counts = dict(
            con.execute("select alert_status, count(*) from marts.alerts group by alert_status").fetchall()
        )
    if segment and segment not in segment_types:
        raise ValueError(f"segment {segment!r}: the marts have {', '.join(segment_types) or 'no segments'}")
    lines = []
    shown = "last {count}" if since is None else f"since {since:%Y-%m-%d}"
    # Relationship and transactional NPS are different measures: never one number.
    for programme, rows in programmes.items():
        if not rows:
            continue
        lines += [
            f"{programme.capitalize()} NPS by {grain} ({shown.format(count=len(rows))}; ± = 95% margin; "
            "promoters/passives/detractors in %)",
            f"{grain:<9}{'responses':>10}{'NPS':>8}{'±':>6}{'P/P/D':>12}",
        ]
        for start, responses, nps, margin, pro, pas, det, complete in reversed(rows):
            mix = f"{pro:.0f}/{pas:.0f}/{det:.0f}"
            lines.append(
                f"{period_label(start, grain):<9}{responses:>10}{nps:>+8.1f}{margin:>6.1f}{mix:>12}"
                f"{'' if complete else f'  ({grain} not over)'}"
            )
    for programme, rows in by_segment.items():
        if not rows:
            continue
        lines += [
            f"{programme.capitalize()} NPS by {segment} and {grain} (* = under the minimum sample)",
            f"{grain:<9}{segment:<22}{'responses':>10}{'NPS':>8}{'±':>6}",
        ]
        lines += [
            f"{period_label(start, grain):<9}{str(value)[:21]:<22}{responses:>10}"
            + (f"{nps:>+8.1f}{margin:>6.1f}" if nps is not None else f"{'-':>8}{'-':>6}")
            + ("  *" if low else "")
            for start, value, responses, nps, margin, low in rows
        ]
    if rates:
        lines += [
            f"Response rate by {grain} (of the invitations sent that {grain})",
            f"{grain:<9}{'invited':>10}{'answered':>10}{'rate':>8}",
        ]
        lines += [
            f"{period_label(start, grain):<9}{invited:>10}{answered:>10}{rate:>8.1%}"
            for start, invited, answered, rate in reversed(rates)
        ]
    surveys, responses = unclassified
    if responses:
        lines.append(
            f"Unclassified: {responses} responses of {surveys} survey id(s) not in the survey catalogue "
            "(config/surveys.yml), in no programme's NPS: programme = 'unclassified'"
        )
        lines += entry_lines(seen, [])
    detractors, within_sla, recovered, with_next = (value or 0 for value in loop)
    if detractors:
        lines.append(
            f"Closing the loop: {within_sla} of {detractors} detractors contacted within the SLA; "
            f"{recovered} of {with_next} who answered again scored higher"
        )
    if alert_counts:
        lines.append(
            f"Detractor alerts: {alert_counts.get('sent', 0)} sent, "
            f"{alert_counts.get('pending', 0)} pending, {alert_counts.get('dead', 0)} dead "
            "(marts.alerts, as of this build; now: nps-warehouse alerts)"
        )
    else:
        lines.append(
            "Detractor alerts: none raised (set NPS_ALERT_WEBHOOK_URL or NPS_ALERT_EMAIL: config/alerts.yml)"
        )
    lines.append(f"Trend alerts in the last complete month: {alerts} (marts.nps_trend_alerts)")
    lines += worth
    lines.append(
        f"Files in use: {files}; rows valid: {valid or 0}; quarantined: {quarantined or 0} "
        f"(marts.quarantined_rows); excluded: {excluded or 0} (previews, spam, unfinished; CRM and "
        "billing rows a later export replaced: marts.excluded_rows)"
    )
    lines += [f"Rejected file {path}: {reason}" for path, reason in rejected]
    return "\n".join(lines)
