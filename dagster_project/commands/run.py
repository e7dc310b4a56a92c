"""`nps-warehouse run`: under the warehouse lock, either nothing new (the summary of the
last build, and the alerts that are due) or the pipeline's job in this process, then what
it did and its exit code."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path

from dagster_project.commands.outcomes import (
    EXIT_BUSY,
    EXIT_CONFIG,
    EXIT_ENVIRONMENT,
    EXIT_FAILED,
    dagster_instance,
    duckdb_errors,
)
from dagster_project.commands.preflight import (
    EnvironmentProblem,
    check_engine_installed,
    check_key,
    preflight,
)
from dagster_project.commands.surveys import employee_survey_lines
from dagster_project.config_files import ConfigurationError
from dagster_project.publishing.published import NothingPublished, published_lines
from dagster_project.settings import Settings

# What an operating-system error in a failed step means, in plain words, by error number:
# a step's error carries the system's own text for it (Python's `[Errno 28] ...`, DuckDB's
# `IO Error: ...`), which is what os.strerror gives for that number on this machine, in
# whatever language the system speaks.
KNOWN_FAILURES = {
    errno.ENOSPC: "the disk is full",
    errno.EROFS: "the output directory is on a read-only file system",
    errno.EACCES: "the pipeline may not write to the output directory",
    errno.EDQUOT: "the disk quota is exhausted",
}


def explain_failure(messages: list[str]) -> str | None:
    text = "\n".join(messages)
    for number, meaning in KNOWN_FAILURES.items():
        if f"[Errno {number}]" in text or os.strerror(number) in text:
            return meaning
    return None


def _failure_messages(result) -> list[tuple[str, str]]:
    failures = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            chain = [error.message]
            cause = error.cause
            while cause is not None:
                chain.append(cause.message)
                cause = cause.cause
            failures.append((event.step_key, " | ".join(m.strip() for m in chain)))
    return failures


def nothing_to_do(settings: Settings) -> bool:
    """The inbox and configuration are those of the last published build and the clock has
    not changed any of its verdicts since: say so and print its summary without starting
    Dagster (see `warehouse/build_state.py`)."""
    from dagster_project.landing.sources import load_sources_config
    from dagster_project.publishing.summary import summary_text
    from dagster_project.warehouse.build_state import BuildFingerprint, last_build, nothing_new

    sources = load_sources_config(settings.sources_config)
    if not nothing_new(settings, BuildFingerprint.now(settings, sources)):
        return False
    try:
        summary = summary_text(settings)
    except (NothingPublished, OSError, *duckdb_errors()) as exc:
        # the published file is there but cannot be read (damaged, truncated): publish it again
        print(
            f"The published marts cannot be read ({exc}): building and publishing them again.",
            file=sys.stderr,
        )
        return False
    last = last_build(settings) or {}
    print(
        f"Nothing new in {settings.raw_dir} since the last build (as of {last.get('build_time', '?')}, "
        f"{last.get('files', '?')} files), and nothing changes with the clock before "
        f"{last.get('next_change_at', '?')}: nothing was rebuilt."
    )
    print("\n".join(published_lines(settings)))
    print(summary)
    _print_lines(employee_survey_lines(settings))
    return True


def deliver_due_alerts(settings: Settings) -> None:
    """A no-op run still sends the alerts that are due (the caller holds the lock)."""
    import datetime as dt

    from dagster_project.alerts.delivery import read_due_file

    due = read_due_file(settings.warehouse_path)
    if due is None or due > dt.datetime.now(dt.UTC):
        return
    # imported only now: the Dagster definitions take 3 s to import, a no-op run 0.7 s
    from dagster_project.alerts.pipeline import deliver
    from dagster_project.defs.resources import NpsWarehouse

    with NpsWarehouse(settings).connect() as con:  # the lock is re-entrant
        print(deliver(con, settings, log=lambda m: print(m, file=sys.stderr)).line())


def run(settings: Settings, wait: bool = True, progress: str = "auto") -> int:
    from dagster_project.warehouse.locking import WarehouseBusy, warehouse_lock

    try:
        preflight(settings)
    except EnvironmentProblem as exc:
        print(f"cannot run: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    log_path = settings.warehouse_path.parent / "logs" / "last_run.log"
    try:
        check_engine_installed(settings)
        check_key(settings)
        with warehouse_lock(
            settings.warehouse_path,
            wait=wait,
            timeout=settings.lock_timeout_seconds,
            on_wait=lambda m: print(m, file=sys.stderr, flush=True),
        ):
            # Judged under the lock: a run that waited for another may find nothing left to do.
            if nothing_to_do(settings):
                deliver_due_alerts(settings)  # pending alerts never wait for the next file
                return 0
            result = _execute(settings, progress, log_path)
    except ConfigurationError as exc:
        print(f"cannot run: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except WarehouseBusy as exc:
        print(f"not run: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except OSError as exc:
        if exc.errno in KNOWN_FAILURES:
            print(f"the run stopped: {os.strerror(exc.errno)} ({exc.filename or ''})", file=sys.stderr)
            return EXIT_ENVIRONMENT
        raise
    return _report(settings, result, log_path)


def _execute(settings: Settings, progress: str, log_path: Path):
    """The pipeline's job, in this process, under the caller's lock; dbt's own progress lines
    go to the log file, Dagster's warnings and errors stay on screen."""
    import uuid

    from dagster_project.defs import build_definitions
    from dagster_project.landing.pseudonymise import KEY_ENV, KEY_FILE_NAME, load_key
    from dagster_project.progress import Follower, Progress, resolve_mode

    key_file = settings.secrets_dir / KEY_FILE_NAME
    if not settings.pseudonymisation_key and not key_file.exists():
        load_key(settings.secrets_dir)
        print(f"Generated a local pseudonymisation key in {key_file} (set {KEY_ENV} to use your own).")
    print(
        f"Inbox {settings.raw_dir} -> warehouse {settings.warehouse_path}; "
        f"marts built on {settings.engine} (dbt target {settings.dbt_target})"
    )
    job = build_definitions(settings).resolve_job_def("nps_pipeline")
    instance = dagster_instance()
    run_id = str(uuid.uuid4())
    follower = Follower(instance, run_id, Progress(resolve_mode(progress, sys.stderr), out=sys.stderr))
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log, contextlib.redirect_stdout(log):
        follower.start()
        try:
            return job.execute_in_process(
                instance=instance,
                run_id=run_id,
                raise_on_error=False,
                # The console shows warnings and errors; the full log is in the Dagster UI.
                run_config={"loggers": {"console": {"config": {"log_level": settings.log_level}}}},
            )
        finally:
            follower.stop()


def _report(settings: Settings, result, log_path: Path) -> int:
    """What the run did, and its exit code."""
    from dagster_project.publishing.summary import summary_text

    print(f"dbt log of this run: {log_path}")
    for check in result.get_asset_check_evaluations():
        if not check.passed:
            print(
                f"check {check.asset_key.to_user_string()}:{check.check_name} "
                f"({check.severity.value}): {check.description}"
            )
    if not result.success:
        failures = _failure_messages(result)
        meaning = explain_failure([message for _, message in failures])
        for step, message in failures:
            print(f"step {step} failed: {message.splitlines()[0][:500]}", file=sys.stderr)
        if meaning:
            print(
                f"The run stopped because {meaning} (warehouse: {settings.warehouse_path.parent}, "
                f"published: {settings.published_path.parent}). Nothing was published; fix it and "
                "run again - the run picks up where it stopped.",
                file=sys.stderr,
            )
            return EXIT_ENVIRONMENT
        print(
            f"The run failed (run id {result.run_id}); nothing was published. Details: {log_path} "
            "and the Dagster UI (`make dev`).",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print("\n".join(published_lines(settings)))
    print(summary_text(settings))
    _print_lines(employee_survey_lines(settings))
    return 0


def _print_lines(lines: list[str]) -> None:
    if lines:
        print("\n".join(lines))
