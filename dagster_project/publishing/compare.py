"""Comparing two builds of the marts row by row - of two engines (DuckDB and Spark from the
same lake), or of an incremental and a from-scratch build: integers, text, dates,
timestamps and booleans equal; floating-point columns within 1e-9 (relative to the value
beyond magnitude 1: a prior strength of 76,875 agrees to 3e-14 of itself); the same columns (by
name: Spark stores a partition column last) and the same number of rows. Both are read
through DuckDB (publishing/published.py), the other attached as `other`."""

from __future__ import annotations

import duckdb

TOLERANCE = 1e-9
FLOATS = ("DOUBLE", "FLOAT", "REAL")


def _columns(con: duckdb.DuckDBPyConnection, relation: str, skip: tuple[str, ...]) -> dict[str, str]:
    described = con.execute(f"describe select * from {relation}").fetchall()
    return {name: data_type for name, data_type, *_ in described if name not in skip}


def table_differences(
    con: duckdb.DuckDBPyConnection, mine: str, other: str, skip_columns: tuple[str, ...] = ()
) -> list[str]:
    """What differs between relation `mine` and relation `other` (empty when equal);
    `skip_columns` are left out (the landing times of two separate landings)."""
    left, right = _columns(con, mine, skip_columns), _columns(con, other, skip_columns)
    if left != right:
        return [f"columns differ: {sorted(set(left.items()) ^ set(right.items()))}"]
    counts = [con.execute(f"select count(*) from {r}").fetchall()[0][0] for r in (mine, other)]
    if counts[0] != counts[1]:
        return [f"{counts[0]} rows against {counts[1]}"]
    floats = [c for c, t in left.items() if t in FLOATS]
    order = ", ".join(f'round("{c}", 6)' if c in floats else f'"{c}"' for c in left)
    listed = ", ".join(f'"{c}"' for c in left)
    numbered = f"select {listed}, row_number() over (order by {{order}}) as row_in_order from {{relation}}"
    unequal = " or ".join(
        f'not ((a."{c}" is null and b."{c}" is null) '
        f'or abs(a."{c}" - b."{c}") <= {TOLERANCE} * greatest(1, abs(a."{c}"), abs(b."{c}")))'
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


def marts_differences(
    con: duckdb.DuckDBPyConnection, tables: list[str], other: str, skip_columns: tuple[str, ...] = ()
) -> dict[str, list[str]]:
    """Per `schema.table`: what differs between this connection's table and `other`'s."""
    found = {}
    for name in tables:
        schema, table = name.split(".")
        problems = table_differences(con, f'{schema}."{table}"', f'{other}.{schema}."{table}"', skip_columns)
        if problems:
            found[name] = problems
    return found
