"""JSON exports: an array of objects, or JSON Lines (one object per line).

Nested fields are named `a.b`, lists are kept as JSON text; row N is element N / line N.
A line that is not a JSON object becomes a row with a parse error, so it is quarantined.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb

from dagster_project.landing.sources import SourceConfig
from dagster_project.readers.encoding import FileFacts, utf16_codec
from dagster_project.readers.rows import Record, insert_records
from dagster_project.readers.types import FileUnusable, ParsedFile


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
            raise FileUnusable(f"not valid JSON ({exc})") from None
        if not isinstance(items, list):
            raise FileUnusable("a JSON file must hold an array of objects")
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


def read_json(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: SourceConfig,
    facts: FileFacts,
    work_dir: Path,
    table: str,
) -> ParsedFile:
    """Read a JSON array of objects or JSON Lines into the relation `table`."""
    if facts.not_text_reason:
        raise FileUnusable(facts.not_text_reason)
    if not (facts.is_utf8 or facts.is_utf16):
        raise FileUnusable(f"JSON must be UTF-8 or UTF-16; the file looks {facts.encoding}")
    text = path.read_text(encoding=utf16_codec(facts.encoding) if facts.is_utf16 else "utf-8-sig")
    if not text.strip():
        raise FileUnusable("the file holds no JSON")
    names: dict[str, None] = {}
    for _, item, _ in _json_objects(text):
        if item:
            names.update(dict.fromkeys(item))
    header = tuple(names)
    if not header:
        raise FileUnusable("no JSON object with fields in the file")

    def records() -> Iterator[Record]:
        for number, item, error in _json_objects(text):
            fields = [None] * len(header) if item is None else [item.get(n) for n in header]
            yield number, [f if f != "" else None for f in fields], error

    insert_records(con, table, len(header), records())
    return ParsedFile(header=header, parser="json", rows=table)
