"""Dagster metadata the assets and checks attach: tables as Markdown, built in one place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import dagster as dg


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], empty: str = "none"
) -> dg.MetadataValue:
    """A Markdown table for the Dagster UI (`empty` when there are no rows); `|` in values is escaped."""
    body = [f"| {' | '.join(_cell(v) for v in row)} |" for row in rows]
    if not body:
        return dg.MetadataValue.text(empty)
    head = [f"| {' | '.join(headers)} |", "|" + "---|" * len(headers)]
    return dg.MetadataValue.md("\n".join(head + body))
