"""How far dbt has built: the validation run its incremental models are up to date with.

Validation numbers its runs (`validated.file_verdicts.validation_seq`, per file). After a
successful `dbt build` the asset records the highest number it built from; the next build
passes it to dbt as var `nps_built_through_seq`, and the incremental models rebuild only
the rows of files changed since (dbt/macros/incremental.sql). A failed build records
nothing, so the next one redoes the same files (the models delete before they insert).
"""

from __future__ import annotations

import datetime as dt

import duckdb


def validation_seq_now(con: duckdb.DuckDBPyConnection) -> int | None:
    return con.execute("select max(validation_seq) from validated.file_verdicts").fetchall()[0][0]


def built_through(con: duckdb.DuckDBPyConnection) -> int | None:
    return con.execute("select max(validation_seq) from validated.dbt_built_through").fetchall()[0][0]


def record_built_through(con: duckdb.DuckDBPyConnection, validation_seq: int | None) -> None:
    con.execute("delete from validated.dbt_built_through")
    if validation_seq is not None:
        con.execute(
            "insert into validated.dbt_built_through values ($seq, $now)",
            {"seq": validation_seq, "now": dt.datetime.now(dt.UTC)},
        )
