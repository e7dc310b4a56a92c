"""Audiences: the committed file keeps employee NPS apart; mistakes are named precisely;
every audience's file and report folder are where docs/bi.md says."""

from __future__ import annotations

import pytest

from dagster_project.audiences import load_audiences
from dagster_project.config_files import ConfigurationError
from dagster_project.settings import REPO_ROOT, Settings

CX = "  - {name: cx, description: CX, programmes: [relationship, transactional], default: true}\n"
HR = "  - {name: hr, description: x, programmes: [employee], folder: hr, file: e.duckdb"


def test_the_committed_audiences_keep_employee_nps_for_hr(tmp_path):
    audiences = load_audiences(REPO_ROOT / "config" / "audiences.yml")
    settings = Settings(
        raw_dir=tmp_path, warehouse_path=tmp_path / "w.duckdb", published_path=tmp_path / "p" / "x.duckdb"
    )
    cx, hr = audiences.default, audiences.named("hr")
    assert cx.name == "cx" and "employee" not in cx.programmes and cx.schemas == ("marts", "reference")
    assert hr.programmes == ("employee",) and hr.schemas == ("hr", "reference")
    assert cx.published_path(settings) == tmp_path / "p" / "x.duckdb"
    assert hr.published_path(settings) == tmp_path / "p" / "hr" / "enps_marts.duckdb"
    assert hr.report_dir(settings) == tmp_path / "p" / "hr" / "report"
    assert (hr.file_permissions, hr.folder_permissions) == (0o440, 0o750)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            "  - {name: all, description: x, programmes: [transactional, employee], default: true}\n",
            "audience #1 ('all'): employee NPS is never published together with customer programmes",
        ),
        (
            "  - {name: hr, description: x, programmes: [employee], default: true}\n",
            "audience #1 ('hr'): the default audience (NPS_PUBLISHED, what BI tools open) cannot be employee",
        ),
        (
            CX + "  - {name: hr, description: x, programmes: [employee], folder: hr}\n",
            "audience #2 ('hr'): an audience other than the default needs a folder and a file",
        ),
        (
            CX + "  - {name: hr, description: x, programmes: [employee], folder: ../hr, file: e.duckdb}\n",
            "audience #2 ('hr'), field folder: must be a relative folder inside the published folder",
        ),
        (
            CX + HR + ", file_mode: '0664'}\n",
            "audience #2 ('hr'): file_mode: a published file is never writable",
        ),
        (
            CX + HR + ", group: no-such-grp}\n",
            "audience #2 ('hr'), field group: there is no Unix group 'no-such-grp' on this machine",
        ),
        (
            CX + HR + ", folder_mode: rwx}\n",
            "audience #2 ('hr'), field folder_mode: 'rwx' is not an octal mode",
        ),
        (CX + CX, "audience names must be unique: cx, cx"),
        (
            "  - {name: cx, description: CX, programmes: [relationship]}\n",
            "audience #1 ('cx'): an audience other than the default needs a folder and a file",
        ),
    ],
)
def test_mistakes_are_named_by_entry_and_field(tmp_path, entries, message):
    path = tmp_path / "audiences.yml"
    path.write_text("audiences:\n" + entries)
    with pytest.raises(ConfigurationError) as raised:
        load_audiences(path)
    assert message in str(raised.value)
