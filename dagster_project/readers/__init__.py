"""Readers: one module per file format behind one interface, `read_file`.

`read_file` returns a `ParsedFile` (the file's records as text rows, with its header) or a
`Rejected` (why the file cannot be used as a whole). Whatever the format, rows are text:
nothing is converted before validation. A new format is a module here with a
`read_<format>` function and a line in `READERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dagster_project.landing.sources import WEBHOOK_FORMATS, SourceConfig
from dagster_project.readers.delimited import read_delimited
from dagster_project.readers.encoding import FileFacts
from dagster_project.readers.json_export import read_json
from dagster_project.readers.rows import drop_rows
from dagster_project.readers.types import FileUnusable, ParsedFile, ReadOutcome, Rejected
from dagster_project.readers.xlsx import read_xlsx

# A reader: (connection, path, its source, its bytes' facts, scratch dir, relation to fill)
# -> ParsedFile, or FileUnusable raised with the reason.
Reader = Callable[[duckdb.DuckDBPyConnection, Path, SourceConfig, FileFacts, Path, str], ParsedFile]
DELIMITED_SUFFIXES = (".csv", ".tsv", ".txt")
BINARY_FORMATS = ("xlsx",)  # formats that are not text (no encoding to name)
# format -> (the file name endings it accepts, its reader)
READERS: dict[str, tuple[tuple[str, ...], Reader]] = {
    "csv": (DELIMITED_SUFFIXES, read_delimited),
    "qualtrics_csv": (DELIMITED_SUFFIXES, read_delimited),
    "surveymonkey_csv": (DELIMITED_SUFFIXES, read_delimited),
    "xlsx": ((".xlsx", ".xlsm"), read_xlsx),
    "json": ((".json", ".jsonl", ".ndjson"), read_json),
    # events the webhook service wrote (dagster_project/webhooks): JSON Lines
    **{name: ((".jsonl",), read_json) for name in WEBHOOK_FORMATS},
}


def _read(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: SourceConfig,
    facts: FileFacts,
    work_dir: Path,
    table: str,
) -> ReadOutcome:
    suffixes, reader = READERS[source.format]
    if path.suffix.lower() not in suffixes:
        return Rejected(
            f"unsupported file type {path.suffix or '(none)'!r} for format "
            f"{source.format} (expected {', '.join(suffixes)})"
        )
    if facts.size_bytes == 0:
        return Rejected("the file is empty")
    return reader(con, path, source, facts, work_dir, table)


@contextmanager
def read_file(
    con: duckdb.DuckDBPyConnection, path: Path, source: SourceConfig, facts: FileFacts, work_dir: Path
) -> Iterator[ReadOutcome]:
    """The file's rows (in a temp relation that lives as long as the `with` block), or why it
    cannot be used. An unexpected error reading one file is that file's rejection: one
    unreadable file never stops the others."""
    table = f"_read_{facts.sha256[:16]}"
    try:
        try:
            outcome = _read(con, path, source, facts, work_dir, table)
        except FileUnusable as exc:
            outcome = Rejected(str(exc))
        except Exception as exc:
            outcome = Rejected(f"could not be read: {type(exc).__name__}: {exc}")
        yield outcome
    finally:
        drop_rows(con, table)


__all__ = ["BINARY_FORMATS", "ParsedFile", "ReadOutcome", "Rejected", "read_file"]
