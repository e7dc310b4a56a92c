"""Excel workbooks (.xlsx, .xlsm): a configured sheet and header row.

Cells are written as text the way a person reads them (whole floats without `.0`,
datetimes in ISO form); an empty sheet row is not a record.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb

from dagster_project.landing.sources import SourceConfig
from dagster_project.readers.encoding import FileFacts
from dagster_project.readers.rows import Record, fit_to_width, insert_records
from dagster_project.readers.types import FileUnusable, ParsedFile


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


def read_xlsx(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: SourceConfig,
    facts: FileFacts,
    work_dir: Path,
    table: str,
) -> ParsedFile:
    """Read the configured sheet into the relation `table`; row N is sheet row header + N."""
    import openpyxl  # only needed for workbooks

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileUnusable(f"not a readable .xlsx workbook ({exc})") from None
    try:
        if source.sheet is None:
            sheet = workbook.worksheets[0]
        elif source.sheet in workbook.sheetnames:
            sheet = workbook[source.sheet]
        else:
            raise FileUnusable(
                f"no sheet {source.sheet!r} in the workbook (sheets: {', '.join(workbook.sheetnames)})"
            )
        rows = sheet.iter_rows(values_only=True)
        header = None
        for sheet_row, values in enumerate(rows, start=1):
            if sheet_row == source.header_row:
                header = [_cell_text(v) or "" for v in values]
                break
        if header is None or not any(header):
            raise FileUnusable(f"sheet {sheet.title!r} has no header in row {source.header_row}")
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
        return ParsedFile(header=tuple(header), parser="openpyxl", rows=table)
    finally:
        workbook.close()
