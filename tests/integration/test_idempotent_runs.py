"""Loading the same inbox twice changes nothing."""

from __future__ import annotations

import pytest

from tests.conftest import Warehouse, copy_of
from tests.pipeline import run_pipeline

pytestmark = pytest.mark.pipeline

TABLES = [
    "raw.landed_files",
    "raw.responses_rows",
    "raw.invitations_rows",
    "validated.responses",
    "validated.responses_quarantine",
    "marts.nps_responses",
    "marts.nps_by_period",
    "marts.nps_by_segment",
    "marts.nps_by_channel",
    "marts.response_rates",
    "marts.quarantined_rows",
    "marts.file_loads",
]


def snapshot(warehouse) -> dict[str, list]:
    return {table: sorted(map(repr, warehouse.query(f"select * from {table}"))) for table in TABLES}


def test_a_second_run_on_the_same_inbox_changes_nothing(small_warehouse, tmp_path):
    warehouse = Warehouse(copy_of(small_warehouse, tmp_path))  # the session's build stays as it was
    before = snapshot(warehouse)
    result = run_pipeline(warehouse.settings)
    assert result.success
    after = snapshot(warehouse)
    for table in TABLES:
        assert after[table] == before[table], f"{table} changed on the second run"
    landing = result.asset_materializations_for_node("land_inbox")
    landed_now = {m.asset_key.to_user_string(): m.metadata for m in landing}
    assert landed_now["raw/landed_files"]["files_landed_now"].value == 0
