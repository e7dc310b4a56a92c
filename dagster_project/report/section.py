"""A report section (a table, the chart drawn from it, notes) and what every section reads
first: the published file's freshness and each programme's last complete period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import altair as alt
import duckdb
import pandas as pd

CUSTOMER_PROGRAMMES = ("relationship", "transactional")


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


def last_complete(con, grain: str, programmes: tuple[str, ...]) -> dict[str, dt.date]:
    rows = con.execute(
        """select programme, max(period_start) from marts.nps_by_period
           where period_grain = $grain and is_period_complete and list_contains($programmes, programme)
           group by programme""",
        {"grain": grain, "programmes": list(programmes)},
    ).fetchall()
    return dict(rows)


def latest_period_filter(latest: dict[str, dt.date], alias: str = "") -> str:
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
