"""Redacting personal data from free text (verbatims, follow-up outcomes).

Replaced, in this order, so that a longer match wins over a shorter one:
- e-mail addresses                      -> [email]
- national identity numbers             -> [national-id]
  Swedish personnummer / samordningsnummer (YYYYMMDD-XXXX, YYMMDD-XXXX, YYMMDD+XXXX),
  Danish CPR (DDMMYY-XXXX), Norwegian fødselsnummer (DDMMYYXXXXX, 11 digits)
- phone numbers: 8 to 15 digits, possibly with +country code, spaces, dashes, dots or
  parentheses (070-123 45 67, +46 70 123 45 67, 08-123 456 78, +45 12 34 56 78,
  912 34 567)                            -> [phone]
Dates and times (2025-03-01, 2025-03-01 09:05, 31.12.2025, 31/12/2025) are left alone.
Over-redacting a long order number is accepted:
a leaked phone number is worse than a hidden order number.

The function is registered in DuckDB (`redact_pii`) and applied during validation, so the
validated tables, dbt and everything readers open hold redacted text only; the raw layer,
private to the pipeline, keeps what was delivered.
"""

from __future__ import annotations

import contextlib
import re

import duckdb

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
NATIONAL_ID = re.compile(
    r"(?<![\d+\-])(?:"
    r"(?:19|20)\d{6}[-+]?\d{4}"  # personnummer with century: 198001011234, 19800101-1234
    r"|\d{6}[-+]\d{4}"  # personnummer / CPR with separator: 800101-1234, 010180-1234
    r"|\d{6}\s?\d{5}"  # fødselsnummer: 01018012345, 010180 12345
    r"|\d{10}"  # personnummer / CPR without separator
    r")(?![\d\-])"
)
PHONE_CANDIDATE = re.compile(r"(?<![\w+(])\(?(?:\+|00)?\d[\d\s\-.()]{5,}\d(?![\w/:])")
# Dates and times look like digit runs too: 2025-03-01, 2025-03-01 09:05, 31.12.2025.
DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}|(?<!\d)\d{1,2}[.\-]\d{1,2}[.\-]\d{4}(?!\d)")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 8, 15


def _phone(match: re.Match) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS or DATE_LIKE.search(text):
        return text
    return "[phone]"


def redact(text: str | None) -> str | None:
    """The text with e-mails, national id numbers and phone numbers replaced."""
    if not text:
        return text
    text = EMAIL.sub("[email]", text)
    text = NATIONAL_ID.sub("[national-id]", text)
    return PHONE_CANDIDATE.sub(_phone, text)


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Make `redact_pii(varchar)` available on this connection."""
    with contextlib.suppress(duckdb.InvalidInputException, duckdb.CatalogException):
        con.remove_function("redact_pii")  # registered before on this connection
    con.create_function(
        "redact_pii",
        redact,
        [duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("VARCHAR"),
        null_handling="special",
        side_effects=False,
    )


# What `redact` can change, as RE2 (DuckDB) can tell without calling Python: an e-mail needs
# an '@'; a national id starts with six digits in a row; a phone number is eight or more
# digits joined by spaces, dashes, dots or brackets. Digits and spaces as Python's `re`
# reads them (any script's digits, Unicode spaces). A date (2025-03-01) with no digit joined
# to it on either side is never part of a phone number `redact` replaces (its own eight
# digits are a date, left alone), so it is blanked first: dates alone do not reach Python.
# tests/unit/test_redaction.py checks that no text `redact` changes is missed.
_JOINERS = r"\t-\r\x1c-\x1f\x{85}\pZ().\-"
_SIX_DIGITS = r"\p{Nd}{6}"
_PHONE_DIGITS = rf"\p{{Nd}}(?:[{_JOINERS}]*\p{{Nd}}){{7}}"
_LONE_DATE = rf"(^|[^\p{{Nd}}{_JOINERS}])[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}([^\p{{Nd}}{_JOINERS}]|$)"


def may_need_redaction_sql(expression: str) -> str:
    """SQL: true when `redact` could change the text (false for NULL); see above."""
    without_dates = f"regexp_replace({expression}, '{_LONE_DATE}', '\\1date\\2', 'g')"
    return (
        f"(contains({expression}, '@') or regexp_matches({expression}, '{_SIX_DIGITS}') "
        f"or regexp_matches({without_dates}, '{_PHONE_DIGITS}'))"
    )


def redact_sql(expression: str) -> str:
    """SQL that redacts a text expression; the Python function only sees texts it could
    change (`may_need_redaction_sql`)."""
    return (
        f"case when {may_need_redaction_sql(expression)} then redact_pii({expression}) else {expression} end"
    )
