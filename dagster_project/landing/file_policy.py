"""File-level rules: what makes a whole file unusable, before any row is judged.

A file is rejected as a whole (its rows still land, each quarantined with the reason) when
its header has no names, a required column is missing or a needed one appears twice, it
states an unknown time zone, or its scores are not on the 0–10 scale: a source configured
with another scale, a score column whose name or question states another range, scores
that are mostly words, or enough scores that all sit within 0–5. Nothing is ever rescaled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from dagster_project.landing.header_mapping import HeaderMapping, map_header
from dagster_project.landing.sources import SourceConfig
from dagster_project.readers import ParsedFile
from dagster_project.validation.value_sql import score_number_sql

TEXT_LABEL_SHARE = 0.5  # more than half the scores are words: a labelled scale
MIN_SCORES_FOR_SCALE = 20  # scores needed before a 0..5 range is called another scale
MIN_SCORES_FOR_LABELS = 5
NO_MAPPING = HeaderMapping({}, {}, (), None)


@dataclass(frozen=True)
class FileJudgement:
    """What landing needs to know about a parsed file before its rows land."""

    rows_read: int
    mapping: HeaderMapping
    rejected_reason: str | None


def judge_file(con: duckdb.DuckDBPyConnection, source: SourceConfig, parsed: ParsedFile) -> FileJudgement:
    """Whether the parsed file is usable as a whole, and where its columns are."""
    rows_read = con.execute(f"select count(*) from {parsed.rows}").fetchall()[0][0]
    if not any(name.strip() for name in parsed.header):
        return FileJudgement(rows_read, NO_MAPPING, "the file has no header row")
    mapping = map_header(parsed.header, source)
    reason = (
        mapping.rejected_reason or _timezone_problem(parsed) or _scale_problem(con, source, parsed, mapping)
    )
    return FileJudgement(rows_read, mapping, reason)


def _timezone_problem(parsed: ParsedFile) -> str | None:
    if parsed.timezone is None:
        return None
    try:
        ZoneInfo(parsed.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return f"the file states an unknown time zone {parsed.timezone!r}"
    return None


def _scale_problem(
    con: duckdb.DuckDBPyConnection, source: SourceConfig, parsed: ParsedFile, mapping: HeaderMapping
) -> str | None:
    """Why the file is not on the 0-10 NPS scale, if it is not. Nothing is ever rescaled."""
    if source.row_kind.score_column is None:
        return None
    if not source.declares_nps_scale:
        return (
            f"source {source.name!r} declares a {source.scale} scale; only the 0–10 scale is NPS "
            "and scores are never rescaled"
        )
    position = mapping.positions.get(source.row_kind.score_column)
    if position is None:
        return None
    column = parsed.header[position]
    for text in (column, parsed.descriptions.get(column, "")):
        stated = scale_stated_in(text)
        if stated and stated != (0, 10):
            return (
                f"the score column {column!r} states a {stated[0]}–{stated[1]} scale "
                f"({text[:80]!r}); only the 0–10 scale is NPS"
            )
    labels = source.score_labels == "leading_number"
    total, numeric, low, high, words = con.execute(
        f"""
        with scores as (
            select trim(c{position}) as text,
                   {score_number_sql(f"trim(c{position})", "true" if labels else "false")} as number
            from {parsed.rows}
            where nullif(trim(c{position}), '') is not null
        )
        select count(*), count(number), min(number), max(number),
               list(distinct text order by text) filter (where number is null)[1:4]
        from scores"""
    ).fetchall()[0]
    if total >= MIN_SCORES_FOR_LABELS and (total - numeric) / total > TEXT_LABEL_SHARE:
        return (
            f"{total - numeric} of {total} scores are text labels (e.g. {', '.join(map(repr, words))}), "
            "not numbers on the 0–10 scale"
        )
    if numeric >= MIN_SCORES_FOR_SCALE and high is not None and high <= 5:
        return (
            f"all {numeric} scores are between {low:g} and {high:g}: this looks like a "
            f"{int(low) if low >= 0 else low:g}–5 scale, not 0–10"
        )
    return None


_SCALE_IN_TEXT = re.compile(
    r"(?<![\d.,])(?<![\d][.,])(-?\d{1,3})\s*(?:-|–|—|to|till|til|bis|à)\s*(-?\d{1,3})(?!\d|[.,]\d)",
    re.IGNORECASE,
)


def scale_stated_in(text: str) -> tuple[int, int] | None:
    """A scale a question text or column name states, e.g. 'from 1 to 5' -> (1, 5)."""
    for low, high in _SCALE_IN_TEXT.findall(text or ""):
        low_n, high_n = int(low), int(high)
        if low_n < high_n <= 100:
            return low_n, high_n
    return None
