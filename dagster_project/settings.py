"""Configuration: one `Settings` object, read from environment variables once and passed down.

`Settings.from_env()` is called by the CLI and by the Dagster code location; everything
below them (assets, dbt, publishing) receives the object, never the environment. dbt gets
its values as `--vars` (`dbt_vars()`), so no step changes its process's environment.

| variable                  | default                          | meaning                                   |
|---------------------------|----------------------------------|-------------------------------------------|
| NPS_RAW_DIR               | data/raw                         | the inbox: responses/, invitations/       |
| NPS_WAREHOUSE             | data/warehouse/nps.duckdb        | the pipeline's private DuckDB file        |
| NPS_REPORTING_TZ          | Europe/Stockholm                 | time zone that decides a response's date  |
| NPS_PSEUDONYMISATION_KEY  | (unset)                          | HMAC key for respondent ids               |
| NPS_SECRETS_DIR           | data/secrets                     | where a generated key is kept if unset    |
| NPS_SOURCES_CONFIG        | config/sources.yml               | the inbox sources and their formats       |
| NPS_SURVEYS_CONFIG        | config/surveys.yml               | the survey catalogue (programmes)         |
| NPS_PUBLISHED             | data/published/nps_marts.duckdb  | the read-only copy BI tools open (1)      |
| NPS_AUDIENCES_CONFIG      | config/audiences.yml             | who reads which published file (2)        |
| NPS_LOCK_TIMEOUT          | 3600                             | seconds a run waits for another to finish |
| NPS_DUCKDB_MEMORY_LIMIT   | 1GB                              | DuckDB memory cap per connection (spills) |
| NPS_MIN_FREE_MB           | 50                               | free disk a run needs to start            |
| NPS_LOG_LEVEL             | WARNING                          | what `nps-warehouse run` prints           |
| NPS_ENGINE                | duckdb                           | what builds the marts: duckdb or spark    |
| NPS_DBT_TARGET            | local (duckdb) / spark (spark)   | the dbt profile target of that engine     |
| NPS_LAKE_DIR              | <warehouse folder>/lake          | validated rows as Parquet (dbt's input)   |
| NPS_SPARK_DIR             | <warehouse folder>/spark         | local Spark: metastore, tables, published |
| NPS_SPARK_MEMORY          | 2g                               | local Spark driver memory                 |
| NPS_ARCHIVE_MAX_MB        | 4096                             | what one .zip/.gz may expand to (bombs)   |
| NPS_GX_KEEP_DAYS          | 30                               | days GX validation results are kept       |
| NPS_CLOCK                 | (unset: the system clock)        | the moment a run builds at (ISO 8601) (3) |
| NPS_INBOX_SETTLE_SECONDS  | 10                               | a file unchanged this long is landed (4)  |

(1) When only NPS_WAREHOUSE is set: `published/<warehouse name>_marts.duckdb` in the
warehouse's folder (nps.duckdb -> published/nps_marts.duckdb), so two warehouses never
overwrite each other's published file. The report is written to `report/` beside it.
(2) The default audience's file is NPS_PUBLISHED; the others (HR) are in folders beside it
(dagster_project/audiences.py).
(3) Every time-dependent verdict of a run (a timestamp in the future, a follow-up overdue,
a period complete, a rolling window) is judged at one moment, taken once when the run
starts (dagster_project/warehouse/build_clock.py); NPS_CLOCK pins that moment, e.g.
`2026-11-04T08:00:00+01:00` (a time zone is required), to rebuild as of a given day.
(4) A file still being written (an upload in progress) is left for the next run
(dagster_project/landing/inbox.py); temporary names (`*.part`, `*.tmp`, `~$*`) never land.

Relative paths are relative to the repository root, so the same values work from
`make`, from `dagster dev` and from dbt (which runs with `dbt/` as its working directory).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dagster_project.config_files import ConfigurationError
from dagster_project.survey_catalogue import load_survey_catalogue

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
GX_CONTEXT_DIR = REPO_ROOT / "expectations"


DEFAULT_DUCKDB_MEMORY_LIMIT = "1GB"
DEFAULT_REPORTING_TZ = "Europe/Stockholm"
DEFAULT_LOCK_TIMEOUT_SECONDS = 3600.0
# The engines the dbt project builds on, and the dbt profile target each uses by default
# (dbt/profiles.yml; NPS_DBT_TARGET picks another target of the same engine, e.g. a cluster).
ENGINE_TARGETS = {"duckdb": "local", "spark": "spark"}
DEFAULT_ARCHIVE_MAX_MB = 4096.0
DEFAULT_GX_KEEP_DAYS = 30.0
DEFAULT_SPARK_MEMORY = "2g"
DEFAULT_INBOX_SETTLE_SECONDS = 10.0
_SPARK_MEMORY = re.compile(r"^\d+[kmgt]$", re.IGNORECASE)
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


def _path_from_env(name: str, default: str) -> Path:
    path = Path(os.environ.get(name) or default).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


def _optional_path_from_env(name: str) -> Path | None:
    return _path_from_env(name, "") if os.environ.get(name) else None


def _published_path_from_env() -> Path:
    """NPS_PUBLISHED; else next to NPS_WAREHOUSE when that is set; else the repository's."""
    if os.environ.get("NPS_PUBLISHED") or not os.environ.get("NPS_WAREHOUSE"):
        return _path_from_env("NPS_PUBLISHED", "data/published/nps_marts.duckdb")
    warehouse = _path_from_env("NPS_WAREHOUSE", "data/warehouse/nps.duckdb")
    return warehouse.parent / "published" / f"{warehouse.stem}_marts.duckdb"


def _clock_from_env() -> dt.datetime | None:
    text = (os.environ.get("NPS_CLOCK") or "").strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(
            f"NPS_CLOCK={text!r} is not an ISO 8601 moment (e.g. 2026-11-04T08:00:00+01:00)"
        ) from None
    if moment.tzinfo is None:
        raise ConfigurationError(f"NPS_CLOCK={text!r} needs a time zone (e.g. +01:00 or Z)")
    return moment.astimezone(dt.UTC)


def _number_from_env(name: str, default: float) -> float:
    text = os.environ.get(name) or str(default)
    try:
        return float(text)
    except ValueError:
        raise ConfigurationError(f"{name}={text!r} is not a number") from None


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_path: Path
    reporting_tz: str = DEFAULT_REPORTING_TZ
    secrets_dir: Path = REPO_ROOT / "data" / "secrets"
    sources_config: Path = REPO_ROOT / "config" / "sources.yml"
    surveys_config: Path = REPO_ROOT / "config" / "surveys.yml"
    audiences_config: Path = REPO_ROOT / "config" / "audiences.yml"
    alerts_config: Path = REPO_ROOT / "config" / "alerts.yml"
    published_path: Path = REPO_ROOT / "data" / "published" / "nps_marts.duckdb"
    # Every DuckDB connection (the pipeline's, publishing's and dbt's) is capped at this and
    # spills to `spill_dir` beyond it; DuckDB would otherwise take up to 80% of the RAM.
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    # How long a run waits for another to release the warehouse, and the free disk it needs.
    lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS
    min_free_mb: float = 50.0
    log_level: str = "WARNING"
    # The HMAC key for personal ids; None: a key generated once and kept in `secrets_dir`.
    pseudonymisation_key: str | None = field(default=None, repr=False)
    # What builds the marts from the lake (NPS_ENGINE) and through which dbt target.
    engine: str = "duckdb"
    dbt_target: str = ENGINE_TARGETS["duckdb"]
    # Validated rows as Parquet, what dbt reads on every engine (dagster_project/lake/);
    # None: `lake/` next to the warehouse file, so two warehouses never share one lake.
    lake_dir_setting: Path | None = None
    # Local Spark (the `spark` target, PySpark in process): its metastore, tables and
    # published marts; None: `spark/` next to the warehouse file.
    spark_dir_setting: Path | None = None
    spark_memory: str = DEFAULT_SPARK_MEMORY
    # What one archive in the inbox may expand to: past it, a zip bomb, rejected whole.
    archive_max_mb: float = DEFAULT_ARCHIVE_MAX_MB
    # Stored Great Expectations validation results older than this are removed (Data Docs rebuilt).
    gx_keep_days: float = DEFAULT_GX_KEEP_DAYS
    # The moment runs build at; None: the system clock (read once per run: build_clock.py).
    clock: dt.datetime | None = None
    # A file in the inbox is landed once unchanged for this long (an upload may be in
    # progress); from_env's default is DEFAULT_INBOX_SETTLE_SECONDS, a program's none.
    inbox_settle_seconds: float = 0.0

    @classmethod
    def from_env(cls) -> Settings:
        tz = os.environ.get("NPS_REPORTING_TZ") or DEFAULT_REPORTING_TZ
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
        engine = (os.environ.get("NPS_ENGINE") or "duckdb").strip().lower()
        if engine not in ENGINE_TARGETS:
            raise ConfigurationError(f"NPS_ENGINE={engine!r}: choose one of {', '.join(ENGINE_TARGETS)}")
        spark_memory = (os.environ.get("NPS_SPARK_MEMORY") or DEFAULT_SPARK_MEMORY).strip()
        if not _SPARK_MEMORY.match(spark_memory):
            raise ConfigurationError(f"NPS_SPARK_MEMORY={spark_memory!r} is not a JVM memory size (e.g. 2g)")
        return cls(
            engine=engine,
            dbt_target=(os.environ.get("NPS_DBT_TARGET") or ENGINE_TARGETS[engine]).strip(),
            lake_dir_setting=_optional_path_from_env("NPS_LAKE_DIR"),
            spark_dir_setting=_optional_path_from_env("NPS_SPARK_DIR"),
            spark_memory=spark_memory,
            raw_dir=_path_from_env("NPS_RAW_DIR", "data/raw"),
            warehouse_path=_path_from_env("NPS_WAREHOUSE", "data/warehouse/nps.duckdb"),
            reporting_tz=tz,
            secrets_dir=_path_from_env("NPS_SECRETS_DIR", "data/secrets"),
            sources_config=_path_from_env("NPS_SOURCES_CONFIG", "config/sources.yml"),
            surveys_config=_path_from_env("NPS_SURVEYS_CONFIG", "config/surveys.yml"),
            audiences_config=_path_from_env("NPS_AUDIENCES_CONFIG", "config/audiences.yml"),
            alerts_config=_path_from_env("NPS_ALERTS_CONFIG", "config/alerts.yml"),
            published_path=_published_path_from_env(),
            duckdb_memory_limit=memory.strip(),
            lock_timeout_seconds=_number_from_env("NPS_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT_SECONDS),
            min_free_mb=_number_from_env("NPS_MIN_FREE_MB", 50.0),
            archive_max_mb=_number_from_env("NPS_ARCHIVE_MAX_MB", DEFAULT_ARCHIVE_MAX_MB),
            gx_keep_days=_number_from_env("NPS_GX_KEEP_DAYS", DEFAULT_GX_KEEP_DAYS),
            clock=_clock_from_env(),
            inbox_settle_seconds=_number_from_env("NPS_INBOX_SETTLE_SECONDS", DEFAULT_INBOX_SETTLE_SECONDS),
            log_level=(os.environ.get("NPS_LOG_LEVEL") or "WARNING").upper(),
            pseudonymisation_key=os.environ.get("NPS_PSEUDONYMISATION_KEY") or None,
        )

    def now(self) -> dt.datetime:
        """The clock: NPS_CLOCK when set, else the system's (UTC). A run reads it once."""
        return self.clock or dt.datetime.now(dt.UTC)

    def settled_before(self) -> float | None:
        """Files modified since this moment (system clock, as file times are) are still being
        written: left for a later run. None: every file is taken (no settle time)."""
        return time.time() - self.inbox_settle_seconds if self.inbox_settle_seconds > 0 else None

    @property
    def archive_max_bytes(self) -> int:
        return int(self.archive_max_mb * (1 << 20))

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
    def lake_dir(self) -> Path:
        """The lake: validated rows as Parquet, partitioned by landed file (lake/layout.py)."""
        return self.lake_dir_setting or self.warehouse_path.parent / "lake"

    @property
    def spark_dir(self) -> Path:
        """Local Spark's state: `metastore/` (Derby), `tables/` (its warehouse), `published/`."""
        return self.spark_dir_setting or self.warehouse_path.parent / "spark"

    @property
    def spark_published_dir(self) -> Path:
        """Spark's published copies of the marts, one folder per version (publishing/spark.py)."""
        return self.spark_dir / "published"

    @property
    def gx_results_dir(self) -> Path:
        """Great Expectations validation results and Data Docs for this warehouse."""
        return self.warehouse_path.parent / "gx"

    def dbt_vars(self) -> dict[str, object]:
        """What dbt needs from the settings, passed as `--vars` (profiles.yml and the macros
        read them; dbt has no defaults of its own): the warehouse, the lake, local Spark's
        folder and memory, the time zone, the survey catalogue. dbt's DuckDB gets a share of
        the cap: the run process stays resident beside it."""
        # the catalogue module reads its file with this module's ConfigurationError
        return {
            "nps_warehouse_path": str(self.warehouse_path),
            "nps_lake_dir": str(self.lake_dir),
            "nps_spark_dir": str(self.spark_dir),
            "nps_spark_memory": self.spark_memory,
            "nps_spark_log_config": str(DBT_PROJECT_DIR / "spark-log4j2.properties"),
            "nps_reporting_tz": self.reporting_tz,
            "nps_duckdb_memory_limit": memory_limit_share(self.duckdb_memory_limit, DBT_DUCKDB_MEMORY_SHARE),
            "nps_survey_catalogue": load_survey_catalogue(self.surveys_config).as_dbt_var(),
            # data tests of row-level relations check the rows of changed files on an
            # incremental build (dbt/macros/incremental.sql); a --full-refresh checks all
            "nps_test_changed_files_only": True,
        }
