"""A reader who wants to know what fewer than k employees answered, with the published files
open read-only and the organisation chart in hand (who is in which unit and region, who
answered when: the test's ground truth, what a colleague could know). It tries

- rows: any employee answer one row per response (its id anywhere, a programme `employee`
  row in a customer file, an id, timestamp, score or segment next to a comment);
- small cells: a shown group of fewer than k answers, or any number on a hidden group;
- subtraction: a shown group minus the shown groups of one breakdown that lie inside it
  (one hidden unit, two small ones whose sum is shown, a month inside a shown quarter, a
  unit that sits in one region), and minus two disjoint shown groups of two breakdowns;
- comments of fewer than k people, or of a hidden quarter.

`leaks()` returns every finding as a sentence; an empty list is a pass.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class EmployeeAnswer:
    response_id: str
    answered_on: dt.date  # local date
    channel: str
    survey_id: str
    score: int
    segments: dict[str, str] = field(default_factory=dict)
    comment: str | None = None


def _period_start(grain: str, day: dt.date) -> dt.date:
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, 1, 1)


def _members(answers: list[EmployeeAnswer], row: dict) -> frozenset[str]:
    """Who is in a published group, by the ground truth."""
    grain, start, kind = row["period_grain"], row["period_start"], row["dimension_kind"]
    chosen = set()
    for a in answers:
        if _period_start(grain, a.answered_on) != start:
            continue
        if (
            kind in ("overall", "touchpoint")
            or (kind == "channel" and a.channel == row["dimension_value"])
            or (kind == "survey" and a.survey_id == row["dimension_value"])
            or (kind == "segment" and a.segments.get(row["dimension"]) == row["dimension_value"])
        ):
            chosen.add(a.response_id)
    return frozenset(chosen)


def _family(row: dict) -> tuple:
    dimension = row["dimension"] if row["dimension_kind"] in ("segment", "channel", "overall") else None
    return (row["period_grain"], row["dimension_kind"], dimension)


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where schema_name <> 'meta' order by 1, 2"
    ).fetchall()


def _rows(con: duckdb.DuckDBPyConnection, relation: str) -> list[dict]:
    cursor = con.execute(f"select * from {relation}")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def row_leaks(path: Path, answers: list[EmployeeAnswer]) -> list[str]:
    """Employee answers one row per response, anywhere in the file."""
    ids = {a.response_id for a in answers}
    found = []
    with duckdb.connect(str(path), read_only=True) as con:
        for schema, table in _tables(con):
            relation = f'{schema}."{table}"'
            columns = dict(
                con.execute(
                    """select column_name, data_type from duckdb_columns()
                       where schema_name = $s and table_name = $t""",
                    {"s": schema, "t": table},
                ).fetchall()
            )
            if columns.get("programme") == "VARCHAR":
                n = con.execute(f"select count(*) from {relation} where programme = 'employee'").fetchall()[
                    0
                ][0]
                if n and schema != "hr":
                    found.append(f"{path.name}: {relation} has {n} employee rows")
            for column, data_type in columns.items():
                if data_type != "VARCHAR":
                    continue
                values = {v for (v,) in con.execute(f'select distinct "{column}" from {relation}').fetchall()}
                if hit := values & ids:
                    found.append(
                        f"{path.name}: {relation}.{column} shows employee response ids {sorted(hit)[:3]}"
                    )
            if table == "enps_comments" and set(columns) - {
                "programme",
                "period_grain",
                "period_start",
                "text_field",
                "comment_text",
            }:
                found.append(f"{path.name}: {relation} carries {sorted(columns)} next to the comments")
    return found


def cell_leaks(path: Path, answers: list[EmployeeAnswer], k: int) -> list[str]:
    """Small cells and subtraction in HR's groups; comments of too few people."""
    found = []
    with duckdb.connect(str(path), read_only=True) as con:
        rows = _rows(con, "hr.enps_by_group")
        comments = _rows(con, "hr.enps_comments")
    shown, numbers = [], [c for c in (rows[0] if rows else {}) if c not in _KEYS and c != "is_suppressed"]
    for row in rows:
        members = _members(answers, row)
        name = f"{row['period_grain']} {row['period_start']} {row['dimension']}={row['dimension_value']}"
        if row["is_suppressed"]:
            if shown_numbers := [c for c in numbers if c != "is_period_complete" and row[c] is not None]:
                found.append(f"hidden group {name} shows {', '.join(shown_numbers)}")
            continue
        if len(members) < k:
            found.append(f"shown group {name} has {len(members)} answers (< {k})")
        if row["responses"] != len(members):
            found.append(f"group {name}: {row['responses']} answers published, {len(members)} in truth")
        shown.append((name, _family(row), members))
    by_family: dict[tuple, list] = {}
    for cell in shown:
        by_family.setdefault(cell[1], []).append(cell)
    for name, family, members in shown:
        inside = {
            other: [c for c in cells if c[2] < members or (c[2] == members and c[0] != name)]
            for other, cells in by_family.items()
            if other != family
        }
        for other, cells in inside.items():
            residual = len(members) - sum(len(c[2]) for c in cells)
            if 0 < residual < k:
                found.append(f"{name} minus its {other} groups leaves {residual} answers")
        for cells1, cells2 in itertools.combinations(inside.values(), 2):
            for (n1, _, m1), (n2, _, m2) in itertools.product(cells1, cells2):
                if not m1 & m2 and 0 < len(members) - len(m1) - len(m2) < k:
                    found.append(
                        f"{name} minus {n1} minus {n2} leaves {len(members) - len(m1) - len(m2)} answers"
                    )
    quarters = {
        row["period_start"]
        for row in rows
        if row["period_grain"] == "quarter"
        and row["dimension_kind"] == "overall"
        and not row["is_suppressed"]
    }
    groups: dict[tuple, int] = {}
    for comment in comments:
        groups[(comment["period_start"], comment["text_field"])] = (
            groups.get((comment["period_start"], comment["text_field"]), 0) + 1
        )
    for (start, text_field), n in groups.items():
        if n < k or start not in quarters:
            found.append(f"{n} {text_field} comments of quarter {start} shown")
    return found


_KEYS = (
    "programme",
    "period_grain",
    "period_start",
    "period_end",
    "dimension_kind",
    "dimension",
    "dimension_value",
)


def leaks(customer_file: Path, hr_file: Path, answers: list[EmployeeAnswer], k: int) -> list[str]:
    return row_leaks(customer_file, answers) + row_leaks(hr_file, answers) + cell_leaks(hr_file, answers, k)
