"""Marts as comparable snapshots: two builds of the same data, made differently (kept up to
date run by run, or from scratch), must hold the same rows in every mart."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb

# When a file landed or was replaced differs between two builds by construction.
LINEAGE_COLUMNS = ("landed_at", "replaced_at")


def marts(path: Path, schemas: tuple[str, ...] = ("marts",)) -> dict[str, list[tuple]]:
    """Every table of `schemas` in the DuckDB file at `path`, rows sorted, lineage times left out."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        snapshot = {}
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() where list_contains($schemas, schema_name)",
            {"schemas": list(schemas)},
        ).fetchall():
            columns = [
                f'"{name}"'
                for (name,) in con.execute(
                    """select column_name from duckdb_columns()
                       where schema_name = $s and table_name = $t order by column_index""",
                    {"s": schema, "t": table},
                ).fetchall()
                if name not in LINEAGE_COLUMNS
            ]
            rows = con.execute(f'select {", ".join(columns)} from "{schema}"."{table}"').fetchall()
            snapshot[f"{schema}.{table}"] = sorted(
                rows, key=lambda r: repr([v for v in r if not isinstance(v, float)])
            )
        return snapshot
    finally:
        con.close()


def same(a: list[tuple], b: list[tuple]) -> bool:
    """The same rows (floats equal up to rounding: sums in another order)."""

    def equal(x, y):
        return math.isclose(x, y, rel_tol=1e-9) if isinstance(x, float) and isinstance(y, float) else x == y

    def same_row(r, s):
        return len(r) == len(s) and all(equal(x, y) for x, y in zip(r, s, strict=True))

    return len(a) == len(b) and all(same_row(r, s) for r, s in zip(a, b, strict=True))


def differing(a: dict[str, list[tuple]], b: dict[str, list[tuple]]) -> list[str]:
    """The tables that are not in both snapshots or hold other rows."""
    return sorted(set(a) ^ set(b)) + sorted(t for t in set(a) & set(b) if not same(a[t], b[t]))
