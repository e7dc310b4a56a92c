"""Parsing records into a DuckDB temp relation of text, one row per record.

The relation (a temp view over the temp table `<name>_read`, dropped with `drop_parsed`)
has columns `row_number` (1 = first record after the header rows), `c0`..`cN` (the
header's columns, by position) and `parse_error`. File names and headers
never become SQL text: paths are bound parameters and columns are named by position.

Delimited files: DuckDB's reader first, with every option explicit (no sniffing) and
strict parsing. When DuckDB refuses the file (ragged rows, stray quotes), a second pass
with Python's csv module keeps every record, marking the malformed ones with a
`parse_error`, so no record is lost and each problem is named by its row.
Other formats (xlsx, JSON) hand their records to `insert_records`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

BATCH_ROWS = 100_000
# DuckDB's reader sizes its buffer from the longest line allowed (up to the whole file): a
# 1 GB file then needs a 1 GB block, more than the memory limit, and DuckDB refuses it. A
# record longer than this (free text of megabytes) goes to the Python reader, which keeps it.
MAX_LINE_BYTES = 8 << 20
READ_BUFFER_BYTES = 4 * MAX_LINE_BYTES
csv.field_size_limit(1 << 30)

Record = tuple[int, list[str | None], str | None]  # row number, fields, parse error


def column_names(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


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
    drop_parsed(con, table)
    try:
        _parse_with_duckdb(con, path, delimiter, width, table, header_rows)
        return "duckdb"
    except duckdb.Error:
        drop_parsed(con, table)
        insert_records(con, table, width, _delimited_records(path, delimiter, width, header_rows))
        return "python"


def drop_parsed(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Remove what parsing made (the view `table` and its table `<table>_read`)."""
    con.execute(f"drop view if exists {table}")
    con.execute(f"drop table if exists {table}_read")


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


def fit_to_width(fields: list, width: int) -> tuple[list[str | None], str | None]:
    """Fields padded or cut to the header's width, and the error when they did not fit."""
    error = None
    if len(fields) != width:
        error = f"row has {len(fields)} fields but the header has {width}"
        if len(fields) > width:
            error += f"; extra values {fields[width:][:5]!r}"
    padded = [value if value != "" else None for value in fields[:width]]
    padded += [None] * (width - len(padded))
    return padded, error


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


def insert_records(con: duckdb.DuckDBPyConnection, table: str, width: int, records: Iterable[Record]) -> None:
    """Create `table` and fill it from records, in Arrow batches (constant memory)."""
    names = column_names(width)
    schema = pa.schema(
        [("row_number", pa.int64())]
        + [(name, pa.string()) for name in names]
        + [("parse_error", pa.string())]
    )
    drop_parsed(con, table)
    con.execute(
        f"create temp table {table}_read ("
        + ", ".join(["row_number bigint"] + [f"{n} varchar" for n in names] + ["parse_error varchar"])
        + ")"
    )
    con.execute(f"create temp view {table} as select * from {table}_read")
    batch: list[Record] = []

    def flush() -> None:
        if not batch:
            return
        columns = [pa.array([number for number, _, _ in batch], pa.int64())]
        for i in range(width):
            columns.append(pa.array([fields[i] for _, fields, _ in batch], pa.string()))
        columns.append(pa.array([error for _, _, error in batch], pa.string()))
        con.register("_arrow_batch", pa.Table.from_arrays(columns, schema=schema))
        con.execute(f"insert into {table}_read select * from _arrow_batch")
        con.unregister("_arrow_batch")
        batch.clear()

    for record in records:
        batch.append(record)
        if len(batch) >= BATCH_ROWS:
            flush()
    flush()
