"""The report's sections pick their rows from the marts' own flags and never mix programmes."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.report.sections import channels, closing_the_loop, funnel


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        """create table marts.nps_by_period as
           select * from (values
               ('transactional', 'month', date '2026-09-01', true),
               ('transactional', 'month', date '2026-10-01', true),
               ('transactional', 'month', date '2026-11-01', false),
               ('transactional', 'quarter', date '2026-07-01', true),
               ('relationship', 'quarter', date '2026-07-01', true))
               as t(programme, period_grain, period_start, is_period_complete)"""
    )  # fmt: skip
    con.execute(
        """create table marts.nps_by_channel as
           select *, 30 as responses, 20.0 as nps, 5.0 as nps_margin_of_error, false as is_low_sample,
                  false as is_suppressed
           from (values ('transactional', 'quarter', date '2026-07-01', 'email'),
                        ('relationship', 'quarter', date '2026-07-01', 'email'))
               as t(programme, period_grain, period_start, channel)"""
    )
    con.execute(
        """create table marts.invitations_daily as
           select * from (values
               (date '2026-08-03', 'transactional', 'email', 'Skåne', 100, 50),
               (date '2026-08-04', 'relationship', 'email', 'Skåne', 100, 10))
               as t(sent_date, programme, channel, segment_region, invitations, responses)"""
    )
    con.execute(
        """create table marts.response_rates as
           select *, 0 as delivered, 0 as opened, 0 as started, 0 as completed, 0.5 as response_rate
           from (values (date '2026-10-01', 10, 5), (date '2026-11-01', 10, 5))
               as t(period_start, invitations, responses),
                (values ('month', 'overall')) as g(period_grain, dimension)"""
    )
    return con


def test_a_programmes_response_rate_is_of_its_own_invitations(con):
    table = channels(con).table
    rates = dict(zip(table["programme"], table["response_rate"], strict=True))
    assert rates == {"relationship": 0.1, "transactional": 0.5}


def test_the_funnel_shows_the_last_month_the_marts_call_complete_whatever_the_date(con):
    table = funnel(con).table
    assert [str(m)[:10] for m in table["month"]] == ["2026-10-01"]


def test_the_call_back_queue_holds_open_and_overdue_cases(con):
    con.execute(
        """create table marts.followup_summary as
           select 'year' as period_grain, 'overall' as dimension, date '2026-01-01' as period_start,
                  3 as detractors, 1 as with_case, 1 as contacted, 1 as contacted_within_sla,
                  1.0 as share_contacted_within_sla, 1 as overdue, 1 as still_open, 0 as resolved,
                  0 as recovered, null::double as recovery_rate, 48 as sla_hours"""
    )
    con.execute(
        """create table marts.detractor_followups as
           select * from (values ('R1', 'overdue'), ('R2', 'open'), ('R3', 'contacted'))
               as t(response_id, followup_status),
           (values ('email', 2, date '2026-10-01', timestamptz '2026-10-03 00:00:00+00', false))
               as c(channel, score, response_date, due_at, has_case)"""
    )
    (_, _, queue), *_ = closing_the_loop(con).details
    assert sorted(queue["response_id"]) == ["R1", "R2"]
