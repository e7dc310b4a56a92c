"""The row rules: why a typed row is excluded (not a real response) or quarantined (an error).

The rules mirror the Great Expectations suites in `expectations/` (which check every batch
independently, see `gx.py`); the order in which they are tried, and the ranking of
repeated ids, is in `verdicts.py`.
"""

from __future__ import annotations

import duckdb

from dagster_project.nps_scale import category_sql
from dagster_project.row_kinds import CHANNELS, RowKind
from dagster_project.validation.typed_rows import date_name, typed_name
from dagster_project.validation.value_sql import SCORE_PATTERN

# The one verdict the clock can change: a row in the future is judged again once it is not
# (validation/verdicts.py, validated.awaiting_time).
IN_THE_FUTURE = " is in the future"

VALUE_IN_MESSAGE_CHARS = 60
TRUE_WORDS = ("true", "1", "yes", "t", "y")
FALSE_WORDS = ("false", "0", "no", "f", "n")
NPS_GROUPS = {"1": "detractor", "2": "passive", "3": "promoter"}


def quoted_value(expression: str) -> str:
    """SQL for the value, cut short and in quotes, as reasons quote it."""
    return f"'''' || left({expression}, {VALUE_IN_MESSAGE_CHARS}) || ''''"


def _blank(column: str) -> str:
    return f"nullif(trim({column}), '') is null"


def _words(words: tuple[str, ...]) -> str:
    return ", ".join(f"'{w}'" for w in words)


def exclusion_sql(kind: RowKind) -> str:
    """Why a row is not a real response (NULL for a real one). Responses only."""
    if kind.score_column is None:
        return "null"
    return f"""case
            when file_rejected_reason is not null or parse_error is not null then null
            when status is not null and real_statuses is not null
                and not list_contains(real_statuses, trim(status))
                then 'status ' || {quoted_value("trim(status)")} || ' is not a real response'
            when lower(trim(finished)) in ({_words(FALSE_WORDS)})
                and not (coalesce(keep_unfinished_with_score, false) and score_number is not null)
                then 'unfinished response (finished = ' || {quoted_value("trim(finished)")} || ')'
        end"""


def problem_sql(kind: RowKind) -> str:
    """A CASE expression naming the first rule a landed row breaks (NULL when none)."""
    branches = [
        ("file_rejected_reason is not null", "'file rejected: ' || file_rejected_reason"),
        ("parse_error is not null", "'malformed row: ' || parse_error"),
    ]
    for column in kind.required:
        branches.append((_blank(kind.raw_column(column)), f"'{column} is missing'"))
    if kind.score_column:
        score = "score_text"
        name = kind.score_column
        branches += [
            ("score_number is null", f"'{name} ' || {quoted_value(score)} || ' is not a number'"),
            (
                "score_number <> floor(score_number)",
                f"'{name} ' || {quoted_value(score)} || ' is not a whole number'",
            ),
            (
                "score_number < 0 or score_number > 10",
                f"'{name} ' || {quoted_value(score)} || ' is outside the 0–10 scale'",
            ),
            (
                f"not regexp_full_match({score}, '{SCORE_PATTERN}')",
                f"'{name} ' || {quoted_value(score)} || ' is not written as a whole number from 0 to 10'",
            ),
            (
                f"nullif(trim(nps_group), '') is not null "
                f"and trim(nps_group) not in ({_words(tuple(NPS_GROUPS))})",
                f"'nps_group ' || {quoted_value('trim(nps_group)')} || ' is not 1, 2 or 3'",
            ),
            (
                f"nullif(trim(nps_group), '') is not null and trim(nps_group) <> {_group_of('score_number')}",
                "'nps_group ' || trim(nps_group) || ' ('"
                f" || {_group_name('trim(nps_group)')} || ') contradicts score '"
                " || cast(score_number as integer) || ' ('"
                f" || {_group_name(_group_of('score_number'))} || ')'",
            ),
            (
                f"nullif(trim(finished), '') is not null and lower(trim(finished)) not in "
                f"({_words(TRUE_WORDS + FALSE_WORDS)})",
                f"'finished ' || {quoted_value('trim(finished)')} || ' is not true or false'",
            ),
        ]
    for column, (values, _) in kind.enumerations.items():
        branches.append(
            (
                f"nullif(trim({column}), '') is not null and lower(trim({column})) not in ({_words(values)})",
                f"'{column} ' || {quoted_value(f'trim({column})')} || ' is not one of {', '.join(values)}'",
            )
        )
    for ts in kind.timestamp_columns:
        branches += [
            (
                f"nullif(trim({ts}), '') is not null and {typed_name(ts)} is null",
                f"'{ts} ' || {quoted_value(f'trim({ts})')} || ' is not a valid timestamp'"
                " || case when timestamp_format is not null"
                " then ' (expected format ' || timestamp_format || ')' else ' (ISO 8601 expected)' end",
            ),
            (
                f"{typed_name(ts)} > $validated_at",
                f"'{ts} ' || {quoted_value(f'trim({ts})')} || '{IN_THE_FUTURE}'",
            ),
        ]
    branches += _calendar_and_money_branches(kind)
    if kind.channel_column:
        branches.append(
            (
                f"channel_value not in ({', '.join(repr(c) for c in CHANNELS)})",
                f"'channel ' || {quoted_value('trim(channel)')} || ' is not one of {', '.join(CHANNELS)}'",
            )
        )
    cases = "\n            ".join(f"when {cond} then {reason}" for cond, reason in branches)
    return f"case\n            {cases}\n        end"


def _calendar_and_money_branches(kind: RowKind) -> list[tuple[str, str]]:
    """Dates, their order, the month, the amount and its currency (customers, revenue)."""
    branches = []
    for column in kind.date_columns:
        branches.append(
            (
                f"nullif(trim({column}), '') is not null and {date_name(column)} is null",
                f"'{column} ' || {quoted_value(f'trim({column})')}"
                " || ' is not a date (YYYY-MM-DD or DD.MM.YYYY)'",
            )
        )
    for earlier, later in kind.ordered_dates:
        branches.append(
            (
                f"{date_name(later)} < {date_name(earlier)}",
                f"'{later} ' || {date_name(later)} || ' is before {earlier} ' || {date_name(earlier)}",
            )
        )
    if kind.month_column:
        month = kind.month_column
        branches.append(
            (
                "month_value is null",
                f"'{month} ' || {quoted_value(f'trim({month})')} || ' is not a month (YYYY-MM)'",
            )
        )
    if kind.amount_column:
        amount = kind.amount_column
        branches.append(
            (
                "amount_number is null",
                f"'{amount} ' || {quoted_value(f'trim({amount})')}"
                " || ' is not an amount (e.g. 1234.50 or 1 234,50)'",
            )
        )
    if kind.currency_column:
        currency = kind.currency_column
        branches.append(
            (
                "currency_value is distinct from expected_currency",
                f"'{currency} ' || {quoted_value('currency_value')} || ' is not ' || expected_currency"
                " || ', the currency of the revenue sources (config/sources.yml):"
                " one warehouse sums one currency'",
            )
        )
    return branches


def _group_of(number: str) -> str:
    """The survey tool's NPS group ('1', '2', '3') a score belongs to."""
    return category_sql(number, promoter="'3'", passive="'2'", detractor="'1'")


def _group_name(group: str) -> str:
    return "case " + " ".join(f"when {group} = '{k}' then '{v}'" for k, v in NPS_GROUPS.items()) + " end"


def rejections_by_rule(
    con: duckdb.DuckDBPyConnection, kind: RowKind, limit: int = 20
) -> list[tuple[str, str, int]]:
    """(disposition, rule, rows) of the kind's rejected rows, most frequent first. A rule is
    its reason with the quoted values left out (reasons quote values as `quoted_value` does),
    so that the reasons of one rule group together."""
    rule = "regexp_replace(regexp_replace(reason, '''[^'']*''', '…', 'g'), 'kept .*$', 'kept the later row')"
    return con.execute(
        f"""select disposition, {rule} as rule, count(*)
            from {kind.quarantine_table} group by 1, 2 order by 3 desc, 2 limit {int(limit)}"""
    ).fetchall()
