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


def test_the_manifest_is_parsed_with_the_vars_the_pipeline_builds_with():
    # the Makefile parses with `nps-warehouse dbt-vars` (Settings.dbt_vars); the Dagster asset
    # builds with the same dict, so dbt can keep the parse for a new warehouse's first build
    makefile = (project.DBT_PROJECT_DIR.parent / "Makefile").read_text(encoding="utf-8")
    assert 'dbt parse --profiles-dir . --quiet --vars "$$(../$(BIN)/nps-warehouse dbt-vars)"' in makefile
    assets = (project.DBT_PROJECT_DIR.parent / "dagster_project/defs/transform/assets.py").read_text()
    assert '["--vars", json.dumps(settings.dbt_vars())]' in assets
