"""HR's report: employee NPS from HR's own published file (`hr.enps_by_group`,
`hr.enps_comments`), nothing else. What HR sees is what the file holds: groups hidden by
disclosure control (docs/nps.md#employee-anonymity) show "–", never a count."""

from __future__ import annotations

import datetime as dt

import duckdb

from dagster_project.report import charts
from dagster_project.report.section import Freshness, Section, frame

COMMENTS_SHOWN = 60


def freshness(con: duckdb.DuckDBPyConnection) -> Freshness:
    version, published_at = con.execute("select version, published_at from meta.publication").fetchall()[0]
    first, last = con.execute(
        "select min(period_start), max(period_start) from hr.enps_by_group where period_grain = 'month'"
    ).fetchall()[0]
    # no answer date is published for employees: the last month with answers is as close as HR gets
    return Freshness(version, published_at, first, last, None)


def _last_complete_quarter(con) -> dt.date | None:
    return con.execute(
        """select max(period_start) from hr.enps_by_group
           where period_grain = 'quarter' and dimension_kind = 'overall' and is_period_complete"""
    ).fetchall()[0][0]


def trend(con) -> Section:
    table = frame(
        con,
        """select period_start as quarter, responses, enps as nps,
                  enps_margin_of_error as nps_margin_of_error, enps_change, is_suppressed
           from hr.enps_by_group
           where period_grain = 'quarter' and dimension_kind = 'overall'
           order by quarter""",
    )
    return Section(
        "enps-trend",
        "Employee NPS by quarter",
        "hr.enps_by_group",
        table,
        charts.enps_trend(table),
        note="eNPS is its own measure: never compared with customer NPS. A quarter with fewer "
        "answers than the minimum group size shows no number at all.",
    )


def groups(con) -> Section:
    table = frame(
        con,
        """select period_start as quarter, dimension as breakdown, dimension_value as "group",
                  responses, enps, enps_ci_low, enps_ci_high, is_suppressed
           from hr.enps_by_group
           where period_grain = 'quarter' and dimension_kind in ('segment', 'channel')
             and period_start = $quarter
           order by breakdown, "group\"""",
        {"quarter": _last_complete_quarter(con)},
    )
    return Section(
        "enps-groups",
        "Employee NPS by group (last complete quarter)",
        "hr.enps_by_group",
        table,
        note="A group under the minimum size (var enps_min_group), or one that could be worked out "
        "by subtracting the shown groups from a total, is hidden: no score and no count.",
    )


def distribution(con) -> Section:
    table = frame(
        con,
        "select period_start as quarter, responses, "
        + ", ".join(f"score_{s}" for s in range(11))
        + """ from hr.enps_by_group
              where period_grain = 'quarter' and dimension_kind = 'overall' and not is_suppressed
              order by quarter""",
    )
    return Section(
        "enps-distribution",
        "Answers 0-10 by quarter",
        "hr.enps_by_group",
        table,
        note="The whole distribution, not only the eNPS: the same eNPS can hide very different mixes.",
    )


def comments(con) -> Section:
    table = frame(
        con,
        f"""select period_start as quarter, text_field, comment_text
            from hr.enps_comments
            where period_start = (select max(period_start) from hr.enps_comments)
            order by text_field, comment_text
            limit {COMMENTS_SHOWN}""",
    )
    return Section(
        "enps-comments",
        "What employees wrote (latest quarter with comments)",
        "hr.enps_comments",
        table,
        note="Comments of a whole quarter with at least the minimum group size of comments, without "
        "score, time or group, in alphabetical order; emails, phone and id numbers redacted.",
    )


def hr_sections(con) -> list[Section]:
    return [trend(con), groups(con), distribution(con), comments(con)]
