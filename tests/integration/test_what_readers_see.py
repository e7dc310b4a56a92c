"""What readers see, on the committed sample run through the real pipeline once: the report
in a real headless Chromium, the metrics through MetricFlow, the published file through
SQLAlchemy + duckdb-engine (what Superset and most Python BI tools use), the comments dbt
persisted, and a published file no reader can lock."""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pytest
import sqlalchemy

from dagster_project.settings import REPO_ROOT
from tests.browser import browser_missing, chromium
from tests.conftest import Warehouse
from tests.other_user import in_child_as_nobody

pytestmark = pytest.mark.pipeline

SCREENSHOT = REPO_ROOT / "docs" / "report.png"


def published(sample_warehouse: Warehouse) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(sample_warehouse.settings.published_path), read_only=True)


# The report ------------------------------------------------------------------------------


def _wait_for_charts(driver, timeout: float = 30.0) -> tuple[int, int]:
    deadline = time.monotonic() + timeout
    while True:
        charts = driver.find_elements("css selector", ".chart")
        drawn = driver.find_elements("css selector", ".chart svg")
        if (charts and len(drawn) >= len(charts)) or time.monotonic() > deadline:
            return len(charts), len(drawn)
        time.sleep(0.2)


def _table(driver, key: str) -> list[dict[str, tuple[str, str]]]:
    """{column: (shown text, data-value)} per row of the section's table."""
    rows = driver.execute_script(
        """return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr')).map(tr =>
               Array.from(tr.querySelectorAll('td')).map(td =>
                   [td.dataset.column, td.textContent, td.dataset.value]));""",
        f"#{key}-table",
    )
    return [{column: (text, value) for column, text, value in row} for row in rows]


@pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))
def test_the_report_renders_in_chromium_and_shows_the_marts_numbers(sample_warehouse, tmp_path):
    from PIL import Image

    report = sample_warehouse.settings.published_path.parent / "report"
    hr_report = sample_warehouse.settings.published_path.parent / "hr" / "report"
    # customers' report and HR's, each beside its own file; no eNPS in the customers' folder
    assert (report / "index.html").exists() and not (report / "enps.html").exists()
    assert (hr_report / "index.html").exists()
    assert "enps" not in (report / "index.html").read_text().lower()
    # Offline: no script, style or image comes from anywhere but the page itself.
    page = (report / "index.html").read_text()
    assert "<script src=" not in page and "cdn." not in page
    with chromium() as driver:
        driver.get((report / "index.html").as_uri())
        charts, drawn = _wait_for_charts(driver)
        assert charts >= 16 and drawn == charts, (charts, drawn)
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
        assert "Data as of" in driver.find_element("id", "freshness").text
        assert "Customer NPS · " in driver.title

        # Every shown NPS of the trend table is the mart's, to the decimal shown.
        with published(sample_warehouse) as con:
            marts = {
                (programme, month.isoformat()): (nps, responses)
                for programme, month, nps, responses in con.execute(
                    """select programme, period_start, nps, responses from marts.nps_by_period
                       where period_grain = 'month' and programme in ('relationship', 'transactional')"""
                ).fetchall()
            }
        rows = _table(driver, "nps-trend")
        assert len(rows) >= 40
        for row in rows:
            nps, responses = marts[(row["programme"][0], row["month"][0])]
            assert row["nps"][0] == f"{nps:.1f}" and float(row["nps"][1]) == pytest.approx(nps, abs=1e-9)
            assert row["responses"][0] == str(responses)

        # What NPS is worth: the churn table is the mart's, the growth table has EGR in %.
        churn = _table(driver, "worth-churn")
        with published(sample_warehouse) as con:
            rates = {
                (programme, start.isoformat(), str(horizon), category): rate
                for programme, start, horizon, category, rate in con.execute(
                    """select programme, period_start, horizon_days, nps_category, churn_rate
                       from marts.nps_outcomes where period_grain = 'year'"""
                ).fetchall()
            }
        assert {row["programme"][0] for row in churn} == {"relationship", "transactional"}
        for row in churn:
            key = (row["programme"][0], row["year"][0], row["horizon_days"][0], row["nps_category"][0])
            assert float(row["churn_rate"][1]) == pytest.approx(rates[key], abs=1e-12)
            assert row["churn_rate"][0] == f"{rates[key]:.1%}"
        retention = _table(driver, "worth-retention")
        assert {row["days_since_answer"][0] for row in retention} == {"90", "180", "365"}
        assert all(0 <= float(row["survival"][1]) <= 1 for row in retention)
        growth = _table(driver, "worth-growth")
        assert len(growth) >= 6 and all(row["egr"][0].endswith("%") for row in growth)

        full = tmp_path / "report.png"
        driver.set_window_size(1280, 2400)
        driver.save_screenshot(str(full))
        image = Image.open(full).convert("RGB").resize((320, 600))
        colours = image.getcolors(maxcolors=1 << 16) or []
        assert len(colours) > 50  # charts, not a blank page
        if os.environ.get("UPDATE_SCREENSHOT") == "1":
            driver.set_window_size(1280, 1100)
            driver.save_screenshot(str(SCREENSHOT))

        # A phone: the page still lays out (no chart wider than the screen).
        driver.set_window_size(390, 844)
        widths = driver.execute_script(
            "return Array.from(document.querySelectorAll('.chart')).map(c => c.getBoundingClientRect().width)"
        )
        assert max(widths) <= 390

        driver.get((hr_report / "index.html").as_uri())
        charts, drawn = _wait_for_charts(driver)
        assert charts >= 1 and drawn == charts
        assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert "Employee NPS (eNPS) · " in driver.title
        groups = _table(driver, "enps-groups")
        assert any(row["is_suppressed"][0] == "yes" for row in groups)
        for row in groups:
            if row["is_suppressed"][0] == "yes":  # a hidden group shows no score and no count
                assert row["enps"][0] == row["responses"][0] == row["enps_ci_low"][0] == "–"
        comments = _table(driver, "enps-comments")
        assert comments and set(comments[0]) == {"quarter", "text_field", "comment_text"}


# The semantic layer ----------------------------------------------------------------------


def _mf(sample_warehouse: Warehouse, *args: str) -> list[dict[str, str]]:
    out = sample_warehouse.settings.warehouse_path.parent / "mf.csv"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NPS_")}
    env |= {
        "NPS_WAREHOUSE": str(sample_warehouse.settings.warehouse_path),
        "NPS_PUBLISHED": str(sample_warehouse.settings.published_path),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "metrics", "query", *args, "--csv", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return list(csv.DictReader(io.StringIO(out.read_text())))


def test_metricflow_metrics_equal_the_marts(sample_warehouse):
    rows = _mf(
        sample_warehouse,
        "--metrics",
        "nps,responses,promoters,detractors",
        "--group-by",
        "metric_time__month,response__programme",
    )
    with published(sample_warehouse) as con:
        marts = {
            (programme, month.isoformat()): (nps, responses, promoters, detractors)
            for programme, month, nps, responses, promoters, detractors in con.execute(
                """select programme, period_start, nps, responses, promoters, detractors
                   from marts.nps_by_period where period_grain = 'month'"""
            ).fetchall()
        }
    assert len(rows) == len(marts) > 40
    # the semantic layer reads the customers' file: no employee group, however it is cut
    assert {row["response__programme"] for row in rows} == {"relationship", "transactional"}
    for row in rows:
        nps, responses, promoters, detractors = marts[
            (row["response__programme"], row["metric_time__month"][:10])
        ]
        assert float(row["nps"]) == pytest.approx(nps, abs=1e-9)
        assert (int(row["responses"]), int(row["promoters"]), int(row["detractors"])) == (
            responses,
            promoters,
            detractors,
        )

    weekly = _mf(sample_warehouse, "--metrics", "nps", "--group-by", "metric_time__week,response__programme")
    with published(sample_warehouse) as con:
        weeks = dict(
            ((p, d.isoformat()), n)
            for p, d, n in con.execute(
                "select programme, period_start, nps from marts.nps_by_period where period_grain = 'week'"
            ).fetchall()
        )
    assert len(weekly) == len(weeks)
    for row in weekly:  # ISO weeks: both start on Monday
        assert float(row["nps"]) == pytest.approx(
            weeks[(row["response__programme"], row["metric_time__week"][:10])]
        )

    by_channel = _mf(
        sample_warehouse,
        "--metrics",
        "nps,responses",
        "--group-by",
        "metric_time__month,response__programme,response__channel",
    )
    with published(sample_warehouse) as con:
        channels = {
            (programme, month.isoformat(), channel): (nps, responses)
            for programme, month, channel, nps, responses in con.execute(
                """select programme, period_start, channel, nps, responses from marts.nps_by_channel
                   where period_grain = 'month' and not is_suppressed"""
            ).fetchall()
        }

    def key(row):
        return row["response__programme"], row["metric_time__month"][:10], row["response__channel"]

    shown = [row for row in by_channel if key(row) in channels]  # suppressed groups are not
    assert len(shown) == len(channels) > 100
    for row in shown:
        nps, responses = channels[key(row)]
        assert (float(row["nps"]), int(row["responses"])) == (pytest.approx(nps), responses)


@pytest.mark.parametrize("dimension", ["overall", "channel", "region"])
def test_metricflow_response_rate_by_period_channel_and_segment_equals_the_mart(sample_warehouse, dimension):
    group_by = "metric_time__month" + ("" if dimension == "overall" else f",invitation__{dimension}")
    rates = _mf(sample_warehouse, "--metrics", "response_rate,invitations", "--group-by", group_by)
    with published(sample_warehouse) as con:
        marts_rates = {
            (d.isoformat(), value): (rate, invited)
            for d, value, rate, invited in con.execute(
                """select period_start, dimension_value, response_rate, invitations from marts.response_rates
                   where period_grain = 'month' and dimension = $dimension""",
                {"dimension": dimension},
            ).fetchall()
        }
    rows = {(r["metric_time__month"][:10], r.get(f"invitation__{dimension}", "all")): r for r in rates}
    rows = {key: r for key, r in rows.items() if key[1]}  # MetricFlow's NULL group: no segment given
    assert rows.keys() == marts_rates.keys()
    assert len(rows) >= 6
    for key, row in rows.items():
        rate, invited = marts_rates[key]
        assert float(row["response_rate"]) == pytest.approx(rate, abs=1e-12)
        assert int(row["invitations"]) == invited


# The BI path -----------------------------------------------------------------------------


def test_metricflow_churn_rate_nrr_and_egr_equal_the_marts(sample_warehouse):
    churn = _mf(
        sample_warehouse,
        "--metrics",
        "churn_rate",
        "--group-by",
        "metric_time__month,answer_outcome__programme,answer_outcome__nps_category,answer_outcome__horizon_days",
    )
    growth = _mf(sample_warehouse, "--metrics", "nrr,egr", "--group-by", "metric_time__month")
    with duckdb.connect(str(sample_warehouse.settings.published_path), read_only=True) as con:
        rates = {
            (programme, str(start), category, str(horizon)): rate
            for programme, start, category, horizon, rate in con.execute(
                """select programme, period_start, nps_category, horizon_days, churn_rate
                   from marts.nps_outcomes where period_grain = 'month'"""
            ).fetchall()
        }
        months = {
            str(start): (nrr, egr)
            for start, nrr, egr in con.execute(
                """select period_start, nrr, egr from marts.earned_growth
                   where period_grain = 'month' and nrr is not null"""
            ).fetchall()
        }
    assert len(churn) == len(rates) > 100
    for row in churn:
        key = (
            row["answer_outcome__programme"],
            row["metric_time__month"][:10],
            row["answer_outcome__nps_category"],
            row["answer_outcome__horizon_days"],
        )
        assert float(row["churn_rate"]) == pytest.approx(rates[key], abs=1e-9)
    measured = {row["metric_time__month"][:10]: row for row in growth if row["nrr"]}
    assert measured.keys() == months.keys()
    for month, (nrr, egr) in months.items():
        assert float(measured[month]["nrr"]) == pytest.approx(nrr, abs=1e-9)
        assert float(measured[month]["egr"]) == pytest.approx(egr, abs=1e-9)


def test_sqlalchemy_and_duckdb_engine_read_the_published_file(sample_warehouse):
    """What Superset does: open read-only, list the marts with column types and comments,
    run a query."""
    engine = sqlalchemy.create_engine(
        f"duckdb:///{sample_warehouse.settings.published_path}", connect_args={"read_only": True}
    )
    try:
        inspector = sqlalchemy.inspect(engine)
        tables = inspector.get_table_names(schema="marts")
        assert {"nps_by_period", "nps_responses", "response_rates", "detractor_followups"} <= set(tables)
        columns = {c["name"]: c for c in inspector.get_columns("nps_by_period", schema="marts")}
        assert isinstance(columns["responses"]["type"], sqlalchemy.BigInteger)
        assert isinstance(columns["nps"]["type"], sqlalchemy.Float)
        assert columns["nps"]["comment"] and columns["responses"]["comment"]
        assert inspector.get_table_comment("nps_by_period", schema="marts")["text"]
        with engine.connect() as connection:
            via_bi = connection.execute(
                sqlalchemy.text(
                    """select programme, sum(responses) from marts.nps_by_period
                       where period_grain = 'year' group by programme order by programme"""
                )
            ).fetchall()
    finally:
        engine.dispose()
    with published(sample_warehouse) as con:
        direct = con.execute(
            """select programme, count(*) from marts.nps_responses group by programme order by programme"""
        ).fetchall()
    assert [tuple(r) for r in via_bi] == direct


def test_every_published_table_and_column_carries_its_dbt_description(sample_warehouse):
    import json

    manifest = json.loads((REPO_ROOT / "dbt" / "target" / "manifest.json").read_text())
    described = {
        (node["config"]["schema"], node["name"]): node
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
        and node["config"].get("schema") in ("marts", "reference")
    }
    with published(sample_warehouse) as con:
        tables = con.execute(
            """select schema_name, table_name, comment from duckdb_tables()
               where schema_name in ('marts', 'reference', 'meta')"""
        ).fetchall()
        columns = con.execute(
            """select schema_name, table_name, column_name, comment from duckdb_columns()
               where schema_name in ('marts', 'reference', 'meta')"""
        ).fetchall()
    assert len(tables) >= 30 and len(columns) > 400
    assert [t for t in tables if not t[2]] == []
    assert [c[:3] for c in columns if not c[3]] == []
    for schema, table, column, comment in columns:
        node = described.get((schema, table))
        if node and column in node["columns"]:
            assert comment == node["columns"][column]["description"], (table, column)


def test_the_published_file_is_read_only_on_disk(sample_warehouse):
    """A reader that forgets `read_only` gets a clear error instead of a write lock that would
    make every other reader's open fail. Root ignores file modes, so under root the opens are
    tried in a child process demoted to `nobody`, on a copy (same mode) in a folder it may read."""
    path = sample_warehouse.settings.published_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    folder = Path(tempfile.mkdtemp(prefix="nps-published-"))
    try:
        if os.geteuid() == 0:
            os.chmod(folder, 0o755)
            target = folder / path.name
            target.write_bytes(path.read_bytes())
            os.chmod(target, 0o444)
        else:
            target = path
        assert in_child_as_nobody(lambda: duckdb.connect(str(target))) == "refused: permission denied"
        count = in_child_as_nobody(
            lambda: duckdb.connect(str(target), read_only=True).sql(
                "select count(*) from marts.nps_by_period"
            )
        )
        assert count == "opened"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Operators -------------------------------------------------------------------------------


def test_status_and_summary_by_grain_segment_and_since(sample_warehouse, monkeypatch, capsys):
    from dagster_project.cli import main

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("NPS_WAREHOUSE", str(sample_warehouse.settings.warehouse_path))
    monkeypatch.setenv("NPS_PUBLISHED", str(sample_warehouse.settings.published_path))
    monkeypatch.setenv("NPS_RAW_DIR", str(sample_warehouse.settings.raw_dir))
    assert main(["status"]) == 0
    status = capsys.readouterr().out
    with published(sample_warehouse) as con:
        files, quarantined, version = con.execute(
            """select count(*), sum(quarantined_rows), (select version from meta.publication)
               from marts.file_loads where not is_replaced"""
        ).fetchall()[0]
    assert f"Published: version {version}" in status
    assert f"Files in use: {files} " in status and f"quarantined: {quarantined}," in status
    assert "Report: " in status and "index.html" in status

    assert main(["summary", "--grain", "quarter", "--segment", "region", "--since", "2026-01"]) == 0
    text = capsys.readouterr().out
    assert "Relationship NPS by quarter (since 2026-01-01" in text
    assert "Relationship NPS by region and quarter" in text
    with published(sample_warehouse) as con:
        stockholm = con.execute(
            """select responses, nps from marts.nps_by_segment where programme = 'relationship'
               and period_grain = 'quarter' and period_start = date '2026-01-01'
               and segment_type = 'region' and segment_value = 'Stockholm'"""
        ).fetchall()[0]
    assert any(
        line.split()[:4] == ["2026-Q1", "Stockholm", str(stockholm[0]), f"{stockholm[1]:+.1f}"]
        for line in text.splitlines()
    ), text
    assert not any(line.startswith("2025-") for line in text.splitlines())

    assert main(["summary", "--segment", "shoe_size"]) == 2
    assert "shoe_size" in capsys.readouterr().err
