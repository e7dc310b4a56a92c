"""Compare a peer's core-mart counts (Parquet from `floor.py` or `pandas_peer.py`) with the
pipeline's published marts; exits 1 and lists the first differences if they disagree.

    python bench/compare.py PUBLISHED.duckdb PEER_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

# mart -> (key columns, compared counts). Small unclassified groups' P/P/D are NULL: those
# cells are compared on `responses` only. (Employee answers are in neither: HR's file.)
MARTS = {
    "nps_by_period": (["programme", "period_grain", "period_start"], None),
    "nps_by_channel": (["programme", "period_grain", "period_start", "channel"], None),
    "nps_by_segment": (
        ["programme", "period_grain", "period_start", "segment_type", "segment_value"],
        None,
    ),
    "response_rates": (
        ["period_grain", "period_start", "dimension", "dimension_value"],
        ["invitations", "responses"],
    ),
}
NPS_COUNTS = ["responses", "promoters", "passives", "detractors"]


def differences(published: Path, peer: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect()
    con.execute("attach $p as pipeline (read_only)", {"p": str(published)})
    found = {}
    for mart, (keys, counts) in MARTS.items():
        counts = counts or NPS_COUNTS
        join = " and ".join(f"a.{k} is not distinct from b.{k}" for k in keys)
        mismatch = " or ".join(
            f"(a.{c} is distinct from b.{c} and a.{c} is not null)"
            if c != "responses"
            else f"a.{c} is distinct from b.{c}"
            for c in counts
        )
        rows = con.execute(
            f"""select {", ".join(f"coalesce(a.{k}, b.{k})" for k in keys)},
                       {", ".join(f"a.{c}, b.{c}" for c in counts)}
                from (select {", ".join(keys + counts)} from pipeline.marts.{mart}) as a
                full join read_parquet('{peer / mart}.parquet') as b on {join}
                where a.responses is null or b.responses is null or {mismatch}
                limit 10"""
        ).fetchall()
        if rows:
            found[mart] = rows
    con.close()
    return found


def main(argv: list[str] | None = None) -> int:
    published, peer = (Path(a) for a in (argv or sys.argv[1:]))
    found = differences(published, peer)
    for mart, rows in found.items():
        print(f"{mart}: differs, e.g.", *rows[:5], sep="\n  ")
    if not found:
        print(f"{peer}: every core mart equals the pipeline's")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
