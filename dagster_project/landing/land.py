"""Landing inbox files as raw text rows, with lineage, exactly once.

Policy (documented in the README):
- A file is identified by the SHA-256 of its bytes. Content already landed is not landed
  again, whatever the file is called (the delivery is recorded as `already_landed`). A file
  whose path, size and modification time match a delivery already landed is not even read
  again, so a growing inbox costs nothing to re-scan.
- A file whose path was landed before with other content is a corrected re-delivery: the
  earlier version's rows are removed and the new version's rows land, in one transaction.
- Files are landed in path order; each gets a `landing_seq`. When two files carry the same
  id, the later landed file wins (see validation).
- A file that cannot be used as a whole (empty, no header, unreadable, a required column
  missing, another scale than 0-10, ...) still gets a load record with the reason; its
  rows, if any, land so that validation quarantines each of them with that reason.
- One file's failure never stops the others: an unexpected error reading a file becomes
  that file's rejection reason.
Each file lands in its own transaction: a crash leaves either all of a file or none of it.
Personal ids (respondents, case owners) land as keyed pseudonyms (HMAC-SHA-256): the clear
value is never stored, not even in the pipeline's private raw layer.
The source's settings that validation needs (time zone, timestamp format, channel map,
statuses, ...) are recorded on the load record, so every row is read as it was configured
when it landed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from dagster_project.landing.pseudonymise import PseudonymKey, hmac_sql
from dagster_project.landing.sources import SourceConfig
from dagster_project.readers.delimited import drop_parsed
from dagster_project.readers.encoding import FileFacts, inspect_file
from dagster_project.readers.formats import ParsedFile, read_file, scale_stated_in
from dagster_project.row_kinds import SOURCES
from dagster_project.validation.value_sql import score_number_sql
from dagster_project.warehouse.connection import scalar
from dagster_project.warehouse.crash_points import crash_point

_TEMP = "_landing"
TEXT_LABEL_SHARE = 0.5  # more than half the scores are words: a labelled scale
MIN_SCORES_FOR_SCALE = 20  # scores needed before a 0..5 range is called another scale
MIN_SCORES_FOR_LABELS = 5


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


def inbox_files(raw_dir: Path, folder: str) -> list[Path]:
    root = raw_dir / folder
    if not root.is_dir():
        return []
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and not any(part.startswith((".", "~$")) for part in path.relative_to(root).parts)
    )


def normalise_column_name(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\ufeff", "")).strip().lower()


def map_header(header: tuple[str, ...], source: SourceConfig) -> HeaderMapping:
    """Where each canonical column and segment is in the file, and what is left out."""
    index: dict[str, int] = {}
    duplicated: set[str] = set()
    for position, raw_name in enumerate(header):
        name = normalise_column_name(raw_name)
        if name in index:
            duplicated.add(name)
        else:
            index[name] = position
    spec = source.spec
    positions: dict[str, int] = {}
    needed_twice: list[str] = []
    for column in spec.columns:
        if column in source.constants:
            continue
        name = normalise_column_name(source.file_column(column))
        if name in index:
            positions[column] = index[name]
            if name in duplicated:
                needed_twice.append(source.file_column(column))
    segments: dict[str, int] = {}
    for segment, column in source.segments.items():
        name = normalise_column_name(column)
        if name in index:
            segments[segment] = index[name]
    prefix = normalise_column_name(source.segment_prefix or "")
    used = set(positions.values()) | set(segments.values())
    if prefix:
        for name, position in index.items():
            if position not in used and name.startswith(prefix) and len(name) > len(prefix):
                segments.setdefault(name[len(prefix) :], position)
    used = set(positions.values()) | set(segments.values())
    ignored = tuple(
        raw_name if raw_name.strip() else f"(unnamed column {position + 1})"
        for position, raw_name in enumerate(header)
        if position not in used
    )
    reason = None
    if needed_twice:
        reason = "column(s) appear more than once in the header: " + ", ".join(
            repr(n) for n in sorted(set(needed_twice))
        )
    else:
        missing = [
            source.file_column(column)
            for column in spec.required
            if column not in positions and column not in source.constants
        ]
        if missing:
            reason = "required column(s) missing from the header: " + ", ".join(missing)
    return HeaderMapping(positions, segments, ignored, reason)


def _relative(path: Path, raw_dir: Path) -> str:
    try:
        return path.relative_to(raw_dir).as_posix()
    except ValueError:
        return path.as_posix()


def pseudonymise_legacy_columns(con: duckdb.DuckDBPyConnection, key: PseudonymKey) -> list[str]:
    """Warehouses built before ids were pseudonymised at landing hold them in clear in
    `raw.<kind>_rows` (e.g. `respondent_id`): hash them into the pseudonym column and drop
    the clear column, in one transaction. Returns the columns migrated."""
    migrated = []
    for spec in SOURCES:
        columns = {row[0] for row in con.execute(f"describe {spec.rows_table}").fetchall()}
        for clear, pseudonym in spec.personal_columns.items():
            if clear not in columns or clear == pseudonym:
                continue
            con.execute("begin transaction")
            try:
                con.execute(
                    f"""update {spec.rows_table} set {pseudonym} = {hmac_sql(clear)}
                        where {pseudonym} is null and {clear} is not null""",
                    key.sql_params(),
                )
                con.execute(f"alter table {spec.rows_table} drop column {clear}")
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
            migrated.append(f"{spec.rows_table}.{clear}")
    return migrated


def land_source(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    raw_dir: Path,
    work_dir: Path,
    key: PseudonymKey,
) -> list[LandingOutcome]:
    """Land every new or changed file of one source; returns what happened to each file."""
    outcomes = []
    for path in inbox_files(raw_dir, source.folder):
        outcomes.append(land_file(con, source, path, raw_dir, work_dir, key))
        if outcomes[-1].outcome != "already_landed":
            crash_point("landing")
    return outcomes


def land_file(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    path: Path,
    raw_dir: Path,
    work_dir: Path,
    key: PseudonymKey,
) -> LandingOutcome:
    relative = _relative(path, raw_dir)
    stat = path.stat()
    seen = {"p": relative, "bytes": stat.st_size, "mtime": stat.st_mtime_ns}
    unchanged = con.execute(
        """select files.file_id, files.file_path
           from raw.file_deliveries as deliveries
           join raw.landed_files as files using (file_id)
           where deliveries.file_path = $p and deliveries.file_bytes = $bytes
             and deliveries.file_mtime_ns = $mtime and files.replaced_at is null
           limit 1""",
        seen,
    ).fetchall()
    if unchanged:  # same path, size and modification time as a delivery already landed
        file_id, first_path = unchanged[0]
        return LandingOutcome(relative, file_id, "already_landed", notes=[f"same content as {first_path}"])

    facts = inspect_file(path)
    now = dt.datetime.now(dt.UTC)
    live = con.execute(
        "select file_path from raw.landed_files where file_id = $id and replaced_at is null",
        {"id": facts.sha256},
    ).fetchall()
    if live:
        _record_delivery(con, relative, facts.sha256, source, "already_landed", now, seen)
        return LandingOutcome(
            relative, facts.sha256, "already_landed", notes=[f"same content as {live[0][0]}"]
        )

    previous = con.execute(
        """select file_id from raw.landed_files
           where file_path = $p and source = $s and replaced_at is null""",
        {"p": relative, "s": source.name},
    ).fetchall()
    outcome = LandingOutcome(relative, facts.sha256, "replacement" if previous else "landed")
    try:
        # Reading happens before the transaction: a parser error must not abort it.
        parsed, mapping = _read(con, source, path, facts, work_dir, outcome)
        con.execute("begin transaction")
        try:
            # Content landed earlier and replaced since is landed afresh.
            con.execute("delete from raw.landed_files where file_id = $id", {"id": facts.sha256})
            for (old_id,) in previous:
                _retire(con, source, old_id, facts.sha256, now)
            if parsed.parser:
                _insert_rows(con, source, facts.sha256, mapping, key)
            _insert_load_record(con, source, facts, parsed, outcome, mapping, now)
            _record_delivery(con, relative, facts.sha256, source, outcome.outcome, now, seen)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        drop_parsed(con, _TEMP)
    return outcome


def _read(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    path: Path,
    facts: FileFacts,
    work_dir: Path,
    outcome: LandingOutcome,
) -> tuple[ParsedFile, HeaderMapping]:
    """Parse the file into the temp table and decide whether it is usable as a whole."""
    empty = HeaderMapping({}, {}, (), None)
    try:
        parsed = read_file(con, path, source, facts, work_dir, _TEMP)
    except Exception as exc:  # one unreadable file must not stop the others
        drop_parsed(con, _TEMP)
        parsed = ParsedFile(rejected_reason=f"could not be read: {type(exc).__name__}: {exc}")
    outcome.parser = parsed.parser
    outcome.notes += parsed.notes
    if parsed.parser is None:
        outcome.rejected_reason = parsed.rejected_reason or "nothing could be read"
        return parsed, empty
    outcome.rows_read = scalar(con, f"select count(*) from {_TEMP}")
    if not any(name.strip() for name in parsed.header):
        outcome.rejected_reason = "the file has no header row"
        return parsed, empty
    mapping = map_header(parsed.header, source)
    outcome.rejected_reason = (
        mapping.rejected_reason or _timezone_problem(parsed) or _scale_problem(con, source, parsed, mapping)
    )
    return parsed, mapping


def _timezone_problem(parsed: ParsedFile) -> str | None:
    if parsed.timezone is None:
        return None
    try:
        ZoneInfo(parsed.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return f"the file states an unknown time zone {parsed.timezone!r}"
    return None


def _scale_problem(
    con: duckdb.DuckDBPyConnection, source: SourceConfig, parsed: ParsedFile, mapping: HeaderMapping
) -> str | None:
    """Why the file is not on the 0-10 NPS scale, if it is not. Nothing is ever rescaled."""
    if source.spec.score_column is None:
        return None
    if not source.declares_nps_scale:
        return (
            f"source {source.name!r} declares a {source.scale} scale; only the 0–10 scale is NPS "
            "and scores are never rescaled"
        )
    position = mapping.positions.get(source.spec.score_column)
    if position is None:
        return None
    column = parsed.header[position]
    for text in (column, parsed.descriptions.get(column, "")):
        stated = scale_stated_in(text)
        if stated and stated != (0, 10):
            return (
                f"the score column {column!r} states a {stated[0]}–{stated[1]} scale "
                f"({text[:80]!r}); only the 0–10 scale is NPS"
            )
    labels = source.score_labels == "leading_number"
    total, numeric, low, high, words = con.execute(
        f"""
        with scores as (
            select trim(c{position}) as text,
                   {score_number_sql(f"trim(c{position})", "true" if labels else "false")} as number
            from {_TEMP}
            where nullif(trim(c{position}), '') is not null
        )
        select count(*), count(number), min(number), max(number),
               list(distinct text order by text) filter (where number is null)[1:4]
        from scores"""
    ).fetchall()[0]
    if total >= MIN_SCORES_FOR_LABELS and (total - numeric) / total > TEXT_LABEL_SHARE:
        return (
            f"{total - numeric} of {total} scores are text labels (e.g. {', '.join(map(repr, words))}), "
            "not numbers on the 0–10 scale"
        )
    if numeric >= MIN_SCORES_FOR_SCALE and high is not None and high <= 5:
        return (
            f"all {numeric} scores are between {low:g} and {high:g}: this looks like a "
            f"{int(low) if low >= 0 else low:g}–5 scale, not 0–10"
        )
    return None


def _retire(con, source: SourceConfig, old_id: str, new_id: str, now: dt.datetime) -> None:
    spec = source.spec
    for table in (spec.rows_table, spec.segments_table):
        con.execute(f"delete from {table} where file_id = $id", {"id": old_id})
    con.execute(
        "update raw.landed_files set replaced_at = $now, replaced_by = $new where file_id = $id",
        {"now": now, "new": new_id, "id": old_id},
    )


def _record_delivery(
    con, relative: str, file_id: str, source: SourceConfig, outcome: str, now, seen: dict
) -> None:
    con.execute(
        """insert into raw.file_deliveries by name select $p as file_path, $id as file_id,
               $s as source, $o as outcome, $now as seen_at, $bytes as file_bytes,
               $mtime as file_mtime_ns""",
        {**seen, "id": file_id, "s": source.name, "o": outcome, "now": now},
    )


def _insert_load_record(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    facts: FileFacts,
    parsed: ParsedFile,
    outcome: LandingOutcome,
    mapping: HeaderMapping,
    now: dt.datetime,
) -> None:
    con.execute(
        """insert into raw.landed_files by name select
            $id as file_id, $source as source, $kind as kind, $format as format,
            $path as file_path, $bytes as file_bytes, $encoding as encoding,
            $delimiter as delimiter, $parser as parser, $header as header_columns,
            $ignored as ignored_columns, $mapped as mapped_columns, $rows as rows_read,
            $reason as rejected_reason,
            nextval('raw.landing_seq') as landing_seq, $now as landed_at,
            $timezone as timezone, $timestamp_format as timestamp_format,
            map($map_keys::varchar[], $map_values::varchar[]) as channel_map,
            $statuses::varchar[] as real_statuses,
            $keep_unfinished as keep_unfinished_with_score, $score_labels as score_labels""",
        {
            "id": facts.sha256,
            "source": source.name,
            "kind": source.kind,
            "format": source.format,
            "path": outcome.file_path,
            "bytes": facts.size_bytes,
            "encoding": facts.encoding if facts.size_bytes else None,
            "delimiter": parsed.delimiter,
            "parser": parsed.parser,
            "header": list(parsed.header),
            "ignored": list(mapping.ignored),
            "mapped": [c for c in source.spec.columns if c in mapping.positions or c in source.constants],
            "rows": outcome.rows_read,
            "reason": outcome.rejected_reason,
            "now": now,
            "timezone": parsed.timezone or source.timezone,
            "timestamp_format": source.timestamp_format,
            "map_keys": list(source.channel_map),
            "map_values": list(source.channel_map.values()),
            "statuses": source.real_statuses,
            "keep_unfinished": source.keep_unfinished_with_score,
            "score_labels": source.score_labels,
        },
    )


def _temp_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    names = [row[0] for row in con.execute(f"describe {_TEMP}").fetchall()]
    return [name for name in names if name.startswith("c") and name[1:].isdigit()]


def _insert_rows(con, source: SourceConfig, file_id: str, mapping: HeaderMapping, key: PseudonymKey) -> None:
    spec = source.spec
    params: dict = {"id": file_id}
    selected = []
    for i, column in enumerate(spec.columns):
        if column in source.constants:
            params[f"constant_{i}"] = source.constants[column]
            value = f"$constant_{i}"
        elif column in mapping.positions:
            value = f"nullif(c{mapping.positions[column]}, '')"
        else:
            value = "null"
        if column in spec.personal_columns and value != "null":
            params.update(key.sql_params())
            value = hmac_sql(value)
        selected.append(value)
    width = len(_temp_columns(con))
    has_nul = " or ".join(f"contains(c{i}, chr(0))" for i in range(width)) or "false"
    con.execute(
        f"""insert into {spec.rows_table}
            (file_id, row_number, {", ".join(map(spec.raw_column, spec.columns))}, parse_error)
            select $id, row_number, {", ".join(selected)},
                   coalesce(parse_error, case when {has_nul}
                       then 'the row contains a NUL byte (binary data, not text)' end)
            from {_TEMP}""",
        params,
    )
    for segment_name, position in mapping.segments.items():
        con.execute(
            f"""insert into {spec.segments_table}
                select $id, row_number, $name, c{position} from {_TEMP}
                where nullif(trim(c{position}), '') is not null""",
            {"id": file_id, "name": segment_name},
        )
