"""Personal data in free text is redacted: real-looking examples in Swedish, Danish, English."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dagster_project.validation.redaction import may_need_redaction_sql, redact, redact_sql, register

EXAMPLES = [
    # e-mail addresses
    ("Mejla mig på anna.lindqvist@example.se tack", "Mejla mig på [email] tack"),
    ("skriv til mette.hansen@example.dk", "skriv til [email]"),
    ("email: first.last+nps@sub.example.co.uk", "email: [email]"),
    # Swedish personnummer, with and without century and separator; samordningsnummer
    ("Mitt personnummer är 19800101-1234", "Mitt personnummer är [national-id]"),
    ("pnr 800101-1234 och 198001011234", "pnr [national-id] och [national-id]"),
    ("född 800101+1234 (över 100 år)", "född [national-id] (över 100 år)"),
    # Danish CPR
    ("Mit CPR-nummer er 010180-1234", "Mit CPR-nummer er [national-id]"),
    ("CPR 0101801234", "CPR [national-id]"),
    # Norwegian fødselsnummer (11 digits)
    ("Fødselsnummer 01018012345", "Fødselsnummer [national-id]"),
    ("fnr: 010180 12345", "fnr: [national-id]"),
    # phone numbers: Swedish, Danish, Norwegian, international
    ("Ring mig på 070-123 45 67", "Ring mig på [phone]"),
    ("+46 70 123 45 67 eller 08-123 456 78", "[phone] eller [phone]"),
    ("ring på +45 12 34 56 78", "ring på [phone]"),
    ("telefon 12345678", "telefon [phone]"),
    ("call me on +47 912 34 567", "call me on [phone]"),
    ("call (0046) 70-123.45.67", "call [phone]"),
    # left alone: dates, prices, short numbers, customer ids
    (
        "Beställt 2025-03-01, 1 299 kr, väntade 40 minuter",
        "Beställt 2025-03-01, 1 299 kr, väntade 40 minuter",
    ),
    ("Kundnummer C0012345, ärende 4711", "Kundnummer C0012345, ärende 4711"),
    ("31/12/2025 och 31.12.2025", "31/12/2025 och 31.12.2025"),
    (
        "kl 2025-03-01 09:05 eller 2025-03-01T10:00:00+01:00",
        "kl 2025-03-01 09:05 eller 2025-03-01T10:00:00+01:00",
    ),
    ("ring 070.123.45.67", "ring [phone]"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES)
def test_redact(text, expected):
    assert redact(text) == expected


def test_none_stays_none():
    assert redact(None) is None


def test_in_duckdb_only_texts_with_digits_or_at_reach_python():
    con = duckdb.connect()
    register(con)
    rows = con.execute(
        f"select {redact_sql('t')} from (values ('ring 070-123 45 67'), ('bra'), (null)) as v(t)"
    ).fetchall()
    assert rows == [("ring [phone]",), ("bra",), (None,)]


@pytest.fixture(scope="module")
def prefilter_con():
    """One DuckDB connection for the prefilter's thousands of examples."""
    con = duckdb.connect()
    yield con
    con.close()


# Pieces that make up what redaction looks at: digits of several scripts, the separators a
# phone number may have (Unicode spaces too), dates, and what is around them in a text.
_PIECES = st.sampled_from(
    [*"0123456789", "٣", "０", "७", " ", "-", ".", "(", ")", "+", "\u00a0", "\u2009", "\x1c", "\t", "\n"]
    + [*"aT:/,@x", "2025-03-01", "31.12.2025", "1980", "00", "+46 ", "@example.se", "19"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
@example("född 800101+1234")
@example("00 2025-03-01x")
@example("03-01 2025-03-01x")
def test_every_text_redaction_changes_reaches_python(prefilter_con, text):
    """The SQL prefilter lets a text skip Python only when `redact` would leave it as it is."""
    con = prefilter_con
    passes = con.execute(f"select {may_need_redaction_sql('$t')}", {"t": text}).fetchone()[0]
    if redact(text) != text:
        assert passes, f"{text!r} is redacted by Python but skipped by the SQL prefilter"


@pytest.mark.parametrize(("text", "expected"), EXAMPLES)
def test_every_example_redaction_changes_reaches_python(prefilter_con, text, expected):
    con = prefilter_con
    passes = con.execute(f"select {may_need_redaction_sql('$t')}", {"t": text}).fetchone()[0]
    assert passes or expected == text


def test_dates_ids_and_amounts_skip_python(prefilter_con):
    con = prefilter_con
    skipped = [
        '{"account_id":"ACC-00084","acquired_at":"2020-09-23","churned_at":null}',
        '{"month":"2024-01","revenue":"6 238,03","currency":"SEK"}',
        "2026-01-01T00:00:09+01:00",
        "customers/crm_2026-10_nordic.csv",
    ]
    for text in skipped:
        assert not con.execute(f"select {may_need_redaction_sql('$t')}", {"t": text}).fetchone()[0], text
    assert con.execute(f"select {may_need_redaction_sql('$t')}", {"t": "2025-03-01 070 12"}).fetchone()[0]
