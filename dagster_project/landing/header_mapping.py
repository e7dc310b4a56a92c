"""Mapping a file's header onto the canonical columns of its row kind.

Names match after normalising (BOM, case, runs of spaces); a configured source may rename
columns (`columns:`), fix values (`constants:`) and name its segment columns (`segments:`,
`segment_prefix:`). Columns nobody asked for are listed as ignored on the load record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dagster_project.landing.sources import SourceConfig


@dataclass(frozen=True)
class HeaderMapping:
    positions: dict[str, int]  # canonical column -> position in the file
    segments: dict[str, int]  # segment name -> position
    ignored: tuple[str, ...]
    rejected_reason: str | None


def normalise_column_name(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\ufeff", "")).strip().lower()


def map_header(header: tuple[str, ...], source: SourceConfig) -> HeaderMapping:
    """Where each canonical column and segment is in the file, and what is left out."""
    source = source.as_landed()
    index: dict[str, int] = {}
    duplicated: set[str] = set()
    for position, raw_name in enumerate(header):
        name = normalise_column_name(raw_name)
        if name in index:
            duplicated.add(name)
        else:
            index[name] = position
    kind = source.row_kind
    positions: dict[str, int] = {}
    needed_twice: list[str] = []
    for column in kind.columns:
        if column in source.constants:
            continue
        name = normalise_column_name(source.file_column(column))
        if name in index:
            positions[column] = index[name]
            if name in duplicated:
                needed_twice.append(source.file_column(column))
    segments: dict[str, int] = {}
    for segment, column in source.segments.items():
        name = normalise_column_name(column)
        if name in index:
            segments[segment] = index[name]
    prefix = normalise_column_name(source.segment_prefix or "")
    used = set(positions.values()) | set(segments.values())
    if prefix:
        for name, position in index.items():
            if position not in used and name.startswith(prefix) and len(name) > len(prefix):
                segments.setdefault(name[len(prefix) :], position)
    used = set(positions.values()) | set(segments.values())
    ignored = tuple(
        raw_name if raw_name.strip() else f"(unnamed column {position + 1})"
        for position, raw_name in enumerate(header)
        if position not in used
    )
    reason = None
    if needed_twice:
        reason = "column(s) appear more than once in the header: " + ", ".join(
            repr(n) for n in sorted(set(needed_twice))
        )
    else:
        missing = [
            source.file_column(column)
            for column in kind.required
            if column not in positions and column not in source.constants
        ]
        if missing:
            reason = "required column(s) missing from the header: " + ", ".join(missing)
    return HeaderMapping(positions, segments, ignored, reason)
