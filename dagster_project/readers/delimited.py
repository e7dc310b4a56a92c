"""Delimited text exports: our canonical CSV, Qualtrics CSV, SurveyMonkey CSV.

| format            | header                                                         |
|-------------------|----------------------------------------------------------------|
| csv               | one header row                                                 |
| qualtrics_csv     | three rows: column names, question texts, ImportId JSON        |
|                   | (`{"ImportId":"recordedDate","timeZone":"America/Denver"}`)    |
| surveymonkey_csv  | two rows: question texts, then sub-answers ("Response", ...)   |

The bytes are first made UTF-8 (`encoding.py`; UTF-16, Windows-1252 and mixed files are
transcoded, bytes that are not text reject the file). DuckDB's reader goes first, with every
option explicit (no sniffing) and strict parsing. When DuckDB refuses the file (ragged
rows, stray quotes), a second pass with Python's csv module keeps every record, marking
the malformed ones with a `parse_error`, so no record is lost and each problem is named by
its row.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb

from dagster_project.landing.sources import SourceConfig
from dagster_project.readers.encoding import FileFacts, first_line, sniff_delimiter, utf8_copy
from dagster_project.readers.rows import Record, column_names, drop_rows, fit_to_width, insert_records
from dagster_project.readers.types import FileUnusable, ParsedFile

HEADER_ROWS = {"csv": 1, "qualtrics_csv": 3, "surveymonkey_csv": 2}
SURVEYMONKEY_PLAIN_SUBHEADERS = {"", "response", "open-ended response"}
# DuckDB's reader sizes its buffer from the longest line allowed (up to the whole file): a
# 1 GB file then needs a 1 GB block, more than the memory limit, and DuckDB refuses it. A
# record longer than this (free text of megabytes) goes to the Python reader, which keeps it.
MAX_LINE_BYTES = 8 << 20
READ_BUFFER_BYTES = 4 * MAX_LINE_BYTES
csv.field_size_limit(1 << 30)


def read_delimited(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: SourceConfig,
    facts: FileFacts,
    work_dir: Path,
    table: str,
) -> ParsedFile:
    """Read a delimited export into the relation `table`."""
    if facts.not_text_reason:
        raise FileUnusable(facts.not_text_reason)
    if source.encoding == "utf-8" and not facts.is_utf8:
        raise FileUnusable(f"the file is not valid UTF-8 (it looks {facts.encoding})")
    readable = utf8_copy(path, facts, work_dir, forced=source.encoding)
    try:
        line = first_line(readable)
        if not line.strip():
            raise FileUnusable("the file has no header row")
        delimiter = source.delimiter if source.delimiter != "auto" else sniff_delimiter(line)
        header_rows = HEADER_ROWS[source.format]
        records = read_header_records(readable, delimiter, header_rows)
        if len(records) < header_rows:
            raise FileUnusable(
                f"a {source.format} export starts with {header_rows} header rows; the file has {len(records)}"
            )
        parsed = _name_columns(source.format, records)
        parsed.delimiter = delimiter
        if facts.encoding.endswith("(no BOM)"):
            parsed.notes.append(
                f"read as {facts.encoding}: no byte-order mark, but zero bytes in every other place"
            )
        parsed.parser = parse_delimited(con, readable, delimiter, len(parsed.header), table, header_rows)
        parsed.rows = table
        parsed.may_hold_nul = facts.holds_nul  # the values are the file's text
        return parsed
    finally:
        if readable != path:
            readable.unlink(missing_ok=True)


def _name_columns(file_format: str, records: list[list[str]]) -> ParsedFile:
    if file_format == "csv":
        return ParsedFile(header=tuple(records[0]))
    if file_format == "qualtrics_csv":
        return _qualtrics_header(records)
    return _surveymonkey_header(records)


def _qualtrics_header(records: list[list[str]]) -> ParsedFile:
    names, questions, import_ids = records
    if len(questions) != len(names) or len(import_ids) != len(names):
        raise FileUnusable("the three Qualtrics header rows have different numbers of columns")
    parsed = ParsedFile(header=tuple(names), descriptions=dict(zip(names, questions, strict=True)))
    zones = set()
    for cell in import_ids:
        try:
            meta = json.loads(cell)
        except ValueError:
            raise FileUnusable(
                f"the third Qualtrics header row should hold ImportId JSON, found {cell[:60]!r}"
            ) from None
        if isinstance(meta, dict) and meta.get("timeZone"):
            zones.add(meta["timeZone"])
    if len(zones) > 1:
        parsed.notes.append(f"several time zones in the ImportId row: {sorted(zones)}")
    if zones:
        parsed.timezone = sorted(zones)[0]  # an unknown zone rejects the file at landing
    return parsed


def _surveymonkey_header(records: list[list[str]]) -> ParsedFile:
    questions, answers = records
    if len(answers) != len(questions):
        raise FileUnusable("the two SurveyMonkey header rows have different numbers of columns")
    names = []
    current = ""
    for question, answer in zip(questions, answers, strict=True):
        current = question.strip() or current  # a question spans its sub-answer columns
        if answer.strip().lower() in SURVEYMONKEY_PLAIN_SUBHEADERS:
            names.append(current)
        else:
            names.append(f"{current} - {answer.strip()}")
    return ParsedFile(header=tuple(names), descriptions={name: name for name in names})


def read_header_records(path: Path, delimiter: str, count: int) -> list[list[str]]:
    """The first `count` records of a UTF-8 delimited file (quoted newlines allowed)."""
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"', strict=False)
        records = []
        for record in reader:
            records.append(record)
            if len(records) == count:
                break
    return records


def parse_delimited(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    delimiter: str,
    width: int,
    table: str,
    header_rows: int = 1,
) -> str:
    """Fill `table` from a UTF-8 delimited file; returns the parser used ('duckdb' or 'python')."""
    drop_rows(con, table)
    try:
        _parse_with_duckdb(con, path, delimiter, width, table, header_rows)
        return "duckdb"
    except duckdb.Error:
        drop_rows(con, table)
        insert_records(con, table, width, _delimited_records(path, delimiter, width, header_rows))
        return "python"


def _parse_with_duckdb(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    delimiter: str,
    width: int,
    table: str,
    header_rows: int,
) -> None:
    columns = "{" + ", ".join(f"'{name}': 'varchar'" for name in column_names(width)) + "}"
    con.execute(
        f"""
        create temp table {table}_read as
        select * from read_csv(
            $path, delim = $delim, quote = '"', escape = '"', header = false,
            auto_detect = false, columns = {columns}, strict_mode = true,
            null_padding = false, encoding = 'utf-8',
            max_line_size = {MAX_LINE_BYTES}, buffer_size = {READ_BUFFER_BYTES}
        )""",
        {"path": str(path), "delim": delimiter},
    )
    # rowid follows insertion order, which follows the file (insertion order is preserved).
    # A view, not a second table: a large file is then held once (within the memory limit).
    selected = ", ".join(column_names(width))
    con.execute(
        f"""
        create temp view {table} as
        select rowid + 1 - {int(header_rows)} as row_number, {selected},
               cast(null as varchar) as parse_error
        from {table}_read
        where rowid >= {int(header_rows)}"""
    )


class _LineTap:
    """Feeds lines to the csv reader and remembers those of the current record."""

    def __init__(self, handle):
        self.handle = handle
        self.lines: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.handle)
        self.lines.append(line)
        return line


def _delimited_records(path: Path, delimiter: str, width: int, header_rows: int) -> Iterator[Record]:
    """Every record after the header rows.

    Strict quoting: a stray or unterminated quote is an error for that record (with its
    raw text in the message), and reading goes on with the next line.
    """
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        tap = _LineTap(handle)
        reader = csv.reader(tap, delimiter=delimiter, quotechar='"', strict=True)
        skipped = 0
        row_number = 0
        while True:
            tap.lines = []
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if skipped < header_rows:
                    skipped += 1
                    continue
                row_number += 1
                raw = "".join(tap.lines)
                yield row_number, [None] * width, f"unreadable CSV ({exc}) in {raw[:200]!r}"
                continue
            if not fields:
                continue  # a blank line is not a record
            if skipped < header_rows:
                skipped += 1
                continue
            row_number += 1
            padded, error = fit_to_width(fields, width)
            if error and len(fields) == 1 and width > 1:
                error += _delimiter_hint(fields[0], delimiter)
            yield row_number, padded, error


def _delimiter_hint(text: str, delimiter: str) -> str:
    others = [d for d in (",", ";", "\t", "|") if d != delimiter and d in text]
    if not others:
        return ""
    return f" (the row looks {others[0]!r}-delimited, the header {delimiter!r}-delimited)"
