"""SQL that reads a raw text value the one way the whole pipeline reads it.

Shared by landing (scale checks), validation (the rules) and the Great Expectations batch
preparation, so that GX judges exactly the values validation saw.
"""

from __future__ import annotations

# The score must read as a whole number from 0 to 10: 10, 10.0 and 10,0 are 10.
SCORE_PATTERN = r"(?:10|[0-9])(?:[.,]0+)?"  # the same pattern as the GX suite
NUMBER_PATTERN = r"-?[0-9]+(?:[.,][0-9]+)?"
# "10 - Extremely likely", "0 – Not at all likely": a number, a dash or colon, then words.
LABELLED_SCORE_PATTERN = r"^\s*(-?[0-9]+(?:[.,][0-9]+)?)\s*[-–:]\s*[^0-9\s]"
# An explicit UTC offset after a time: 10:00Z, 10:00:00+01:00, 10:00:00.5 +0100.
OFFSET_PATTERN = r"[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?\s*(?:Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)$"


def sql_string(value: str) -> str:
    """A SQL string literal (for configuration values, never for file contents)."""
    return "'" + value.replace("'", "''") + "'"


def score_text_sql(expression: str, strip_labels: str) -> str:
    """The trimmed score; with `strip_labels` true, '10 - Extremely likely' reads as '10'."""
    return (
        f"case when {strip_labels} and regexp_matches({expression}, '{LABELLED_SCORE_PATTERN}') "
        f"then regexp_extract({expression}, '{LABELLED_SCORE_PATTERN}', 1) "
        f"else trim({expression}) end"
    )


def score_number_sql(expression: str, strip_labels: str) -> str:
    """The score as a number when it is written as one ('9,5' is 9.5), else NULL."""
    text = score_text_sql(expression, strip_labels)
    return (
        f"case when regexp_full_match({text}, '{NUMBER_PATTERN}') "
        f"then cast(replace({text}, ',', '.') as double) end"
    )


def timestamp_sql(expression: str, timezone: str, timestamp_format: str, formats: list[str]) -> str:
    """A text timestamp as timestamptz (UTC session).

    With a configured strptime format: that format, in the source's time zone. Otherwise
    ISO 8601: an explicit offset wins; without one, the source's time zone (UTC unless
    configured). DuckDB needs constant formats, hence one branch per configured format.
    """
    text = f"trim({expression})"
    branches = "".join(
        f"when {timestamp_format} = {sql_string(fmt)} "
        f"then timezone({timezone}, try_strptime({text}, {sql_string(fmt)})) "
        for fmt in sorted(set(formats))
    )
    return (
        f"case {branches}"
        f"when {timestamp_format} is not null then null "
        f"when regexp_matches({text}, '{OFFSET_PATTERN}') then try_cast({text} as timestamptz) "
        f"else timezone({timezone}, try_cast({text} as timestamp)) end"
    )


def channel_sql(expression: str, channel_map: str) -> str:
    """The channel, lower-cased, through the source's channel map when it has the value."""
    normalised = f"lower(trim({expression}))"
    return f"coalesce({channel_map}[{normalised}], {normalised})"


# A calendar month as billing exports write it.
MONTH_PATTERN = r"[0-9]{4}-(?:0[1-9]|1[0-2])"
# The time part of a workbook's date cell (read as ISO text): a date, not an instant.
MIDNIGHT = r"(?:[ T]00:00(?::00)?)?"
# Fast paths, each a value the general rules read as itself: a month `YYYY-MM` (years
# 1000-9999: strftime writes them back unchanged) and an amount of digits with a point.
PLAIN_MONTH_PATTERN = r"[1-9][0-9]{3}-(?:0[1-9]|1[0-2])"
PLAIN_AMOUNT_PATTERN = r"-?[0-9]+(?:\.[0-9]+)?"


def date_sql(expression: str) -> str:
    """A calendar date: ISO (2025-03-01) or as Nordic exports write it (01.03.2025), else NULL.
    A date is a day, not an instant: no time zone applies. A workbook's date cell reads as
    the date at midnight (2025-03-01 00:00:00) and is that date; any other time is not a date."""
    text = f"regexp_replace(trim({expression}), '{MIDNIGHT}$', '')"
    return (
        f"case when regexp_full_match({text}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
        f"then try_cast({text} as date) "
        f"when regexp_full_match({text}, '[0-9]{{1,2}}\\.[0-9]{{1,2}}\\.[0-9]{{4}}') "
        f"then cast(try_strptime({text}, '%d.%m.%Y') as date) end"
    )


def month_sql(expression: str) -> str:
    """The first day of a `YYYY-MM` month, else NULL. A workbook turns a typed month into a
    date cell, the first of the month (2025-03-01 00:00:00): that is the month too."""
    # a month written plainly (nearly every row) skips the rewriting: the same date
    return (
        f"case when regexp_full_match({expression}, '{PLAIN_MONTH_PATTERN}') "
        f"then cast({expression} || '-01' as date) else {any_month_sql(expression)} end"
    )


def any_month_sql(expression: str) -> str:
    """`month_sql` without its fast path (tests/unit/test_value_sql_fast_paths.py)."""
    text = f"regexp_replace(trim({expression}), '^([0-9]{{4}}-[0-9]{{2}})-01{MIDNIGHT}$', '\\1')"
    return (
        f"case when regexp_full_match({text}, '{MONTH_PATTERN}') then try_cast({text} || '-01' as date) end"
    )


def month_text_sql(expression: str) -> str:
    """The month as `YYYY-MM` however it was written; the text as it is when it is no month
    (so that the month's own rule names it)."""
    return (
        f"case when regexp_full_match({expression}, '{PLAIN_MONTH_PATTERN}') then {expression} "
        f"else {any_month_text_sql(expression)} end"
    )


def any_month_text_sql(expression: str) -> str:
    """`month_text_sql` without its fast path."""
    return f"coalesce(strftime({any_month_sql(expression)}, '%Y-%m'), nullif(trim({expression}), ''))"


def amount_sql(expression: str) -> str:
    """An amount of money as DECIMAL(18, 4), else NULL. Spaces (also no-break and thin ones)
    and apostrophes group thousands; one separator alone is the decimal one (12,50 and 12.50);
    with both, the last is (1.234,50 and 1,234.50). A minus sign may be U+2212."""
    # an amount written plainly (nearly every row) skips the rewriting: the same decimal
    return (
        f"case when regexp_full_match({expression}, '{PLAIN_AMOUNT_PATTERN}') "
        f"then try_cast({expression} as decimal(18, 4)) else {any_amount_sql(expression)} end"
    )


def any_amount_sql(expression: str) -> str:
    """`amount_sql` without its fast path."""
    text = (
        f"replace(regexp_replace(trim({expression}), '[\\s\\x{{00a0}}\\x{{202f}}\\x{{2009}}'']', '', 'g'), "
        "'\u2212', '-')"
    )
    return (
        f"try_cast(case when regexp_full_match({text}, '[+-]?[0-9]+(?:[.,][0-9]+)?') "
        f"then replace({text}, ',', '.') "
        f"when regexp_full_match({text}, '[+-]?[0-9]{{1,3}}(?:\\.[0-9]{{3}})+(?:,[0-9]+)?') "
        f"then replace(replace({text}, '.', ''), ',', '.') "
        f"when regexp_full_match({text}, '[+-]?[0-9]{{1,3}}(?:,[0-9]{{3}})+(?:\\.[0-9]+)?') "
        f"then replace({text}, ',', '') end as decimal(18, 4))"
    )
