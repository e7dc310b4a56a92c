"""What `nps-warehouse summary --audience hr` prints, from HR's own published file only: eNPS
by quarter with its margin and the change, hidden quarters as such (no count), and which
groups of the last complete quarter are shown. Whoever cannot read HR's file gets nothing."""

from __future__ import annotations

from dagster_project.audiences import Audience
from dagster_project.publishing.published import published_marts
from dagster_project.publishing.summary import period_label
from dagster_project.settings import Settings

QUARTERS_SHOWN = 4


def hr_summary_text(settings: Settings, audience: Audience, quarters: int = QUARTERS_SHOWN) -> str:
    with published_marts(settings, audience=audience) as con:
        rows = con.execute(
            """select period_start, is_suppressed, responses, enps, enps_margin_of_error, enps_change
               from hr.enps_by_group
               where period_grain = 'quarter' and dimension_kind = 'overall'
               order by period_start desc limit $quarters""",
            {"quarters": quarters},
        ).fetchall()
        groups = con.execute(
            """select count(*), count(*) filter (where is_suppressed) from hr.enps_by_group
               where period_grain = 'quarter' and dimension_kind = 'segment'
                 and period_start = (select max(period_start) from hr.enps_by_group
                                     where period_grain = 'quarter' and is_period_complete)"""
        ).fetchall()[0]
    lines = [
        f"Employee NPS by quarter (last {quarters}; ± = 95% margin; "
        "hidden: fewer than k answers, or derivable from others)"
    ]
    lines.append(f"{'quarter':<9} {'answers':>8} {'eNPS':>7} {'±':>5} {'change':>7}")
    for start, hidden, responses, enps, margin, change in reversed(rows):
        if hidden:
            lines.append(f"{period_label(start, 'quarter'):<9} {'hidden':>8}")
            continue
        moved = f"{change:+.1f}" if change is not None else "–"
        lines.append(
            f"{period_label(start, 'quarter'):<9} {responses:>8} {enps:>+7.1f} {margin:>5.1f} {moved:>7}"
        )
    shown_groups, hidden_groups = groups
    lines.append(
        f"Groups in the last complete quarter: {shown_groups - hidden_groups} shown, {hidden_groups} hidden "
        "(hr.enps_by_group; comments: hr.enps_comments)"
    )
    return "\n".join(lines)
