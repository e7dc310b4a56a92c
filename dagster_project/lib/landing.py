"""Landing inbox files as raw text rows, with lineage, exactly once.

Policy (documented in the README):
- A file is identified by the SHA-256 of its bytes. Content already landed is not landed
  again, whatever the file is called (the delivery is recorded as `already_landed`).
- A file whose path was landed before with other content is a corrected re-delivery: the
  earlier version's rows are removed and the new version's rows land, in one transaction.
- Files are landed in path order; each gets a `landing_seq`. When two files carry the same
  id, the later landed file wins (see validation).
- A file that cannot be used as a whole (empty, no header, a required column missing,
  duplicate column names, unsupported type) still gets a load record with the reason;
  its rows, if any, land so that validation quarantines each of them with that reason.
Each file lands in its own transaction: a crash leaves either all of a file or none of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project.lib.csv_parsing import parse_into_temp_table
from dagster_project.lib.file_reading import FileFacts, inspect_file, utf8_copy
from dagster_project.lib.sources import SEGMENT_PREFIX, SourceSpec
from dagster_project.lib.warehouse import scalar

DELIMITED_SUFFIXES = (".csv", ".tsv", ".txt")
_TEMP = "_landing"


@dataclass
class LandingOutcome:
    file_path: str
    file_id: str
    outcome: str  # landed | already_landed | replacement
    rows_read: int = 0
    rejected_reason: str | None = None
    parser: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class HeaderMapping:
    positions: dict[str, int]  # canonical column -> position in the file
    segments: dict[str, int]  # segment name -> position
    ignored: tuple[str, ...]
    rejected_reason: str | None


def inbox_files(raw_dir: Path, spec: SourceSpec) -> list[Path]:
    folder = raw_dir / spec.folder
    if not folder.is_dir():
        return []
    return sorted(
        path for path in folder.rglob("*") if path.is_file() and not path.name.startswith((".", "~$"))
    )


def normalise_column_name(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


def map_header(header: tuple[str, ...], spec: SourceSpec) -> HeaderMapping:
    positions: dict[str, int] = {}
    segments: dict[str, int] = {}
    ignored: list[str] = []
    seen: dict[str, int] = {}
    duplicates: list[str] = []
    for position, raw_name in enumerate(header):
        name = normalise_column_name(raw_name)
        if name in seen:
            duplicates.append(name)
            continue
        seen[name] = position
        if name in spec.columns:
            positions[name] = position
        elif name.startswith(SEGMENT_PREFIX) and len(name) > len(SEGMENT_PREFIX):
            segments[name[len(SEGMENT_PREFIX) :]] = position
        else:
            ignored.append(raw_name if raw_name.strip() else f"(unnamed column {position + 1})")
    reason = None
    if duplicates:
        reason = "column(s) appear more than once in the header: " + ", ".join(
            repr(d) for d in sorted(set(duplicates))
        )
    else:
        missing = [column for column in spec.required if column not in positions]
        if missing:
            reason = "required column(s) missing from the header: " + ", ".join(missing)
    return HeaderMapping(positions, segments, tuple(ignored), reason)


def _relative(path: Path, raw_dir: Path) -> str:
    try:
        return path.relative_to(raw_dir).as_posix()
    except ValueError:
        return path.as_posix()


def land_source(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    raw_dir: Path,
    work_dir: Path,
) -> list[LandingOutcome]:
    """Land every new or changed file of one source; returns what happened to each file."""
    return [land_file(con, spec, path, raw_dir, work_dir) for path in inbox_files(raw_dir, spec)]


def land_file(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    path: Path,
    raw_dir: Path,
    work_dir: Path,
) -> LandingOutcome:
    relative = _relative(path, raw_dir)
    facts = inspect_file(path)
    now = dt.datetime.now(dt.UTC)
    live = con.execute(
        "select file_path from raw.landed_files where file_id = $id and replaced_at is null",
        {"id": facts.sha256},
    ).fetchall()
    if live:
        recorded = scalar(
            con,
            "select count(*) from raw.file_deliveries where file_path = $p and file_id = $id",
            {"p": relative, "id": facts.sha256},
        )
        if not recorded:
            _record_delivery(con, relative, facts.sha256, spec, "already_landed", now)
        return LandingOutcome(
            relative, facts.sha256, "already_landed", notes=[f"same content as {live[0][0]}"]
        )

    previous = con.execute(
        """select file_id from raw.landed_files
           where file_path = $p and source = $s and replaced_at is null""",
        {"p": relative, "s": spec.name},
    ).fetchall()
    outcome = LandingOutcome(relative, facts.sha256, "replacement" if previous else "landed")
    try:
        # Parsing happens before the transaction: a parser error must not abort it.
        mapping = _parse(con, spec, path, facts, work_dir, outcome)
        con.execute("begin transaction")
        try:
            # Content landed earlier and replaced since is landed afresh.
            con.execute("delete from raw.landed_files where file_id = $id", {"id": facts.sha256})
            for (old_id,) in previous:
                _retire(con, spec, old_id, facts.sha256, now)
            if outcome.parser:
                _insert_rows(con, spec, facts.sha256, mapping)
            _insert_load_record(con, spec, facts, outcome, mapping, now)
            _record_delivery(con, relative, facts.sha256, spec, outcome.outcome, now)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.execute(f"drop table if exists {_TEMP}")
    return outcome


def _retire(con, spec: SourceSpec, old_id: str, new_id: str, now: dt.datetime) -> None:
    for table in (spec.rows_table, spec.segments_table):
        con.execute(f"delete from {table} where file_id = $id", {"id": old_id})
    con.execute(
        "update raw.landed_files set replaced_at = $now, replaced_by = $new where file_id = $id",
        {"now": now, "new": new_id, "id": old_id},
    )


def _record_delivery(con, relative: str, file_id: str, spec: SourceSpec, outcome: str, now) -> None:
    con.execute(
        "insert into raw.file_deliveries values ($p, $id, $s, $o, $now)",
        {"p": relative, "id": file_id, "s": spec.name, "o": outcome, "now": now},
    )


def _parse(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    path: Path,
    facts: FileFacts,
    work_dir: Path,
    outcome: LandingOutcome,
) -> HeaderMapping:
    """Parse the file into the temp table, or say why the file as a whole cannot be used."""
    if path.suffix.lower() not in DELIMITED_SUFFIXES:
        outcome.rejected_reason = f"unsupported file type {path.suffix or '(none)'!r}"
        return HeaderMapping({}, {}, (), outcome.rejected_reason)
    if facts.size_bytes == 0:
        outcome.rejected_reason = "the file is empty"
        return HeaderMapping({}, {}, (), outcome.rejected_reason)
    if not any(name.strip() for name in facts.header):
        outcome.rejected_reason = "the file has no header row"
        return HeaderMapping({}, {}, (), outcome.rejected_reason)
    mapping = map_header(facts.header, spec)
    outcome.rejected_reason = mapping.rejected_reason
    readable = utf8_copy(path, facts, work_dir)
    try:
        outcome.parser = parse_into_temp_table(con, readable, facts.delimiter, len(facts.header), _TEMP)
    finally:
        if readable != path:
            readable.unlink(missing_ok=True)
    outcome.rows_read = scalar(con, f"select count(*) from {_TEMP}")
    return mapping


def _insert_load_record(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    facts: FileFacts,
    outcome: LandingOutcome,
    mapping: HeaderMapping,
    now: dt.datetime,
) -> None:
    con.execute(
        """insert into raw.landed_files values (
            $id, $source, $path, $bytes, $encoding, $delimiter, $header, $ignored,
            $rows, $reason, nextval('raw.landing_seq'), $now, null, null)""",
        {
            "id": facts.sha256,
            "source": spec.name,
            "path": outcome.file_path,
            "bytes": facts.size_bytes,
            "encoding": facts.encoding if facts.size_bytes else None,
            "delimiter": facts.delimiter if facts.header else None,
            "header": list(facts.header),
            "ignored": list(mapping.ignored),
            "rows": outcome.rows_read,
            "reason": outcome.rejected_reason,
            "now": now,
        },
    )


def _insert_rows(con, spec: SourceSpec, file_id: str, mapping: HeaderMapping) -> None:
    selected = ", ".join(
        f"nullif(c{mapping.positions[column]}, '')" if column in mapping.positions else "null"
        for column in spec.columns
    )
    con.execute(
        f"""insert into {spec.rows_table} (file_id, row_number, {", ".join(spec.columns)}, parse_error)
            select $id, row_number, {selected}, parse_error from {_TEMP}""",
        {"id": file_id},
    )
    for segment_name, position in mapping.segments.items():
        con.execute(
            f"""insert into {spec.segments_table}
                select $id, row_number, $name, c{position} from {_TEMP}
                where nullif(trim(c{position}), '') is not null""",
            {"id": file_id, "name": segment_name},
        )
