"""Built delivery by delivery, the warehouse equals one rebuilt from scratch.

Through the real pipeline: a base inbox, then deliveries of every kind that makes
incremental builds hard - a late file for an old period, a corrected re-delivery (same
path, new content), a file that repeats an id of an earlier file, the same content again
under another name, new invitations answering old responses - each followed by an
incremental run. Then the same landed history is validated and modelled from scratch
(the configuration fingerprint is dropped, so validation, GX and dbt start over) and every
mart is compared, row by row. The random version of this, at the validation layer, is
tests/unit/test_incremental_validation.py.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil

import duckdb
import pytest

from dagster_project.defs.publish.assets import PUBLISHED
from dagster_project.warehouse.build_state import LAST_BUILD
from tests.conftest import copy_of
from tests.mart_snapshot import differences, mart_tables
from tests.pipeline import run_pipeline

pytestmark = [pytest.mark.pipeline, pytest.mark.long_running(minutes=5)]

HEADER = (
    "response_id,survey_id,invitation_id,respondent_id,responded_at,score,channel,"
    "reason,improvement,segment_region\n"
)


def published_metadata(result, name: str):
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == PUBLISHED]
    return event.materialization.metadata[name].value


def published_incrementally(result) -> bool:
    return published_metadata(result, "incremental")


CASES_HEADER = "response_id,contacted_at,resolved_at,outcome,owner\n"
B2B_HEADER = (
    "response_id,survey_id,invitation_id,respondent_id,responded_at,score,channel,"
    "reason,improvement,account_id,respondent_role\n"
)
# incremental runs after these deliveries: every correction, copy and answer to an earlier
# file arrives in a later run than what it changes
RUN_AFTER = (2, 5, 7, 8, 10, 12, 13, 14, 15, 16, 17)
# A run after deliveries of one kind only builds what that kind feeds (defs/transform/selection.py):
# kind, a model built, a mart left out (reported unchanged), other models left out.
BUILT_ONLY = {
    7: ("invitations", "int_invitation_counts_daily", "nps_responses", ()),
    # the landing record changed, but not the invitations' files: no cohort recounted
    8: ("followups", "int_detractor_followups", "nps_responses",
        ("int_invitation_counts_daily", "response_rates", "respondent_contact_frequency")),
}  # fmt: skip
# The CRM's customers of the small inbox's respondents (what NPS is worth): the answer cohorts
# are then built again customer by customer when answers arrive (runs 9 and 12).
CRM = (
    "customer_id,email,account_id,acquired_at,acquisition_source,churned_at,segment_region\n"
    "C0000001,anna.lindqvist@example.se,,2023-05-01,referral,,Skåne\n"
    "C0000002,,,2023-01-10,paid,2025-02-15,Norrland\n"
    "C0000003,,ACC1,2022-03-01,word_of_mouth,,Skåne\n"
    "C0000005,erik.holm@example.se,,2025-01-01,paid,,Skåne\n"
    "C0000006,,,2021-06-01,referral,2025-01-05,Norrland\n"
    "C0000010,,ACC5,2024-01-01,paid,,Skåne\n"
    "C0000021,,ACC1,2024-02-01,paid,,Skåne\n"
    "C0000022,,ACC2,2024-02-01,referral,2025-06-30,Norrland\n"
    "C0000023,,ACC1,2024-03-01,paid,,Skåne\n"
    "C0000007,,ACC3,2023-02-01,paid,,Norrland\n"
    "C0000008,,ACC3,2023-02-01,referral,,Norrland\n"
)
# A later CRM export changes the links of answers that arrived earlier, no answer with it
# (int_answers_to_link_again): Anna's e-mail is another now (R07, R24 no longer link to
# her), so is C0000005's (R29, its latest answer in May, no longer links to it: R28 is its
# latest now), C0000008 leaves ACC3 (R26, unlinked as ACC3 was two customers', links to C0000007,
# whose row did not change), C0000098, R27's respondent, becomes a customer, C0000096 joins
# ACC5 (R30 no longer links to C0000010, whose row did not change either: its answer of
# January, R06, is its latest of 2025 again) and C0000003 churned (its answer cohorts change).
CRM_UPDATE = (
    "customer_id,email,account_id,acquired_at,acquisition_source,churned_at,segment_region\n"
    "C0000001,anna.l@example.se,,2023-05-01,referral,,Skåne\n"
    "C0000005,erik.h@example.se,,2025-01-01,paid,,Skåne\n"
    "C0000003,,ACC1,2022-03-01,word_of_mouth,2025-03-31,Skåne\n"
    "C0000008,,ACC4,2023-02-01,referral,,Norrland\n"
    "C0000098,,,2024-11-01,referral,,Skåne\n"
    "C0000096,,ACC5,2025-06-01,paid,,Norrland\n"
)
CRM_MOVE = (
    "customer_id,email,account_id,acquired_at,acquisition_source,churned_at,segment_region\n"
    "C0000021,,ACC1,2024-02-01,paid,,Norrland\n"
)
# What some of them paid, month by month (the revenue windows around their answers)
BILLING = "customer_id;month;revenue;currency\n" + "".join(
    f"{customer};{month};{amount};SEK\n"
    for customer, amount in (("C0000001", "100"), ("C0000003", "250,50"), ("C0000005", "80"),
                             ("C0000010", "1 000,00"), ("C0000021", "40"), ("C0000007", "300"),
                             ("C0000006", "60"))
    for month in ("2024-06", "2024-09", "2024-12", "2025-01", "2025-03", "2025-05", "2025-08")
)  # fmt: skip
# The employee pulse of June 2025: six answers, enough for its groups to be shown to HR
PULSE_HEADER = (
    "response_id,survey_id,invitation_id,respondent_id,responded_at,score,channel,"
    "reason,improvement,survey_type,segment_region\n"
)
PULSE = "".join(
    f"E0{n},enps,,P0{n},2025-06-0{n}T10:00:00+02:00,{score},web,,,employee,Skåne\n"
    for n, score in zip(range(1, 7), (9, 10, 9, 7, 3, 8), strict=True)
)
# corrected: E06 is gone, E03 is a 2
PULSE_CORRECTED = "".join(line + "\n" for line in PULSE.splitlines()[:5]).replace(
    "E03,enps,,P03,2025-06-03T10:00:00+02:00,9,", "E03,enps,,P03,2025-06-03T10:00:00+02:00,2,"
)
# B2B answers from respondents outside the CRM: the account decides (ACC3: two customers)
B2B_OUTSIDE_CRM = (
    "R26,rnps,,C0000099,2025-04-06T10:00:00+02:00,8,email,,,ACC3,Användare\n"
    "R27,rnps,,C0000098,2025-04-07T10:00:00+02:00,7,email,,,ACC9,Användare\n"
    # ACC5 is one customer's (C0000010): R30 links to it by the account, its latest
    # transactional answer in July and in 2025
    "R30,tnps,,C0000097,2025-07-02T10:00:00+02:00,9,email,,,ACC5,Användare\n"
)


def deliver(settings, name: str, text: str, step: int) -> None:
    path = settings.raw_dir / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(10**18 + step, 10**18 + step))  # a new modification time, even within a second


def test_incremental_runs_equal_a_build_from_scratch(tmp_path, small_warehouse):
    settings = copy_of(small_warehouse, tmp_path / "incremental")  # the small inbox, run once
    responses = settings.raw_dir / "responses"
    deliveries = [
        ("revenue/billing.csv", BILLING),
        ("customers/crm.csv", CRM),
        # late: December responses arriving in February, one answering an old invitation
        ("responses/2025-02_late.csv",
         HEADER + "R10,tnps,I04,C0000010,2024-12-20T12:00:00+01:00,2,email,Dyrt,,Skåne\n"
         "R11,tnps,,,2024-12-21T12:00:00+01:00,8,web,,,Norrland\n"),
        # corrected re-delivery of the December export: R01 was a 0, R02 is gone, R03 answers no invitation
        ("responses/2024-12_export.csv", (responses / "2024-12_export.csv").read_text(encoding="utf-8")
         .replace(",10,email,", ",0,email,").replace("R02,", "R02X,")
         .replace("R03,tnps,I03,", "R03,tnps,,")),  # I03, sent in an unchanged file, loses its answer
        # an id of an earlier file again, with another score: the later file wins
        ("responses/2025-03_dup.csv",
         HEADER + "R07,tnps,I06,anna.lindqvist@example.se,2025-01-15T09:00:00+01:00,3,email,,,Skåne\n"),
        # the same content again under another name: landed once
        ("responses/2025-02_late_copy.csv", None),
        # invitations answered by responses that landed earlier
        ("invitations/2025-03.csv", "invitation_id,survey_id,respondent_id,sent_at,channel,segment_region\n"
         "I99,tnps,C0000011,2024-12-20T10:00:00+01:00,sms,Norrland\n"),
        # closing the loop: cases for old detractors (R01 became a 0 above, R03, R10)
        ("followups/cases.csv", CASES_HEADER
         + "R01,2024-12-31T09:00:00+01:00,,Ringt,Karin Berg\n"
         "R03,2025-01-01T10:00:00Z,2025-01-02T10:00:00Z,Löst,Søren Nielsen\n"
         "R10,2024-12-25T12:00:00+01:00,,Ringt,Karin Berg\n"),
        # Anna (a detractor in January: R07, taken over above with a 3, no case) answers again
        ("responses/2025-04_anna.csv",
         HEADER + "R24,tnps,,Anna.Lindqvist@example.se,2025-04-06T10:00:00+02:00,9,app,,,Skåne\n"),
        # B2B answers; C0000003 (a detractor in December) answers again and recovers
        ("responses/2025-04_b2b.csv", B2B_HEADER
         + "R20,rnps,,C0000003,2025-04-02T10:00:00+02:00,9,email,Bra pris,,ACC1,Beslutsfattare\n"
         "R21,rnps,,C0000021,2025-04-03T10:00:00+02:00,4,email,Dålig support,,ACC1,Användare\n"
         "R22,rnps,,C0000022,2025-04-04T10:00:00+02:00,7,email,,,ACC2,CEO\n" + B2B_OUTSIDE_CRM),
        # corrected case export: R01's case is gone, R21 gets one
        ("followups/cases.csv", CASES_HEADER
         + "R03,2025-01-01T10:00:00Z,2025-01-02T10:00:00Z,Löst,Søren Nielsen\n"
         "R10,2024-12-25T12:00:00+01:00,,Ringt,Karin Berg\n"
         "R21,2025-04-03T12:00:00+02:00,,Ringt,Karin Berg\n"),
        # corrected B2B export: R20 is gone (R03's next answer with it), another decision-maker answers
        ("responses/2025-04_b2b.csv", B2B_HEADER
         + "R21,rnps,,C0000021,2025-04-03T10:00:00+02:00,4,email,Dålig support,,ACC1,Användare\n"
         "R22,rnps,,C0000022,2025-04-04T10:00:00+02:00,7,email,,,ACC2,CEO\n"
         "R23,rnps,,C0000023,2025-04-05T10:00:00+02:00,10,email,Snabb leverans,,ACC1,Beslutsfattare\n"
         + B2B_OUTSIDE_CRM),
        # employee answers (their groups are built by landed file), then corrected: E06 is
        # gone and E03 changed its score (June keeps five answers). Before the last two: a
        # replaced responses file builds the answer cohorts again whole
        ("responses/2025-06_pulse.csv", PULSE_HEADER + PULSE),
        ("responses/2025-06_pulse.csv", PULSE_HEADER + PULSE_CORRECTED),
        # last, on its own (no file replaced, no CRM change: the answer cohorts are built again
        # customer by customer): R06, C0000006's, comes again as C0000010's, and C0000021
        # answers again
        ("responses/2025-05.csv",
         HEADER + "R06,tnps,,C0000010,2025-01-10T10:00:00+01:00,9,app,,,Skåne\n"
         "R25,tnps,,C0000021,2025-05-02T10:00:00+02:00,8,app,,,Skåne\n"
         # C0000005 answers twice in May, by its id and later by its e-mail
         "R28,tnps,,C0000005,2025-05-03T10:00:00+02:00,6,app,,,Skåne\n"
         "R29,tnps,,erik.holm@example.se,2025-05-20T10:00:00+02:00,9,app,,,Skåne\n"
         # R07 a third time, as in 2025-03_dup.csv: this file wins, and the first file's
         # row, which lost before, now names this one (only its quarantine reason changes)
         "R07,tnps,I06,anna.lindqvist@example.se,2025-01-15T09:00:00+01:00,3,email,,,Skåne\n"),
        # a later CRM export alone: the answers whose link it moves are linked again
        ("customers/crm_2025-06.csv", CRM_UPDATE),
        # and one that only moves a customer to another region: its answers and revenue
        # windows stay, the revenue-weighted NPS of both regions changes
        ("customers/crm_2025-07.csv", CRM_MOVE),
    ]  # fmt: skip
    for step, (name, text) in enumerate(deliveries, start=1):
        if text is None:
            text = (responses / "2025-02_late.csv").read_text(encoding="utf-8")
        deliver(settings, name, text, step)
        if step in RUN_AFTER:
            result = run_pipeline(settings)
            assert result.success, name
            # dbt really built by increment (not a full refresh)
            artifacts = settings.warehouse_path.parent / "dbt_target" / settings.dbt_target
            run = json.loads((artifacts / "run_results.json").read_text())
            assert not run["args"].get("full_refresh")
            # the watermark is read from the warehouse: no var that changes every run (which
            # would make dbt parse the whole project again); the settings come as vars
            assert run["args"]["vars"] == settings.dbt_vars()
            assert run["args"]["vars"]["nps_test_changed_files_only"]
            # and publishing copied only the changed files' rows into the previous file
            assert published_incrementally(result)
            if step in BUILT_ONLY:
                kind, fed, not_fed, also_not_built = BUILT_ONLY[step]
                built = {r["unique_id"].split(".")[-1] for r in run["results"]}
                assert fed in built and not_fed not in built, kind
                assert not built & set(also_not_built), (kind, built & set(also_not_built))
                assert "verbatims" not in built and "int_employee_containment" not in built, kind
                unchanged = [
                    e for e in result.get_asset_materialization_events()
                    if e.asset_key.path == ["marts", not_fed]
                ]  # fmt: skip
                assert unchanged and "unchanged" in unchanged[0].materialization.metadata["dbt"].value
                # and publishing left the marts it did not feed as they were published
                kept = published_metadata(result, "kept_as_published")
                assert "marts.score_distribution" in kept and "marts.file_loads" not in kept, kept

    # The same landed history, validated and modelled from scratch.
    rebuilt_root = tmp_path / "rebuilt"
    shutil.copytree(tmp_path / "incremental", rebuilt_root)
    rebuilt = dataclasses.replace(
        settings,
        raw_dir=rebuilt_root / "inbox",
        warehouse_path=rebuilt_root / "warehouse" / "nps.duckdb",
        secrets_dir=rebuilt_root / "secrets",
        published_path=rebuilt_root / "published" / "nps_marts.duckdb",
    )
    (rebuilt.warehouse_path.parent / LAST_BUILD).unlink()
    assert run_pipeline(rebuilt).success

    assert differences(settings.warehouse_path, rebuilt.warehouse_path, ("marts", "hr")) == {}
    # the answer cohorts, built customer by customer, and the answers' links, linked again
    # answer by answer, hold what a fresh build holds
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        con.execute(f"attach '{rebuilt.warehouse_path}' as rebuilt (read_only)")
        cohorts = "intermediate.int_customer_answer_cohorts"
        windows = "intermediate.int_customer_revenue_windows"
        assert con.execute(f"select count(*) from {cohorts} where was_customer").fetchone()[0] > 0
        assert con.execute(f"select count(*) from {windows} where revenue_before > 0").fetchone()[0] > 0
        members = "intermediate.int_employee_cell_members"
        latest = "intermediate.int_latest_customer_answers"
        for table in (cohorts, windows, latest, "intermediate.int_answer_customer_links", members):
            for one, other in ((table, f"rebuilt.{table}"), (f"rebuilt.{table}", table)):
                assert con.execute(f"select * from {one} except all select * from {other}").fetchall() == []
        links = dict(
            con.execute(
                """select response_id, customer_key is not null from intermediate.int_answer_customer_links
                   where response_id in ('R07', 'R24', 'R26', 'R27', 'R29', 'R30')"""
            ).fetchall()
        )
    # the later CRM export moved them: Anna's old e-mail is nobody's, ACC3 is one customer's,
    # R27's respondent is a customer
    assert links == {"R07": False, "R24": False, "R26": True, "R27": True, "R29": False, "R30": False}
    # The published files too: increments applied to the previous file, and a full copy.
    assert mart_tables(settings.published_path) == mart_tables(settings.warehouse_path)
    assert differences(settings.published_path, rebuilt.published_path) == {}
    # and the deliveries did change what they should
    december = dict(
        duckdb.connect(str(settings.warehouse_path), read_only=True)
        .execute(
            """select programme, responses from marts.nps_by_period
               where period_grain = 'month' and period_start = '2024-12-01'"""
        )
        .fetchall()
    )
    assert december == {"transactional": 6}
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        followups = dict(
            con.execute(
                "select response_id, (followup_status, next_score) from marts.detractor_followups"
            ).fetchall()
        )
        accounts = con.execute(
            """select account_id, responses, decision_maker_score from marts.nps_by_account
               where period_grain = 'quarter' and account_id in ('ACC1', 'ACC2') order by 1"""
        ).fetchall()
    # R01 lost its case, R03 its next answer (R20), R21's case came; R01's next answer is R07,
    # taken over by the later file with a 3
    assert followups["R01"] == ("overdue", 3)
    assert followups["R03"] == ("resolved", None)
    assert followups["R21"][0] == "contacted"
    assert followups["R07"] == ("overdue", 9)  # only its next answer changed (R24, a later file)
    assert accounts == [("ACC1", 2, 10), ("ACC2", 1, 7)]
    # the corrected pulse: June's five answers are shown, E03 a detractor now
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        months = con.execute(
            """select period_start, is_suppressed, responses, detractors from hr.enps_by_group
               where period_grain = 'month' and dimension_kind = 'overall' order by 1"""
        ).fetchall()
    assert [(str(m), hidden, n, d) for m, hidden, n, d in months] == [("2025-06-01", False, 5, 2)]
