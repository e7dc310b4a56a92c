"""Comparing two builds of the marts row by row: integers, text, dates, timestamps and
booleans equal; floating-point columns within 1e-9; the same columns (by name) and the same
number of rows. Both builds are read through DuckDB: one attached as `other`."""

from __future__ import annotations

import duckdb

TOLERANCE = 1e-9
FLOATS = ("DOUBLE", "FLOAT", "REAL")


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return {
        name: data_type
        for name, data_type, *_ in con.execute(f"describe select * from {relation}").fetchall()
    }


def table_differences(con: duckdb.DuckDBPyConnection, mine: str, other: str) -> list[str]:
    """What differs between relation `mine` and relation `other` (empty when equal)."""
    left, right = _columns(con, mine), _columns(con, other)
    if left != right:
        return [f"columns differ: {sorted(set(left.items()) ^ set(right.items()))}"]
    counts = [con.execute(f"select count(*) from {r}").fetchall()[0][0] for r in (mine, other)]
    if counts[0] != counts[1]:
        return [f"{counts[0]} rows against {counts[1]}"]
    floats = [c for c, t in left.items() if t in FLOATS]
    order = ", ".join(f'round("{c}", 6)' if c in floats else f'"{c}"' for c in left)
    numbered = "select *, row_number() over (order by {order}) as row_in_order from {relation}"
    unequal = " or ".join(
        f'not ((a."{c}" is null and b."{c}" is null) or abs(a."{c}" - b."{c}") <= {TOLERANCE})'
        if c in floats
        else f'a."{c}" is distinct from b."{c}"'
        for c in left
    )
    rows = con.execute(
        f"""select a.*, b.* from ({numbered.format(order=order, relation=mine)}) as a
            join ({numbered.format(order=order, relation=other)}) as b using (row_in_order)
            where {unequal} limit 3"""
    ).fetchall()
    return [f"row differs: {row}" for row in rows]


def marts_differences(con: duckdb.DuckDBPyConnection, tables: list[str], other: str) -> dict[str, list[str]]:
    """Per `schema.table`: what differs between this connection's table and `other`'s."""
    found = {}
    for name in tables:
        schema, table = name.split(".")
        problems = table_differences(con, f'{schema}."{table}"', f'{other}.{schema}."{table}"')
        if problems:
            found[name] = problems
    return found
