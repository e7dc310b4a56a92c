"""The lake: the validated rows as Parquet, what dbt builds from on every engine."""

import dagster as dg

from dagster_project.defs.alerts.assets import OUTBOX_KEY
from dagster_project.defs.ingest.assets import LANDED_FILES
from dagster_project.defs.resources import Warehouse
from dagster_project.lake.export import sync_lake
from dagster_project.lake.layout import LAKE_TABLES
from dagster_project.row_kinds import ROW_KINDS
from dagster_project.warehouse.connection import WRITER_POOL

_VALIDATED = [
    dg.AssetKey(["validated", name])
    for kind in ROW_KINDS
    for name in (kind.name, f"{kind.name}_segments", f"{kind.name}_quarantine")
]


def lake_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["lake", table])


@dg.multi_asset(
    name="export_lake",
    specs=[
        dg.AssetSpec(
            lake_key(table.name),
            # after the alerts: they go out before the marts are built
            deps=[*_VALIDATED, LANDED_FILES, OUTBOX_KEY],
            group_name="lake",
            kinds={"parquet"},
            description=(
                f"`{table.name}` in the lake (NPS_LAKE_DIR): "
                + ("Parquet, one folder per landed file." if table.by_file else "one Parquet file.")
            ),
        )
        for table in LAKE_TABLES
    ],
    pool=WRITER_POOL,
    description=(
        "Write the validated rows (pseudonymised, redacted) and their bookkeeping to the lake "
        "as Parquet: the folders of files whose verdicts changed are rewritten, those of replaced "
        "files removed, every other folder is left alone. dbt reads the lake on DuckDB and Spark "
        "alike. Runs only when the validation checks passed."
    ),
)
def export_lake(context: dg.AssetExecutionContext, warehouse: Warehouse):
    lake_dir = warehouse.settings.lake_dir
    with warehouse.connect(log=context.log) as con:
        sync = sync_lake(con, lake_dir)
    context.log.info(f"lake {lake_dir}: {sync.files_written} file(s) written, {sync.files_removed} removed")
    for table in LAKE_TABLES:
        yield dg.MaterializeResult(
            asset_key=lake_key(table.name),
            metadata={
                "path": dg.MetadataValue.path(str(lake_dir / table.name)),
                "rows_written": sync.rows_written[table.name],
            },
        )
