"""The report's charts: Vega-Lite specifications built with Altair from a section's table.

Every chart is `width: container`, so it takes the width of its column on a laptop or a
phone; colours are fixed per NPS category so that every chart reads the same way.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

CATEGORY_COLOURS = {"promoters": "#2a9d55", "passives": "#c9b037", "detractors": "#d1495b"}
BAND_COLOURS = ["#f4d6d9", "#f6ecd0", "#e6efd9", "#d5ead9", "#c4e4d3"]
HEIGHT = 220


def _base(data: pd.DataFrame) -> alt.Chart:
    return alt.Chart(data).properties(width="container", height=HEIGHT)


def per_programme(table: pd.DataFrame, build) -> list[alt.TopLevelMixin]:
    """One chart per programme (never one chart blending them), titled with its name."""
    return [
        build(table[table.programme == programme]).properties(title=f"{programme.capitalize()} NPS")
        for programme in dict.fromkeys(table.programme)
    ]


def _categories() -> alt.Scale:
    return alt.Scale(domain=list(CATEGORY_COLOURS), range=list(CATEGORY_COLOURS.values()))


def nps_trend(table: pd.DataFrame, bands: pd.DataFrame, programme: str) -> alt.TopLevelMixin:
    """Monthly NPS with its 95% interval band, the benchmark bands behind and the target line."""
    months = alt.X("month:T", title=None, axis=alt.Axis(format="%b %y"))
    nps_scale = alt.Scale(domain=[-100, 100])
    background = (
        alt.Chart(bands)
        .mark_rect(opacity=0.6)
        .encode(
            y=alt.Y("nps_from:Q", scale=nps_scale, title="NPS"),
            y2="nps_to:Q",
            color=alt.Color(
                "band:N",
                scale=alt.Scale(domain=list(bands.band), range=BAND_COLOURS),
                legend=alt.Legend(title="benchmark band", orient="bottom"),
            ),
            tooltip=["band:N", "description:N"],
        )
    )
    interval = (
        _base(table)
        .mark_area(opacity=0.35, color="#4c78a8")
        .encode(x=months, y=alt.Y("nps_ci_low:Q", scale=nps_scale), y2="nps_ci_high:Q")
    )
    line = _base(table).mark_line(color="#1f3b73").encode(x=months, y=alt.Y("nps:Q", scale=nps_scale))
    points = (
        _base(table)
        .mark_point(size=40, color="#1f3b73")
        .encode(
            x=months,
            y=alt.Y("nps:Q", scale=nps_scale),
            fill=alt.condition("datum.is_low_sample", alt.value("white"), alt.value("#1f3b73")),
            tooltip=[
                alt.Tooltip("month:T", format="%Y-%m"),
                "responses:Q",
                alt.Tooltip("nps:Q", format="+.1f"),
                alt.Tooltip("nps_ci_low:Q", format="+.1f"),
                alt.Tooltip("nps_ci_high:Q", format="+.1f"),
                "is_low_sample:N",
            ],
        )
    )
    target = _base(table).mark_rule(strokeDash=[6, 4], color="#333").encode(y="mean(target_nps):Q")
    return alt.layer(background, interval, line, points, target).properties(
        title=f"{programme.capitalize()} NPS", width="container", height=HEIGHT
    )


def category_split(table: pd.DataFrame) -> alt.TopLevelMixin:
    long = table.melt(
        id_vars=["programme", "month"],
        value_vars=["pct_promoters", "pct_passives", "pct_detractors"],
        var_name="category",
        value_name="percent",
    )
    long["category"] = long["category"].str.removeprefix("pct_")
    return (
        _base(long)
        .mark_bar()
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %y")),
            y=alt.Y("percent:Q", stack="normalize", title="share of responses", axis=alt.Axis(format="%")),
            color=alt.Color(
                "category:N",
                scale=_categories(),
                sort=list(CATEGORY_COLOURS),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("category_order:Q"),
            tooltip=[
                "programme:N",
                alt.Tooltip("month:T", format="%Y-%m"),
                "category:N",
                alt.Tooltip("percent:Q", format=".1f"),
            ],
        )
        .transform_calculate(
            category_order="indexof(['promoters', 'passives', 'detractors'], datum.category)"
        )
    )


def score_distribution(table: pd.DataFrame) -> alt.TopLevelMixin:
    scored = table.assign(
        category=pd.cut(table.score, [-1, 6, 8, 10], labels=["detractors", "passives", "promoters"]).astype(
            str
        )
    )
    return (
        _base(scored)
        .mark_bar()
        .encode(
            x=alt.X("score:O", title="score (0-10)"),
            y=alt.Y("share_of_responses:Q", title="share of responses", axis=alt.Axis(format="%")),
            color=alt.Color("category:N", scale=_categories(), legend=alt.Legend(orient="bottom")),
            tooltip=[
                "programme:N",
                "score:O",
                "responses:Q",
                alt.Tooltip("share_of_responses:Q", format=".1%"),
            ],
        )
    )


def nps_bars(table: pd.DataFrame, category: str) -> alt.TopLevelMixin:
    """NPS per value of `category` with its interval; pale bars under the minimum sample."""
    y = alt.Y(f"{category}:N", title=None, sort="-x")
    bars = (
        _base(table)
        .mark_bar()
        .encode(
            x=alt.X("nps:Q", scale=alt.Scale(domain=[-100, 100]), title="NPS"),
            y=y,
            opacity=alt.condition("datum.is_low_sample", alt.value(0.35), alt.value(1.0)),
            tooltip=[f"{category}:N", "responses:Q", alt.Tooltip("nps:Q", format="+.1f"), "is_low_sample:N"],
        )
    )
    interval = _base(table).mark_rule(color="#333").encode(x="nps_ci_low:Q", x2="nps_ci_high:Q", y=y)
    return alt.layer(bars, interval)


def change_decomposition(table: pd.DataFrame) -> alt.TopLevelMixin:
    long = table.melt(
        id_vars=["programme", "channel"],
        value_vars=["mix_effect", "performance_effect"],
        var_name="effect",
        value_name="points",
    )
    return (
        _base(long)
        .mark_bar()
        .encode(
            x=alt.X("points:Q", title="NPS points"),
            y=alt.Y("channel:N", title=None),
            color=alt.Color(
                "effect:N", legend=alt.Legend(orient="bottom"), scale=alt.Scale(range=["#9467bd", "#ff7f0e"])
            ),
            yOffset="effect:N",
            tooltip=["programme:N", "channel:N", "effect:N", alt.Tooltip("points:Q", format="+.2f")],
        )
    )


def nps_and_response_rate(table: pd.DataFrame) -> alt.TopLevelMixin:
    shown = table.assign(label=table.dimension + ": " + table.value.astype(str))
    y = alt.Y("label:N", title=None, sort="-x")
    nps = (
        _base(shown)
        .mark_bar()
        .encode(
            x=alt.X("nps:Q", scale=alt.Scale(domain=[-100, 100]), title="NPS"),
            y=y,
            color=alt.Color("programme:N", legend=alt.Legend(orient="bottom")),
            yOffset="programme:N",
            opacity=alt.condition("datum.is_low_sample", alt.value(0.35), alt.value(1.0)),
            tooltip=[
                "programme:N",
                "label:N",
                "responses:Q",
                alt.Tooltip("nps:Q", format="+.1f"),
                alt.Tooltip("response_rate:Q", format=".1%"),
                "is_low_sample:N",
            ],
        )
    )
    return nps.properties(height=max(HEIGHT, 22 * shown.label.nunique()))


def funnel(table: pd.DataFrame) -> alt.TopLevelMixin:
    stages = ["invitations", "delivered", "opened", "started", "completed", "responses"]
    long = table.melt(id_vars=["month"], value_vars=stages, var_name="stage", value_name="count").dropna()
    return (
        _base(long)
        .mark_bar(color="#4c78a8")
        .encode(
            y=alt.Y("stage:N", sort=stages, title=None),
            x=alt.X("count:Q", title="invitations"),
            tooltip=["stage:N", "count:Q"],
        )
    )


def closing_the_loop(table: pd.DataFrame) -> alt.TopLevelMixin:
    long = table.melt(
        id_vars=["year"],
        value_vars=["contacted_within_sla", "overdue", "still_open", "recovered"],
        var_name="status",
        value_name="detractors_count",
    )
    return (
        _base(long)
        .mark_bar()
        .encode(
            x=alt.X("year:T", timeUnit="year", title=None),
            xOffset="status:N",
            y=alt.Y("detractors_count:Q", title="detractors"),
            color=alt.Color("status:N", legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("year:T", timeUnit="year"), "status:N", "detractors_count:Q"],
        )
    )


def theme_impact(table: pd.DataFrame) -> alt.TopLevelMixin:
    return (
        _base(table)
        .mark_bar()
        .encode(
            x=alt.X("impact:Q", title="NPS points"),
            y=alt.Y("theme:N", sort="x", title=None),
            color=alt.condition(
                "datum.impact < 0",
                alt.value(CATEGORY_COLOURS["detractors"]),
                alt.value(CATEGORY_COLOURS["promoters"]),
            ),
            tooltip=[
                "programme:N",
                "theme:N",
                "responses_mentioning:Q",
                alt.Tooltip("share_mentioning:Q", format=".0%"),
                alt.Tooltip("impact:Q", format="+.1f"),
            ],
        )
    )


def enps_trend(table: pd.DataFrame) -> alt.TopLevelMixin:
    shown = table[~table.is_suppressed]
    return (
        _base(shown)
        .mark_line(point=True, color="#6a3d9a")
        .encode(
            x=alt.X("quarter:T", title=None, axis=alt.Axis(format="%b %y")),
            y=alt.Y("nps:Q", scale=alt.Scale(domain=[-100, 100]), title="eNPS"),
            tooltip=[
                alt.Tooltip("quarter:T", format="%Y-%m"),
                "responses:Q",
                alt.Tooltip("nps:Q", format="+.1f"),
                alt.Tooltip("nps_margin_of_error:Q", format=".1f"),
            ],
        )
    )
