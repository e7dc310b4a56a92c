"""A file with bad rows: the run completes, valid rows reach the marts, every bad row is
in quarantine with its reason, and the counts reconcile."""

from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURES, Warehouse, make_settings
from tests.pipeline import run_pipeline

pytestmark = pytest.mark.pipeline

FILE = "responses/2025-03_with_bad_rows.csv"
CHANNELS = "email, sms, web, app, phone, store"
EXPECTED_QUARANTINE = [
    (2, "score '11' is outside the 0–10 scale"),
    (3, "score 'tio' is not a number"),
    (4, "score '9.5' is not a whole number"),
    (5, "score is missing"),
    (6, "score '-1' is outside the 0–10 scale"),
    (7, "responded_at '2099-03-03T10:00:00+01:00' is in the future"),
    (8, f"channel 'fax' is not one of {CHANNELS}"),
    (9, "response_id is missing"),
    (10, "responded_at 'yesterday' is not a valid timestamp (ISO 8601 expected)"),
    (11, f"response_id 'B11' is repeated; kept {FILE} row 12"),
    (
        13,
        "malformed row: row has 11 fields but the header has 10; extra values ['unexpected extra value']",
    ),
]


@pytest.fixture(scope="module")
def bad_rows_run(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("bad"), FIXTURES / "inbox_bad_rows")
    result = run_pipeline(settings)
    return result, Warehouse(settings)


def test_the_run_completes(bad_rows_run):
    result, _ = bad_rows_run
    assert result.success


def test_valid_rows_reach_the_marts(bad_rows_run):
    _, warehouse = bad_rows_run
    rows = warehouse.query("select response_id, score, channel from marts.nps_responses order by 1")
    assert rows == [("B01", 10, "email"), ("B11", 7, "sms"), ("B14", 9, "app")]


def test_each_bad_row_is_quarantined_with_file_row_and_reason(bad_rows_run):
    _, warehouse = bad_rows_run
    rows = warehouse.query(
        """select source_file_path, source_row_number, reason from marts.quarantined_rows
           order by source_row_number"""
    )
    assert rows == [(FILE, number, reason) for number, reason in EXPECTED_QUARANTINE]


def test_quarantine_keeps_raw_values_but_no_personal_data(bad_rows_run):
    _, warehouse = bad_rows_run
    (raw,) = warehouse.query("select raw_values from marts.quarantined_rows where source_row_number = 3")[0]
    values = json.loads(raw)
    assert values["score"] == "tio" and values["response_id"] == "B03"
    assert "respondent_id" not in values and "reason" not in values


def test_counts_reconcile_per_file(bad_rows_run):
    result, warehouse = bad_rows_run
    assert warehouse.query(
        "select source, kind, rows_read, valid_rows, quarantined_rows, reconciles from marts.file_loads"
    ) == [("responses", "responses", 14, 3, 11, True)]
    # the row kind and the configured source, each under its own name
    assert warehouse.query("select distinct kind, source from marts.quarantined_rows") == [
        ("responses", "responses")
    ]
    evaluations = {
        (e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()
    }
    reconcile = evaluations[("validated/responses", "rows_reconcile")]
    assert reconcile.passed
    assert reconcile.metadata["rows_read"].value == 14
    assert reconcile.metadata["quarantined_rows"].value == 11


def test_gx_reports_the_bad_file_and_passes_the_valid_rows(bad_rows_run):
    result, _ = bad_rows_run
    evaluations = {
        (e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()
    }
    landed = evaluations[("raw/responses_rows", "gx_landed_batches")]
    assert not landed.passed
    assert landed.severity.value == "WARN"
    assert landed.metadata["files_with_failures"].value == [FILE]
    report = landed.metadata["report"].value
    assert "score is a whole number from 0 to 10" in report and "11" in report
    assert evaluations[("validated/responses", "gx_valid_rows")].passed
