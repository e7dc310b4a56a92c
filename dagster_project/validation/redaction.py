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


def redact_sql(expression: str) -> str:
    """SQL that redacts a text expression; the Python function only sees texts that could
    hold personal data (an '@' or a digit)."""
    return (
        f"case when regexp_matches({expression}, '[0-9@]') "
        f"then redact_pii({expression}) else {expression} end"
    )
