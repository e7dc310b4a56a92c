"""What the last successful build was made from, so that a run with nothing new does nothing.

A build is fully determined by three things, each fingerprinted without opening the
warehouse (a reader of the warehouse would block the writer):
- the inbox listing: every file's path, size and modification time;
- the configuration: the sources config, the survey catalogue, the reporting time zone, and the project's own
  code, dbt project and Great Expectations suites (a new version rebuilds);
- the dbt target (engine) that built it: a run on the other engine builds there;
- the local date in the reporting time zone: marts depend on "today" (the current period
  is incomplete, follow-ups become overdue, a timestamp in the future is an error), so the
  first run of a day builds even when nothing arrived.

Landing writes the fingerprint it starts from next to the warehouse as *pending*; the
publication promotes it to `last_build.json` once the marts are published. A run that
finds the inbox, configuration and date of the last build, with both DuckDB files in
place, has nothing to do: `nps-warehouse run` says so and stops in about a second, and
the daily schedule skips.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from dagster_project.landing.inbox import inbox_files
from dagster_project.landing.sources import SourcesConfig
from dagster_project.settings import DBT_PROJECT_DIR, GX_CONTEXT_DIR, REPO_ROOT, Settings

LAST_BUILD = "last_build.json"
PENDING_BUILD = "pending_build.json"
# What a build is made of besides the data (generated folders are left out).
_CODE_DIRS = (
    (REPO_ROOT / "dagster_project", ("*.py",)),
    (DBT_PROJECT_DIR / "models", ("*.sql", "*.yml", "*.md")),
    (DBT_PROJECT_DIR / "macros", ("*.sql", "*.yml")),
    (DBT_PROJECT_DIR / "seeds", ("*.csv", "*.yml")),
    (DBT_PROJECT_DIR / "tests", ("*.sql",)),
    (GX_CONTEXT_DIR / "expectations", ("*.json",)),
)
_CODE_FILES = (DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml")


def inbox_fingerprint(raw_dir: Path, sources: SourcesConfig) -> tuple[str, int]:
    """SHA-256 of the inbox listing (path, size, modification time) and the file count."""
    digest = hashlib.sha256()
    count = 0
    for source in sources.sources:
        for path in inbox_files(raw_dir, source.folder):
            stat = path.stat()
            digest.update(f"{path.relative_to(raw_dir)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
            count += 1
    return digest.hexdigest(), count


def config_fingerprint(settings: Settings) -> str:
    """SHA-256 of everything besides the inbox that decides what a build contains."""
    digest = hashlib.sha256(f"tz={settings.reporting_tz}\n".encode())
    files = list(_CODE_FILES) + [settings.sources_config, settings.surveys_config, settings.audiences_config]
    for folder, patterns in _CODE_DIRS:
        files += [path for pattern in patterns for path in folder.rglob(pattern)]
    for path in sorted(set(files)):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(f"{path.name}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class BuildFingerprint:
    inbox: str
    files: int
    config: str
    local_date: str
    target: str = "local"  # the dbt target (engine) that built and published it

    @classmethod
    def now(cls, settings: Settings, sources: SourcesConfig) -> BuildFingerprint:
        inbox, files = inbox_fingerprint(settings.raw_dir, sources)
        today = dt.datetime.now(ZoneInfo(settings.reporting_tz)).date().isoformat()
        return cls(inbox, files, config_fingerprint(settings), today, settings.dbt_target)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _state_dir(settings: Settings) -> Path:
    return settings.warehouse_path.parent


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _write_atomically(path: Path, content: dict) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(content, indent=2))
    os.replace(temporary, path)


def record_pending(settings: Settings, fingerprint: BuildFingerprint, run_id: str) -> None:
    """Landing: the build this run is making (promoted once it is published)."""
    _state_dir(settings).mkdir(parents=True, exist_ok=True)
    _write_atomically(_state_dir(settings) / PENDING_BUILD, {**fingerprint.as_dict(), "run_id": run_id})


def promote_pending(settings: Settings, run_id: str, published_version: str) -> bool:
    """Publication: the pending build of this run is now the last build."""
    pending = _read(_state_dir(settings) / PENDING_BUILD)
    if not pending or pending.get("run_id") != run_id:
        return False
    pending["published_version"] = published_version
    pending["built_at"] = dt.datetime.now(dt.UTC).isoformat()
    _write_atomically(_state_dir(settings) / LAST_BUILD, pending)
    (_state_dir(settings) / PENDING_BUILD).unlink(missing_ok=True)
    return True


def last_build(settings: Settings) -> dict | None:
    return _read(_state_dir(settings) / LAST_BUILD)


def nothing_new(settings: Settings, fingerprint: BuildFingerprint) -> bool:
    """The last build was made from this inbox, configuration, date and engine, and the
    warehouse and every audience's publication exist."""
    last = last_build(settings)
    if not last or not settings.warehouse_path.exists():
        return False
    published = (
        settings.spark_published_dir / str(last.get("published_version"))
        if settings.engine == "spark"
        else settings.published_path
    )
    if not published.exists():
        return False
    from dagster_project.audiences import load_audiences  # audiences -> settings, not back

    if not all(
        audience.published_path(settings).exists()
        for audience in load_audiences(settings.audiences_config).audiences
        if not audience.default
    ):
        return False
    return all(last.get(k) == v for k, v in fingerprint.as_dict().items())


def config_changed(settings: Settings) -> bool:
    """True when the configuration differs from the last published build's (or there was
    none): validation, Great Expectations and dbt then build from scratch, not by increment."""
    last = last_build(settings)
    return not last or last.get("config") != config_fingerprint(settings)
