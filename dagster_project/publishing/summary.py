"""The short result `make run` prints: recent monthly NPS with its margin, response rate,
eNPS, alerts, closing the loop, and what happened to the rows."""

from __future__ import annotations

from pathlib import Path

from dagster_project.warehouse.connection import connect

MONTHS_SHOWN = 6


def summary_text(published_path: Path, months: int = MONTHS_SHOWN) -> str:
    """The short result `make run` prints, read from the published file (never the warehouse)."""
    with connect(published_path, read_only=True) as con:
        rows = con.execute(
            """
            select nps.period_start, nps.responses, nps.nps, nps.nps_margin_of_error,
                   nps.pct_promoters, nps.pct_passives, nps.pct_detractors,
                   rates.invitations, rates.response_rate, nps.is_period_complete
            from marts.nps_by_period as nps
            left join marts.response_rates as rates
                on rates.period_grain = nps.period_grain
                and rates.period_start = nps.period_start
                and rates.dimension = 'overall'
            where nps.period_grain = 'month' and nps.survey_type = 'customer'
            order by nps.period_start desc
            limit $months""",
            {"months": months},
        ).fetchall()
        enps = con.execute(
            """select period_start, responses, nps, nps_margin_of_error from marts.nps_by_period
               where survey_type = 'employee' and period_grain = 'quarter'
               order by period_start desc limit 1"""
        ).fetchall()
        alerts = con.execute(
            """select count(*) from marts.nps_trend_alerts
               where period_grain = 'month' and survey_type = 'customer'
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
    lines = [
        f"Customer NPS by month (last {len(rows)}; ± = 95% margin; promoters/passives/detractors "
        "in %; response rate on the invitations sent that month)",
        f"{'month':<9}{'responses':>10}{'NPS':>8}{'±':>6}{'P/P/D':>12}{'invited':>9}{'resp. rate':>12}",
    ]
    for start, responses, nps, margin, pro, pas, det, invited, rate, complete in reversed(rows):
        mix = f"{pro:.0f}/{pas:.0f}/{det:.0f}"
        rate_text = f"{rate:.1%}" if rate is not None else "-"
        lines.append(
            f"{start:%Y-%m}  {responses:>10}{nps:>+8.1f}{margin:>6.1f}{mix:>12}{invited or 0:>9}"
            f"{rate_text:>12}{'' if complete else '  (month not over)'}"
        )
    for start, responses, nps, margin in enps:
        shown = f"{nps:+.1f} ± {margin:.1f}" if nps is not None else "suppressed (under 5)"
        lines.append(f"eNPS {start:%Y}-Q{(start.month - 1) // 3 + 1}: {shown} ({responses} employees)")
    detractors, within_sla, recovered, with_next = (value or 0 for value in loop)
    if detractors:
        lines.append(
            f"Closing the loop: {within_sla} of {detractors} detractors contacted within the SLA; "
            f"{recovered} of {with_next} who answered again scored higher"
        )
    lines.append(f"Trend alerts in the last complete month: {alerts} (marts.nps_trend_alerts)")
    lines.append(
        f"Files in use: {files}; rows valid: {valid or 0}; quarantined: {quarantined or 0} "
        f"(marts.quarantined_rows); excluded: {excluded or 0} (previews, spam, unfinished: "
        "marts.excluded_rows)"
    )
    lines += [f"Rejected file {path}: {reason}" for path, reason in rejected]
    return "\n".join(lines)
