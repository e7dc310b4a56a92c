"""How the sample exports are written: the rotating file formats (canonical CSV, Nordic
spreadsheet CSV, UTF-8 with BOM), their columns and timestamps, one file per half-year and
kind, written month by month (constant memory)."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from dagster_project.row_kinds import FOLLOWUPS, INVITATIONS, RESPONSES, SEGMENT_PREFIX, SURVEY_TOOL_COLUMNS
from dagster_project.sample_data.world import LOCAL_TZ


@dataclass(frozen=True)
class FileFormat:
    name: str
    encoding: str
    delimiter: str
    line_end: str
    timestamp_style: str  # offset | utc_naive


CANONICAL = FileFormat("canonical", "utf-8", ",", "\n", "offset")
NORDIC = FileFormat("nordic", "cp1252", ";", "\r\n", "utc_naive")
BOM_SEMICOLON = FileFormat("bom", "utf-8-sig", ";", "\r\n", "offset")
FORMAT_ROTATION = (CANONICAL, NORDIC, BOM_SEMICOLON)

SEGMENT_COLUMNS = tuple(
    f"{SEGMENT_PREFIX}{name}" for name in ("region", "business_unit", "product", "customer_type")
)
RESPONSE_COLUMNS = tuple(c for c in RESPONSES.columns if c not in SURVEY_TOOL_COLUMNS) + SEGMENT_COLUMNS
INVITATION_COLUMNS = INVITATIONS.columns + SEGMENT_COLUMNS
FOLLOWUP_COLUMNS = FOLLOWUPS.columns


def format_timestamp(moment: dt.datetime, style: str) -> str:
    if style == "utc_naive":
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    return moment.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


class RotatingWriter:
    """One open file per half-year; the format rotates from one half-year to the next."""

    def __init__(self, folder: Path, prefix: str, columns: tuple[str, ...], rotate: bool = True):
        self.folder = folder
        self.prefix = prefix
        self.columns = columns
        self.rotate = rotate
        self.period: str | None = None
        self.handle = None
        self.writer = None
        self.format = CANONICAL
        self.paths: list[Path] = []
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, period: str, row: dict) -> None:
        if period != self.period:
            self._open(period)
        style = self.format.timestamp_style
        self.writer.writerow(
            [
                format_timestamp(value, style) if isinstance(value, dt.datetime) else value
                for value in (row.get(column, "") for column in self.columns)
            ]
        )

    @property
    def timestamp_style(self) -> str:
        return self.format.timestamp_style

    def _open(self, period: str) -> None:
        self.close()
        if self.rotate:
            self.format = FORMAT_ROTATION[len(self.paths) % len(FORMAT_ROTATION)]
        suffix = "" if self.format is CANONICAL else f"_{self.format.name}"
        path = self.folder / f"{self.prefix}_{period}{suffix}.csv"
        self.handle = path.open("w", encoding=self.format.encoding, newline="")
        self.writer = csv.writer(
            self.handle, delimiter=self.format.delimiter, lineterminator=self.format.line_end
        )
        self.writer.writerow(self.columns)
        self.period = period
        self.paths.append(path)

    def close(self) -> None:
        if self.handle:
            self.handle.close()
            self.handle = None
