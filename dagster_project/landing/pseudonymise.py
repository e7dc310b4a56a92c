"""Keyed pseudonyms (HMAC-SHA-256) for respondent ids, computed inside DuckDB.

The key comes from `NPS_PSEUDONYMISATION_KEY`, else from `<NPS_SECRETS_DIR>/pseudonymisation.key`,
which is generated (random, 32 bytes, mode 0600) the first time and reused afterwards, so
the same respondent keeps the same key across runs. A warehouse records the fingerprint of
the key that built it (landing/key_record.py) and refuses any other: a lost key is never
silently replaced by a new one. The key is passed to DuckDB as a
bound parameter: it never appears in SQL text, dbt, logs or Dagster metadata.

HMAC(K, m) = H((K' xor opad) || H((K' xor ipad) || m)), K' the key zero-padded to the
64-byte SHA-256 block (RFC 2104). Ids are normalised first: trimmed and lower-cased, so
`Anna@Example.se ` and `anna@example.se` are one respondent.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

KEY_ENV = "NPS_PSEUDONYMISATION_KEY"
KEY_FILE_NAME = "pseudonymisation.key"
_BLOCK = 64


@dataclass(frozen=True)
class PseudonymKey:
    inner_pad: bytes
    outer_pad: bytes
    origin: str  # where the key came from, for messages (never the key itself)

    @classmethod
    def from_secret(cls, secret: bytes, origin: str) -> PseudonymKey:
        if not secret:
            raise ValueError(f"the pseudonymisation key from {origin} is empty")
        if len(secret) > _BLOCK:
            secret = hashlib.sha256(secret).digest()
        padded = secret.ljust(_BLOCK, b"\0")
        return cls(
            inner_pad=bytes(b ^ 0x36 for b in padded),
            outer_pad=bytes(b ^ 0x5C for b in padded),
            origin=origin,
        )

    def __repr__(self) -> str:  # keep the key out of logs and tracebacks
        return f"PseudonymKey(origin={self.origin!r})"

    @property
    def fingerprint(self) -> str:
        """Names the key without revealing it: 16 hex digits of the key's HMAC of a fixed text."""
        inner = hashlib.sha256(self.inner_pad + b"nps-warehouse key fingerprint").digest()
        return hashlib.sha256(self.outer_pad + inner).hexdigest()[:16]

    def sql_params(self) -> dict[str, bytes]:
        return {"hmac_ipad": self.inner_pad, "hmac_opad": self.outer_pad}


def hmac_sql(expression: str) -> str:
    """SQL for the hex HMAC of a text expression; needs `sql_params()` bound. NULL stays NULL."""
    normalised = f"lower(trim({expression}))"
    return (
        f"case when nullif({normalised}, '') is not null then "
        f"sha256($hmac_opad || unhex(sha256($hmac_ipad || encode({normalised})))) end"
    )


class KeyMissing(FileNotFoundError):
    """The warehouse was built with a key that is not here: no new one is made in its place."""


def load_key(secrets_dir: Path, configured: str | None = None, generate: bool = True) -> PseudonymKey:
    """The configured key (`Settings.pseudonymisation_key`, from NPS_PSEUDONYMISATION_KEY), or
    the local generated one (created on first use; with `generate` False, a missing key file
    raises KeyMissing instead)."""
    if configured:
        return PseudonymKey.from_secret(configured.encode("utf-8"), f"${KEY_ENV}")
    key_file = secrets_dir / KEY_FILE_NAME
    if not key_file.exists() and not generate:
        raise KeyMissing(f"neither {KEY_ENV} nor {key_file} holds a pseudonymisation key")
    if not key_file.exists():
        secrets_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    return PseudonymKey.from_secret(key_file.read_text().strip().encode("utf-8"), str(key_file))
