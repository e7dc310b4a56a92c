"""A new warehouse's first dbt build starts from the partial-parse state `make manifest` left
(dbt decides whether it still holds); an existing state is never overwritten."""

from __future__ import annotations

from dagster_project.defs.transform import project
from dagster_project.defs.transform.project import PARTIAL_PARSE_FILE, start_from_parsed_project


def test_a_new_target_folder_starts_from_the_parsed_project(tmp_path, monkeypatch):
    dbt_dir = tmp_path / "dbt"
    (dbt_dir / "target").mkdir(parents=True)
    (dbt_dir / "target" / PARTIAL_PARSE_FILE).write_bytes(b"parsed by make manifest")
    monkeypatch.setattr(project, "PARSED_PROJECT", dbt_dir / "target")
    new = tmp_path / "warehouse" / "dbt_target" / "local"
    start_from_parsed_project(new)
    assert (new / PARTIAL_PARSE_FILE).read_bytes() == b"parsed by make manifest"
    assert sorted(p.name for p in new.iterdir()) == [PARTIAL_PARSE_FILE]  # no copy left half-way

    (new / PARTIAL_PARSE_FILE).write_bytes(b"this warehouse's own")
    start_from_parsed_project(new)
    assert (new / PARTIAL_PARSE_FILE).read_bytes() == b"this warehouse's own"


def test_without_a_parsed_project_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(project, "PARSED_PROJECT", tmp_path / "dbt" / "target")
    start_from_parsed_project(tmp_path / "target")
    assert not (tmp_path / "target").exists()
