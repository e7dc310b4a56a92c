"""The short result `make run` prints: recent monthly NPS, responses, response rate, quarantine."""

from __future__ import annotations

from pathlib import Path

from dagster_project.lib.warehouse import connect

MONTHS_SHOWN = 6


def summary_text(warehouse_path: Path, months: int = MONTHS_SHOWN) -> str:
    with connect(warehouse_path, read_only=True) as con:
        rows = con.execute(
            """
            select nps.period_start, nps.responses, nps.nps,
                   nps.pct_promoters, nps.pct_passives, nps.pct_detractors,
                   rates.invitations, rates.response_rate
            from marts.nps_by_period as nps
            left join marts.response_rates as rates
                on rates.period_grain = nps.period_grain
                and rates.period_start = nps.period_start
                and rates.dimension = 'overall'
            where nps.period_grain = 'month'
            order by nps.period_start desc
            limit $months""",
            {"months": months},
        ).fetchall()
        files, valid, quarantined, excluded = con.execute(
            """select count(*), sum(valid_rows), sum(quarantined_rows), sum(excluded_rows)
               from marts.file_loads where not is_replaced"""
        ).fetchall()[0]
        rejected = con.execute(
            "select file_path, rejected_reason from marts.file_loads "
            "where rejected_reason is not null and not is_replaced order by 1"
        ).fetchall()
    lines = [
        f"NPS by month (last {len(rows)}; promoters/passives/detractors in %; "
        "response rate on the invitations sent that month)",
        f"{'month':<9}{'responses':>10}{'NPS':>8}{'P/P/D':>17}{'invited':>9}{'resp. rate':>12}",
    ]
    for start, responses, nps, pro, pas, det, invited, rate in reversed(rows):
        mix = f"{pro:.0f}/{pas:.0f}/{det:.0f}"
        rate_text = f"{rate:.1%}" if rate is not None else "-"
        lines.append(f"{start:%Y-%m}  {responses:>10}{nps:>+8.1f}{mix:>17}{invited or 0:>9}{rate_text:>12}")
    lines.append(
        f"Files in use: {files}; rows valid: {valid or 0}; quarantined: {quarantined or 0} "
        f"(marts.quarantined_rows); excluded: {excluded or 0} (previews, spam, unfinished: "
        "marts.excluded_rows)"
    )
    lines += [f"Rejected file {path}: {reason}" for path, reason in rejected]
    return "\n".join(lines)
