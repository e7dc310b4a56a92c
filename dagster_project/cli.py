"""`nps-warehouse run`: the whole pipeline, in-process, on the configured inbox.

nps-warehouse run        materialise every asset and check, then print the summary
nps-warehouse summary    print the summary of the last build
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from dagster_project.settings import ConfigurationError, Settings

# The console shows warnings and errors; the full log is in the Dagster UI (`make dev`).
QUIET_LOG_LEVEL = os.environ.get("NPS_LOG_LEVEL", "WARNING")


def _instance():
    import dagster as dg

    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def run(settings: Settings) -> int:
    from dagster_project.defs import build_definitions
    from dagster_project.lib.pseudonymise import KEY_ENV, KEY_FILE_NAME, load_key
    from dagster_project.lib.summary import summary_text

    os.environ.update(settings.environment_for_tools())
    key_file = settings.secrets_dir / KEY_FILE_NAME
    if not os.environ.get(KEY_ENV) and not key_file.exists():
        load_key(settings.secrets_dir)
        print(f"Generated a local pseudonymisation key in {key_file} (set {KEY_ENV} to use your own).")

    print(f"Inbox {settings.raw_dir} -> warehouse {settings.warehouse_path}")
    defs = build_definitions(settings)
    job = defs.resolve_job_def("nps_pipeline")
    log_path = settings.warehouse_path.parent / "logs" / "last_run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # dbt's own progress lines go to the log file; Dagster warnings and errors stay on screen.
    with log_path.open("w") as log, contextlib.redirect_stdout(log):
        result = job.execute_in_process(
            instance=_instance(),
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": QUIET_LOG_LEVEL}}}},
        )
    print(f"dbt log of this run: {log_path}")
    failed_checks = [check for check in result.get_asset_check_evaluations() if not check.passed]
    for check in failed_checks:
        print(
            f"check {check.asset_key.to_user_string()}:{check.check_name} "
            f"({check.severity.value}): {check.description}"
        )
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        print(
            f"The run failed (run id {result.run_id}) in: {', '.join(failed) or 'see logs'}",
            file=sys.stderr,
        )
        return 1
    print(summary_text(settings.warehouse_path))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nps-warehouse", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run", "summary", "data-docs"])
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "run":
            from dagster_project.lib.source_config import load_sources_config

            load_sources_config(settings.sources_config)  # fail fast, before any work
    except ConfigurationError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "summary":
        from dagster_project.lib.summary import summary_text

        print(summary_text(settings.warehouse_path))
        return 0
    if args.command == "data-docs":
        from dagster_project.lib.gx_validation import GxValidator

        sites = GxValidator(settings.gx_results_dir).context.build_data_docs()
        for url in sites.values():
            print(f"Data Docs: {url}")
        return 0
    return run(settings)


if __name__ == "__main__":
    sys.exit(main())
