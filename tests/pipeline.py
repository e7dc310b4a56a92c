"""Running the real Dagster job in-process against a temporary warehouse."""

from __future__ import annotations

import dataclasses

import dagster as dg

from dagster_project.defs import build_definitions
from dagster_project.landing.pseudonymise import PseudonymKey
from dagster_project.settings import Settings

TEST_KEY = "test-pseudonymisation-key"
# The key lib-level tests land with (the same secret as the pipeline tests use).
LANDING_KEY = PseudonymKey.from_secret(TEST_KEY.encode(), "tests")


def run_pipeline(
    settings: Settings, selection: dg.AssetSelection | None = None, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    """Execute the `nps_pipeline` job (or a selection) with a fixed pseudonymisation key, on
    an ephemeral Dagster instance unless given one."""
    if settings.pseudonymisation_key is None:
        settings = dataclasses.replace(settings, pseudonymisation_key=TEST_KEY)
    defs = build_definitions(settings)
    if selection is None:
        job = defs.resolve_job_def("nps_pipeline")
    else:
        job = dg.Definitions.merge(
            defs, dg.Definitions(jobs=[dg.define_asset_job("selected", selection=selection)])
        ).resolve_job_def("selected")
    # Dagster's console logger at WARNING, as `nps-warehouse run` sets it (NPS_LOG_LEVEL): every
    # event is still in the run's result and instance, not written to the console too.
    return job.execute_in_process(
        instance=instance or dg.DagsterInstance.ephemeral(),
        run_config={"loggers": {"console": {"config": {"log_level": settings.log_level}}}},
        raise_on_error=False,
    )
