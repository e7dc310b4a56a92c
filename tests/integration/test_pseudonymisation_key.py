"""A warehouse keeps the pseudonymisation key it was built with: another key, or a lost one,
stops the run with a clear message and exit code 2 before anything lands; no new key is
generated in place of a lost one (landing/key_record.py)."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

from dagster_project.landing.pseudonymise import KEY_FILE_NAME, PseudonymKey
from tests.cli_runs import Deployment
from tests.conftest import copy_of
from tests.pipeline import TEST_KEY, run_pipeline

pytestmark = pytest.mark.pipeline


def landed_files(deployment: Deployment) -> int:
    with duckdb.connect(str(deployment.warehouse), read_only=True) as con:
        return con.execute("select count(*) from raw.landed_files").fetchall()[0][0]


@pytest.fixture
def built(small_warehouse, tmp_path) -> Deployment:
    copy_of(small_warehouse, tmp_path)
    deployment = Deployment(tmp_path)
    (deployment.inbox / "responses" / "late.csv").write_text(
        "response_id,survey_id,responded_at,score,channel\nLATE1,rnps,2025-01-20T10:00:00+01:00,9,email\n"
    )
    return deployment


def test_the_warehouse_records_its_key_by_fingerprint_only(built):
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        ((fingerprint, origin),) = con.execute(
            "select fingerprint, origin from raw.pseudonymisation_key"
        ).fetchall()
    assert fingerprint == PseudonymKey.from_secret(TEST_KEY.encode(), "x").fingerprint
    assert TEST_KEY not in fingerprint + origin and len(fingerprint) == 16


def test_another_key_is_refused_before_anything_lands(built):
    before = landed_files(built)
    result = built.run(NPS_PSEUDONYMISATION_KEY="a-new-key")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "is not the key this warehouse was built with" in result.stderr
    assert "Restore the key it was built with" in result.stderr and "a-new-key" not in result.stderr
    assert landed_files(built) == before


def test_a_lost_key_is_not_replaced_by_a_new_one(built):
    result = built.run(NPS_PSEUDONYMISATION_KEY="")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "neither NPS_PSEUDONYMISATION_KEY nor" in result.stderr
    assert not (built.root / "secrets" / KEY_FILE_NAME).exists()


def test_the_landing_step_refuses_another_key_too(small_warehouse, tmp_path):
    """What a run started from the Dagster UI (no CLI in front) does."""
    settings = dataclasses.replace(copy_of(small_warehouse, tmp_path), pseudonymisation_key="a-new-key")
    (settings.raw_dir / "responses" / "late.csv").write_text(
        "response_id,survey_id,responded_at,score,channel\nLATE1,rnps,2025-01-20T10:00:00+01:00,9,email\n"
    )
    result = run_pipeline(settings)
    assert not result.success
    failures = [e.step_failure_data.error for e in result.all_events if e.is_step_failure]
    assert any("is not the key this warehouse was built with" in str(error) for error in failures)
