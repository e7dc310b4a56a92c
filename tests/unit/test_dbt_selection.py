"""What an incremental dbt build leaves out (defs/transform/selection.py), on the project's
own manifest (`make manifest`): only what nothing changed for, parents before children."""

from __future__ import annotations

import json

import pytest

from dagster_project.defs.transform.project import manifest_path
from dagster_project.defs.transform.selection import (
    affected_nodes,
    changed_roots,
    exclude_args,
    fed_by_changed,
    reads_employee_answers_only,
    unchanged_nodes,
    unfollowed_edges,
)

KINDS = ("responses", "invitations", "followups", "customers", "revenue")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(manifest_path().read_text(encoding="utf-8"))


def names(manifest: dict, unique_ids) -> set[str]:
    return {manifest["nodes"][u]["name"] for u in unique_ids}


def model(name: str) -> str:
    return f"model.nps_warehouse.{name}"


@pytest.mark.parametrize(
    ("kinds", "built", "left_out"),
    [
        ({"followups"}, {"int_detractor_followups", "detractor_followups", "followup_summary", "file_loads"},
         {"nps_responses", "verbatims", "int_employee_containment", "score_distribution", "surveys"}),
        # the landing record changes with every delivery, but what the invitation cohort reads
        # of it (its own files' mapped columns) does not: no response rate is recounted
        ({"followups"}, {"quarantined_rows", "int_rejected_rows"},
         {"int_invitation_counts_daily", "int_invitation_cells_daily", "response_rates", "nps_by_period",
          "respondent_contact_frequency"}),
        ({"revenue"}, {"stg_landing__landed_files"}, {"response_rates", "invitations_daily"}),
        ({"invitations"}, {"int_invitation_counts_daily", "invitations_daily", "int_customer_contacts"},
         {"nps_responses", "verbatims", "enps_by_group", "theme_impact"}),
        ({"responses"}, {"nps_responses", "verbatims", "enps_by_group", "int_invitation_counts_daily"},
         {"surveys", "stg_inbox__followups", "nps_benchmark_bands"}),
        # what NPS is worth: answers rebuild the answer side; what the CRM and billing alone
        # make is left as built
        ({"responses"}, {"int_segment_quarters", "revenue_at_risk", "int_customer_answer_cohorts"},
         {"int_segment_presence", "int_segment_revenue_kept", "int_customer_revenue_last_year"}),
        ({"revenue"}, {"int_segment_revenue_kept", "int_customer_revenue_last_year", "int_segment_quarters"},
         {"int_segment_presence", "nps_responses", "int_customer_answer_cohorts"}),
        ({"customers"}, {"int_segment_presence", "int_segment_revenue_kept", "int_segment_quarters"},
         {"int_customer_revenue_last_year", "nps_responses"}),
    ],
)  # fmt: skip
def test_a_delivery_builds_what_its_kind_feeds(manifest, kinds, built, left_out):
    unchanged = names(manifest, unchanged_nodes(manifest, kinds, clock_moved=False))
    assert not built & unchanged
    assert left_out <= unchanged


def test_the_clock_moving_rebuilds_what_judges_by_it(manifest):
    still = names(manifest, unchanged_nodes(manifest, set(), clock_moved=False))
    # no new rows (a re-sent export): what every landed file feeds, not the whole project
    assert {"file_loads", "stg_landing__landed_files", "followup_summary"}.isdisjoint(still)
    assert {"nps_responses", "int_customer_period_revenue", "enps_by_group", "verbatims"} <= still
    assert {"quarantined_rows", "response_rates", "int_invitation_counts_daily"} <= still
    moved = names(manifest, unchanged_nodes(manifest, set(), clock_moved=True))
    judged_by_clock = {
        manifest["nodes"][u]["name"]
        for u in affected_nodes(manifest, changed_roots(manifest, set(), True))
        if u.startswith("model.")
    }
    assert {"detractor_followups", "respondent_contact_frequency", "nps_by_period"} <= judged_by_clock
    assert not judged_by_clock & moved
    assert "nps_responses" in moved  # a fact table does not change with the clock


@pytest.mark.parametrize("kinds", [{k} for k in KINDS] + [set(KINDS), set()])
@pytest.mark.parametrize("clock_moved", [False, True])
@pytest.mark.parametrize("employee_answers_changed", [True, False])
def test_nothing_left_out_is_fed_by_what_is_built(manifest, kinds, clock_moved, employee_answers_changed):
    unchanged = unchanged_nodes(manifest, kinds, clock_moved, employee_answers_changed)
    late = fed_by_changed(manifest, unchanged)
    unfollowed = unfollowed_edges(manifest)
    position = {unique_id: i for i, unique_id in enumerate(unchanged)}
    for unique_id in unchanged:
        for parent in manifest["parent_map"][unique_id]:
            if parent.startswith("source."):
                assert parent not in changed_roots(manifest, kinds, clock_moved) or unique_id in late
            elif parent in position:
                assert position[parent] < position[unique_id], (parent, unique_id)  # parents first
            elif manifest["nodes"][parent]["resource_type"] != "operation":
                # fed by a node built now: the HR audience's, when no employee answer changed,
                # and what reads the landing record for its own rows' files; reported late
                assert unique_id in late
                assert (
                    not employee_answers_changed
                    and not clock_moved
                    and reads_employee_answers_only(manifest["nodes"][unique_id])
                ) or (parent, unique_id) in unfollowed, (parent, unique_id)
    # what is reported after dbt's events feeds nothing dbt builds (Dagster: parents first)
    for unique_id in late:
        for child in manifest["child_map"][unique_id]:
            assert child not in manifest["nodes"] or child in position, (unique_id, child)
    # a test is left out only with every node it tests
    for unique_id in unchanged:
        if unique_id.startswith("test."):
            tested = [p for p in manifest["parent_map"][unique_id] if not p.startswith("source.")]
            assert all(p in position for p in tested)


def test_answers_without_an_employee_leave_the_hr_audience_alone(manifest):
    unchanged = unchanged_nodes(manifest, {"responses"}, clock_moved=False, employee_answers_changed=False)
    left_out = names(manifest, unchanged)
    assert {"int_employee_responses", "int_employee_containment", "enps_by_group"} <= left_out
    assert not {"nps_responses", "int_responses_classified", "verbatims"} & left_out
    assert names(manifest, fed_by_changed(manifest, unchanged)) >= {"int_employee_responses", "enps_by_group"}
    # with an employee answer among them, they are built
    built = names(manifest, set(manifest["nodes"]) - set(unchanged_nodes(manifest, {"responses"}, False)))
    assert {"int_employee_containment", "enps_by_group"} <= built


def test_no_customer_model_reads_the_hr_audience_models(manifest):
    """What makes leaving them out safe, and what employee anonymity asks anyway."""
    hr = {u for u, node in manifest["nodes"].items() if reads_employee_answers_only(node)}
    assert {"model.nps_warehouse.int_employee_responses", "model.nps_warehouse.enps_by_group"} <= hr
    for unique_id in affected_nodes(manifest, hr):
        node = manifest["nodes"].get(unique_id)
        assert node is None or reads_employee_answers_only(node), unique_id


def test_the_exclusion_is_one_value_of_full_names(manifest):
    unchanged = unchanged_nodes(manifest, {"followups"}, clock_moved=False)
    flag, value = exclude_args(manifest, unchanged)
    assert flag == "--exclude"
    assert "fqn:nps_warehouse.marts.by_landed_file.nps_responses" in value.split(" ")
    assert len(value.split(" ")) == len(unchanged)
    assert exclude_args(manifest, []) == []


def test_what_reads_the_landing_record_for_its_own_rows_is_named(manifest):
    flagged = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node.get("config", {}).get("meta", {}).get("landed_files") == "own_rows"
    }
    assert names(manifest, flagged) == {"int_invitations_answered", "int_rejected_rows"}
    # each reads the landing record's model itself: the flag names a real edge
    assert {child for _, child in unfollowed_edges(manifest)} == flagged


def test_the_cohort_files_are_listed_whenever_a_model_reads_the_list(manifest):
    """int_cohort_files_to_rebuild reads the sources that say which files changed only when it
    runs, so selection cannot see them: its parents must cover those of every model that
    reads the list, or such a model could run on the list of an earlier build."""
    lister = model("int_cohort_files_to_rebuild")
    readers = manifest["child_map"][lister]
    assert names(manifest, [r for r in readers if r.startswith("model.")]) == {
        "int_customer_contacts",
        "int_invitation_counts_daily",
        "int_invitation_cells_daily",
    }
    parents = set(manifest["parent_map"][lister])
    for reader in (r for r in readers if r.startswith("model.")):
        assert set(manifest["parent_map"][reader]) - {lister} <= parents, reader
    for kinds in ({"responses"}, {"invitations"}, {"followups"}, {"customers"}, {"revenue"}):
        for clock_moved in (False, True):
            unchanged = set(unchanged_nodes(manifest, kinds, clock_moved))
            for reader in (r for r in readers if r.startswith("model.")):
                assert (lister in unchanged) <= (reader in unchanged), (kinds, clock_moved, reader)
