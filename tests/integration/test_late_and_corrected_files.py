"""Files arriving after a period was reported: late responses update that period's marts,
and a corrected re-delivery replaces the earlier version's rows."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import Warehouse, copy_of
from tests.pipeline import run_pipeline

pytestmark = pytest.mark.pipeline

HEADER = (
    "response_id,survey_id,invitation_id,respondent_id,responded_at,score,channel,"
    "reason,improvement,segment_region\n"
)


def december(warehouse: Warehouse):
    return warehouse.query(
        """select responses, promoters, passives, detractors, nps from marts.nps_by_period
           where period_grain = 'month' and period_start = '2024-12-01'"""
    )


def test_late_and_corrected_files_update_old_periods(tmp_path, small_warehouse):
    settings = copy_of(small_warehouse, tmp_path)  # the small inbox, run once
    warehouse = Warehouse(settings)
    assert december(warehouse) == [(4, 2, 2, 0, 50.0)]

    # A late export in February with a December response (a detractor).
    (settings.raw_dir / "responses" / "2025-02_late.csv").write_text(
        HEADER + "R10,tnps,,,2024-12-20T12:00:00+01:00,2,email,,,Skåne\n", encoding="utf-8"
    )
    assert run_pipeline(settings).success
    assert december(warehouse) == [(5, 2, 2, 1, 20.0)]

    # The December export is corrected and re-delivered under the same name: R01 was a 0.
    export = settings.raw_dir / "responses" / "2024-12_export.csv"
    export.write_text(export.read_text(encoding="utf-8").replace(",10,email,", ",0,email,"), encoding="utf-8")
    result = run_pipeline(settings)
    assert result.success
    assert december(warehouse) == [(5, 1, 2, 2, -20.0)]
    assert warehouse.query("select count(*) from marts.nps_responses where response_id = 'R01'") == [(1,)]
    loads = warehouse.query(
        """select file_path, rows_read, is_replaced from marts.file_loads
           where file_path = 'responses/2024-12_export.csv' order by landed_at"""
    )
    assert loads == [
        ("responses/2024-12_export.csv", 6, True),
        ("responses/2024-12_export.csv", 6, False),
    ]
    replaced_at = warehouse.query("select replaced_at from marts.file_loads where is_replaced")[0][0]
    assert replaced_at <= dt.datetime.now(dt.UTC)
