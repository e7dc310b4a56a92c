"""The marts' documentation cannot drift from the dbt contracts: docs/marts-reference.md is
what the manifest says (written by `make docs`), and docs/marts.md names every published mart
and no mart that is gone."""

from __future__ import annotations

import re

from dagster_project.marts_reference import REFERENCE_PAGE, load_manifest, published_nodes, render
from dagster_project.settings import REPO_ROOT


def test_the_committed_reference_is_what_the_manifest_says():
    manifest = load_manifest()
    assert REFERENCE_PAGE.read_text(encoding="utf-8") == render(manifest), "run `make docs`"


def test_the_reference_lists_every_published_column():
    manifest = load_manifest()
    page = render(manifest)
    nodes = published_nodes(manifest)
    assert {n["schema"] for n in nodes} == {"marts", "reference", "hr"}
    for node in nodes:
        section = page[page.index(f"### {node['schema']}.{node['name']}\n") :]
        section = section[: section.find("\n### ", 1) if "\n### " in section[1:] else len(section)]
        for column in node["columns"]:
            assert f"| `{column}` |" in section, (node["name"], column)


def test_the_marts_page_names_every_published_mart_and_no_other():
    manifest = load_manifest()
    marts = {n["name"] for n in published_nodes(manifest) if n["schema"] in ("marts", "hr")}
    text = (REPO_ROOT / "docs" / "marts.md").read_text(encoding="utf-8")
    rows = {m.group(1) for m in re.finditer(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE)}
    named_as_tables = {m.group(2) for m in re.finditer(r"\b(marts|hr)\.([a-z_]+)\b", text)}
    missing = sorted(mart for mart in marts if mart not in rows and mart not in named_as_tables)
    assert not missing, f"docs/marts.md does not name: {missing}"
    gone = sorted(name for name in named_as_tables if name not in marts)
    assert not gone, f"docs/marts.md names marts that do not exist: {gone}"
