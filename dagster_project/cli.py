"""`nps-warehouse run`: the whole pipeline, in-process, on the configured inbox.

    nps-warehouse run [--no-wait]  materialise every asset and check, publish, print the summary
    nps-warehouse summary          print the summary of the last published build
    nps-warehouse data-docs        build Great Expectations Data Docs from the stored results
    nps-warehouse dbt-vars         print the --vars dbt needs, to run dbt by hand (README)

Exit codes: 0 done; 1 the run failed (the message says where and why); 2 configuration
error; 3 another run holds the warehouse (with --no-wait, or after NPS_LOCK_TIMEOUT);
4 the machine cannot hold the output (read-only or full disk).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from dagster_project.publishing.published import NothingPublished, published_location
from dagster_project.settings import ConfigurationError, Settings

EXIT_FAILED, EXIT_CONFIG, EXIT_BUSY, EXIT_ENVIRONMENT = 1, 2, 3, 4

# What an operating-system error in a failed step means, in plain words.
KNOWN_FAILURES = (
    ("No space left on device", "the disk is full"),
    ("Read-only file system", "the output directory is on a read-only file system"),
    ("Permission denied", "the pipeline may not write to the output directory"),
    ("Disk quota exceeded", "the disk quota is exhausted"),
)


class EnvironmentProblem(RuntimeError):
    """The machine cannot hold the pipeline's output; the message says what to change."""


def _instance():
    import dagster as dg

    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def check_writable(directory: Path, what: str, variable: str, min_free_mb: float) -> None:
    """The directory exists (or can be made), takes a file, and has room."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-check-"):
            pass
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise EnvironmentProblem(
            f"cannot write the {what} to {directory}: {reason}. Set {variable} to a writable location."
        ) from None
    free = shutil.disk_usage(directory).free
    if free < min_free_mb * 1024 * 1024:
        raise EnvironmentProblem(
            f"the disk holding {directory} ({what}) has only {free // (1024 * 1024)} MB free; "
            f"the run needs at least {min_free_mb:g} MB (NPS_MIN_FREE_MB). "
            f"Free space or set {variable} elsewhere."
        )


def preflight(settings: Settings) -> None:
    check_writable(settings.warehouse_path.parent, "warehouse", "NPS_WAREHOUSE", settings.min_free_mb)
    check_writable(settings.lake_dir, "lake", "NPS_LAKE_DIR", settings.min_free_mb)
    if settings.engine == "spark":
        check_writable(settings.spark_dir, "local Spark's tables", "NPS_SPARK_DIR", settings.min_free_mb)
    else:
        published = settings.published_path.parent
        check_writable(published, "published marts", "NPS_PUBLISHED", settings.min_free_mb)


def explain_failure(messages: list[str]) -> str | None:
    text = "\n".join(messages)
    for needle, meaning in KNOWN_FAILURES:
        if needle in text:
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
    """The inbox, configuration and date are those of the last published build: say so and
    print its summary without starting Dagster (see `warehouse/build_state.py`)."""
    from dagster_project.landing.sources import load_sources_config
    from dagster_project.publishing.summary import summary_text
    from dagster_project.warehouse.build_state import BuildFingerprint, last_build, nothing_new

    sources = load_sources_config(settings.sources_config)
    if not nothing_new(settings, BuildFingerprint.now(settings, sources)):
        return False
    last = last_build(settings) or {}
    print(
        f"Nothing new in {settings.raw_dir} since the last build ({last.get('built_at', '?')}, "
        f"{last.get('files', '?')} files): nothing was rebuilt."
    )
    print(f"Published for BI tools and analysts: {published_location(settings)}")
    print(summary_text(settings))
    return True


def run(settings: Settings, wait: bool = True) -> int:
    if nothing_to_do(settings):
        return 0
    from dagster_project.defs import build_definitions
    from dagster_project.landing.pseudonymise import KEY_ENV, KEY_FILE_NAME, load_key
    from dagster_project.publishing.summary import summary_text
    from dagster_project.warehouse.locking import WarehouseBusy, warehouse_lock

    try:
        preflight(settings)
    except EnvironmentProblem as exc:
        print(f"cannot run: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    key_file = settings.secrets_dir / KEY_FILE_NAME
    if not settings.pseudonymisation_key and not key_file.exists():
        load_key(settings.secrets_dir)
        print(f"Generated a local pseudonymisation key in {key_file} (set {KEY_ENV} to use your own).")

    print(
        f"Inbox {settings.raw_dir} -> warehouse {settings.warehouse_path}; "
        f"marts built on {settings.engine} (dbt target {settings.dbt_target})"
    )
    defs = build_definitions(settings)
    job = defs.resolve_job_def("nps_pipeline")
    log_path = settings.warehouse_path.parent / "logs" / "last_run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # dbt's own progress lines go to the log file; Dagster warnings and errors stay on screen.
        with (
            warehouse_lock(
                settings.warehouse_path,
                wait=wait,
                timeout=settings.lock_timeout_seconds,
                on_wait=lambda m: print(m, file=sys.stderr, flush=True),
            ),
            log_path.open("w") as log,
            contextlib.redirect_stdout(log),
        ):
            result = job.execute_in_process(
                instance=_instance(),
                raise_on_error=False,
                # The console shows warnings and errors; the full log is in the Dagster UI.
                run_config={"loggers": {"console": {"config": {"log_level": settings.log_level}}}},
            )
    except WarehouseBusy as exc:
        print(f"not run: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT):
            print(f"the run stopped: {os.strerror(exc.errno)} ({exc.filename or ''})", file=sys.stderr)
            return EXIT_ENVIRONMENT
        raise
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
    print(f"Published for BI tools and analysts: {published_location(settings)}")
    print(summary_text(settings))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nps-warehouse", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run", "summary", "data-docs", "dbt-vars"])
    parser.add_argument(
        "--no-wait", action="store_true", help="stop at once if another run holds the warehouse"
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "run":
            from dagster_project.landing.sources import load_sources_config
            from dagster_project.survey_catalogue import load_survey_catalogue

            load_sources_config(settings.sources_config)  # fail fast, before any work
            load_survey_catalogue(settings.surveys_config)
    except ConfigurationError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if args.command == "dbt-vars":
        try:
            print(json.dumps(settings.dbt_vars()))
        except ConfigurationError as exc:
            print(f"configuration error: {exc}", file=sys.stderr)
            return EXIT_CONFIG
        return 0
    if args.command == "summary":
        from dagster_project.publishing.summary import summary_text

        try:
            print(summary_text(settings))
        except NothingPublished as exc:
            print(f"no summary: {exc}", file=sys.stderr)
            return EXIT_FAILED
        return 0
    if args.command == "data-docs":
        from dagster_project.validation.gx import GxValidator

        sites = GxValidator(settings.gx_results_dir).context.build_data_docs()
        for url in sites.values():
            print(f"Data Docs: {url}")
        return 0
    return run(settings, wait=not args.no_wait)


if __name__ == "__main__":
    sys.exit(main())
