"""Exit codes of `nps-warehouse`, and the errors that mean nothing is published to read.

0 done; 1 the run failed (the message says where and why); 2 configuration error; 3 another
run holds the warehouse (with --no-wait, or after NPS_LOCK_TIMEOUT); 4 the machine cannot
hold the output (read-only or full disk).
"""

from __future__ import annotations

EXIT_FAILED, EXIT_CONFIG, EXIT_BUSY, EXIT_ENVIRONMENT = 1, 2, 3, 4


def duckdb_errors() -> tuple[type[Exception], ...]:
    """What reading a published file that is missing or damaged raises."""
    import duckdb

    return (duckdb.IOException, duckdb.CatalogException)


def dagster_instance():
    """The Dagster instance in DAGSTER_HOME (run history), else an ephemeral one."""
    import os

    import dagster as dg

    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()
