"""How far dbt has built: the validation run its incremental models are up to date with.

Validation numbers its runs (`validated.file_verdicts.validation_seq`, per file). After a
successful `dbt build` the asset records the highest number it built from; the next build's
incremental models read it from `validated.dbt_built_through` and rebuild only the rows of
files changed since (dbt/macros/incremental.sql). A failed build records
nothing, so the next one redoes the same files (the models delete before they insert).

Each dbt target (DuckDB's `local`, Spark's `spark`, a cluster's) has its own watermark: its
marts are its own. The lake carries them all (`lake/export.py`), and a model reads its
target's.

It also records when dbt last built everything (`full_build_at`): rows of unchanged files
stay as they are only between two full builds, which is what publishing relies on to copy
just the changed files' rows of the incremental marts (publishing/publish.py).
"""

from __future__ import annotations

import datetime as dt

import duckdb


def validation_seq_now(con: duckdb.DuckDBPyConnection) -> int | None:
    return con.execute("select max(validation_seq) from validated.file_verdicts").fetchall()[0][0]


DUCKDB_TARGET = "local"


def built_through(con: duckdb.DuckDBPyConnection, target: str = DUCKDB_TARGET) -> int | None:
    return con.execute(
        "select max(validation_seq) from validated.dbt_built_through where target = $target",
        {"target": target},
    ).fetchall()[0][0]


def last_full_build_at(con: duckdb.DuckDBPyConnection, target: str = DUCKDB_TARGET) -> dt.datetime | None:
    return con.execute(
        "select max(full_build_at) from validated.dbt_built_through where target = $target",
        {"target": target},
    ).fetchall()[0][0]


def clock_next_changes_at(con: duckdb.DuckDBPyConnection, target: str = DUCKDB_TARGET) -> dt.datetime | None:
    """When the clock alone next changes what the target's last build holds (None: unknown)."""
    return con.execute(
        "select max(next_change_at) from validated.dbt_built_through where target = $target",
        {"target": target},
    ).fetchall()[0][0]


def changed_kinds(con: duckdb.DuckDBPyConnection, since: int | None) -> set[str]:
    """The kinds of the files whose valid rows changed after validation run `since`."""
    rows = con.execute(
        "select distinct kind from validated.file_verdicts where validation_seq > $since",
        {"since": -1 if since is None else since},
    ).fetchall()
    return {kind for (kind,) in rows}


def employee_answers_changed(con: duckdb.DuckDBPyConnection, since: int | None) -> bool:
    """Whether a responses file whose rows changed after validation run `since` holds (or
    held) an employee answer; unknown counts as yes."""
    return con.execute(
        """select count(*) > 0 from validated.file_verdicts
           where validation_seq > $since and kind = 'responses'
             and coalesce(holds_employee_answers, true)""",
        {"since": -1 if since is None else since},
    ).fetchall()[0][0]


def record_built_through(
    con: duckdb.DuckDBPyConnection,
    validation_seq: int | None,
    full: bool,
    target: str = DUCKDB_TARGET,
    next_change_at: dt.datetime | None = None,
) -> None:
    now = dt.datetime.now(dt.UTC)
    full_build_at = now if full else last_full_build_at(con, target)
    con.execute("delete from validated.dbt_built_through where target = $target", {"target": target})
    if validation_seq is not None:
        con.execute(
            """insert into validated.dbt_built_through
                   (target, validation_seq, built_at, full_build_at, next_change_at)
               values ($target, $seq, $now, $full_build_at, $next_change_at)""",
            {
                "target": target,
                "seq": validation_seq,
                "now": now,
                "full_build_at": full_build_at,
                "next_change_at": next_change_at,
            },
        )
    # What every target's models already reflect is no longer needed to find what changed
    # (a target that never built builds everything); the rows that became valid are kept
    # while a file's GX valid-stage check is behind them (validation/gx_batches.py).
    built = "(select min(validation_seq) from validated.dbt_built_through)"
    con.execute(f"delete from validated.answers_touched where validation_seq <= {built}")
    con.execute(
        f"""delete from validated.rows_revalidated
            where validation_seq <= {built}
              and validation_seq <= coalesce((
                  select min(done.validation_seq)
                  from validated.gx_checked_files as done
                  join validated.file_verdicts as verdicts
                      on verdicts.file_id = done.file_id and verdicts.landing_seq = done.landing_seq
                         and verdicts.kind = done.kind and verdicts.is_live
                  where done.stage = 'valid'
                    and done.validation_seq < coalesce(verdicts.valid_rows_seq, verdicts.validation_seq)
              ), validation_seq)"""
    )


def record_relation_builds(
    con: duckdb.DuckDBPyConnection, relations: list[str], target: str = DUCKDB_TARGET
) -> int:
    """Record that this dbt build of `target` (re)built `relations` (schema.table); returns
    the build's number."""
    number = con.execute("select nextval('validated.dbt_build_seq')").fetchall()[0][0]
    if relations:
        con.execute(
            """delete from validated.dbt_relation_builds
               where target = $target and list_contains($relations, relation)""",
            {"target": target, "relations": relations},
        )
        con.execute(
            """insert into validated.dbt_relation_builds
               select $target, unnest($relations), $number""",
            {"target": target, "relations": relations, "number": number},
        )
    return number


def relation_builds(con: duckdb.DuckDBPyConnection, target: str = DUCKDB_TARGET) -> dict[str, int]:
    """The number of the dbt build that last (re)built each table of `target`."""
    return dict(
        con.execute(
            "select relation, build_number from validated.dbt_relation_builds where target = $target",
            {"target": target},
        ).fetchall()
    )


def last_build_number(con: duckdb.DuckDBPyConnection, target: str = DUCKDB_TARGET) -> int | None:
    """The number of the latest dbt build of `target` that rebuilt a table, None before one."""
    return con.execute(
        "select max(build_number) from validated.dbt_relation_builds where target = $target",
        {"target": target},
    ).fetchall()[0][0]
