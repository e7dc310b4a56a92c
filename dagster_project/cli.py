"""`nps-warehouse`: the pipeline and what operators ask of it (`nps-warehouse --help`).

    nps-warehouse run [--no-wait] [--progress auto|bar|lines|none]
                                   materialise every asset and check, publish, report, print the summary
    nps-warehouse status           the last run, its outcome, files, quarantine, published version
    nps-warehouse summary [--grain G] [--since YYYY-MM] [--segment S]
                                   print the summary of the last published build
    nps-warehouse report           write the HTML report of the published marts again
    nps-warehouse data-docs        prune old GX results (NPS_GX_KEEP_DAYS), build Data Docs
    nps-warehouse dbt-vars         print the --vars dbt needs, to run dbt by hand (docs/configuration.md)
    nps-warehouse dbt-target       print the dbt target the pipeline builds with (NPS_ENGINE, NPS_DBT_TARGET)
    nps-warehouse surveys          every survey id seen; entries for config/surveys.yml
    nps-warehouse alerts [--status S] [--retry-dead] [--send]
                                   the detractor alerts' outbox (dagster_project/alerts/)

Exit codes: 0 done; 1 the run failed (the message says where and why); 2 configuration
error; 3 another run holds the warehouse (with --no-wait, or after NPS_LOCK_TIMEOUT);
4 the machine cannot hold the output (read-only or full disk).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from dagster_project.audiences import load_audiences
from dagster_project.commands.metrics import metrics
from dagster_project.commands.outcomes import EXIT_CONFIG, EXIT_FAILED, duckdb_errors
from dagster_project.commands.run import run
from dagster_project.commands.status import status_text
from dagster_project.config_files import ConfigurationError
from dagster_project.publishing.published import NothingPublished, published_location
from dagster_project.settings import Settings

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
    "dbt-target": "print the dbt target the pipeline builds with (NPS_ENGINE, NPS_DBT_TARGET)",
    "alerts": "the detractor alerts: pending, sent and dead; --retry-dead, --send (config/alerts.yml)",
    "serve": "receive answers from survey tools' signed webhooks into the inbox (NPS_SERVE_HOST/PORT)",
    "surveys": "every survey id seen: programme, answers, first and last; the config/surveys.yml "
    "entries of those not catalogued yet",
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
    if args.command == "dbt-target":
        print(settings.dbt_target)
        return 0
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
    if args.command == "surveys":
        from dagster_project.commands.surveys import surveys_command

        return surveys_command(settings)
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


if __name__ == "__main__":
    sys.exit(main())
