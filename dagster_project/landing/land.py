"""Landing inbox files as raw text rows, with lineage, exactly once.

Policy (documented in docs/sources.md):
- A file is identified by the SHA-256 of its bytes. Content already landed is not landed
  again, whatever the file is called (the delivery is recorded as `already_landed`). A file
  whose path, size and modification time match a delivery already landed is not even read
  again, so a growing inbox costs nothing to re-scan.
- A file whose path was landed before with other content is a corrected re-delivery: the
  earlier version's rows are removed and the new version's rows land, in one transaction.
- Files are landed in path order; each gets a `landing_seq`. When two files carry the same
  id, the later landed file wins (see validation).
- A file that cannot be used as a whole (`file_policy.py`) still gets a load record with the
  reason; its rows, if any, land so that validation quarantines each of them with that reason.
- One file's failure never stops the others: an unexpected error reading a file becomes
  that file's rejection reason.
- An archive (`.zip`, `.gz`) is opened where it lands: each export inside is a delivery of
  its own, `<archive>!<member>`, under all the rules above; an archive that cannot be used
  as a whole (corrupt, encrypted, nested, a zip bomb) gets one rejected load record
  (`archives.py`).
Each file lands in its own transaction: a crash leaves either all of a file or none of it.
Personal ids (respondents, case owners) land as keyed pseudonyms (HMAC-SHA-256): the clear
value is never stored, not even in the pipeline's private raw layer.
The source's settings that validation needs (time zone, timestamp format, channel map,
statuses, ...) are recorded on the load record, so every row is read as it was configured
when it landed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dagster_project.landing import ledger
from dagster_project.landing.archives import (
    ArchiveRejected,
    archive_deliveries,
    is_archive,
    member_names,
    unpacked,
)
from dagster_project.landing.file_policy import NO_MAPPING, judge_file
from dagster_project.landing.header_mapping import HeaderMapping
from dagster_project.landing.inbox import Delivery, inbox_files
from dagster_project.landing.ledger import LandingOutcome
from dagster_project.landing.pseudonymise import PseudonymKey, hmac_sql
from dagster_project.landing.sources import SourceConfig
from dagster_project.readers import ParsedFile, ReadOutcome, Rejected, read_file
from dagster_project.readers.encoding import FileFacts, inspect_file
from dagster_project.readers.rows import column_names
from dagster_project.settings import DEFAULT_ARCHIVE_MAX_MB
from dagster_project.warehouse.crash_points import crash_point

DEFAULT_ARCHIVE_MAX_BYTES = int(DEFAULT_ARCHIVE_MAX_MB * (1 << 20))


def land_source(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    raw_dir: Path,
    work_dir: Path,
    key: PseudonymKey,
    archive_max_bytes: int = DEFAULT_ARCHIVE_MAX_BYTES,
    on_file: Callable[[Path, list[LandingOutcome], float], None] | None = None,
    settled_before: float | None = None,
) -> list[LandingOutcome]:
    """Land every new or changed file of one source (with `settled_before`, those unchanged
    since then); returns what happened to each delivery (a file, or each member of an
    archive). `on_file(path, outcomes, seconds)` after each file."""
    outcomes = []
    for path in inbox_files(raw_dir, source.folder, settled_before):
        started = time.monotonic()
        if is_archive(path):
            landed = land_archive(con, source, path, raw_dir, work_dir, key, archive_max_bytes)
        else:
            landed = [land_file(con, source, Delivery.of_file(path, raw_dir), work_dir, key)]
        for outcome in landed:
            outcomes.append(outcome)
            if outcome.outcome != "already_landed":
                crash_point("landing")
        if on_file is not None:
            on_file(path, landed, time.monotonic() - started)
    return outcomes


def land_archive(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    path: Path,
    raw_dir: Path,
    work_dir: Path,
    key: PseudonymKey,
    max_bytes: int,
) -> list[LandingOutcome]:
    """Land each member of an archive as a delivery of its own, or the archive as rejected."""
    whole = Delivery.of_file(path, raw_dir)
    if ledger.unchanged_delivery(con, whole.seen):  # rejected before, unchanged since
        return [land_file(con, source, whole, work_dir, key)]
    try:
        members = member_names(path, max_bytes)
        deliveries = archive_deliveries(path, raw_dir, members, {})
        if all(ledger.unchanged_delivery(con, d.seen) for d in deliveries):
            return [land_file(con, source, d, work_dir, key) for d in deliveries]  # nothing to unpack
        with unpacked(path, members, work_dir, max_bytes) as files:
            return [
                land_file(con, source, d, work_dir, key)
                for d in archive_deliveries(path, raw_dir, members, files)
            ]
    except ArchiveRejected as exc:
        rejected = Delivery.of_file(path, raw_dir, rejected_reason=str(exc))
        return [land_file(con, source, rejected, work_dir, key)]


def land_file(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    delivery: Delivery,
    work_dir: Path,
    key: PseudonymKey,
) -> LandingOutcome:
    """Land one delivery in its own transaction (see the module's policy)."""
    unchanged = ledger.unchanged_delivery(con, delivery.seen)
    if unchanged:
        file_id, first_path = unchanged
        return LandingOutcome(
            delivery.name, file_id, "already_landed", notes=[f"same content as {first_path}"]
        )

    facts = inspect_file(delivery.path)
    now = dt.datetime.now(dt.UTC)
    previous = [
        file_id
        for name in (delivery.name, *delivery.replaces)
        for file_id in ledger.live_versions_at(con, name, source)
        if file_id != facts.sha256
    ]
    live_path = ledger.live_path_of(con, facts.sha256)
    if live_path is not None:
        # Content already live under another name: not landed twice, but what this path held
        # before (a corrected file whose new content arrived elsewhere first) is replaced.
        con.execute("begin transaction")
        try:
            for old_id in previous:
                ledger.retire(con, source, old_id, facts.sha256, now)
            ledger.record_delivery(con, delivery.seen, facts.sha256, source, "already_landed", now)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        notes = [f"same content as {live_path}"] + (
            [f"the earlier version of {delivery.name} is replaced by it"] if previous else []
        )
        return LandingOutcome(delivery.name, facts.sha256, "already_landed", notes=notes)

    outcome = LandingOutcome(delivery.name, facts.sha256, "replacement" if previous else "landed")
    # Reading happens before the transaction: a parser error must not abort it.
    with _read(con, delivery, source, facts, work_dir) as read:
        parsed = read if isinstance(read, ParsedFile) else None
        mapping = NO_MAPPING
        if parsed is None:
            outcome.rejected_reason = read.reason
        else:
            judgement = judge_file(con, source, parsed)
            outcome.notes += parsed.notes
            outcome.parser = parsed.parser
            outcome.rows_read = judgement.rows_read
            outcome.rejected_reason = judgement.rejected_reason
            mapping = judgement.mapping
        con.execute("begin transaction")
        try:
            ledger.forget_content(con, facts.sha256)
            for old_id in previous:
                ledger.retire(con, source, old_id, facts.sha256, now)
            if parsed is not None:
                _insert_rows(con, source, facts.sha256, parsed, mapping, key)
            ledger.insert_load_record(con, source, facts, outcome, parsed, mapping, now, delivery)
            ledger.record_delivery(con, delivery.seen, facts.sha256, source, outcome.outcome, now)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return outcome


@contextmanager
def _read(
    con: duckdb.DuckDBPyConnection, delivery: Delivery, source: SourceConfig, facts: FileFacts, work_dir: Path
) -> Iterator[ReadOutcome]:
    """The delivery's rows, or why it cannot be used (an archive rejected whole: no rows)."""
    if delivery.rejected_reason:
        yield Rejected(delivery.rejected_reason)
        return
    with read_file(con, delivery.path, source, facts, work_dir) as read:
        yield read


def _insert_rows(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    file_id: str,
    parsed: ParsedFile,
    mapping: HeaderMapping,
    key: PseudonymKey,
) -> None:
    """The parsed rows into `raw.<kind>_rows` (canonical columns, personal ids pseudonymised)
    and their segment values into `raw.<kind>_segments`."""
    kind = source.row_kind
    params: dict = {"id": file_id}
    selected, pseudonyms = [], []
    for i, column in enumerate(kind.columns):
        read_from_file = column not in source.constants and column in mapping.positions
        if column in source.constants:
            params[f"constant_{i}"] = source.constants[column]
            value = f"$constant_{i}"
        elif read_from_file:
            value = f"nullif(rows.c{mapping.positions[column]}, '')"
        else:
            value = "null"
        if column in kind.personal_columns and read_from_file:
            # Each distinct id is keyed once (a customer's id repeats on every month billed);
            # two personal columns read from one file column share its join.
            params.update(key.sql_params())
            position = mapping.positions[column]
            join = f"""left join (select c{position} as clear, {hmac_sql(f"c{position}")} as pseudonym
                                  from (select distinct c{position} from {parsed.rows}))
                       as ids_{position} on ids_{position}.clear = rows.c{position}"""
            if join not in pseudonyms:
                pseudonyms.append(join)
            value = f"ids_{position}.pseudonym"
        elif column in kind.personal_columns and value != "null":
            params.update(key.sql_params())
            value = hmac_sql(value)
        selected.append(value)
    # (checking every value costs more than the rest of the insert: only when the reader
    # cannot rule a NUL out)
    checked = column_names(len(parsed.header)) if parsed.may_hold_nul else []
    has_nul = " or ".join(f"contains(rows.{c}, chr(0))" for c in checked) or "false"
    con.execute(
        f"""insert into {kind.rows_table}
            (file_id, row_number, {", ".join(map(kind.raw_column, kind.columns))}, parse_error)
            select $id, rows.row_number, {", ".join(selected)},
                   coalesce(rows.parse_error, case when {has_nul}
                       then 'the row contains a NUL byte (binary data, not text)' end)
            from {parsed.rows} as rows {" ".join(pseudonyms)}""",
        params,
    )
    for segment_name, position in mapping.segments.items():
        con.execute(
            f"""insert into {kind.segments_table}
                select $id, row_number, $name, c{position} from {parsed.rows}
                where nullif(trim(c{position}), '') is not null""",
            {"id": file_id, "name": segment_name},
        )
