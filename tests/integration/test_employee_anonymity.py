"""Employee answers stay anonymous: the attack of tests/anonymity_attack.py on what the real
pipeline publishes for random small organisations (units of 1-12 people, nested or
cross-cutting regions, several months and quarters, two channels), and on the sample.

Each example runs the whole Dagster pipeline once; several organisations share a run, one
per year (groups of different years never contain one another, so each organisation is
attacked on its own). NPS_ATTACK_EXAMPLES raises the number of examples for a longer hunt.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import grp
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dagster_project.audiences import load_audiences
from dagster_project.publishing.publish import publish
from tests.anonymity_attack import EmployeeAnswer, leaks
from tests.conftest import REPO_ROOT, make_settings
from tests.other_user import NOBODY, in_child_as_nobody
from tests.pipeline import run_pipeline

K = 5  # dbt var enps_min_group as committed
EXAMPLES = int(os.environ.get("NPS_ATTACK_EXAMPLES", "3"))
HEADER = [
    "response_id", "survey_id", "respondent_id", "responded_at", "score", "channel", "reason",
    "survey_type", "segment_region", "segment_business_unit",
]  # fmt: skip


@st.composite
def organisation(draw: st.DrawFn, year: int) -> list[EmployeeAnswer]:
    """One organisation's answers in one year: units of 1-12 people, each unit in one region
    (nested) or people of a unit spread over regions (cross-cutting), 1-4 survey months."""
    units = draw(st.lists(st.integers(1, 12), min_size=1, max_size=5))
    regions = draw(st.integers(1, 3))
    nested = draw(st.booleans())
    months = sorted(draw(st.sets(st.integers(1, 12), min_size=1, max_size=4)))
    people = []
    for unit, size in enumerate(units):
        unit_region = draw(st.integers(0, regions - 1))
        for person in range(size):
            region = unit_region if nested else draw(st.integers(0, regions - 1))
            people.append((f"U{unit}", f"R{region}", f"{year}-{unit}-{person}"))
    answers = []
    for month in months:
        for unit, region, person in people:
            if not draw(st.booleans()):  # about half answer each pulse
                continue
            answers.append(
                EmployeeAnswer(
                    response_id=f"E{person}-{month}",
                    answered_on=dt.date(year, month, draw(st.integers(1, 28))),
                    channel=draw(st.sampled_from(["web", "email"])),
                    survey_id="enps",
                    score=draw(st.integers(0, 10)),
                    segments={"region": region, "business_unit": unit},
                    comment=draw(st.sampled_from([None, "Bra chefer", "För mycket övertid", "Trivs"])),
                )
            )
    return answers


organisations = (
    st.integers(1, 4)
    .flatmap(lambda n: st.tuples(*(organisation(2020 + i) for i in range(n))))
    .map(lambda orgs: [answer for org in orgs for answer in org])
)


def write_inbox(inbox: Path, answers: list[EmployeeAnswer]) -> None:
    folder = inbox / "responses"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "pulse.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        # two customers, so that the customer file has something to hold
        writer.writerow(
            ["C1", "rnps", "c1@example.com", "2021-03-01T12:00:00+01:00", 9, "email", "", "customer", "", ""]
        )
        writer.writerow(
            ["C2", "rnps", "c2@example.com", "2021-03-02T12:00:00+01:00", 3, "email", "", "customer", "", ""]
        )
        for a in answers:
            writer.writerow(
                [
                    a.response_id, a.survey_id, f"{a.response_id}@staff.example",
                    f"{a.answered_on}T12:00:00+01:00", a.score, a.channel, a.comment or "", "employee",
                    a.segments["region"], a.segments["business_unit"],
                ]
            )  # fmt: skip


def published_files(settings) -> tuple[Path, Path]:
    hr = load_audiences(settings.audiences_config).named("hr")
    return settings.published_path, hr.published_path(settings)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("NPS_ATTACK_EXAMPLES"),
    # a pipeline run per example: no shrinking (the failing example is printed whole)
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(answers=organisations)
def test_no_reader_learns_anything_about_fewer_than_k_employees(tmp_path_factory, answers):
    root = tmp_path_factory.mktemp("org")
    settings = make_settings(root)
    write_inbox(settings.raw_dir, answers)
    result = run_pipeline(settings)
    assert result.success
    customer_file, hr_file = published_files(settings)
    assert leaks(customer_file, hr_file, answers, K) == []
    # what HR may see is there: every year's total of K or more answers
    with duckdb.connect(str(hr_file), read_only=True) as con:
        years = dict(
            con.execute(
                """select period_start, responses from hr.enps_by_group
                   where period_grain = 'year' and dimension_kind = 'overall'"""
            ).fetchall()
        )
    for year in {a.answered_on.year for a in answers}:
        n = sum(a.answered_on.year == year for a in answers)
        assert years.get(dt.date(year, 1, 1)) == (n if n >= K else None)


def test_the_sample_publishes_employee_answers_to_hr_only(sample_warehouse):
    settings = sample_warehouse.settings
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        truth = con.execute(
            """select e.response_id, e.response_date, e.channel, e.survey_id, e.score,
                      map_from_entries(list({'key': s.segment_type, 'value': s.segment_value})
                                       filter (where s.segment_type is not null))
               from intermediate.int_employee_responses as e
               left join staging.stg_inbox__response_segments as s
                 on e.source_file_id = s.source_file_id and e.source_row_number = s.source_row_number
               group by all"""
        ).fetchall()
    answers = [EmployeeAnswer(r, d, c, s, score, dict(segments)) for r, d, c, s, score, segments in truth]
    assert len(answers) == 200
    customer_file, hr_file = published_files(settings)
    assert leaks(customer_file, hr_file, answers, K) == []
    with duckdb.connect(str(hr_file), read_only=True) as con:
        # the example: HR's 3 answers in 2025-Q3 cannot be had by subtraction
        units = con.execute(
            """select dimension_value, is_suppressed, responses from hr.enps_by_group
               where period_grain = 'quarter' and period_start = date '2025-07-01'
                 and dimension = 'business_unit' order by 1"""
        ).fetchall()
        tables = {
            t
            for (t,) in con.execute("select schema_name || '.' || table_name from duckdb_tables()").fetchall()
        }
    assert ("HR", True, None) in units
    assert sum(hidden for _, hidden, _ in units) >= 2
    assert not any(t.startswith("marts.") for t in tables)


def test_customer_figures_do_not_move(sample_warehouse, tmp_path):
    """Customer programmes keep every figure: the customer marts equal a build of the same
    inbox without any employee answer."""
    settings = sample_warehouse.settings
    without = make_settings(tmp_path, settings.raw_dir)
    without = dataclasses.replace(without, surveys_config=REPO_ROOT / "config" / "surveys.yml")
    employee_field = re.compile(rb"(^|[,;])employee([,;]|\r?$)")
    for path in without.raw_dir.rglob("*.csv"):
        lines = path.read_bytes().splitlines(keepends=True)
        path.write_bytes(
            b"".join(lines[:1] + [line for line in lines[1:] if not employee_field.search(line)])
        )
    assert run_pipeline(without).success
    query = """select programme, period_grain, period_start, responses, nps from marts.nps_by_period
               order by all"""
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        mine = con.execute(query).fetchall()
    with duckdb.connect(str(without.published_path), read_only=True) as con:
        theirs = con.execute(query).fetchall()
    assert mine == theirs and mine


def test_hr_file_is_readable_by_hr_only(sample_warehouse):
    """HR's folder and file carry the audience's modes and group: `nobody` (in group nogroup)
    reads the customers' file, and HR's only when the audience names nogroup as HR's group."""
    settings = sample_warehouse.settings
    hr = load_audiences(settings.audiences_config).named("hr")
    assert stat.S_IMODE(hr.published_path(settings).stat().st_mode) == 0o440
    assert stat.S_IMODE(hr.published_path(settings).parent.stat().st_mode) == 0o750
    if os.geteuid() != 0:
        pytest.skip("needs root to act as another user")
    shared = Path(tempfile.mkdtemp(prefix="nps-audiences-"))
    try:
        os.chmod(shared, 0o755)
        customers = shared / "nps_marts.duckdb"
        publish(settings.warehouse_path, customers, spill_dir=settings.spill_dir)
        private = publish(
            settings.warehouse_path,
            shared / "hr" / "enps_marts.duckdb",
            spill_dir=settings.spill_dir,
            audience=hr,
        )
        shared_with_hr = hr.model_copy(update={"folder": "hr_group", "group": grp.getgrgid(NOBODY).gr_name})
        grouped = publish(
            settings.warehouse_path,
            shared / "hr_group" / "enps_marts.duckdb",
            spill_dir=settings.spill_dir,
            audience=shared_with_hr,
        )
        assert grouped.path.stat().st_gid == NOBODY and grouped.path.parent.stat().st_gid == NOBODY
        assert _as_nobody(customers, "marts.nps_by_period") == "opened"
        assert _as_nobody(private.path, "hr.enps_by_group") == "refused: permission denied"
        assert _as_nobody(grouped.path, "hr.enps_by_group") == "opened"
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def _as_nobody(path: Path, table: str) -> str:
    return in_child_as_nobody(
        lambda: duckdb.connect(str(path), read_only=True).sql(f"select count(*) from {table}")
    )


def test_employee_answers_of_an_uncatalogued_survey_are_published_nowhere_and_named(tmp_path):
    answers = [
        EmployeeAnswer(
            f"N{i}", dt.date(2025, 3, 3), "web", "pulse-new", i, {"region": "R", "business_unit": "U"}
        )
        for i in range(8)
    ]
    settings = make_settings(tmp_path)
    write_inbox(settings.raw_dir, answers)
    result = run_pipeline(settings)
    assert result.success
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    catalogued = checks["surveys_catalogued"]
    assert not catalogued.passed and "pulse-new" in catalogued.description
    assert "(8)" not in catalogued.description  # how many employees answered is HR's
    customer_file, hr_file = published_files(settings)
    assert leaks(customer_file, hr_file, answers, K) == []
    with duckdb.connect(str(hr_file), read_only=True) as con:
        assert con.execute("select count(*) from hr.enps_by_group").fetchall() == [(0,)]
