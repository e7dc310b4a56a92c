"""Score, timestamp and channel rules, row by row, on a real DuckDB file."""

from __future__ import annotations

import datetime as dt

import pytest

from dagster_project.row_kinds import RESPONSES
from dagster_project.validation.reconciliation import reconcile
from dagster_project.warehouse.connection import connect
from tests.landing_helpers import land_and_validate

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CASES = [
    # score, responded_at, channel -> reason (None = valid)
    ("10", "2025-01-01T10:00:00+01:00", "email", None),
    ("10.0", "2025-01-01", "EMAIL", None),
    ("10,0", "2025-01-01 10:00", " sms ", None),
    ("0", "2025-01-01T10:00:00Z", "store", None),
    ("9.5", "2025-01-01", "email", "score '9.5' is not a whole number"),
    ("9,5", "2025-01-01", "email", "score '9,5' is not a whole number"),
    ("11", "2025-01-01", "email", "score '11' is outside the 0–10 scale"),
    ("-1", "2025-01-01", "email", "score '-1' is outside the 0–10 scale"),
    ("ten", "2025-01-01", "email", "score 'ten' is not a number"),
    ("N/A", "2025-01-01", "email", "score 'N/A' is not a number"),
    ("1e1", "2025-01-01", "email", "score '1e1' is not a number"),
    ("09", "2025-01-01", "email", "score '09' is not written as a whole number from 0 to 10"),
    ("", "2025-01-01", "email", "score is missing"),
    ("7", "", "email", "responded_at is missing"),
    ("7", "2025-02-30", "email", "responded_at '2025-02-30' is not a valid timestamp (ISO 8601 expected)"),
    ("7", "2026-01-01T00:00:01Z", "email", "responded_at '2026-01-01T00:00:01Z' is in the future"),
    ("7", "2025-01-01", "fax", "channel 'fax' is not one of email, sms, web, app, phone, store"),
    ("7", "2025-01-01", "", "channel is missing"),
]


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    lines = ["response_id;survey_id;responded_at;score;channel"]
    lines += [f"R{i};S;{ts};{score};{channel}" for i, (score, ts, channel, _) in enumerate(CASES)]
    warehouse = land_and_validate(
        tmp_path_factory.mktemp("rules"), {"cases.csv": "\n".join(lines) + "\n"}, NOW
    )
    with connect(warehouse) as con:
        valid = dict(con.sql("select row_number, score from validated.responses").fetchall())
        reasons = dict(con.sql("select row_number, reason from validated.responses_quarantine").fetchall())
        files = reconcile(con, RESPONSES)
    return valid, reasons, files


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)))
def test_rule(validated, index, case):
    valid, reasons, _ = validated
    score, _, _, reason = case
    row_number = index + 1
    if reason is None:
        assert row_number in valid and row_number not in reasons
        assert valid[row_number] == int(float(score.replace(",", ".")))
    else:
        assert reasons.get(row_number) == reason and row_number not in valid


def test_counts_reconcile(validated):
    _, _, files = validated
    assert [(f.rows_read, f.valid, f.quarantined, f.reconciles) for f in files] == [
        (len(CASES), 4, len(CASES) - 4, True)
    ]


def test_personal_data_in_the_wrong_column_is_redacted_in_quarantine(tmp_path):
    shifted = "response_id,survey_id,responded_at,score,channel\nR1,S,2025-01-01,anna@example.se,email\n"
    with connect(land_and_validate(tmp_path, {"shifted.csv": shifted}, NOW)) as con:
        rows = con.sql("select reason, raw_values from validated.responses_quarantine").fetchall()
    assert rows[0][0] == "score '[email]' is not a number"
    assert "anna" not in rows[0][1] and "[email]" in rows[0][1]
