"""`nps-warehouse run` (what `make run` calls) on any inbox, configured by environment."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.cli import main
from tests.cli_runs import Deployment
from tests.conftest import FIXTURES, copy_of, make_settings

pytestmark = pytest.mark.pipeline


def test_run_honours_the_environment_and_prints_a_summary(tmp_path, monkeypatch, capsys):
    settings = make_settings(tmp_path, FIXTURES / "inbox_small")
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv("NPS_PSEUDONYMISATION_KEY", raising=False)
    monkeypatch.setenv("NPS_RAW_DIR", str(settings.raw_dir))
    monkeypatch.setenv("NPS_WAREHOUSE", str(settings.warehouse_path))
    monkeypatch.setenv("NPS_SECRETS_DIR", str(settings.secrets_dir))
    monkeypatch.setenv("NPS_PUBLISHED", str(settings.published_path))
    monkeypatch.setenv("NPS_REPORTING_TZ", "Europe/Stockholm")
    monkeypatch.setenv("NPS_SURVEYS_CONFIG", str(settings.surveys_config))

    assert main(["run"]) == 0
    out = capsys.readouterr().out
    assert f"Generated a local pseudonymisation key in {settings.secrets_dir}" in out
    lines = out.splitlines()
    assert any(line.split()[:3] == ["2024-12", "4", "+50.0"] for line in lines), out
    assert any(line.split()[:3] == ["2025-01", "4", "-50.0"] for line in lines), out
    assert any(line.split()[:3] == ["2025-02", "1", "+100.0"] for line in lines), out
    # response rate on the December cohort: 4 of 5 invitations answered
    assert any(line.startswith("2024-12") and line.endswith("80.0%") for line in lines), out
    assert "rows valid: 19; quarantined: 0 (marts.quarantined_rows); excluded: 0" in out
    assert (settings.secrets_dir / "pseudonymisation.key").exists()
    assert f"Published for BI tools and analysts: {settings.published_path}" in out
    assert settings.published_path.exists()


def test_a_bad_time_zone_is_a_clear_configuration_error(monkeypatch, capsys):
    monkeypatch.setenv("NPS_REPORTING_TZ", "Mars/Olympus_Mons")
    assert main(["run"]) == 2
    assert "NPS_REPORTING_TZ='Mars/Olympus_Mons' is not an IANA time zone" in capsys.readouterr().err


def test_a_damaged_published_file_is_published_again(small_warehouse, tmp_path):
    """Nothing new in the inbox, but the published file cannot be read: the run says so and
    publishes it again (it used to end in a traceback and exit code 1)."""
    copy_of(small_warehouse, tmp_path)
    deployment = Deployment(tmp_path)
    deployment.published.chmod(0o644)
    deployment.published.write_bytes(b"not a DuckDB file" * 100)
    result = deployment.run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The published marts cannot be read" in result.stderr and "Traceback" not in result.stderr
    with duckdb.connect(str(deployment.published), read_only=True) as con:
        assert con.execute("select count(*) from marts.nps_responses").fetchall()[0][0] > 0
