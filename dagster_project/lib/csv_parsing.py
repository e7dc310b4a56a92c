"""Parsing a UTF-8 delimited file into a DuckDB temp table of text, one row per record.

Fast path: DuckDB's reader with every option explicit (no sniffing) and strict parsing.
When DuckDB refuses the file (ragged rows, stray quotes), a second pass with Python's
csv module keeps every record, marking the malformed ones with a `parse_error`,
so no record is lost and each problem is named by its row.

The temp table has columns `row_number` (1 = first record after the header),
`c0`..`cN` (the header's columns, by position) and `parse_error`. File names and headers
never become SQL text: the path is a bound parameter and columns are named by position.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

BATCH_ROWS = 100_000
csv.field_size_limit(1 << 30)


def column_names(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def parse_into_temp_table(
    con: duckdb.DuckDBPyConnection, path: Path, delimiter: str, width: int, table: str
) -> str:
    """Fill `table` from the file; returns the parser used ('duckdb' or 'python')."""
    con.execute(f"drop table if exists {table}")
    try:
        _parse_with_duckdb(con, path, delimiter, width, table)
        return "duckdb"
    except duckdb.Error:
        con.execute(f"drop table if exists {table}_read")
        con.execute(f"drop table if exists {table}")
        _parse_with_python(con, path, delimiter, width, table)
        return "python"


def _parse_with_duckdb(
    con: duckdb.DuckDBPyConnection, path: Path, delimiter: str, width: int, table: str
) -> None:
    columns = "{" + ", ".join(f"'{name}': 'varchar'" for name in column_names(width)) + "}"
    con.execute(
        f"""
        create temp table {table}_read as
        select * from read_csv(
            $path, delim = $delim, quote = '"', escape = '"', header = true,
            auto_detect = false, columns = {columns}, strict_mode = true,
            null_padding = false, encoding = 'utf-8', max_line_size = 100000000
        )""",
        {"path": str(path), "delim": delimiter},
    )
    # rowid follows insertion order, which follows the file (insertion order is preserved).
    selected = ", ".join(column_names(width))
    con.execute(
        f"""
        create temp table {table} as
        select rowid + 1 as row_number, {selected}, cast(null as varchar) as parse_error
        from {table}_read"""
    )
    con.execute(f"drop table {table}_read")


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


def _records(path: Path, delimiter: str, width: int) -> Iterator[tuple[list[str | None], str]]:
    """(fields padded to width, parse error or '') for every record after the header.

    Strict quoting: a stray or unterminated quote is an error for that record (with its
    raw text in the message), and reading goes on with the next line.
    """
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        tap = _LineTap(handle)
        reader = csv.reader(tap, delimiter=delimiter, quotechar='"', strict=True)
        next(reader, None)
        while True:
            tap.lines = []
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raw = "".join(tap.lines)
                yield [None] * width, f"unreadable CSV ({exc}) in {raw[:200]!r}"
                continue
            if not fields:
                continue  # a blank line is not a record
            error = ""
            if len(fields) != width:
                error = f"row has {len(fields)} fields but the header has {width}"
                if len(fields) > width:
                    error += f"; extra values {fields[width:][:5]!r}"
            padded = [value if value != "" else None for value in fields[:width]]
            padded += [None] * (width - len(padded))
            yield padded, error


def _parse_with_python(
    con: duckdb.DuckDBPyConnection, path: Path, delimiter: str, width: int, table: str
) -> None:
    names = column_names(width)
    schema = pa.schema(
        [("row_number", pa.int64())]
        + [(name, pa.string()) for name in names]
        + [("parse_error", pa.string())]
    )
    con.execute(
        f"create temp table {table} ("
        + ", ".join(["row_number bigint"] + [f"{n} varchar" for n in names] + ["parse_error varchar"])
        + ")"
    )
    batch: list[tuple[list[str | None], str]] = []
    row_number = 0

    def flush() -> None:
        nonlocal batch
        if not batch:
            return
        start = row_number - len(batch) + 1
        columns = [pa.array(range(start, row_number + 1), pa.int64())]
        for i in range(width):
            columns.append(pa.array([fields[i] for fields, _ in batch], pa.string()))
        columns.append(pa.array([error or None for _, error in batch], pa.string()))
        con.register("_arrow_batch", pa.Table.from_arrays(columns, schema=schema))
        con.execute(f"insert into {table} select * from _arrow_batch")
        con.unregister("_arrow_batch")
        batch = []

    for record in _records(path, delimiter, width):
        row_number += 1
        batch.append(record)
        if len(batch) >= BATCH_ROWS:
            flush()
    flush()
