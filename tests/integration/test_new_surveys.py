"""A new user's own surveys: after `nps-warehouse run`, a survey id the catalogue does not
list is named with a `config/surveys.yml` entry ready to paste (customer answers: the
programme guessed and marked; employee answers: published nowhere until listed), and
`nps-warehouse surveys` lists it first. Pasting what was printed and running again puts the
answers in their programme."""

from __future__ import annotations

import shutil
import subprocess
import sys

import duckdb

from tests.cli_runs import Deployment, copy_site
from tests.conftest import FIXTURES

HEADER = "response_id,survey_id,respondent_id,responded_at,score,channel,survey_type\n"
ADD = "Add to config/surveys.yml under `surveys:` (then run again):"


def their_export() -> str:
    days = range(1, 7)
    customers = [f"CH{i},tnps-chat,C00000{i:02d},2025-02-0{i}T10:00:00Z,{i + 3},web,customer" for i in days]
    employees = [f"EP{i},pulse-2025,,2025-02-1{i}T10:00:00Z,{i + 4},email,employee" for i in days]
    return HEADER + "\n".join(customers + employees) + "\n"


def pasted_entries(stdout: str) -> list[str]:
    """Every entry block the run printed (the lines under each "Add to ..." line)."""
    entries, inside = [], False
    for line in stdout.splitlines():
        if line == ADD:
            inside = True
        elif inside and line.startswith("  "):
            entries.append(line)
        else:
            inside = False
    return entries


def surveys_listing(site: Deployment, catalogue) -> list[str]:
    listing = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "surveys"],
        env=site.env(NPS_SURVEYS_CONFIG=str(catalogue)),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return listing.stdout.splitlines()


def test_a_new_users_surveys_are_catalogued_from_what_the_run_prints(tmp_path, small_warehouse):
    site = copy_site(Deployment(small_warehouse.settings.raw_dir.parent), tmp_path / "site")
    catalogue = tmp_path / "surveys.yml"
    shutil.copy(FIXTURES / "surveys.yml", catalogue)
    (site.inbox / "responses" / "2025-02_their_tool.csv").write_text(their_export(), encoding="utf-8")

    first = site.run(NPS_SURVEYS_CONFIG=str(catalogue))
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Unclassified: 6 responses of 1 survey id(s)" in first.stdout
    assert "Employee answers of survey id(s) pulse-2025 are published nowhere" in first.stdout
    entries = pasted_entries(first.stdout)
    assert "  - survey_id: tnps-chat" in entries and "  - survey_id: pulse-2025" in entries
    assert "    programme: employee  # its answers say survey_type employee" in entries
    assert any(line.startswith("    programme: relationship  # a guess") for line in entries)

    listing = surveys_listing(site, catalogue)
    assert listing[1].startswith("pulse-2025") and "employee answers published nowhere" in listing[1]
    assert listing[2].split()[:4] == ["tnps-chat", "unclassified", "6", "responses,"]
    assert "2025-02-01 to 2025-02-06" in listing[2]
    assert listing[3].startswith(("rnps", "tnps "))  # the catalogued ones after

    with catalogue.open("a", encoding="utf-8") as out:  # what the user does: paste it
        out.write("\n".join(entries) + "\n")
    second = site.run(NPS_SURVEYS_CONFIG=str(catalogue))
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Unclassified" not in second.stdout and "published nowhere" not in second.stdout
    assert ADD not in second.stdout
    with duckdb.connect(str(site.published), read_only=True) as con:
        assert con.execute(
            "select programme, count(*) from marts.nps_responses where survey_id = 'tnps-chat' group by 1"
        ).fetchall() == [("relationship", 6)]
    with duckdb.connect(str(site.published.parent / "hr" / "enps_marts.duckdb"), read_only=True) as con:
        assert con.execute(
            """select responses from hr.enps_by_group where period_grain = 'month'
               and period_start = date '2025-02-01' and dimension_kind = 'overall'"""
        ).fetchall() == [(6,)]
    assert not any(line.endswith("(not in config/surveys.yml)") for line in surveys_listing(site, catalogue))
