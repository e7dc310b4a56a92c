"""Configuration from environment variables, with documented defaults.

| variable                  | default                          | meaning                                   |
|---------------------------|----------------------------------|-------------------------------------------|
| NPS_RAW_DIR               | data/raw                         | the inbox: responses/, invitations/       |
| NPS_WAREHOUSE             | data/warehouse/nps.duckdb        | the pipeline's private DuckDB file        |
| NPS_REPORTING_TZ          | Europe/Stockholm                 | time zone that decides a response's date  |
| NPS_PSEUDONYMISATION_KEY  | (unset)                          | HMAC key for respondent ids               |
| NPS_SECRETS_DIR           | data/secrets                     | where a generated key is kept if unset    |
| NPS_SOURCES_CONFIG        | config/sources.yml               | the inbox sources and their formats       |
| NPS_PUBLISHED             | data/published/nps_marts.duckdb  | the read-only copy BI tools open          |
| NPS_LOCK_TIMEOUT          | 3600                             | seconds a run waits for another to finish |
| NPS_DUCKDB_MEMORY_LIMIT   | 1GB                              | DuckDB memory cap per connection (spills) |

Relative paths are relative to the repository root, so the same values work from
`make`, from `dagster dev` and from dbt (which runs with `dbt/` as its working directory).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
GX_CONTEXT_DIR = REPO_ROOT / "expectations"


DEFAULT_DUCKDB_MEMORY_LIMIT = "1GB"
_MEMORY_LIMIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)
_MEMORY_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_MEMORY_UNITS |= {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
# Two DuckDBs never run at once, but a step's DuckDB shares the run with what sits beside it:
# GX's pandas batch and its metrics in the GX steps, the run process (resident while it
# waits) in the dbt step. Those steps give DuckDB this share of the cap, so that the whole
# process tree stays near the cap plus one process (bench/RESULTS.md: peak RSS).
GX_DUCKDB_MEMORY_SHARE = 0.5
DBT_DUCKDB_MEMORY_SHARE = 0.75


def memory_limit_share(limit: str, share: float) -> str:
    """`share` of a DuckDB memory size ('1GB' * 0.75 -> '750MB')."""
    match = _MEMORY_LIMIT.match(limit)
    if not match:
        raise ConfigurationError(f"{limit!r} is not a memory size (e.g. 1GB, 512MB)")
    size = float(match.group(1)) * _MEMORY_UNITS[match.group(2).lower()] * share
    return f"{max(1, int(size // 10**6))}MB"


class ConfigurationError(ValueError):
    """A setting has a value the pipeline cannot work with."""


def _path_from_env(name: str, default: str) -> Path:
    path = Path(os.environ.get(name) or default).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_path: Path
    reporting_tz: str
    secrets_dir: Path
    sources_config: Path = REPO_ROOT / "config" / "sources.yml"
    published_path: Path = REPO_ROOT / "data" / "published" / "nps_marts.duckdb"
    # Every DuckDB connection (the pipeline's, publishing's and dbt's) is capped at this and
    # spills to `spill_dir` beyond it; DuckDB would otherwise take up to 80% of the RAM.
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT

    @classmethod
    def from_env(cls) -> Settings:
        tz = os.environ.get("NPS_REPORTING_TZ") or "Europe/Stockholm"
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigurationError(
                f"NPS_REPORTING_TZ={tz!r} is not an IANA time zone (e.g. Europe/Stockholm)"
            ) from exc
        memory = os.environ.get("NPS_DUCKDB_MEMORY_LIMIT") or DEFAULT_DUCKDB_MEMORY_LIMIT
        if not _MEMORY_LIMIT.match(memory):
            raise ConfigurationError(
                f"NPS_DUCKDB_MEMORY_LIMIT={memory!r} is not a memory size (e.g. 1GB, 512MB)"
            )
        return cls(
            raw_dir=_path_from_env("NPS_RAW_DIR", "data/raw"),
            warehouse_path=_path_from_env("NPS_WAREHOUSE", "data/warehouse/nps.duckdb"),
            reporting_tz=tz,
            secrets_dir=_path_from_env("NPS_SECRETS_DIR", "data/secrets"),
            sources_config=_path_from_env("NPS_SOURCES_CONFIG", "config/sources.yml"),
            published_path=_path_from_env("NPS_PUBLISHED", "data/published/nps_marts.duckdb"),
            duckdb_memory_limit=memory.strip(),
        )

    @property
    def work_dir(self) -> Path:
        """Scratch space next to the warehouse (transcoded files); private to the pipeline."""
        return self.warehouse_path.parent / "work"

    @property
    def spill_dir(self) -> Path:
        """Where DuckDB writes what does not fit under `duckdb_memory_limit`: DuckDB's own
        default for the warehouse file (`<file>.tmp`), so dbt's connections spill there too."""
        return self.warehouse_path.with_name(self.warehouse_path.name + ".tmp")

    @property
    def gx_results_dir(self) -> Path:
        """Great Expectations validation results and Data Docs for this warehouse."""
        return self.warehouse_path.parent / "gx"

    def environment_for_tools(self) -> dict[str, str]:
        """Resolved values for subprocesses (dbt, GX config substitution)."""
        return {
            "NPS_RAW_DIR": str(self.raw_dir),
            "NPS_WAREHOUSE": str(self.warehouse_path),
            "NPS_REPORTING_TZ": self.reporting_tz,
            "NPS_GX_RESULTS_DIR": str(self.gx_results_dir),
            "NPS_SOURCES_CONFIG": str(self.sources_config),
            "NPS_PUBLISHED": str(self.published_path),
            "NPS_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "NPS_DBT_DUCKDB_MEMORY_LIMIT": memory_limit_share(
                self.duckdb_memory_limit, DBT_DUCKDB_MEMORY_SHARE
            ),
        }
