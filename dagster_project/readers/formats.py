"""Format adapters: each reads one file into the landing temp table and names its columns.

| format            | header                                                         |
|-------------------|----------------------------------------------------------------|
| csv               | one header row                                                 |
| qualtrics_csv     | three rows: column names, question texts, ImportId JSON        |
|                   | (`{"ImportId":"recordedDate","timeZone":"America/Denver"}`)    |
| surveymonkey_csv  | two rows: question texts, then sub-answers ("Response", ...)   |
| xlsx              | a configured sheet and header row; row N = sheet row header+N  |
| json              | an array of objects or JSON Lines (one object per line); nested|
|                   | fields are named a.b; row N = element N / line N               |

Whatever the format, rows land as text; nothing is converted before validation.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from dagster_project.landing.sources import SourceConfig
from dagster_project.readers.delimited import (
    Record,
    fit_to_width,
    insert_records,
    parse_delimited,
    read_header_records,
)
from dagster_project.readers.encoding import FileFacts, first_line, sniff_delimiter, utf8_copy

DELIMITED_SUFFIXES = (".csv", ".tsv", ".txt")
SUFFIXES = {
    "csv": DELIMITED_SUFFIXES,
    "qualtrics_csv": DELIMITED_SUFFIXES,
    "surveymonkey_csv": DELIMITED_SUFFIXES,
    "xlsx": (".xlsx", ".xlsm"),
    "json": (".json", ".jsonl", ".ndjson"),
}
SURVEYMONKEY_PLAIN_SUBHEADERS = {"", "response", "open-ended response"}


@dataclass
class ParsedFile:
    header: tuple[str, ...] = ()
    parser: str | None = None  # duckdb | python | openpyxl | json; None when nothing was read
    delimiter: str | None = None
    rejected_reason: str | None = None
    timezone: str | None = None  # the file's own time zone, when it states one
    descriptions: dict[str, str] = field(default_factory=dict)  # column -> question text
    notes: list[str] = field(default_factory=list)


class FileRejected(Exception):
    """The file as a whole cannot be read; the message says why."""


def read_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: SourceConfig,
    facts: FileFacts,
    work_dir: Path,
    table: str,
) -> ParsedFile:
    """Read the file into `table`, or return why it cannot be used as a whole."""
    if path.suffix.lower() not in SUFFIXES[source.format]:
        return ParsedFile(
            rejected_reason=f"unsupported file type {path.suffix or '(none)'!r} for format "
            f"{source.format} (expected {', '.join(SUFFIXES[source.format])})"
        )
    if facts.size_bytes == 0:
        return ParsedFile(rejected_reason="the file is empty")
    try:
        if source.format == "xlsx":
            return _read_xlsx(con, path, source, table)
        if source.format == "json":
            return _read_json(con, path, facts, table)
        return _read_delimited(con, path, source, facts, work_dir, table)
    except FileRejected as exc:
        return ParsedFile(rejected_reason=str(exc))


# -- delimited -------------------------------------------------------------------------
def _read_delimited(con, path, source, facts, work_dir, table) -> ParsedFile:
    if source.encoding == "utf-8" and not facts.is_utf8:
        raise FileRejected(f"the file is not valid UTF-8 (it looks {facts.encoding})")
    readable = utf8_copy(path, facts, work_dir, forced=source.encoding)
    try:
        line = first_line(readable)
        if not line.strip():
            raise FileRejected("the file has no header row")
        delimiter = source.delimiter if source.delimiter != "auto" else sniff_delimiter(line)
        header_rows = {"csv": 1, "qualtrics_csv": 3, "surveymonkey_csv": 2}[source.format]
        records = read_header_records(readable, delimiter, header_rows)
        if len(records) < header_rows:
            raise FileRejected(
                f"a {source.format} export starts with {header_rows} header rows; the file has {len(records)}"
            )
        parsed = _name_columns(source.format, records)
        parsed.delimiter = delimiter
        parsed.parser = parse_delimited(con, readable, delimiter, len(parsed.header), table, header_rows)
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
        raise FileRejected("the three Qualtrics header rows have different numbers of columns")
    parsed = ParsedFile(header=tuple(names), descriptions=dict(zip(names, questions, strict=True)))
    zones = set()
    for cell in import_ids:
        try:
            meta = json.loads(cell)
        except ValueError:
            raise FileRejected(
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
        raise FileRejected("the two SurveyMonkey header rows have different numbers of columns")
    names = []
    current = ""
    for question, answer in zip(questions, answers, strict=True):
        current = question.strip() or current  # a question spans its sub-answer columns
        if answer.strip().lower() in SURVEYMONKEY_PLAIN_SUBHEADERS:
            names.append(current)
        else:
            names.append(f"{current} - {answer.strip()}")
    return ParsedFile(header=tuple(names), descriptions={name: name for name in names})


# -- xlsx -------------------------------------------------------------------------------
def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f") if value.is_integer() else repr(value)
    text = str(value)
    return text if text != "" else None


def _read_xlsx(con, path: Path, source: SourceConfig, table: str) -> ParsedFile:
    import openpyxl  # only needed for workbooks

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileRejected(f"not a readable .xlsx workbook ({exc})") from None
    try:
        if source.sheet is None:
            sheet = workbook.worksheets[0]
        elif source.sheet in workbook.sheetnames:
            sheet = workbook[source.sheet]
        else:
            raise FileRejected(
                f"no sheet {source.sheet!r} in the workbook (sheets: {', '.join(workbook.sheetnames)})"
            )
        rows = sheet.iter_rows(values_only=True)
        header = None
        for sheet_row, values in enumerate(rows, start=1):
            if sheet_row == source.header_row:
                header = [_cell_text(v) or "" for v in values]
                break
        if header is None or not any(header):
            raise FileRejected(f"sheet {sheet.title!r} has no header in row {source.header_row}")
        while header and not header[-1]:
            header.pop()
        width = len(header)

        def records() -> Iterator[Record]:
            for offset, values in enumerate(rows, start=1):
                cells = [_cell_text(v) for v in values]
                if not any(c is not None for c in cells):
                    continue  # an empty sheet row is not a record
                fields, error = fit_to_width(cells, width)
                if error and any(c is not None for c in cells[width:]):
                    error = f"values beyond the header columns: {cells[width:][:5]!r}"
                elif error:
                    error = None  # only empty trailing cells
                yield offset, fields, error

        insert_records(con, table, width, records())
        return ParsedFile(header=tuple(header), parser="openpyxl")
    finally:
        workbook.close()


# -- json -------------------------------------------------------------------------------
def _flatten(value: dict, prefix: str = "") -> dict[str, str | None]:
    flat: dict[str, str | None] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            flat.update(_flatten(item, f"{name}."))
        elif isinstance(item, list):
            flat[name] = json.dumps(item, ensure_ascii=False)
        elif isinstance(item, bool):
            flat[name] = "true" if item else "false"
        elif item is None:
            flat[name] = None
        else:
            flat[name] = str(item)
    return flat


def _json_objects(text: str) -> Iterator[tuple[int, dict | None, str | None]]:
    """(row number, flattened object or None, error) from a JSON array or JSON Lines."""
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FileRejected(f"not valid JSON ({exc})") from None
        if not isinstance(items, list):
            raise FileRejected("a JSON file must hold an array of objects")
        for number, item in enumerate(items, start=1):
            if isinstance(item, dict):
                yield number, _flatten(item), None
            else:
                yield number, None, f"element {number} is not an object: {json.dumps(item)[:80]}"
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"invalid JSON on line {number} ({exc.msg}): {line[:80]!r}"
            continue
        if isinstance(item, dict):
            yield number, _flatten(item), None
        else:
            yield number, None, f"line {number} is not a JSON object: {line[:80]!r}"


def _read_json(con, path: Path, facts: FileFacts, table: str) -> ParsedFile:
    if not facts.is_utf8:
        raise FileRejected(f"JSON must be UTF-8; the file looks {facts.encoding}")
    text = path.read_text(encoding="utf-8-sig")
    if not text.strip():
        raise FileRejected("the file holds no JSON")
    names: dict[str, None] = {}
    for _, item, _ in _json_objects(text):
        if item:
            names.update(dict.fromkeys(item))
    header = tuple(names)
    if not header:
        raise FileRejected("no JSON object with fields in the file")

    def records() -> Iterator[Record]:
        for number, item, error in _json_objects(text):
            fields = [None] * len(header) if item is None else [item.get(n) for n in header]
            yield number, [f if f != "" else None for f in fields], error

    insert_records(con, table, len(header), records())
    return ParsedFile(header=header, parser="json")


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
