"""Every file in use can be used: a file rejected as a whole is reported, with its reason.

Not blocking: the other files' rows go on to the marts; the rejected file's rows are in
quarantine (`marts.quarantined_rows`, reason "file rejected: ...").
"""

import dagster as dg

from dagster_project.defs.ingest.assets import LANDED_FILES
from dagster_project.defs.metadata import markdown_table
from dagster_project.defs.resources import Warehouse
from dagster_project.landing import ledger
from dagster_project.warehouse.connection import WRITER_POOL


@dg.asset_check(
    asset=LANDED_FILES,
    name="files_usable",
    pool=WRITER_POOL,
    description="No file in use was rejected as a whole (empty, unreadable, another scale, ...).",
)
def files_usable(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        rejected = ledger.rejected_live_files(con)
        in_use = ledger.live_file_count(con)
    return dg.AssetCheckResult(
        passed=not rejected,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{len(rejected)} of {in_use} files rejected: "
            + "; ".join(f"{path}: {reason}" for path, _, reason, _ in rejected)
            if rejected
            else f"all {in_use} files usable"
        ),
        metadata={
            "files_in_use": in_use,
            "rejected_files": [path for path, *_ in rejected],
            "rejected": markdown_table(
                ("file", "source", "rows quarantined", "reason"),
                [(path, source, rows, reason) for path, source, reason, rows in rejected],
            ),
        },
    )
