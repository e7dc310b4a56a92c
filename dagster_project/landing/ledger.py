"""The load ledger: which contents landed, from which deliveries, and which were replaced.

- `raw.landed_files`: one load record per file content (SHA-256): where it came from, how
  it was read, rows read, why it was rejected, its landing order, the source settings its
  rows are validated with, and - once a corrected file arrives under the same path - when
  and by what it was replaced. `raw.live_files` is the view of the records still in use.
- `raw.file_deliveries`: every time a file was seen (path, size, modification time, what
  happened), so an unchanged file is recognised without reading it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from dagster_project.landing.header_mapping import HeaderMapping
from dagster_project.landing.inbox import Delivery
from dagster_project.landing.sources import SourceConfig
from dagster_project.readers import BINARY_FORMATS, ParsedFile
from dagster_project.readers.encoding import FileFacts


@dataclass
class LandingOutcome:
    """What happened to one delivered file."""

    file_path: str
    file_id: str
    outcome: str  # landed | already_landed | replacement
    rows_read: int = 0
    rejected_reason: str | None = None
    parser: str | None = None
    notes: list[str] = field(default_factory=list)


def unchanged_delivery(con: duckdb.DuckDBPyConnection, seen: dict) -> tuple[str, str] | None:
    """(file id, first path) of a live content delivered before with this path, size and
    modification time: the file need not even be read."""
    rows = con.execute(
        """select files.file_id, files.file_path
           from raw.file_deliveries as deliveries
           join raw.live_files as files using (file_id)
           where deliveries.file_path = $p and deliveries.file_bytes = $bytes
             and deliveries.file_mtime_ns = $mtime
           limit 1""",
        seen,
    ).fetchall()
    return rows[0] if rows else None


def live_path_of(con: duckdb.DuckDBPyConnection, file_id: str) -> str | None:
    """Where the same content landed, if it is in use."""
    rows = con.execute("select file_path from raw.live_files where file_id = $id", {"id": file_id}).fetchall()
    return rows[0][0] if rows else None


def live_versions_at(con: duckdb.DuckDBPyConnection, file_path: str, source: SourceConfig) -> list[str]:
    """The ids of the live content under this path: a new content replaces them."""
    rows = con.execute(
        "select file_id from raw.live_files where file_path = $p and source = $s",
        {"p": file_path, "s": source.name},
    ).fetchall()
    return [file_id for (file_id,) in rows]


def rejected_live_files(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int]]:
    """(path, source, reason, rows read) of every file in use that was rejected as a whole."""
    return con.execute(
        """select file_path, source, rejected_reason, rows_read from raw.live_files
           where rejected_reason is not null order by file_path"""
    ).fetchall()


def live_file_count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select count(*) from raw.live_files").fetchall()[0][0]


def forget_content(con: duckdb.DuckDBPyConnection, file_id: str) -> None:
    """Content landed earlier and replaced since lands afresh: its old record goes."""
    con.execute("delete from raw.landed_files where file_id = $id", {"id": file_id})


def retire(
    con: duckdb.DuckDBPyConnection, source: SourceConfig, old_id: str, new_id: str, now: dt.datetime
) -> None:
    """A corrected re-delivery: the earlier version's rows go, its record says what replaced it."""
    kind = source.row_kind
    for table in (kind.rows_table, kind.segments_table):
        con.execute(f"delete from {table} where file_id = $id", {"id": old_id})
    con.execute(
        "update raw.landed_files set replaced_at = $now, replaced_by = $new where file_id = $id",
        {"now": now, "new": new_id, "id": old_id},
    )


def record_delivery(
    con: duckdb.DuckDBPyConnection,
    seen: dict,
    file_id: str,
    source: SourceConfig,
    outcome: str,
    now: dt.datetime,
) -> None:
    con.execute(
        """insert into raw.file_deliveries by name select $p as file_path, $id as file_id,
               $s as source, $o as outcome, $now as seen_at, $bytes as file_bytes,
               $mtime as file_mtime_ns""",
        {**seen, "id": file_id, "s": source.name, "o": outcome, "now": now},
    )


def insert_load_record(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    facts: FileFacts,
    outcome: LandingOutcome,
    parsed: ParsedFile | None,
    mapping: HeaderMapping,
    now: dt.datetime,
    delivery: Delivery,
) -> None:
    """The file's load record (`parsed` is None when nothing could be read)."""
    con.execute(
        """insert into raw.landed_files by name select
            $id as file_id, $source as source, $kind as kind, $format as format,
            $path as file_path, $archive_path as archive_path, $archive_member as archive_member,
            $bytes as file_bytes, $encoding as encoding,
            $delimiter as delimiter, $parser as parser, $header as header_columns,
            $ignored as ignored_columns, $mapped as mapped_columns, $rows as rows_read,
            $reason as rejected_reason,
            nextval('raw.landing_seq') as landing_seq, $now as landed_at,
            $timezone as timezone, $timestamp_format as timestamp_format,
            map($map_keys::varchar[], $map_values::varchar[]) as channel_map,
            $statuses::varchar[] as real_statuses,
            $keep_unfinished as keep_unfinished_with_score, $score_labels as score_labels,
            $currency as currency, $later_event_replaces as later_event_replaces""",
        {
            "id": facts.sha256,
            "source": source.name,
            "kind": source.kind,
            "format": source.format,
            "path": outcome.file_path,
            "bytes": facts.size_bytes,
            "archive_path": delivery.archive_path,
            "archive_member": delivery.archive_member,
            "encoding": facts.encoding if _is_text(source, facts, delivery) else None,
            "delimiter": parsed.delimiter if parsed else None,
            "parser": outcome.parser,
            "header": list(parsed.header) if parsed else [],
            "ignored": list(mapping.ignored),
            "mapped": [c for c in source.row_kind.columns if c in mapping.positions or c in source.constants],
            "rows": outcome.rows_read,
            "reason": outcome.rejected_reason,
            "now": now,
            "timezone": (parsed.timezone if parsed else None) or source.timezone,
            "timestamp_format": source.timestamp_format,
            "map_keys": list(source.channel_map),
            "map_values": list(source.channel_map.values()),
            "statuses": source.real_statuses,
            "keep_unfinished": source.keep_unfinished_with_score,
            "score_labels": source.score_labels,
            "currency": source.currency,
            "later_event_replaces": source.later_event_replaces,
        },
    )


def _is_text(source: SourceConfig, facts: FileFacts, delivery: Delivery) -> bool:
    """Whether the delivery's bytes are meant as text (an encoding to record): not a
    workbook, not an archive rejected whole, not an empty file."""
    return bool(facts.size_bytes) and source.format not in BINARY_FORMATS and not delivery.rejected_reason
