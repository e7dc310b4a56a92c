from __future__ import annotations

import hashlib
import hmac
import os
import stat

import duckdb
import pytest

from dagster_project.landing.pseudonymise import KEY_ENV, PseudonymKey, hmac_sql, load_key
from dagster_project.settings import Settings


@pytest.mark.parametrize("secret", [b"k", b"x" * 64, b"a much longer secret " * 10])
def test_sql_hmac_equals_python_hmac(secret):
    key = PseudonymKey.from_secret(secret, "test")
    con = duckdb.connect()
    values = ["anna@example.se", "C0012345", "Jörgen.Öberg@example.se"]
    got = con.execute(
        f"select {hmac_sql('v')} from unnest($values) as t(v)",
        {"values": values, **key.sql_params()},
    ).fetchall()
    expected = [hmac.new(secret, v.strip().lower().encode(), hashlib.sha256).hexdigest() for v in values]
    assert [g[0] for g in got] == expected


def test_blank_ids_stay_null():
    key = PseudonymKey.from_secret(b"k", "test")
    con = duckdb.connect()
    rows = con.execute(
        f"select {hmac_sql('v')} from (values (null), ('  ')) as t(v)", key.sql_params()
    ).fetchall()
    assert rows == [(None,), (None,)]


def test_a_generated_key_is_private_and_stable(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    first = load_key(tmp_path / "secrets")
    key_file = tmp_path / "secrets" / "pseudonymisation.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert load_key(tmp_path / "secrets") == first
    assert "secret" not in repr(first).lower() or key_file.name in repr(first)


def test_the_environment_key_wins(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "from-env")
    configured = Settings.from_env().pseudonymisation_key
    assert load_key(tmp_path, configured) == PseudonymKey.from_secret(b"from-env", f"${KEY_ENV}")
    assert not (tmp_path / "pseudonymisation.key").exists()
