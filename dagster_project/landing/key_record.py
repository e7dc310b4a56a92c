"""Which pseudonymisation key built a warehouse: its fingerprint, recorded with the first
landing (`raw.pseudonymisation_key`), checked before every landing.

Pseudonyms link a respondent's answers over time (contact frequency, recovery of a
detractor, B2B decision-makers): rows landed under another key would belong to strangers.
So a warehouse never takes another key: a run with a different key, or without the key
file when the warehouse has one recorded, stops with `KeyMismatch` (exit code 2) and says how
to restore it. Rotating the key means starting a new warehouse from the inbox
(docs/configuration.md). A warehouse of an older version, which recorded nothing, records
the key of its next run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from dagster_project.config_files import ConfigurationError
from dagster_project.landing.pseudonymise import KEY_ENV, KEY_FILE_NAME, KeyMissing, PseudonymKey, load_key

KEY_RECORD_DDL = """create table if not exists raw.pseudonymisation_key (
    fingerprint varchar not null, origin varchar not null, recorded_at timestamptz not null)"""


class KeyMismatch(ConfigurationError):
    """The key at hand is not the one the warehouse was built with."""


def recorded_fingerprint(con: duckdb.DuckDBPyConnection) -> tuple[str, str, dt.datetime] | None:
    """(fingerprint, where the key came from, when) of the key that built the warehouse."""
    exists = con.execute(
        """select count(*) from duckdb_tables()
           where schema_name = 'raw' and table_name = 'pseudonymisation_key'"""
    ).fetchall()[0][0]
    if not exists:
        return None
    rows = con.execute("select fingerprint, origin, recorded_at from raw.pseudonymisation_key").fetchall()
    return rows[0] if rows else None


def warehouse_key(
    con: duckdb.DuckDBPyConnection, secrets_dir: Path, configured: str | None, record: bool = True
) -> PseudonymKey:
    """The key to land with: the configured or local one, checked against the warehouse's
    record (and, with `record`, recorded when there is none yet). Never generates a key for a
    warehouse that has one recorded."""
    recorded = recorded_fingerprint(con)
    restore = (
        f"Restore the key it was built with ({KEY_ENV}, or {secrets_dir / KEY_FILE_NAME}), or start a new "
        "warehouse (another NPS_WAREHOUSE) to pseudonymise everything with the new key"
    )
    try:
        key = load_key(secrets_dir, configured, generate=recorded is None)
    except KeyMissing as exc:
        fingerprint, origin, when = recorded
        raise KeyMismatch(
            f"this warehouse was built with the pseudonymisation key {fingerprint} "
            f"(from {origin}, {when:%Y-%m-%d}), but {exc}. {restore}."
        ) from None
    if recorded is None and record:
        con.execute(KEY_RECORD_DDL)
        con.execute(
            "insert into raw.pseudonymisation_key values ($fingerprint, $origin, now())",
            {"fingerprint": key.fingerprint, "origin": key.origin},
        )
    elif recorded is not None and recorded[0] != key.fingerprint:
        fingerprint, origin, when = recorded
        raise KeyMismatch(
            f"the pseudonymisation key from {key.origin} (fingerprint {key.fingerprint}) is not the key this "
            f"warehouse was built with ({fingerprint}, from {origin}, {when:%Y-%m-%d}): its pseudonyms would "
            f"not match the respondents' earlier answers. {restore}."
        )
    return key
