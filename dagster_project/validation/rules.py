"""The row rules: why a typed row is excluded (not a real response) or quarantined (an error).

The rules mirror the Great Expectations suites in `expectations/` (which check every batch
independently, see `gx.py`); the order in which they are tried, and the ranking of
repeated ids, is in `verdicts.py`.
"""

from __future__ import annotations

import duckdb

from dagster_project.nps_scale import category_sql
from dagster_project.row_kinds import CHANNELS, RowKind
from dagster_project.validation.typed_rows import typed_name
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
        branches.append((_blank(column), f"'{column} is missing'"))
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
    if kind.channel_column:
        branches.append(
            (
                f"channel_value not in ({', '.join(repr(c) for c in CHANNELS)})",
                f"'channel ' || {quoted_value('trim(channel)')} || ' is not one of {', '.join(CHANNELS)}'",
            )
        )
    cases = "\n            ".join(f"when {cond} then {reason}" for cond, reason in branches)
    return f"case\n            {cases}\n        end"


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
