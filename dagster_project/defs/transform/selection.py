"""What an incremental dbt build needs to run: the nodes fed by what changed.

A delivery changes the lake tables of its kinds (a responses file: `responses`, its
segments and quarantine) and the tables every delivery touches (the landed files, their
reconciliation and verdicts). A model none of whose inputs changed would rebuild the same
rows, and a data test whose nodes were not rebuilt would test the same rows again: an
incremental build leaves both out (`--exclude`), so a delivery of follow-up cases does not
recount every invitation.

The HR audience's models (the `employee` intermediate folder and `hr`) read the employee
answers only: when no changed responses file holds (or held) one and the clock did not
move, they are left out too, although their inputs' views were rebuilt, and reported after
dbt's own events (Dagster wants parents reported first; none of their children is
built). No customer model reads them (tests/unit/test_dbt_selection.py).

The clock is an input too: models that judge by the build time (macro `build_time()`,
which reads `inbox.build_clock`) change only at the moments `build_clock.next_change_at`
names (a local midnight, a call-back deadline, a quarantined timestamp coming due). The
watermark records that moment with each build; once the clock reaches it, those models and
everything they feed are rebuilt as well.

Every delivery changes the landing record (`landing.landed_files`), but two models read it
only to describe the files of the rows they take from their kinds' tables (a file's
configured source, the columns its export mapped; `meta: {landed_files: own_rows}`): what
they read of it is written when the file lands, with its rows, so a delivery of another
kind changes nothing they make. Their edge from the landing record is not followed: a file
of follow-up cases does not recount the invitation cohort and response rates.

A delivery whose files bring no new rows (an export sent again under another name,
recorded `already_landed`) changes only the landing record: with the clock still, such a
build runs what every landed file feeds (the file marts), not the whole project.

A node left out although a node it reads is built (the HR audience's models, the two
above) is reported after dbt's events, so it must feed nothing dbt builds: where it would
(the clock moved, and a model that judges by it reads one), it is built after all.

A full build (`--full-refresh`: a new configuration, or no build yet) runs everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Lake tables each delivery kind writes (dbt sources in `inbox`, models/staging/_staging__sources.yml).
KIND_TABLE_SUFFIXES = ("", "_segments", "_quarantine")
# Tables every landed file changes, whatever its kind.
EVERY_DELIVERY_SOURCES = (
    ("inbox", "file_reconciliation"),
    ("inbox", "file_verdicts"),
    ("inbox", "answers_touched"),
    ("inbox", "rows_revalidated"),
    # every run may raise or deliver alerts
    ("inbox", "alert_outbox"),
    ("landing", "landed_files"),
)
CLOCK_SOURCE = ("inbox", "build_clock")
LANDING_RECORD = ("landing", "landed_files")
# Resource types that build or test something (the on-run-start hook always runs).
SELECTABLE = ("model", "seed", "snapshot", "test")
# Folders of the models that read employee answers only (dbt/dbt_project.yml).
EMPLOYEE_FOLDERS = (("intermediate", "employee"), ("hr",))


def reads_employee_answers_only(node: Mapping[str, Any]) -> bool:
    """A model of the HR audience's folders, or a test of one."""
    fqn = tuple(node["fqn"][1:])
    return any(fqn[: len(folder)] == folder for folder in EMPLOYEE_FOLDERS)


def _sources(manifest: Mapping[str, Any], wanted: Iterable[tuple[str, str]]) -> set[str]:
    wanted = set(wanted)
    return {
        unique_id
        for unique_id, source in manifest["sources"].items()
        if (source["source_name"], source["name"]) in wanted
    }


def changed_roots(manifest: Mapping[str, Any], changed_kinds: Iterable[str], clock_moved: bool) -> set[str]:
    """The sources whose rows changed since the last build."""
    kinds = set(changed_kinds)
    wanted = {("inbox", f"{kind}{suffix}") for kind in kinds for suffix in KIND_TABLE_SUFFIXES}
    wanted |= set(EVERY_DELIVERY_SOURCES)
    if clock_moved:
        wanted.add(CLOCK_SOURCE)
    return _sources(manifest, wanted)


def reads_landed_files_for_own_rows(node: Mapping[str, Any]) -> bool:
    """A model that reads the landing record only for the files of its own rows."""
    return node.get("config", {}).get("meta", {}).get("landed_files") == "own_rows"


def unfollowed_edges(manifest: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(parent, child): the landing record's models to those that read it for their own rows."""
    nodes, landing = manifest["nodes"], _sources(manifest, [LANDING_RECORD])
    readers = {child for source in landing for child in manifest["child_map"].get(source, ())}
    return {
        (reader, child)
        for reader in readers
        for child in manifest["child_map"].get(reader, ())
        if child in nodes and reads_landed_files_for_own_rows(nodes[child])
    }


def affected_nodes(manifest: Mapping[str, Any], roots: set[str]) -> set[str]:
    """Every node downstream of `roots` (not through an edge `unfollowed_edges` names),
    and the tests of any node among them or the roots."""
    children, unfollowed = manifest["child_map"], unfollowed_edges(manifest)
    affected, stack = set(), list(roots)
    while stack:
        parent = stack.pop()
        for child in children.get(parent, ()):
            if child not in affected and (parent, child) not in unfollowed:
                affected.add(child)
                stack.append(child)
    return affected


def unchanged_nodes(
    manifest: Mapping[str, Any],
    changed_kinds: Iterable[str],
    clock_moved: bool,
    employee_answers_changed: bool = True,
) -> list[str]:
    """The models, seeds and data tests an incremental build can leave out, parents before
    children."""
    kinds = set(changed_kinds)
    affected = affected_nodes(manifest, changed_roots(manifest, kinds, clock_moved))
    if not employee_answers_changed and not clock_moved:
        # (with the clock moved, a model of theirs that judges by it is built, and its
        # unchanged parents would have to be reported amid dbt's events: all are built)
        affected = {
            unique_id
            for unique_id in affected
            if unique_id not in manifest["nodes"]
            or not reads_employee_answers_only(manifest["nodes"][unique_id])
        }
    unchanged = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in SELECTABLE and unique_id not in affected
    }
    return _parents_first(manifest, _reportable(manifest, unchanged))


def _reportable(manifest: Mapping[str, Any], unchanged: set[str]) -> set[str]:
    """`unchanged` less the nodes Dagster could not hear of in order: one reported after
    dbt's events (`fed_by_changed`) that feeds a node or test run now is built too, until none
    is left. A data test is left out only with every node it tests."""
    nodes, children, unchanged = manifest["nodes"], manifest["child_map"], set(unchanged)
    while True:
        unchanged = {
            unique_id
            for unique_id in unchanged
            if nodes[unique_id]["resource_type"] != "test"
            or all(p in unchanged for p in manifest["parent_map"][unique_id] if p in nodes)
        }
        late = fed_by_changed(manifest, unchanged)
        built_too = {
            unique_id
            for unique_id in late
            if any(child in nodes and child not in unchanged for child in children.get(unique_id, ()))
        }
        if not built_too:
            return unchanged
        unchanged -= built_too


def fed_by_changed(manifest: Mapping[str, Any], unchanged: Iterable[str]) -> set[str]:
    """Those of `unchanged` downstream of a node that is built (the HR audience's models
    when no employee answer changed): Dagster hears of them after dbt's own events."""
    unchanged = set(unchanged)
    parents = manifest["parent_map"]
    late: set[str] = set()
    for unique_id in _parents_first(manifest, unchanged):
        if any(
            parent in late
            or (
                parent in manifest["nodes"]
                and parent not in unchanged
                and manifest["nodes"][parent]["resource_type"] in SELECTABLE
            )
            for parent in parents.get(unique_id, ())
        ):
            late.add(unique_id)
    return late


def _parents_first(manifest: Mapping[str, Any], nodes: set[str]) -> list[str]:
    parents, ordered, placed = manifest["parent_map"], [], set()

    def place(unique_id: str) -> None:
        stack = [(unique_id, False)]
        while stack:
            node, ready = stack.pop()
            if node in placed:
                continue
            if ready:
                placed.add(node)
                ordered.append(node)
                continue
            stack.append((node, True))
            stack.extend((parent, False) for parent in parents.get(node, ()) if parent in nodes)

    for unique_id in sorted(nodes):
        place(unique_id)
    return ordered


def exclude_args(manifest: Mapping[str, Any], unique_ids: Iterable[str]) -> list[str]:
    """dbt's `--exclude` for these nodes, each by its full name (`fqn:` selectors, one
    space-separated value: dbt takes several values after one flag only at the end of the
    command line, and dagster-dbt appends its own selection)."""
    selectors = sorted("fqn:" + ".".join(manifest["nodes"][unique_id]["fqn"]) for unique_id in unique_ids)
    return ["--exclude", " ".join(selectors)] if selectors else []
