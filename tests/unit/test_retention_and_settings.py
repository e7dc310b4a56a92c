"""GX results retention, where the published file goes by default, and how progress reads."""

from __future__ import annotations

import datetime as dt
import io

from dagster_project.progress import Progress, progress_message, stage_of
from dagster_project.settings import REPO_ROOT, Settings
from dagster_project.validation.retention import prune_validation_results

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


def _result(root, suite: str, when: dt.datetime):
    folder = root / "validations" / suite / "__none__" / when.strftime("%Y%m%dT%H%M%S.%fZ")
    folder.mkdir(parents=True)
    (folder / f"nps_batches-{suite}.json").write_text("{}")
    return folder


def test_validation_results_past_the_retention_go_and_the_rest_stay(tmp_path):
    old = _result(tmp_path, "responses", NOW - dt.timedelta(days=31))
    kept = _result(tmp_path, "responses", NOW - dt.timedelta(days=29))
    lone_old = _result(tmp_path, "followups", NOW - dt.timedelta(days=400))
    (tmp_path / "validations" / ".ge_store_backend_id").write_text("id")
    assert prune_validation_results(tmp_path, 30, now=NOW) == 2
    assert not old.exists() and kept.exists() and not lone_old.exists()
    assert not lone_old.parent.exists()  # an emptied run folder goes too
    assert (tmp_path / "validations" / ".ge_store_backend_id").exists()
    assert prune_validation_results(tmp_path, 30, now=NOW) == 0
    assert prune_validation_results(tmp_path / "nothing", 30, now=NOW) == 0


def test_the_published_file_follows_the_warehouse_when_only_that_is_set(monkeypatch):
    for name in ("NPS_WAREHOUSE", "NPS_PUBLISHED"):
        monkeypatch.delenv(name, raising=False)
    assert Settings.from_env().published_path == REPO_ROOT / "data" / "published" / "nps_marts.duckdb"
    monkeypatch.setenv("NPS_WAREHOUSE", "/srv/nps/north/nps.duckdb")
    assert Settings.from_env().published_path.as_posix() == "/srv/nps/north/published/nps_marts.duckdb"
    monkeypatch.setenv("NPS_WAREHOUSE", "/srv/nps/south.duckdb")
    assert Settings.from_env().published_path.as_posix() == "/srv/nps/published/south_marts.duckdb"
    monkeypatch.setenv("NPS_PUBLISHED", "/srv/bi/nps.duckdb")
    assert Settings.from_env().published_path.as_posix() == "/srv/bi/nps.duckdb"
    monkeypatch.setenv("NPS_GX_KEEP_DAYS", "7")
    assert Settings.from_env().gx_keep_days == 7


def test_progress_reads_as_plain_lines_off_a_terminal():
    out = io.StringIO()
    progress = Progress("lines", out=out, line_interval=3600)
    progress.step_started("land_inbox")
    for done in range(1, 4):
        progress.message(progress_message("landing files", done, 3, f"file{done}.csv: 10 rows"))
    progress.step_started("nps_dbt_models")
    progress.message(progress_message("building dbt models", 1, 60, "stg_inbox__responses"))
    lines = out.getvalue().splitlines()
    # a new stage, and a stage's last item; items in between wait for the interval
    assert [line.split("] ", 1)[1] for line in lines] == [
        "landing files",
        "landing files 3/3 · file3.csv: 10 rows",
        "building dbt models",
    ]
    assert stage_of("raw__responses_rows_gx_landed_batches").startswith("checking rows")


def test_progress_draws_one_bar_on_a_terminal():
    out = io.StringIO()
    progress = Progress("bar", out=out)
    progress.message(progress_message("landing files", 1, 2, "a.csv"))
    progress.message(progress_message("landing files", 2, 2, "b.csv"))
    progress.finish()
    text = out.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n")
    assert "[########################] " in text and "landing files 2/2 · b.csv" in text
