"""Property-based: validating delivery by delivery gives exactly what one rebuild from all
live landed rows gives at that moment - whatever the order of new, late, corrected (same
path, new content), duplicate-id and same-content deliveries, and however the clock moved
in between (a row in the future is judged again once it is not) - and every invitation
whose answer came or went is recorded for the invitation cohort (validated.answers_touched)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.landing.land import land_source
from dagster_project.row_kinds import RESPONSES
from dagster_project.validation.reconciliation import reconcile
from dagster_project.validation.verdicts import validate_kind
from dagster_project.warehouse.tables import ensure_landing_tables
from tests.landing_helpers import CANONICAL_RESPONSES, csv_bytes, table_snapshot
from tests.pipeline import LANDING_KEY

COLUMNS = [
    "response_id", "survey_id", "invitation_id", "responded_at",
    "score", "channel", "reason", "segment_region",
]  # fmt: skip
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
VALIDATED_TABLES = (RESPONSES.valid_table, f"{RESPONSES.valid_table}_segments", RESPONSES.quarantine_table)

row = st.fixed_dictionaries(
    {
        # a handful of ids, so that the same id turns up in several files
        "response_id": st.sampled_from(["R1", "R2", "R3", "R4", "R5", " R1 ", ""]),
        "survey_id": st.sampled_from(["rnps", ""]),
        "invitation_id": st.sampled_from(["I1", "I2", "I3", ""]),
        # some in the future at first: hours ahead (a survey tool's clock), days ahead, far ahead
        "responded_at": st.sampled_from(
            [
                "2025-01-01T10:00:00+01:00",
                "2025-06-30 23:30",
                "2026-01-01T05:00:00Z",
                "2026-01-03",
                "2099-01-01",
                "x",
            ]
        ),
        "score": st.sampled_from(["10", "0", "7", "9,0", "11", "tio"]),
        "channel": st.sampled_from(["email", "SMS", "fax"]),
        "reason": st.sampled_from(["", "bra", "ring 070-123 45 67"]),
        "segment_region": st.sampled_from(["", "Norrland", "Jylland"]),
    }
)
delivery = st.one_of(
    # a file under one of a few names: a name seen before is a corrected re-delivery
    st.tuples(st.just("file"), st.sampled_from(["a.csv", "b.csv", "late/c.csv"]), st.lists(row, max_size=6)),
    # the content of an earlier delivery again, under another name
    st.tuples(st.just("copy"), st.sampled_from(["copy1.csv", "copy2.csv"]), st.integers(0, 10)),
    # an earlier file touched (new modification time, same bytes)
    st.tuples(st.just("touch"), st.integers(0, 10), st.none()),
    # the clock moves on, nothing arrives
    st.tuples(st.just("clock"), st.sampled_from([1, 6, 30, 72]), st.none()),
)


def as_csv(records: list[dict]) -> bytes:
    return csv_bytes(COLUMNS, records)


def answered(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The invitations a valid response answers."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'validated' and table_name = 'responses'"
    ).fetchall()[0][0]
    if not exists:
        return set()
    rows = con.execute("select invitation_id from validated.responses where invitation_id is not null")
    return {i for (i,) in rows.fetchall()}


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return table_snapshot(con, VALIDATED_TABLES)


def valid_rows_by_file(con: duckdb.DuckDBPyConnection) -> dict[str, set[tuple]]:
    rows: dict[str, set[tuple]] = {}
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'validated' and table_name = 'responses'"
    ).fetchall()[0][0]
    for record in con.execute(f"select * from {RESPONSES.valid_table}").fetchall() if exists else []:
        rows.setdefault(record[0], set()).add(tuple(map(str, record)))
    return rows


def validate_and_check_valid_rows_seq(con: duckdb.DuckDBPyConnection, now: dt.datetime):
    """Validate; every file whose valid rows changed says so in `valid_rows_seq` (what the
    incremental models, the lake and GX's valid stage rebuild by)."""
    before = valid_rows_by_file(con)
    outcome = validate_kind(con, RESPONSES, now)
    after = valid_rows_by_file(con)
    moved = dict(
        con.execute(
            """select file_id, valid_rows_seq = $seq from validated.file_verdicts
               where kind = 'responses' and is_live""",
            {"seq": outcome.validation_seq},
        ).fetchall()
    )
    for file_id in before.keys() | after.keys():
        if before.get(file_id) != after.get(file_id) and file_id in moved:
            assert moved[file_id], f"{file_id}: valid rows changed, valid_rows_seq did not move"
    # ... and each row of a file judged before that became valid or stopped being valid is
    # in rows_revalidated (models incremental by customer rebuild by those rows)
    revalidated = con.execute(
        "select file_id, row_number from validated.rows_revalidated where validation_seq = $seq",
        {"seq": outcome.validation_seq},
    ).fetchall()
    old_files = con.execute(  # live, judged in an earlier run (a replaced file: all is rebuilt)
        "select file_id from validated.file_verdicts where is_live and first_judged_seq < $seq",
        {"seq": outcome.validation_seq},
    ).fetchall()
    flipped = {(r[0], r[1]) for (f,) in old_files for r in before.get(f, set()) ^ after.get(f, set())}
    assert {(f, str(n)) for f, n in revalidated} == flipped
    return outcome


@given(st.lists(delivery, min_size=1, max_size=8))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_incremental_validation_equals_a_rebuild(deliveries):
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        folder = inbox / CANONICAL_RESPONSES.folder
        (folder / "late").mkdir(parents=True)
        written: list[tuple[str, bytes]] = []
        con = duckdb.connect()
        con.execute("set TimeZone = 'UTC'")
        ensure_landing_tables(con)
        modes = []
        now = NOW
        for step, (kind, name, payload) in enumerate(deliveries):
            if kind == "clock":
                now += dt.timedelta(hours=name)
                if modes:
                    modes.append(validate_and_check_valid_rows_seq(con, now).mode)
                continue
            if kind == "file":
                content = as_csv(payload)
            elif kind == "copy" and written:
                content = written[payload % len(written)][1]
            elif kind == "touch" and written:
                name, content = written[name % len(written)]
            else:
                continue
            path = folder / name
            path.write_bytes(content)
            os.utime(path, ns=(step * 10**9 + 10**9, step * 10**9 + 10**9))
            written.append((name, content))
            land_source(con, CANONICAL_RESPONSES, inbox, Path(tmp) / "work", LANDING_KEY)
            before = answered(con)
            outcome = validate_and_check_valid_rows_seq(con, now)
            modes.append(outcome.mode)
            assert all(f.reconciles for f in reconcile(con, RESPONSES))
            touched = {
                i
                for (i,) in con.execute(
                    "select invitation_id from validated.answers_touched where validation_seq = $seq",
                    {"seq": outcome.validation_seq},
                ).fetchall()
            }
            assert before ^ answered(con) <= touched
        if not modes:
            return
        incremental = snapshot(con)
        validate_kind(con, RESPONSES, now, full=True)
        assert snapshot(con) == incremental
        con.close()
    assert modes[0] == "full"


def test_nothing_new_validates_nothing(tmp_path):
    folder = tmp_path / "inbox" / "responses"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_bytes(
        as_csv([dict(zip(COLUMNS, ["R1", "rnps", "", "2025-01-01", "9", "email", "", ""], strict=True))])
    )
    con = duckdb.connect()
    ensure_landing_tables(con)
    land_source(con, CANONICAL_RESPONSES, tmp_path / "inbox", tmp_path / "work", LANDING_KEY)
    assert validate_kind(con, RESPONSES, NOW).mode == "full"
    land_source(con, CANONICAL_RESPONSES, tmp_path / "inbox", tmp_path / "work", LANDING_KEY)
    outcome = validate_kind(con, RESPONSES, NOW)
    assert (outcome.mode, outcome.rows_checked) == ("nothing_new", 0)
    (folder / "b.csv").write_bytes(
        as_csv([dict(zip(COLUMNS, ["R1", "rnps", "", "2025-02-01", "3", "sms", "", ""], strict=True))])
    )
    land_source(con, CANONICAL_RESPONSES, tmp_path / "inbox", tmp_path / "work", LANDING_KEY)
    outcome = validate_kind(con, RESPONSES, NOW)
    # the new row and the earlier row with its id are judged; the later file wins
    assert (outcome.mode, outcome.files_new, outcome.rows_checked) == ("incremental", 1, 2)
    assert con.execute("select score from validated.responses").fetchall() == [(3,)]


def deliver_and_validate(
    con: duckdb.DuckDBPyConnection, root: Path, name: str, rows: list[list[str]], step: int
) -> int:
    """Write `rows` as responses file `name` (modified at `step`), land and validate it; the
    validation run's number."""
    path = root / "inbox" / "responses" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(as_csv([dict(zip(COLUMNS, r, strict=True)) for r in rows]))
    os.utime(path, ns=(step * 10**9, step * 10**9))
    land_source(con, CANONICAL_RESPONSES, root / "inbox", root / "work", LANDING_KEY)
    return validate_kind(con, RESPONSES, NOW).validation_seq


def test_a_file_whose_losing_row_names_another_winner_keeps_its_valid_rows(tmp_path):
    """a.csv's R1 loses to b.csv's, then to c.csv's: its quarantine changes (the winner it
    names), its valid rows do not, so what is built from valid rows by file leaves it be."""
    con = duckdb.connect()
    ensure_landing_tables(con)

    def deliver(name: str, rows: list[list[str]], step: int) -> dict[str, tuple[bool, bool]]:
        seq = deliver_and_validate(con, tmp_path, name, rows, step)
        moved = con.execute(
            """select f.file_path, v.validation_seq = $s, v.valid_rows_seq = $s
               from validated.file_verdicts v join raw.landed_files f using (file_id)""",
            {"s": seq},
        ).fetchall()
        return {Path(p).name: (verdicts, valid) for p, verdicts, valid in moved}

    r1 = ["R1", "rnps", "", "2025-01-01", "9", "email", "", ""]
    r2 = ["R2", "rnps", "", "2025-01-01", "7", "sms", "", ""]
    assert deliver("a.csv", [r1, r2], 1) == {"a.csv": (True, True)}
    assert deliver("b.csv", [r1], 2) == {"a.csv": (True, True), "b.csv": (True, True)}
    corrected = ["R1", "rnps", "", "2025-01-01", "3", "email", "", ""]
    moved = deliver("c.csv", [corrected], 3)
    assert moved == {"a.csv": (True, False), "b.csv": (True, True), "c.csv": (True, True)}
    reasons = con.execute(f"select reason from {RESPONSES.quarantine_table} order by file_id").fetchall()
    assert all("c.csv" in reason for (reason,) in reasons)
    # the rows of earlier files that stopped being valid: a.csv's R1 (to b.csv), then b.csv's
    revalidated = con.execute(
        """select f.file_path from validated.rows_revalidated r join raw.landed_files f using (file_id)
           order by r.validation_seq"""
    ).fetchall()
    assert [Path(p).name for (p,) in revalidated] == ["a.csv", "b.csv"]


def test_invitations_that_gain_or_lose_an_answer_are_recorded(tmp_path):
    con = duckdb.connect()
    ensure_landing_tables(con)

    def deliver(name: str, rows: list[list[str]], step: int) -> set[str]:
        seq = deliver_and_validate(con, tmp_path, name, rows, step)
        touched = con.execute(
            "select invitation_id from validated.answers_touched where validation_seq = $s", {"s": seq}
        )
        return {i for (i,) in touched.fetchall()}

    r1_i1 = ["R1", "rnps", "I1", "2025-01-01", "9", "email", "", ""]
    r2_i2 = ["R2", "rnps", "I2", "2025-01-01", "9", "email", "", ""]
    assert deliver("a.csv", [r1_i1, r2_i2], 1) == {"I1", "I2"}  # first answers
    # R1 again in a later file, answering I3: I1 loses its answer, I3 gains one
    assert deliver("b.csv", [["R1", "rnps", "I3", "2025-02-01", "3", "sms", "", ""]], 2) == {"I1", "I3"}
    # a corrected a.csv without R2, landed last: I2 loses its answer, and its R1 now wins
    # again (the later landed file), so I1 gains and I3 loses
    assert deliver("a.csv", [r1_i1], 3) == {"I1", "I2", "I3"}
    assert answered(con) == {"I1"}


def test_validation_records_which_files_hold_an_employee_answer(tmp_path):
    """A build leaves the HR audience's models alone only when no changed responses file
    holds (or held) an employee answer - valid or not (defs/transform/selection.py)."""
    folder = tmp_path / "inbox" / "responses"
    folder.mkdir(parents=True)
    con = duckdb.connect()
    ensure_landing_tables(con)
    header = "response_id,survey_id,responded_at,score,channel,survey_type\n"

    def deliver(name: str, text: str, step: int) -> dict[tuple[str, bool], bool]:
        path = folder / name
        path.write_text(header + text, encoding="utf-8")
        os.utime(path, ns=(step * 10**9, step * 10**9))
        land_source(con, CANONICAL_RESPONSES, tmp_path / "inbox", tmp_path / "work", LANDING_KEY)
        validate_kind(con, RESPONSES, NOW)
        rows = con.execute(
            """select f.file_path, v.is_live, v.holds_employee_answers from validated.file_verdicts v
               join raw.landed_files f using (file_id)"""
        ).fetchall()
        return {(Path(p).name, live): holds for p, live, holds in rows}

    assert deliver("a.csv", "R1,rnps,2025-01-01,9,email,customer\nR2,rnps,2025-01-01,7,sms,\n", 1) == {
        ("a.csv", True): False
    }
    # one employee answer, even a quarantined one (score 11), marks the file
    flags = deliver("b.csv", "E1,enps,2025-01-01,11,web, Employee \nR3,rnps,2025-01-01,9,web,customer\n", 2)
    assert flags[("b.csv", True)] is True
    # its correction holds none; the version it replaced still says it held one
    flags = deliver("b.csv", "R3,rnps,2025-01-01,9,web,customer\n", 3)
    assert flags == {("a.csv", True): False, ("b.csv", False): True, ("b.csv", True): False}
