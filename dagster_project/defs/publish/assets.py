"""Publishing the marts for readers, after a successful build only."""

import dagster as dg

from dagster_project.defs.resources import Warehouse
from dagster_project.publishing.publish import PUBLISHED_SCHEMAS, publish
from dagster_project.warehouse.build_state import promote_pending
from dagster_project.warehouse.connection import WRITER_POOL

PUBLISHED = dg.AssetKey(["published", "nps_marts"])


def build_publish_asset(dbt_assets: dg.AssetsDefinition) -> dg.AssetsDefinition:
    readable = [key for key in dbt_assets.keys if key.path[0] in PUBLISHED_SCHEMAS]

    @dg.asset(
        key=PUBLISHED,
        group_name="publish",
        deps=readable,
        pool=WRITER_POOL,
        kinds={"duckdb"},
        description=(
            "The marts and reference tables, copied into a separate DuckDB file (NPS_PUBLISHED) "
            "that replaces the previous one atomically. BI tools and analysts open this file, "
            "never the pipeline's own. Runs only when everything upstream succeeded."
        ),
    )
    def published_nps_marts(context: dg.AssetExecutionContext, warehouse: Warehouse):
        settings = warehouse.settings
        with warehouse.writing(context.log):
            publication = publish(
                settings.warehouse_path,
                settings.published_path,
                context.run_id,
                memory_limit=settings.duckdb_memory_limit,
                spill_dir=settings.spill_dir,
                only={".".join(key.path) for key in readable},
            )
        promote_pending(settings, context.run_id, publication.version)
        how = "rows of changed files only" if publication.incremental else "everything copied"
        context.log.info(f"published version {publication.version} to {publication.path} ({how})")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(publication.path)),
                "version": publication.version,
                "size_bytes": publication.size_bytes,
                "tables": len(publication.tables),
                "incremental": publication.incremental,
                "rows": dg.MetadataValue.json(publication.tables),
            }
        )

    return published_nps_marts
