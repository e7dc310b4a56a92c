"""The one interface of every reader: a parsed file (its rows and header facts) or a rejection."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ParsedFile:
    """A file read as text rows: `rows` names the DuckDB temp relation holding them
    (`readers/rows.py`), the header is the file's column names in order."""

    header: tuple[str, ...] = ()
    rows: str = ""
    parser: str = ""  # duckdb | python | openpyxl | json
    delimiter: str | None = None
    timezone: str | None = None  # the file's own time zone, when it states one
    descriptions: dict[str, str] = field(default_factory=dict)  # column -> question text
    notes: list[str] = field(default_factory=list)
    # False when the reader knows no value holds a NUL character (a text file without one):
    # landing then skips checking every value of every row for it
    may_hold_nul: bool = True


@dataclass(frozen=True)
class Rejected:
    """The file cannot be used as a whole; `reason` says why."""

    reason: str


ReadOutcome = ParsedFile | Rejected


class FileUnusable(Exception):
    """Raised inside a reader: the file as a whole cannot be read; the message says why."""
