"""`docs/marts-reference.md`: every published table with its columns, written from the dbt
manifest (the contracts and their descriptions), so the reference cannot drift from them.

`make docs` (or `python -m dagster_project.marts_reference`) writes it again; a test fails
when the committed page differs from what the manifest says.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR, REPO_ROOT

REFERENCE_PAGE = REPO_ROOT / "docs" / "marts-reference.md"
# The published schemas, in the order the page lists them (and who reads each file).
PUBLISHED_SCHEMAS = {
    "marts": "the customers' file (`data/published/nps_marts.duckdb`), what BI tools open",
    "reference": "both files: seeds and calendars the marts refer to",
    "hr": "HR's file only (`data/published/hr/enps_marts.duckdb`)",
}
HEADER = """# Marts reference (generated)

Every published table and its columns, as the dbt contracts declare them
(`dbt/models/marts/`, `dbt/models/hr/`, `dbt/seeds/`), with each column's rules: a build
whose rows would break one fails, and the published table stays as it was. Written by
`make docs` from the dbt manifest; do not edit by hand. What each mart is for, and worked
queries: [marts](marts.md).
"""


def _one_line(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().replace("|", "\\|")


def _rules(column: dict) -> str:
    """The column's contract rules: `not null`, and each check's expression (a build whose
    rows break one fails)."""
    rules = []
    for constraint in column.get("constraints") or []:
        if constraint["type"] == "not_null":
            rules.append("not null")
        elif constraint["type"] == "check":
            rules.append(f"`{_one_line(constraint['expression'])}`")
    return ", ".join(rules)


def published_nodes(manifest: dict) -> list[dict]:
    """Models and seeds of the published schemas, by schema then name."""
    order = list(PUBLISHED_SCHEMAS)
    nodes = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed") and node["schema"] in PUBLISHED_SCHEMAS
    ]
    return sorted(nodes, key=lambda node: (order.index(node["schema"]), node["name"]))


def render(manifest: dict) -> str:
    parts = [HEADER]
    schema = None
    for node in published_nodes(manifest):
        if node["schema"] != schema:
            schema = node["schema"]
            parts.append(f"## Schema `{schema}`\n\nIn {PUBLISHED_SCHEMAS[schema]}.\n")
        parts.append(f"### {schema}.{node['name']}\n")
        if node.get("description"):
            parts.append(_one_line(node["description"]) + "\n")
        checks = [c for c in node.get("constraints") or [] if c["type"] == "check"]
        row_rules = [_one_line(c["expression"]) for c in checks]
        if row_rules:
            parts.append("Every row: " + "; ".join(f"`{rule}`" for rule in row_rules) + ".\n")
        columns = node.get("columns") or {}
        if columns:
            rows = [
                f"| `{name}` | {column.get('data_type') or ''} | {_rules(column)} "
                f"| {_one_line(column.get('description'))} |"
                for name, column in columns.items()
            ]
            parts.append("| column | type | rules | meaning |\n|---|---|---|---|\n" + "\n".join(rows) + "\n")
    return "\n".join(parts)


def load_manifest(path: Path = DBT_PROJECT_DIR / "target" / "manifest.json") -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def main() -> int:
    REFERENCE_PAGE.write_text(render(load_manifest()), encoding="utf-8")
    print(f"wrote {REFERENCE_PAGE.relative_to(REPO_ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
