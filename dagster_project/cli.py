"""`nps-warehouse`: the pipeline and what operators ask of it (`nps-warehouse --help`).

    nps-warehouse run [--no-wait] [--progress auto|bar|lines|none]
                                   materialise every asset and check, publish, report, print the summary
    nps-warehouse status           the last run, its outcome, files, quarantine, published version
    nps-warehouse summary [--grain G] [--since YYYY-MM] [--segment S]
                                   print the summary of the last published build
    nps-warehouse report           write the HTML report of the published marts again
    nps-warehouse data-docs        prune old GX results (NPS_GX_KEEP_DAYS), build Data Docs
    nps-warehouse dbt-vars         print the --vars dbt needs, to run dbt by hand (docs/configuration.md)
    nps-warehouse alerts [--status S] [--retry-dead] [--send]
                                   the detractor alerts' outbox (dagster_project/alerts/)

Exit codes: 0 done; 1 the run failed (the message says where and why); 2 configuration
error; 3 another run holds the warehouse (with --no-wait, or after NPS_LOCK_TIMEOUT);
4 the machine cannot hold the output (read-only or full disk).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from dagster_project.audiences import load_audiences
from dagster_project.publishing.published import NothingPublished, published_lines, published_location
from dagster_project.settings import DBT_PROJECT_DIR, ConfigurationError, Settings

EXIT_FAILED, EXIT_CONFIG, EXIT_BUSY, EXIT_ENVIRONMENT = 1, 2, 3, 4

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


def check_key(settings: Settings) -> None:
    """Before anything runs: the pseudonymisation key is the one the warehouse was built with
    (landing/key_record.py; the landing step checks again under the lock). A warehouse
    another run holds is checked by that step."""
    import duckdb

    from dagster_project.landing.key_record import warehouse_key
    from dagster_project.warehouse.connection import connect

    if not settings.warehouse_path.exists():
        return
    try:
        with connect(
            settings.warehouse_path, read_only=True, memory_limit=settings.duckdb_memory_limit, lock_timeout=0
        ) as con:
            warehouse_key(con, settings.secrets_dir, settings.pseudonymisation_key, record=False)
    except duckdb.IOException:
        return  # held by another run


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
    instance = _instance()
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
    return 0


ENVIRONMENT_HELP = """\
environment (docs/configuration.md; defaults in brackets):
  NPS_RAW_DIR [data/raw]                the inbox
  NPS_WAREHOUSE [data/warehouse/nps.duckdb]   the pipeline's private DuckDB file
  NPS_PUBLISHED [next to the warehouse]  the read-only file BI tools open; report/ beside it
  NPS_ENGINE [duckdb]                   duckdb or spark;  NPS_DBT_TARGET: another dbt target
  NPS_REPORTING_TZ [Europe/Stockholm]   the time zone that decides a response's date
  NPS_SOURCES_CONFIG, NPS_SURVEYS_CONFIG   the inbox's sources and the survey catalogue
  NPS_AUDIENCES_CONFIG [config/audiences.yml]   who reads which published file (HR: eNPS)
  NPS_DUCKDB_MEMORY_LIMIT [1GB], NPS_LOCK_TIMEOUT [3600], NPS_GX_KEEP_DAYS [30], NPS_LOG_LEVEL

exit codes: 0 done; 1 failed (the message says where and why); 2 configuration error;
3 another run holds the warehouse; 4 the machine cannot hold the output (disk, permissions)
"""

COMMANDS = {
    "run": "land, validate and model the inbox, publish the marts, write the report, print the summary",
    "status": "the last run and its outcome, the files and quarantined rows, the published version",
    "summary": "the summary of the last published build (periods, a segment, a start date; "
    "--audience hr: eNPS)",
    "report": "write each audience's HTML report of its published file again (report/index.html beside it)",
    "metrics": "query the dbt semantic layer (MetricFlow `mf`) on the published file: "
    "nps-warehouse metrics query --metrics nps --group-by metric_time__month,response__programme",
    "data-docs": "build Great Expectations Data Docs from the stored validation results",
    "dbt-vars": "print the --vars dbt needs, to run dbt by hand (docs/configuration.md)",
    "alerts": "the detractor alerts: pending, sent and dead; --retry-dead, --send (config/alerts.yml)",
    "serve": "receive answers from survey tools' signed webhooks into the inbox (NPS_SERVE_HOST/PORT)",
}


def _month_or_date(text: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%Y-%m"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD) or a month (YYYY-MM)")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="nps-warehouse",
        description="nps-warehouse: Net Promoter Score survey exports in an inbox -> validated "
        "(Great Expectations) -> modelled (dbt on DuckDB or Spark) -> published marts and a report.",
        epilog=ENVIRONMENT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="command")
    for name, text in COMMANDS.items():
        command = commands.add_parser(
            name,
            help=text,
            description=text[0].upper() + text[1:] + ".",
            epilog=ENVIRONMENT_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if name == "run":
            command.add_argument(
                "--no-wait",
                action="store_true",
                help="stop at once (exit 3) if another run holds the warehouse",
            )
            command.add_argument(
                "--progress",
                choices=["auto", "bar", "lines", "none"],
                default="auto",
                help="live progress: a bar on a terminal, plain lines otherwise (auto)",
            )
        if name == "alerts":
            from dagster_project.alerts.command import add_arguments

            add_arguments(command)
        if name == "metrics":
            command.add_argument("mf_args", nargs=argparse.REMAINDER, help="arguments of `mf` (mf --help)")
        if name == "summary":
            from dagster_project.publishing.summary import GRAINS

            command.add_argument("--grain", choices=GRAINS, default="month", help="the periods shown (month)")
            command.add_argument(
                "--since",
                type=_month_or_date,
                help="every period from this date or month on (YYYY-MM[-DD]); default: the last 6",
            )
            command.add_argument("--segment", help="NPS by this segment's values too (region, product, ...)")
        if name in ("summary", "report"):
            command.add_argument(
                "--audience",
                help="whose file to read (config/audiences.yml; default: the default audience's)",
            )
    return top


def status_text(settings: Settings) -> str:
    """The last run (Dagster's record), the last published build, its files and rows."""
    from dagster_project.publishing.published import published_marts
    from dagster_project.warehouse.build_state import last_build

    lines = []
    if os.environ.get("DAGSTER_HOME"):
        runs = _instance().get_runs(limit=1)
        if runs:
            run = runs[0]
            record = _instance().get_run_record_by_id(run.run_id)
            when = record.end_time or record.start_time if record else None
            at = dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if when else "?"
            lines.append(f"Last run: {run.status.value} at {at} (run id {run.run_id}, job {run.job_name})")
        else:
            lines.append("Last run: none recorded in DAGSTER_HOME")
    last = last_build(settings)
    if not last:
        lines.append(f"Published: nothing yet (inbox {settings.raw_dir}); run `nps-warehouse run`")
        return "\n".join(lines)
    lines.append(
        f"Published: version {last.get('published_version')} built {last.get('built_at')} "
        f"from {last.get('files')} inbox files -> {published_location(settings)}"
    )
    lines += published_lines(settings)[1:]
    with published_marts(settings) as con:
        files, rejected, valid, quarantined, excluded, unreconciled = con.execute(
            """select count(*), count(rejected_reason), sum(valid_rows), sum(quarantined_rows),
                      sum(excluded_rows), count(*) filter (where not coalesce(reconciles, false))
               from marts.file_loads where not is_replaced"""
        ).fetchall()[0]
        reasons = con.execute(
            """select kind, reason, count(*) from marts.quarantined_rows
               group by kind, reason order by 3 desc, 1, 2 limit 5"""
        ).fetchall()
    lines.append(
        f"Files in use: {files} ({rejected} rejected whole, {unreconciled} not reconciled); rows valid: "
        f"{valid or 0}, quarantined: {quarantined or 0}, excluded: {excluded or 0}"
    )
    lines += [f"  quarantined {kind}: {count} x {reason}" for kind, reason, count in reasons]
    index = load_audiences(settings.audiences_config).default.report_dir(settings) / "index.html"
    lines.append(f"Report: {index}" if index.exists() else "Report: not written yet (nps-warehouse report)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "run":
            from dagster_project.alerts.config import load_alerts_config
            from dagster_project.landing.sources import load_sources_config
            from dagster_project.survey_catalogue import load_survey_catalogue

            load_sources_config(settings.sources_config)  # fail fast, before any work
            load_survey_catalogue(settings.surveys_config)
            load_alerts_config(settings.alerts_config)
        audiences = load_audiences(settings.audiences_config)
        audience = audiences.named(args.audience) if getattr(args, "audience", None) else audiences.default
    except KeyError as exc:
        print(f"configuration error: {exc.args[0]}", file=sys.stderr)
        return EXIT_CONFIG
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
        from dagster_project.publishing.hr_summary import hr_summary_text
        from dagster_project.publishing.summary import summary_text

        try:
            if audience.is_employee:
                print(hr_summary_text(settings, audience))
            else:
                print(summary_text(settings, grain=args.grain, since=args.since, segment=args.segment))
        except PermissionError as exc:
            print(
                f"no summary: audience {audience.name}'s file is not readable for you ({exc})",
                file=sys.stderr,
            )
            return EXIT_FAILED
        except NothingPublished as exc:
            print(f"no summary: {exc}", file=sys.stderr)
            return EXIT_FAILED
        except ValueError as exc:
            print(f"summary: {exc}", file=sys.stderr)
            return EXIT_CONFIG
        except duckdb_errors() as exc:
            print(f"no summary: nothing published at {published_location(settings)} ({exc})", file=sys.stderr)
            return EXIT_FAILED
        return 0
    if args.command == "status":
        try:
            print(status_text(settings))
        except (NothingPublished, *duckdb_errors()) as exc:
            print(f"status: the published marts cannot be read: {exc}", file=sys.stderr)
            return EXIT_FAILED
        return 0
    if args.command == "report":
        from dagster_project.report.page import write_report

        chosen = [audience] if args.audience else list(audiences.audiences)
        for each in chosen:
            try:
                report = write_report(settings, each)
            except (NothingPublished, *duckdb_errors()) as exc:
                print(f"no report for {each.name}: nothing published to report on ({exc})", file=sys.stderr)
                return EXIT_FAILED
            print(
                f"Report for {each.name} ({report.sections} sections, {report.charts} charts): {report.index}"
            )
        return 0
    if args.command == "metrics":
        return metrics(settings, args.mf_args)
    if args.command == "alerts":
        from dagster_project.alerts.command import alerts_command

        try:
            return alerts_command(settings, args)
        except ConfigurationError as exc:
            print(f"configuration error: {exc}", file=sys.stderr)
            return EXIT_CONFIG
    if args.command == "serve":
        from dagster_project.webhooks.command import serve

        return serve(settings)
    if args.command == "data-docs":
        from dagster_project.validation.retention import prune_and_rebuild

        pruned, sites = prune_and_rebuild(settings.gx_results_dir, settings.gx_keep_days, rebuild=True)
        if pruned:
            print(f"Removed {pruned} validation results older than {settings.gx_keep_days:g} days")
        for url in sites.values():
            print(f"Data Docs: {url}")
        return 0
    return run(settings, wait=not args.no_wait, progress=args.progress)


def metrics_environment(settings: Settings) -> dict[str, str]:
    """What `mf` needs to read the published file (dbt/profiles.yml, target `metrics`)."""
    return {
        **os.environ,
        "NPS_DBT_PROFILE_TARGET": "metrics",
        "NPS_METRICS_PUBLISHED": str(settings.published_path),
        "NPS_METRICS_DATABASE": settings.warehouse_path.stem,
        "NPS_METRICS_MEMORY_LIMIT": settings.duckdb_memory_limit,
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
    }


def metrics(settings: Settings, mf_args: list[str]) -> int:
    """`mf` in the dbt project on the published marts (DuckDB only; on Spark, MetricFlow
    needs a dbt Semantic Layer connection to the cluster)."""
    import subprocess

    if settings.engine == "spark":
        print("metrics: on Spark, query the marts through the Thrift server (docs/spark.md)", file=sys.stderr)
        return EXIT_CONFIG
    if not settings.published_path.exists():
        print(f"metrics: nothing published at {settings.published_path} (nps-warehouse run)", file=sys.stderr)
        return EXIT_FAILED
    mf = Path(sys.executable).with_name("mf")
    completed = subprocess.run(
        [str(mf), *(mf_args or ["--help"])],
        cwd=DBT_PROJECT_DIR,
        env=metrics_environment(settings),
        check=False,
    )
    return completed.returncode


def duckdb_errors() -> tuple[type[Exception], ...]:
    import duckdb

    return (duckdb.IOException, duckdb.CatalogException)


if __name__ == "__main__":
    sys.exit(main())
