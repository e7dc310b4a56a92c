"""What the last successful build was made from, so that a run with nothing new does nothing.

A build is fully determined by three things, each fingerprinted without opening the
warehouse (a reader of the warehouse would block the writer):
- the inbox listing: every file's path, size and modification time;
- the configuration: the sources config, the survey catalogue, the reporting time zone, and the project's own
  code, dbt project and Great Expectations suites (a new version rebuilds);
- the dbt target (engine) that built it: a run on the other engine builds there;
- the clock: marts depend on the moment they are built at (a period completes at midnight,
  a follow-up turns overdue at its deadline, a timestamp in the future comes due), so the
  publication records when the clock alone next changes a verdict (`next_change_at`,
  warehouse/build_clock.py) and a run from that moment on builds even when nothing arrived.

Landing writes the fingerprint it starts from next to the warehouse as *pending*; the
publication promotes it to `last_build.json` once the marts are published. A run that
finds the inbox and configuration of the last build, on the same engine, before its
`next_change_at`, with the published files in place, has nothing to do: `nps-warehouse
run` says so and stops in about a second, and the daily schedule skips.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

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


def inbox_fingerprint(
    raw_dir: Path, sources: SourcesConfig, settled_before: float | None = None
) -> tuple[str, int]:
    """SHA-256 of the inbox listing (path, size, modification time) and the file count; with
    `settled_before`, of the files unchanged since then (those a run would land)."""
    digest = hashlib.sha256()
    count = 0
    for source in sources.sources:
        for path in inbox_files(raw_dir, source.folder, settled_before):
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
    target: str = "local"  # the dbt target (engine) that built and published it

    @classmethod
    def now(
        cls, settings: Settings, sources: SourcesConfig, settled_before: float | None = None
    ) -> BuildFingerprint:
        """The inbox as a run would land it now (files still being written left out)."""
        settled_before = settings.settled_before() if settled_before is None else settled_before
        inbox, files = inbox_fingerprint(settings.raw_dir, sources, settled_before)
        return cls(inbox, files, config_fingerprint(settings), settings.dbt_target)

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


def record_pending(
    settings: Settings, fingerprint: BuildFingerprint, run_id: str, build_time: dt.datetime
) -> None:
    """Landing: the build this run is making (promoted once it is published)."""
    _state_dir(settings).mkdir(parents=True, exist_ok=True)
    _write_atomically(
        _state_dir(settings) / PENDING_BUILD,
        {**fingerprint.as_dict(), "run_id": run_id, "build_time": build_time.isoformat()},
    )


def promote_pending(
    settings: Settings, run_id: str, published_version: str, next_change_at: dt.datetime
) -> bool:
    """Publication: the pending build of this run is now the last build, current until
    `next_change_at` (when the clock alone changes a verdict)."""
    pending = _read(_state_dir(settings) / PENDING_BUILD)
    if not pending or pending.get("run_id") != run_id:
        return False
    pending["published_version"] = published_version
    pending["next_change_at"] = next_change_at.isoformat()
    # The configuration each dbt target's marts were last built with (their watermarks are
    # per target too): a build on one engine says nothing of the other's marts.
    previous = last_build(settings) or {}
    pending["target_configs"] = {**_target_configs(previous), pending["target"]: pending["config"]}
    _write_atomically(_state_dir(settings) / LAST_BUILD, pending)
    (_state_dir(settings) / PENDING_BUILD).unlink(missing_ok=True)
    return True


def last_build(settings: Settings) -> dict | None:
    return _read(_state_dir(settings) / LAST_BUILD)


def _still_current(last: dict, now: dt.datetime) -> bool:
    """The clock has not reached the moment the last build's verdicts change."""
    try:
        return now < dt.datetime.fromisoformat(last["next_change_at"])
    except (KeyError, TypeError, ValueError):  # a record of an older version: build
        return False


def nothing_new(settings: Settings, fingerprint: BuildFingerprint) -> bool:
    """The last build was made from this inbox, configuration and engine, no verdict of it
    has changed with the clock since, and the warehouse and every audience's publication exist."""
    last = last_build(settings)
    if not last or not settings.warehouse_path.exists() or not _still_current(last, settings.now()):
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


def _target_configs(last: dict) -> dict[str, str]:
    known = dict(last.get("target_configs") or {})
    if last.get("target") and last.get("config"):  # a record of an older version: its one target
        known.setdefault(last["target"], last["config"])
    return known


def config_changed(settings: Settings, target: str | None = None) -> bool:
    """True when the configuration differs from the last published build's (or there was
    none): validation and Great Expectations then judge everything again. With `target`: from
    the configuration that dbt target last built its marts with (dbt then builds from scratch)."""
    last = last_build(settings)
    if not last:
        return True
    built_with = _target_configs(last).get(target) if target else last.get("config")
    return built_with != config_fingerprint(settings)
