"""The hostile-file corpus: every file's rows end up valid, quarantined or excluded, exactly
as tests/fixtures/hostile/expected.yml says (written by hand), and nothing is lost.

Landing and validation run on a real DuckDB file; then the whole corpus goes through the
Dagster job once, to show that bad files never stop the run and are reported.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml

from dagster_project.landing.inbox import MEMBER_SEPARATOR
from dagster_project.landing.land import land_source
from dagster_project.landing.sources import load_sources_config
from dagster_project.publishing.summary import summary_text
from dagster_project.row_kinds import RESPONSES
from dagster_project.settings import Settings
from dagster_project.validation.reconciliation import reconcile
from dagster_project.validation.verdicts import validate_kind
from dagster_project.warehouse.connection import connect
from dagster_project.warehouse.tables import ensure_landing_tables
from tests.conftest import FIXTURES, Warehouse
from tests.pipeline import LANDING_KEY, run_pipeline

CORPUS = FIXTURES / "hostile"
EXPECTED = yaml.safe_load((CORPUS / "expected.yml").read_text(encoding="utf-8"))
VALIDATED_AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# The zip and gzip bombs expand to 11 MB: past this limit (NPS_ARCHIVE_MAX_MB in a run).
ARCHIVE_LIMIT_MB = 10


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    config = load_sources_config(CORPUS / "sources.yml")
    outcomes = {}
    with connect(root / "w.duckdb") as con:
        ensure_landing_tables(con)
        for source in config.sources:
            landed = land_source(con, source, CORPUS, root / "work", LANDING_KEY, ARCHIVE_LIMIT_MB << 20)
            for outcome in landed:
                outcomes[outcome.file_path] = outcome
        validate_kind(con, RESPONSES, VALIDATED_AT)
        files = {
            path: dict(zip(("rejected", "rows", "ignored"), rest, strict=True))
            for path, *rest in con.sql(
                "select file_path, rejected_reason, rows_read, ignored_columns from raw.landed_files"
            ).fetchall()
        }
        valid = con.sql(
            """select file_path, row_number, score, channel, strftime(responded_at, '%Y-%m-%d %H:%M:%S+00:00')
               from validated.responses join raw.landed_files using (file_id)"""
        ).fetchall()
        rejected = con.sql(
            "select file_path, row_number, disposition, reason from validated.responses_quarantine"
        ).fetchall()
        segments = con.sql(
            """select file_path, row_number, segment_value from validated.responses_segments
               join raw.landed_files using (file_id) where segment_name = 'region'"""
        ).fetchall()
        reconciliation = reconcile(con, RESPONSES)
    return outcomes, files, valid, rejected, segments, reconciliation


def test_the_corpus_has_at_least_30_hostile_files():
    assert len(EXPECTED) >= 30
    on_disk = {
        p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file() and p.suffix != ".yml"
    }
    # an archive's members are expected one by one, as `<archive>!<member>`
    assert on_disk == {path.split(MEMBER_SEPARATOR)[0] for path in EXPECTED}


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_file_outcome(corpus, path):
    outcomes, files, valid, rejected, segments, _ = corpus
    expected = EXPECTED[path]
    if "already_landed_as" in expected:
        assert outcomes[path].outcome == "already_landed"
        assert outcomes[path].notes == [f"same content as {expected['already_landed_as']}"]
        assert path not in files
        return
    record = files[path]
    assert record["rejected"] == expected.get("rejected")
    valid_rows = {row: rest for file, row, *rest in valid if file == path}
    assert sorted(valid_rows) == expected.get("valid", [])
    quarantined = {row: reason for file, row, d, reason in rejected if file == path and d == "quarantined"}
    excluded = {row: reason for file, row, d, reason in rejected if file == path and d == "excluded"}
    if expected.get("rejected"):
        assert record["rows"] == expected["rows"]
        assert quarantined == dict.fromkeys(
            range(1, expected["rows"] + 1), f"file rejected: {expected['rejected']}"
        )
    else:
        assert quarantined == expected.get("quarantined", {})
    assert excluded == expected.get("excluded", {})
    for row, score in expected.get("scores", {}).items():
        assert valid_rows[row][0] == score
    for row, channel in expected.get("channels", {}).items():
        assert valid_rows[row][1] == channel
    for row, timestamp in expected.get("timestamps", {}).items():
        assert valid_rows[row][2] == timestamp
    file_segments = {row: value for file, row, value in segments if file == path}
    for row, value in expected.get("segments", {}).items():
        assert file_segments[row] == value
    if "ignored_columns" in expected:
        assert record["ignored"] == expected["ignored_columns"]
    if "rows" in expected:
        assert record["rows"] == expected["rows"]


def test_every_file_reconciles(corpus):
    *_, reconciliation = corpus
    assert reconciliation and all(f.reconciles for f in reconciliation)


@pytest.mark.pipeline
def test_bad_files_never_stop_the_run_and_are_reported(tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(CORPUS, inbox)
    settings = Settings(
        raw_dir=inbox,
        warehouse_path=tmp_path / "warehouse" / "nps.duckdb",
        reporting_tz="Europe/Stockholm",
        secrets_dir=tmp_path / "secrets",
        sources_config=inbox / "sources.yml",
        archive_max_mb=ARCHIVE_LIMIT_MB,
        published_path=tmp_path / "published" / "nps_marts.duckdb",
    )
    result = run_pipeline(settings)
    assert result.success
    checks = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    usable = checks[("raw/landed_files", "files_usable")]
    assert not usable.passed and usable.severity.value == "WARN"
    rejected = {path for path, expected in EXPECTED.items() if expected.get("rejected")}
    assert set(usable.metadata["rejected_files"].value) == rejected
    assert "stars/38_stars.csv: source 'stars' declares a 1-5 scale" in usable.description
    assert checks[("validated/responses", "rows_reconcile")].passed
    assert checks[("validated/responses", "gx_valid_rows")].passed

    warehouse = Warehouse(settings)
    # The corpus's survey ids are in no catalogue (config/surveys.yml): every response is
    # `unclassified`, in no programme's NPS, and the check names the ids with their counts.
    by_survey = dict(warehouse.query("select survey_id, count(*) from marts.nps_responses group by 1"))
    assert warehouse.query("select distinct programme from marts.nps_by_period") == [("unclassified",)]
    catalogued = checks[("published/nps_marts", "surveys_catalogued")]
    assert not catalogued.passed and catalogued.severity.value == "WARN"
    assert catalogued.metadata["responses_unclassified"].value == sum(by_survey.values())
    for survey_id, count in by_survey.items():
        assert f"{survey_id} ({count})" in catalogued.description
    unclassified = f"Unclassified: {sum(by_survey.values())} responses of {len(by_survey)} survey id(s)"
    assert unclassified in summary_text(settings)
    loads = warehouse.query(
        """select count(*), sum(rows_read), sum(valid_rows + quarantined_rows + excluded_rows),
                  sum(excluded_rows)
           from marts.file_loads where not is_replaced"""
    )
    load_records = sum("already_landed_as" not in expected for expected in EXPECTED.values())
    assert loads == [(load_records, loads[0][1], loads[0][1], 6)]
    excluded = warehouse.query(
        "select source_file_path, source_row_number, reason from marts.excluded_rows order by 2"
    )
    # the Qualtrics export, as a file and zipped (other response ids)
    assert [row[1] for row in excluded] == [2, 2, 3, 3, 4, 4]
    assert warehouse.query(
        "select kind, source, reason from marts.quarantined_rows "
        "where source_file_path = 'xlsx/31_store.xlsx' and source_row_number = 2"
    ) == [("responses", "tablets", "score '9.5' is not a whole number")]
