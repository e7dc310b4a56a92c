"""Landing policy on a real DuckDB file: once per content, replacement, rejected files."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from dagster_project.landing.land import land_source
from dagster_project.landing.legacy_migration import pseudonymise_legacy_columns
from dagster_project.landing.sources import SourceConfig
from dagster_project.warehouse.connection import connect
from dagster_project.warehouse.tables import ensure_landing_tables
from tests.pipeline import LANDING_KEY, TEST_KEY

HEADER = "response_id,survey_id,responded_at,score,channel,segment_region\n"
CANONICAL = SourceConfig(name="responses", kind="responses", folder="responses")


@pytest.fixture
def inbox(tmp_path) -> Path:
    (tmp_path / "inbox" / "responses").mkdir(parents=True)
    return tmp_path / "inbox"


def write(inbox: Path, name: str, text: str, encoding="utf-8") -> Path:
    path = inbox / "responses" / name
    path.write_bytes(text.encode(encoding))
    return path


def land(tmp_path, inbox):
    with connect(tmp_path / "w.duckdb") as con:
        ensure_landing_tables(con)
        outcomes = land_source(con, CANONICAL, inbox, tmp_path / "work", LANDING_KEY)
        rows = con.sql(
            "select file_id, row_number, response_id, score from raw.responses_rows order by 3"
        ).fetchall()
        files = con.sql(
            "select file_path, rows_read, rejected_reason, replaced_at is not null "
            "from raw.landed_files order by landing_seq"
        ).fetchall()
    return outcomes, rows, files


def test_same_content_under_another_name_lands_once(tmp_path, inbox):
    write(inbox, "a.csv", HEADER + "R1,S,2025-01-01,9,email,Skåne\n")
    write(inbox, "b_copy.csv", HEADER + "R1,S,2025-01-01,9,email,Skåne\n")
    outcomes, rows, _ = land(tmp_path, inbox)
    assert [o.outcome for o in outcomes] == ["landed", "already_landed"]
    assert len(rows) == 1
    outcomes, rows, _ = land(tmp_path, inbox)
    assert [o.outcome for o in outcomes] == ["already_landed", "already_landed"]
    assert len(rows) == 1


def test_a_corrected_redelivery_replaces_the_earlier_version(tmp_path, inbox):
    path = write(inbox, "a.csv", HEADER + "R1,S,2025-01-01,9,email,Skåne\nR2,S,2025-01-01,5,sms,X\n")
    land(tmp_path, inbox)
    path.write_text(HEADER + "R1,S,2025-01-01,10,email,Skåne\n")
    outcomes, rows, files = land(tmp_path, inbox)
    assert [o.outcome for o in outcomes] == ["replacement"]
    assert [(r[2], r[3]) for r in rows] == [("R1", "10")]
    assert files == [
        ("responses/a.csv", 2, None, True),
        ("responses/a.csv", 1, None, False),
    ]


def test_a_correction_whose_content_already_landed_elsewhere_still_replaces_the_old_version(tmp_path, inbox):
    write(inbox, "a.csv", HEADER + "R1,S,2025-01-01,9,email,Skåne\nR2,S,2025-01-01,5,sms,X\n")
    write(inbox, "b.csv", HEADER + "R3,S,2025-01-02,7,email,Skåne\n")
    land(tmp_path, inbox)
    write(inbox, "a.csv", HEADER + "R3,S,2025-01-02,7,email,Skåne\n")  # a.csv now holds b.csv's content
    outcomes, rows, files = land(tmp_path, inbox)
    assert [o.outcome for o in outcomes] == ["already_landed", "already_landed"]
    assert "the earlier version of responses/a.csv is replaced by it" in outcomes[0].notes
    assert [r[2] for r in rows] == ["R3"]  # R1 and R2 are gone with a.csv's old version
    assert files == [
        ("responses/a.csv", 2, None, True),
        ("responses/b.csv", 1, None, False),
    ]


def test_segments_land_long_and_values_stay_text(tmp_path, inbox):
    write(inbox, "a.csv", HEADER + "R1,S,2025-01-01,009,email,Skåne\nR2,S,2025-01-01,x,email,\n")
    land(tmp_path, inbox)
    with connect(tmp_path / "w.duckdb") as con:
        segments = con.sql(
            "select row_number, segment_name, segment_value from raw.responses_segments"
        ).fetchall()
        scores = con.sql("select score from raw.responses_rows order by row_number").fetchall()
    assert segments == [(1, "region", "Skåne")]
    assert scores == [("009",), ("x",)]  # nothing converted before validation


@pytest.mark.parametrize(
    ("name", "content", "reason", "rows"),
    [
        ("empty.csv", "", "the file is empty", 0),
        ("blank_header.csv", "\n\n", "the file has no header row", 0),
        (
            "notes.xlsx",
            "PK\x03\x04",
            "unsupported file type '.xlsx' for format csv (expected .csv, .tsv, .txt)",
            0,
        ),
        (
            "no_score.csv",
            "response_id,survey_id,responded_at,channel\nR1,S,2025-01-01,email\n",
            "required column(s) missing from the header: score",
            1,
        ),
        (
            "twice.csv",
            "response_id,score,Score,survey_id,responded_at,channel\nR1,1,2,S,2025-01-01,sms\n",
            "column(s) appear more than once in the header: 'score'",
            1,
        ),
        ("header_only.csv", HEADER, None, 0),
    ],
)
def test_files_that_cannot_be_used_are_recorded_with_a_reason(tmp_path, inbox, name, content, reason, rows):
    write(inbox, name, content)
    outcomes, _, files = land(tmp_path, inbox)
    assert outcomes[0].rejected_reason == reason
    assert files == [(f"responses/{name}", rows, reason, False)]


def test_headers_are_matched_case_insensitively_and_extra_columns_are_listed(tmp_path, inbox):
    write(
        inbox,
        "a.csv",
        " Response_ID ;SURVEY_ID;responded_at;score;channel;Notes\nR1;S;2025-01-01;9;sms;hej\n",
    )
    land(tmp_path, inbox)
    with connect(tmp_path / "w.duckdb") as con:
        ignored = con.sql("select ignored_columns from raw.landed_files").fetchall()
        row = con.sql("select response_id, channel from raw.responses_rows").fetchall()
    assert ignored == [(["Notes"],)]
    assert row == [("R1", "sms")]


def test_respondent_ids_land_as_pseudonyms_never_in_clear(tmp_path, inbox):
    write(
        inbox,
        "a.csv",
        "response_id,survey_id,respondent_id,responded_at,score,channel\n"
        "R1,S,Anna@Example.se ,2025-01-01,9,email\nR2,S,,2025-01-01,9,web\n"
        "R3,S,anna@example.se,2025-01-02,9,web\nR4,S,   ,2025-01-02,9,web\n"
        "R5,S,Anna@Example.se ,2025-01-03,9,web\n",
    )
    land(tmp_path, inbox)
    with connect(tmp_path / "w.duckdb") as con:
        columns = [row[0] for row in con.sql("describe raw.responses_rows").fetchall()]
        keys = con.sql("select respondent_key from raw.responses_rows order by row_number").fetchall()
    assert "respondent_id" not in columns
    expected = hmac.new(TEST_KEY.encode(), b"anna@example.se", hashlib.sha256).hexdigest()
    # each id keyed once per file, the same pseudonym on every row that carries it
    assert keys == [(expected,), (None,), (expected,), (None,), (expected,)]


def test_two_personal_columns_read_from_one_file_column_get_its_pseudonym(tmp_path):
    (tmp_path / "inbox" / "crm").mkdir(parents=True)
    (tmp_path / "inbox" / "crm" / "crm.csv").write_text("Email,acquired_at\nAnna@Example.se,2024-01-01\n")
    crm = SourceConfig(
        name="crm", kind="customers", folder="crm", columns={"customer_id": "Email", "email": "Email"}
    )
    with connect(tmp_path / "w.duckdb") as con:
        ensure_landing_tables(con)
        land_source(con, crm, tmp_path / "inbox", tmp_path / "work", LANDING_KEY)
        keys = con.sql("select customer_key, email_key from raw.customers_rows").fetchall()
    expected = hmac.new(TEST_KEY.encode(), b"anna@example.se", hashlib.sha256).hexdigest()
    assert keys == [(expected, expected)]


def test_clear_ids_of_an_older_warehouse_are_pseudonymised_and_dropped(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        ensure_landing_tables(con)
        con.execute("alter table raw.responses_rows add column respondent_id varchar")
        con.execute(
            "insert into raw.responses_rows (file_id, row_number, response_id, respondent_id) "
            "values ('f', 1, 'R1', 'Anna@Example.se'), ('f', 2, 'R2', null)"
        )
        assert pseudonymise_legacy_columns(con, LANDING_KEY) == ["raw.responses_rows.respondent_id"]
        columns = [row[0] for row in con.sql("describe raw.responses_rows").fetchall()]
        keys = con.sql("select respondent_key from raw.responses_rows order by row_number").fetchall()
        assert pseudonymise_legacy_columns(con, LANDING_KEY) == []
    assert "respondent_id" not in columns
    expected = hmac.new(TEST_KEY.encode(), b"anna@example.se", hashlib.sha256).hexdigest()
    assert keys == [(expected,), (None,)]
