"""`nps-warehouse status`: the last run, the last published build, its files and rows."""

from __future__ import annotations

import datetime as dt
import os

from dagster_project.audiences import load_audiences
from dagster_project.commands.outcomes import dagster_instance
from dagster_project.publishing.published import published_lines, published_location
from dagster_project.settings import Settings


def status_text(settings: Settings) -> str:
    """The last run (Dagster's record), the last published build, its files and rows."""
    from dagster_project.publishing.published import published_marts
    from dagster_project.warehouse.build_state import last_build

    lines = []
    if os.environ.get("DAGSTER_HOME"):
        runs = dagster_instance().get_runs(limit=1)
        if runs:
            run = runs[0]
            record = dagster_instance().get_run_record_by_id(run.run_id)
            when = record.end_time or record.start_time if record else None
            at = dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if when else "?"
            lines.append(f"Last run: {run.status.value} at {at} (run id {run.run_id}, job {run.job_name})")
        else:
            lines.append("Last run: none recorded in DAGSTER_HOME")
    last = last_build(settings)
    if not last:
        lines.append(f"Published: nothing yet (inbox {settings.raw_dir}); run `nps-warehouse run`")
        return "\n".join(lines)
    lines.append(
        f"Published: version {last.get('published_version')} built {last.get('built_at')} "
        f"from {last.get('files')} inbox files -> {published_location(settings)}"
    )
    lines += published_lines(settings)[1:]
    with published_marts(settings) as con:
        files, rejected, valid, quarantined, excluded, unreconciled = con.execute(
            """select count(*), count(rejected_reason), sum(valid_rows), sum(quarantined_rows),
                      sum(excluded_rows), count(*) filter (where not coalesce(reconciles, false))
               from marts.file_loads where not is_replaced"""
        ).fetchall()[0]
        reasons = con.execute(
            """select kind, reason, count(*) from marts.quarantined_rows
               group by kind, reason order by 3 desc, 1, 2 limit 5"""
        ).fetchall()
    lines.append(
        f"Files in use: {files} ({rejected} rejected whole, {unreconciled} not reconciled); rows valid: "
        f"{valid or 0}, quarantined: {quarantined or 0}, excluded: {excluded or 0}"
    )
    lines += [f"  quarantined {kind}: {count} x {reason}" for kind, reason, count in reasons]
    index = load_audiences(settings.audiences_config).default.report_dir(settings) / "index.html"
    lines.append(f"Report: {index}" if index.exists() else "Report: not written yet (nps-warehouse report)")
    return "\n".join(lines)
