"""The naming rule for marts (docs/development.md, Layout) holds for every mart dbt knows, and every mart
has its documented contract."""

from __future__ import annotations

import json
import re

from dagster_project.defs.transform.project import dbt_project

MODELLING_PREFIXES = ("fct_", "dim_", "int_", "stg_", "base_")


def _marts() -> list[dict]:
    manifest = json.loads(dbt_project.manifest_path.read_text())
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"]


def test_marts_are_named_for_their_rows_without_a_modelling_prefix():
    marts = _marts()
    assert len(marts) >= 15
    for mart in marts:
        name = mart["name"]
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
        assert not name.startswith(MODELLING_PREFIXES), f"{name}: marts carry no modelling-role prefix"
        if "_by_" in name:
            assert name.startswith(("nps_by_",)), f"{name}: breakdowns of NPS are nps_by_<breakdown>"


def test_every_mart_has_an_enforced_documented_contract():
    for mart in _marts():
        assert mart["contract"]["enforced"], mart["name"]
        assert mart["description"], mart["name"]
        assert mart["patch_path"], mart["name"]
        undocumented = [c for c, column in mart["columns"].items() if not column.get("description")]
        assert not undocumented, (mart["name"], undocumented)
