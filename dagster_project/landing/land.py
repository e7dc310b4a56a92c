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
- A file that cannot be used as a whole (`file_policy.py`) still gets a load record with the
  reason; its rows, if any, land so that validation quarantines each of them with that reason.
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
from pathlib import Path

import duckdb

from dagster_project.landing import ledger
from dagster_project.landing.file_policy import NO_MAPPING, judge_file
from dagster_project.landing.header_mapping import HeaderMapping
from dagster_project.landing.inbox import inbox_files, inbox_path
from dagster_project.landing.ledger import LandingOutcome
from dagster_project.landing.pseudonymise import PseudonymKey, hmac_sql
from dagster_project.landing.sources import SourceConfig
from dagster_project.readers import ParsedFile, read_file
from dagster_project.readers.encoding import inspect_file
from dagster_project.readers.rows import column_names
from dagster_project.warehouse.crash_points import crash_point


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
    relative = inbox_path(path, raw_dir)
    stat = path.stat()
    seen = {"p": relative, "bytes": stat.st_size, "mtime": stat.st_mtime_ns}
    unchanged = ledger.unchanged_delivery(con, seen)
    if unchanged:
        file_id, first_path = unchanged
        return LandingOutcome(relative, file_id, "already_landed", notes=[f"same content as {first_path}"])

    facts = inspect_file(path)
    now = dt.datetime.now(dt.UTC)
    live_path = ledger.live_path_of(con, facts.sha256)
    if live_path is not None:
        ledger.record_delivery(con, seen, facts.sha256, source, "already_landed", now)
        return LandingOutcome(
            relative, facts.sha256, "already_landed", notes=[f"same content as {live_path}"]
        )

    previous = ledger.live_versions_at(con, relative, source)
    outcome = LandingOutcome(relative, facts.sha256, "replacement" if previous else "landed")
    # Reading happens before the transaction: a parser error must not abort it.
    with read_file(con, path, source, facts, work_dir) as read:
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
            ledger.insert_load_record(con, source, facts, outcome, parsed, mapping, now)
            ledger.record_delivery(con, seen, facts.sha256, source, outcome.outcome, now)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return outcome


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
    selected = []
    for i, column in enumerate(kind.columns):
        if column in source.constants:
            params[f"constant_{i}"] = source.constants[column]
            value = f"$constant_{i}"
        elif column in mapping.positions:
            value = f"nullif(c{mapping.positions[column]}, '')"
        else:
            value = "null"
        if column in kind.personal_columns and value != "null":
            params.update(key.sql_params())
            value = hmac_sql(value)
        selected.append(value)
    has_nul = " or ".join(f"contains({c}, chr(0))" for c in column_names(len(parsed.header))) or "false"
    con.execute(
        f"""insert into {kind.rows_table}
            (file_id, row_number, {", ".join(map(kind.raw_column, kind.columns))}, parse_error)
            select $id, row_number, {", ".join(selected)},
                   coalesce(parse_error, case when {has_nul}
                       then 'the row contains a NUL byte (binary data, not text)' end)
            from {parsed.rows}""",
        params,
    )
    for segment_name, position in mapping.segments.items():
        con.execute(
            f"""insert into {kind.segments_table}
                select $id, row_number, $name, c{position} from {parsed.rows}
                where nullif(trim(c{position}), '') is not null""",
            {"id": file_id, "name": segment_name},
        )
