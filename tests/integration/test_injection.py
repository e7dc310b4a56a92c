"""Values from files never become SQL text: file names, column headers and values with
quotes, semicolons and `--` are stored as data, and nothing else happens."""

from __future__ import annotations

import pytest

from tests.conftest import Warehouse, make_settings
from tests.pipeline import run_pipeline

pytestmark = pytest.mark.pipeline

FILE_NAME = "it's; drop table raw.landed_files; --.csv"
SEGMENT = "re'gion\"; drop table marts.nps_by_period; --"
VALUE = "Skåne'); delete from validated.responses; --"
RESPONSE_ID = "R1'; select 1; --"


def test_hostile_names_and_values_are_data(tmp_path):
    settings = make_settings(tmp_path)
    folder = settings.raw_dir / "responses"
    folder.mkdir(parents=True)
    quoted_segment = SEGMENT.replace('"', '""')
    header = f'response_id,survey_id,responded_at,score,channel,"segment_{quoted_segment}"\n'
    rows = (
        f'"{RESPONSE_ID}",S,2025-03-01T10:00:00Z,9,email,"{VALUE}"\n'
        "R2,S,2025-03-01T10:00:00Z,3,sms,Norrland\n"
    )
    (folder / FILE_NAME).write_text(header + rows, encoding="utf-8")

    assert run_pipeline(settings).success
    warehouse = Warehouse(settings)
    assert warehouse.query("select file_path from marts.file_loads") == [(f"responses/{FILE_NAME}",)]
    assert warehouse.query("select response_id from marts.nps_responses order by 1") == [
        (RESPONSE_ID,),
        ("R2",),
    ]
    segments = warehouse.query(
        """select segment_type, segment_value, responses from marts.nps_by_segment
           where period_grain = 'year' order by segment_value"""
    )
    assert segments == [(SEGMENT, "Norrland", 1), (SEGMENT, VALUE, 1)]
    # everything the values "asked for" is still there
    assert warehouse.query("select count(*) from raw.landed_files") == [(1,)]
    assert warehouse.query("select count(*) from marts.nps_by_period") != [(0,)]
