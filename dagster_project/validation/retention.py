"""Great Expectations results do not pile up: stored validation results older than the
retention (NPS_GX_KEEP_DAYS, default 30) are removed after every validation run, and the
Data Docs are rebuilt from what remains (when a site exists, or when asked: `make data-docs`).

GX's file store keeps one folder per result: `validations/<suite>/<run name>/<run time>/`,
the run time in GX's form `20261202T213229.884301Z` (UTC). That name is the result's age.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

RUN_TIME_FORMAT = "%Y%m%dT%H%M%S.%fZ"


def _run_time(folder: Path) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(folder.name, RUN_TIME_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def prune_validation_results(results_dir: Path, keep_days: float, now: dt.datetime | None = None) -> int:
    """Remove the results older than `keep_days`; returns how many went."""
    validations = results_dir / "validations"
    if not validations.is_dir():
        return 0
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=keep_days)
    removed = 0
    for folder in sorted(p for p in validations.glob("*/*/*") if p.is_dir()):
        run_time = _run_time(folder)
        if run_time is not None and run_time < cutoff:
            shutil.rmtree(folder)
            removed += 1
    for parent in sorted((p for p in validations.glob("*/*") if p.is_dir()), reverse=True):
        if not any(parent.iterdir()):
            parent.rmdir()
    return removed


def data_docs_dir(results_dir: Path) -> Path:
    return results_dir / "data_docs"


def prune_and_rebuild(results_dir: Path, keep_days: float, rebuild: bool = False) -> tuple[int, dict]:
    """Prune, then rebuild the Data Docs from the remaining results when asked or when a site
    exists and results went (a site keeps pages of removed results otherwise)."""
    removed = prune_validation_results(results_dir, keep_days)
    site = data_docs_dir(results_dir)
    if not (rebuild or (removed and site.exists())):
        return removed, {}
    from dagster_project.validation.gx import GxValidator

    shutil.rmtree(site / "validations", ignore_errors=True)
    return removed, GxValidator.for_results(results_dir).context.build_data_docs()
