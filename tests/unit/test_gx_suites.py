"""The committed GX suites: consistent with the validation rules, and they catch bad batches."""

from __future__ import annotations

import datetime as dt
import gc
import json
import weakref

import pandas as pd
import pytest

from dagster_project.row_kinds import CHANNELS, RESPONSES, ROW_KINDS
from dagster_project.settings import GX_CONTEXT_DIR
from dagster_project.validation.gx import GxValidator, validate_batches
from dagster_project.validation.value_sql import SCORE_PATTERN
from dagster_project.warehouse.connection import connect
from dagster_project.warehouse.dbt_watermark import record_built_through, validation_seq_now
from tests.landing_helpers import land_and_validate


def suite(name: str) -> dict:
    return json.loads((GX_CONTEXT_DIR / "expectations" / f"{name}.json").read_text())


def expectation(name: str, kind: str, **kwargs) -> dict:
    matches = [
        e
        for e in suite(name)["expectations"]
        if e["type"] == kind and all(e["kwargs"].get(k) == v for k, v in kwargs.items())
    ]
    assert len(matches) == 1, (name, kind, kwargs)
    return matches[0]


@pytest.mark.parametrize("kind", ROW_KINDS, ids=lambda s: s.name)
def test_suites_mirror_the_sources(kind):
    columns = expectation(kind.name, "expect_table_columns_to_match_set")["kwargs"]["column_set"]
    assert sorted(columns) == sorted(kind.required)
    if kind.channel_column:
        channels = expectation(kind.name, "expect_column_values_to_be_in_set", column="channel")
        assert channels["kwargs"]["value_set"] == list(CHANNELS)
    for column, (values, _) in kind.enumerations.items():
        allowed = expectation(kind.name, "expect_column_values_to_be_in_set", column=column)
        assert allowed["kwargs"]["value_set"] == list(values)
    if kind.more_id_columns:
        expectation(kind.name, "expect_compound_columns_to_be_unique", column_list=list(kind.id_columns))
    else:
        expectation(kind.name, "expect_column_values_to_be_unique", column=kind.id_column)
    if kind.timestamp_column in kind.required:
        expectation(kind.name, "expect_column_values_to_not_be_null", column=f"{kind.timestamp_column}_utc")
    if kind.timestamp_column:
        expectation(kind.name, "expect_column_values_to_be_between", column=f"{kind.timestamp_column}_utc")
    for earlier, later in kind.ordered_dates:
        expectation(
            kind.name,
            "expect_column_pair_values_a_to_be_greater_than_b",
            column_A=f"{later}_date",
            column_B=f"{earlier}_date",
        )
    if kind.amount_column:
        expectation(kind.name, "expect_column_values_to_not_be_null", column=f"{kind.amount_column}_number")


def test_the_score_rule_is_the_same_pattern_as_validation():
    rule = expectation("responses", "expect_column_values_to_match_regex", column="score")
    assert rule["kwargs"]["regex"] == f"^{SCORE_PATTERN}$"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("gx")
    files = {
        "a.csv": "response_id,survey_id,responded_at,score,channel\n"
        "R1,S,2025-01-01T10:00:00Z,10,email\n"
        "R2,S,2025-01-01T10:00:00Z,11,email\n"
        "R3,S,2030-01-01T10:00:00Z,9,fax\n"
        "R1,S,2025-01-02T10:00:00Z,8,sms\n",
        "b.csv": "response_id,survey_id,responded_at,channel\nR9,S,2025-01-01,sms\n",
    }
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    warehouse = land_and_validate(root, files, now)
    validator = GxValidator(root / "gx")
    with connect(warehouse) as con:
        landed = {r.file_path: r for r in validate_batches(con, validator, RESPONSES, "landed", now)}
        valid = validate_batches(con, validator, RESPONSES, "valid", now)
    return landed, valid, root


def test_landed_batches_fail_rule_by_rule(reports):
    landed, _, _ = reports
    failed = {rule.rule: rule.unexpected_count for rule in landed["responses/a.csv"].failed_rules}
    assert failed == {
        "response_id is unique in the batch": 2,
        "score is a whole number from 0 to 10 (10, 10.0 and 10,0 are 10; no 11, -1, 9.5 or 'ten')": 1,
        "responded_at is not in the future": 1,
        "channel is a known channel (lower-cased)": 1,
    }


def test_a_file_without_a_required_column_fails_the_table_rule(reports):
    landed, _, _ = reports
    rules = {rule.rule for rule in landed["responses/b.csv"].failed_rules}
    assert "the file has every required column" in rules


def test_valid_rows_pass_and_results_are_stored_outside_the_repository(reports):
    _, valid, root = reports
    assert [(r.file_path, r.rows, r.success) for r in valid] == [("responses/a.csv", 1, True)]
    assert list((root / "gx" / "validations").rglob("*.json"))


def test_batches_are_checked_once_and_again_when_validation_changes_them(reports):
    _, _, root = reports
    validator = GxValidator(root / "gx")
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with connect(root / "w.duckdb") as con:
        assert validate_batches(con, validator, RESPONSES, "landed", now) == []
        assert validate_batches(con, validator, RESPONSES, "valid", now) == []
        # validation changed a.csv's quarantine only (a losing row names another winner)
        con.execute("update validated.file_verdicts set validation_seq = validation_seq + 1")
        assert validate_batches(con, validator, RESPONSES, "valid", now) == []
        # validation changed a.csv's valid rows, none became valid (a later file took over one
        # of its ids): nothing of it to judge again
        con.execute("update validated.file_verdicts set valid_rows_seq = valid_rows_seq + 1")
        assert validate_batches(con, validator, RESPONSES, "valid", now) == []
        # validated afresh (a full validation judges every file anew): every valid row again
        con.execute(
            "update validated.file_verdicts set valid_rows_seq = valid_rows_seq + 1, "
            "first_judged_seq = valid_rows_seq + 1"
        )
        again = validate_batches(con, validator, RESPONSES, "valid", now)
        assert [(r.file_path, r.rows) for r in again] == [("responses/a.csv", 1)]
        assert validate_batches(con, validator, RESPONSES, "landed", now) == []


def test_a_batch_of_employee_answers_keeps_counts_only(tmp_path):
    """The same rules judge employee answers, but no value of theirs reaches the stored
    results (Data Docs) or Dagster: only whether each rule held (the `_private` checkpoints)."""
    files = {
        "pulse.csv": "response_id,survey_id,responded_at,score,channel,survey_type\n"
        "EMP-SECRET-1,enps,2025-01-01T10:00:00Z,10,email,employee\n"
        "EMP-SECRET-1,enps,2025-01-01T10:00:00Z,11,carrier-pigeon,employee\n"
    }
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    warehouse = land_and_validate(tmp_path, files, now)
    validator = GxValidator(tmp_path / "gx")
    with connect(warehouse) as con:
        (report,) = validate_batches(con, validator, RESPONSES, "landed", now)
    failed = {rule.rule for rule in report.failed_rules}
    assert "channel is a known channel (lower-cased)" in failed and not report.success
    assert all(rule.examples == [] for rule in report.failed_rules)
    stored = [path.read_text() for path in (tmp_path / "gx" / "validations").rglob("*.json")]
    assert stored and not any("SECRET" in text or "pigeon" in text for text in stored)


def test_no_batch_stays_in_memory_after_its_checkpoint(tmp_path):
    """GX's execution engine keeps the last batch it loaded; with 500,000-row batches of
    every kind that was memory the run process held while dbt ran beside it."""
    frame = pd.DataFrame(
        {"row_number": [1], "customer_id": ["c1"], "month": ["2025-01"], "revenue": ["1"], "currency": ["E"]}
    )
    alive = weakref.ref(frame)
    validator = GxValidator(tmp_path / "gx")
    validator.run_checkpoint("revenue_landed_rows", frame, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    del frame
    gc.collect()
    assert alive() is None


def test_a_file_is_checked_again_only_for_its_rows_that_became_valid(tmp_path):
    # GX judged a.csv's three valid rows; a later file takes over R1 (a.csv's valid rows only
    # shrink: nothing of it to judge again), then gives it back (R1 is judged, alone)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    header = "response_id,survey_id,responded_at,score,channel\n"
    a = header + "".join(f"R{n},S,2025-01-0{n}T10:00:00Z,{n + 6},email\n" for n in (1, 2, 3))
    validator = GxValidator(tmp_path / "gx")

    def valid_checks(files: dict[str, str]) -> list[tuple[str, int, bool]]:
        warehouse = land_and_validate(tmp_path, files, now)
        with connect(warehouse) as con:
            reports = validate_batches(con, validator, RESPONSES, "valid", now)
        return sorted((r.file_path, r.rows, r.success) for r in reports)

    assert valid_checks({"a.csv": a}) == [("responses/a.csv", 3, True)]
    takes_r1 = header + "R1,S,2025-03-01T10:00:00Z,10,sms\n"
    assert valid_checks({"b.csv": takes_r1}) == [("responses/b.csv", 1, True)]
    gives_r1_back = header + "R9,S,2025-03-01T10:00:00Z,10,sms\n"
    warehouse = land_and_validate(tmp_path, {"b.csv": gives_r1_back}, now)
    with connect(warehouse) as con:
        # a dbt build before the check keeps the record of R1 (the check is behind it)
        record_built_through(con, validation_seq_now(con), full=False)
        reports = validate_batches(con, validator, RESPONSES, "valid", now)
        assert sorted((r.file_path, r.rows) for r in reports) == [
            ("responses/a.csv", 1),
            ("responses/b.csv", 1),
        ]
        assert validate_batches(con, validator, RESPONSES, "valid", now) == []
        # ... and once the check caught up, the next build lets it go
        record_built_through(con, validation_seq_now(con), full=False)
        assert con.execute("select count(*) from validated.rows_revalidated").fetchall() == [(0,)]
