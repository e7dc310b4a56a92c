"""What every reader hands back: the file's records as text rows in a DuckDB temp relation.

The relation (a temp view `<name>` over the temp table `<name>_read`, both removed by
`drop_rows`) has the columns `row_number` (1 = the first record after the header rows),
`c0`..`cN` (the header's columns, by position) and `parse_error`. File names and headers
never become SQL text: paths are bound parameters and columns are named by position.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa

BATCH_ROWS = 100_000

Record = tuple[int, list[str | None], str | None]  # row number, fields, parse error


def column_names(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def drop_rows(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Remove what reading made (the view `table` and its table `<table>_read`)."""
    con.execute(f"drop view if exists {table}")
    con.execute(f"drop table if exists {table}_read")


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


def insert_records(con: duckdb.DuckDBPyConnection, table: str, width: int, records: Iterable[Record]) -> None:
    """Create the relation `table` and fill it from records, in Arrow batches (constant memory)."""
    names = column_names(width)
    schema = pa.schema(
        [("row_number", pa.int64())]
        + [(name, pa.string()) for name in names]
        + [("parse_error", pa.string())]
    )
    drop_rows(con, table)
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
