"""Publishing by increment: when the published file was made from this warehouse since its
last full dbt build, the new file starts as a copy of it and only what changed is replaced
(publishing/publish.py says when). This module knows which marts change by file or by key,
what the file was made from (`Basis`), and how to replace the changed rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from dagster_project.publishing.names import columns, own_database, quoted
from dagster_project.warehouse.dbt_watermark import (
    DUCKDB_TARGET,
    built_through,
    last_build_number,
    last_full_build_at,
    relation_builds,
)

# The marts dbt builds by landed file (dbt/macros/incremental.sql), with their file column;
# tests/unit/test_publish_basis.py holds this list against dbt's manifest.
INCREMENTAL_MARTS = {
    "marts.nps_responses": "source_file_id",
    "marts.verbatims": "source_file_id",
    "marts.verbatim_themes": "source_file_id",
}
# The marts dbt builds by key (delete+insert): their key, the warehouse table whose
# `built_seq` says which keys were built after a validation run (the published file's), and
# which published rows the clock alone can change (an open case turns overdue).
KEYED_MARTS = {
    "marts.detractor_followups": (
        "response_id",
        "intermediate.int_detractor_followups",
        "followup_status = 'open'",
    ),
}

# Marts dbt builds by increment that publishing copies whole when a build remade them, like
# the aggregate marts: revenue_weighted_nps (by period, small next to the facts) and the
# rejected rows (by judged file: a file whose quarantine alone changed counts too, which
# replace_changed_files does not follow; the copy takes 0.8 s at 3M).
COPIED_WHOLE_MARTS = ("marts.revenue_weighted_nps", "marts.quarantined_rows", "marts.excluded_rows")


class NotReusable(Exception):
    """The previous published file is not the one the warehouse recorded: copy everything."""


@dataclass(frozen=True)
class Basis:
    """What the warehouse is built on now, and what the published file was made from."""

    validation_seq: int | None
    dbt_full_build_at: dt.datetime | None
    published_version: str | None = None
    published_seq: int | None = None
    published_full_build_at: dt.datetime | None = None
    published_build_number: int | None = None  # the last dbt build the file reflects
    dbt_build_number: int | None = None  # the last dbt build now
    table_builds: dict[str, int] = field(default_factory=dict)  # table -> dbt build that made it

    @property
    def reusable(self) -> bool:
        """The published file differs from a fresh copy only in the rows of files
        validated since it was made."""
        return (
            self.published_version is not None
            and self.dbt_full_build_at is not None
            and self.published_full_build_at == self.dbt_full_build_at
        )

    def unchanged_since_published(self, table: str) -> bool:
        """No dbt build (re)made `table` since the published file was made: its published
        copy is what the warehouse holds (a table no build recorded is never taken so)."""
        built = self.table_builds.get(table)
        return (
            self.published_build_number is not None
            and built is not None
            and built <= self.published_build_number
        )


def read_basis(con: duckdb.DuckDBPyConnection, target: str = DUCKDB_TARGET) -> Basis:
    """What dbt target `target` built the warehouse's marts through, and what the published
    file was made from."""
    now = {
        "validation_seq": built_through(con, target),
        "dbt_full_build_at": last_full_build_at(con, target),
        "dbt_build_number": last_build_number(con, target),
        "table_builds": relation_builds(con, target),
    }
    last = con.execute(
        """select version, validation_seq, dbt_full_build_at, dbt_build_number
           from validated.publication_state"""
    ).fetchall()
    if not last:
        return Basis(**now)
    version, seq, full_build_at, build_number = last[0]
    return Basis(
        **now,
        published_version=version,
        published_seq=seq,
        published_full_build_at=full_build_at,
        published_build_number=build_number,
    )


def record_basis(con: duckdb.DuckDBPyConnection, version: str, basis: Basis) -> None:
    con.execute("delete from validated.publication_state")
    con.execute(
        """insert into validated.publication_state
               (version, validation_seq, dbt_full_build_at, dbt_build_number)
           values ($version, $seq, $full_build_at, $build_number)""",
        {
            "version": version,
            "seq": basis.validation_seq,
            "full_build_at": basis.dbt_full_build_at,
            "build_number": basis.dbt_build_number,
        },
    )


def check_reusable(con: duckdb.DuckDBPyConnection, basis: Basis, found: list[str]) -> None:
    try:
        copied_version = con.execute("select version from meta.publication").fetchall()[0][0]
    except duckdb.Error as exc:
        raise NotReusable(f"the published file has no readable version: {exc}") from exc
    if copied_version != basis.published_version:
        raise NotReusable(f"the published file is version {copied_version}, not {basis.published_version}")
    for name in (*INCREMENTAL_MARTS, *KEYED_MARTS):
        if name in found and columns(con, own_database(con), name) != columns(con, "working", name):
            raise NotReusable(f"{name} changed its columns")


def replace_changed_files(
    con: duckdb.DuckDBPyConnection, name: str, file_column: str, since: int | None, rows: str = "true"
) -> None:
    """The rows of files validated after `since` (and `rows`: the audience's), as the
    warehouse has them now."""
    changed = f"""select file_id from working.validated.file_verdicts
                  where coalesce(valid_rows_seq, validation_seq)
                      > {int(since) if since is not None else -1}"""
    con.execute(f"delete from {quoted(name)} where {file_column} in ({changed})")
    con.execute(
        f"insert into {quoted(name)} by name "
        f"select * from working.{quoted(name)} where {file_column} in ({changed}) and ({rows})"
    )


def replace_rebuilt_rows(
    con: duckdb.DuckDBPyConnection,
    name: str,
    keyed: tuple[str, str, str],
    since: int | None,
    rows: str = "true",
) -> None:
    """The rows built after validation run `since` (by key) and the published rows the clock
    may have changed since, as the warehouse has them now; rows whose key is gone from the
    warehouse go."""
    key, built_in, changes_with_time = keyed
    # The keys are kept before the delete: the published rows the clock may change are gone
    # once it ran, and the insert must bring them back.
    con.execute(
        f"""create or replace temp table rebuilt_keys as
            select {key} from working.{built_in}
            where built_seq > {int(since) if since is not None else -1}
            union
            select {key} from {quoted(name)} where {changes_with_time}"""
    )
    con.execute(
        f"""delete from {quoted(name)}
            where {key} not in (select {key} from working.{quoted(name)})
               or {key} in (select {key} from rebuilt_keys)"""
    )
    con.execute(
        f"""insert into {quoted(name)} by name
            select * from working.{quoted(name)}
            where {key} in (select {key} from rebuilt_keys) and ({rows})"""
    )
    con.execute("drop table rebuilt_keys")


def content_digest(con: duckdb.DuckDBPyConnection, table: str, rows: str = "true") -> tuple[int, int]:
    """The rows of `table` (those matching `rows`) and an order-free digest of their content
    (the sum of the rows' hashes: a changed, missing or extra row changes it)."""
    count, digest = con.execute(
        f"select count(*), coalesce(sum(hash(content)::hugeint), 0) from {table} as content where {rows}"
    ).fetchall()[0]
    return count, int(digest)
