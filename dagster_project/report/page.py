"""The report as static HTML, one per audience in `report/` beside its published file:
customer NPS for the default audience, employee NPS for HR (in HR's folder only). Each page is
self-contained (the Vega, Vega-Lite and Vega-Embed scripts inlined from vl-convert's bundle,
so the page opens offline), laid out for a laptop and a phone.

Every table cell shows the mart's value formatted for people and carries it unformatted in
`data-value`, so a test (or a curious analyst) can hold the page against the marts.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd
import vl_convert

from dagster_project.audiences import DEFAULT_AUDIENCE, Audience
from dagster_project.publishing.published import published_marts
from dagster_project.report import enps_sections
from dagster_project.report import sections as report_sections
from dagster_project.report.outcome_sections import outcome_sections
from dagster_project.report.section import Freshness
from dagster_project.report.section import freshness as read_freshness
from dagster_project.settings import Settings

# Pages of earlier versions that no longer belong in a folder (the eNPS page once sat in the
# customers' report): removed when the report is written.
RETIRED_PAGES = ("enps.html",)
# Ratios shown as percentages (earned growth: marts.earned_growth)
PERCENT_COLUMNS = (
    *("nrr", "enc", "egr", "reported_growth", "earned_share_of_growth"),
    *("survival", "survival_ci_low", "survival_ci_high"),  # retention curves
)

STYLE = """
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; }
body { margin: 0 auto; max-width: 1100px; padding: 0 1rem 3rem; line-height: 1.4; }
header { border-bottom: 2px solid #1f3b73; margin-bottom: 1rem; }
h1 { font-size: 1.5rem; margin: 1rem 0 0.25rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; }
nav a { margin-right: 1rem; }
.freshness { color: #555; font-size: 0.9rem; margin: 0 0 0.75rem; }
.note { color: #555; font-size: 0.85rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 1rem; }
.chart { width: 100%; min-height: 240px; }
.table-wrap { overflow-x: auto; max-height: 420px; overflow-y: auto; }
table { border-collapse: collapse; font-size: 0.8rem; white-space: nowrap; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: right; }
th { position: sticky; top: 0; background: #f3f5f9; }
td.text, th.text { text-align: left; }
tr.low-sample td { color: #8a8a8a; }
"""


@dataclass(frozen=True)
class Report:
    folder: Path
    pages: tuple[Path, ...]
    sections: int
    charts: int
    version: str

    @property
    def index(self) -> Path:
        return self.folder / "index.html"


def format_value(column: str, value: object) -> str:
    """How a cell reads: shares and rates in %, NPS-like numbers with one decimal."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp | dt.datetime):
        if column in ("due_at",):
            return value.strftime("%Y-%m-%d %H:%M")
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):  # money
        return f"{value:,.0f}"
    if isinstance(value, float):
        if "p_value" in column:
            return f"{value:.3f}"
        if column.startswith(("share", "recovery_rate", "churn_rate")) or column.endswith("_rate"):
            return f"{value:.1%}"
        if column in PERCENT_COLUMNS:
            return f"{value:.1%}"
        return f"{value:.1f}"
    return str(value)


def _raw(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def table_html(key: str, mart: str, table: pd.DataFrame) -> str:
    head = "".join(
        f'<th class="{"text" if table[c].dtype == object else "num"}">{html.escape(c)}</th>'
        for c in table.columns
    )
    rows = []
    for record in table.to_dict("records"):
        cells = "".join(
            f'<td class="{"text" if isinstance(v, str) else "num"}" data-column="{html.escape(c)}" '
            f'data-value="{html.escape(_raw(v))}">{html.escape(format_value(c, v))}</td>'
            for c, v in record.items()
        )
        low = ' class="low-sample"' if record.get("is_low_sample") is True else ""
        rows.append(f"<tr{low}>{cells}</tr>")
    body = "".join(rows) or f'<tr><td class="text" colspan="{len(table.columns)}">no rows</td></tr>'
    return (
        f'<div class="table-wrap"><table id="{key}-table" data-mart="{html.escape(mart)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _spec_json(chart) -> str:
    return json.dumps(chart.to_dict(), default=str).replace("</", "<\\/")


def render_page(title: str, freshness: Freshness, sections: list, bundle: str) -> tuple[str, int]:
    parts, embeds = [], []
    for section in sections:
        chart_divs = []
        for index, chart in enumerate(section.all_charts()):
            chart_id = f"{section.key}-chart-{index}"
            chart_divs.append(f'<div class="chart" id="{chart_id}"></div>')
            embeds.append(f"embed('#{chart_id}', {_spec_json(chart)});")
        details = "".join(
            f"<h3>{html.escape(detail_title)}</h3>{table_html(detail_key, section.mart, rows)}"
            for detail_key, detail_title, rows in section.details
        )
        parts.append(
            f'<section id="{section.key}"><h2>{html.escape(section.title)}</h2>'
            f'<p class="note">{html.escape(section.note)} '
            f"Source: <code>{html.escape(section.mart)}</code>.</p>"
            f'<div class="charts">{"".join(chart_divs)}</div>'
            f"{table_html(section.key, section.mart, section.table)}{details}</section>"
        )
    period = (
        f"{freshness.first_month:%b %Y} – {freshness.last_month:%b %Y}"
        if freshness.last_month
        else "no data yet"
    )
    published = pd.Timestamp(freshness.published_at).tz_convert("UTC").strftime("%Y-%m-%d %H:%M UTC")
    heading = f"{title} · {period}"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(heading)} (data as of {published})</title>
<style>{STYLE}</style>
<script type="text/javascript">{bundle}</script>
</head>
<body>
<header>
<h1>{html.escape(heading)}</h1>
<p class="freshness" id="freshness">Data as of {published} (published version
<code>{html.escape(freshness.version)}</code>; latest response {freshness.latest_response or "–"}).</p>
</header>
{"".join(parts)}
<script type="text/javascript">
const embedOptions = {{actions: false, renderer: "svg"}};
function embed(id, spec) {{ vegaEmbed(id, spec, embedOptions).catch(error => console.error(id, error)); }}
{chr(10).join(embeds)}
</script>
</body>
</html>
"""
    return page, len(embeds)


def vega_bundle() -> str:
    """vl-convert's Vega/Vega-Lite/Vega-Embed bundle (about 0.9 MB; building it costs ~2 s),
    kept per vl-convert version in the user's cache (XDG_CACHE_HOME, else ~/.cache). Where
    that cannot be written the bundle is built every time."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nps-warehouse"
    cached = cache / f"vega-bundle-vl-convert-{vl_convert.__version__}.js"
    try:
        if text := cached.read_text(encoding="utf-8"):
            return text
    except (OSError, UnicodeDecodeError):
        pass
    bundle = vl_convert.javascript_bundle()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        temporary.write_text(bundle, encoding="utf-8")
        os.replace(temporary, cached)  # whole or not at all, also with two runs at once
    except OSError:
        pass
    return bundle


def write_report(
    settings: Settings, audience: Audience = DEFAULT_AUDIENCE, folder: Path | None = None
) -> Report:
    """The audience's page from its published file; written whole, then renamed into place,
    with the file's permissions (the page holds what the file holds)."""
    folder = folder or audience.report_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    if audience.gid is not None:
        os.chown(folder, -1, audience.gid)
    if audience.folder_permissions is not None:
        os.chmod(folder, audience.folder_permissions)
    bundle = vega_bundle()
    with published_marts(settings, audience=audience) as con:
        if audience.is_employee:
            title, freshness, sections = (
                "Employee NPS (eNPS)",
                enps_sections.freshness(con),
                enps_sections.hr_sections(con),
            )
        else:
            title, freshness = "Customer NPS", read_freshness(con)
            sections = report_sections.customer_sections(con) + outcome_sections(con)
    text, charts = render_page(title, freshness, sections, bundle)
    target = folder / "index.html"
    temporary = target.with_name(".index.html.tmp")
    temporary.write_text(text, encoding="utf-8")
    if audience.gid is not None:
        os.chown(temporary, -1, audience.gid)
    os.chmod(temporary, audience.file_permissions)
    os.replace(temporary, target)
    for retired in RETIRED_PAGES:
        (folder / retired).unlink(missing_ok=True)
    return Report(folder, (target,), len(sections), charts, freshness.version)
