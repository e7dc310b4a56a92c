"""Publishing the marts for readers, after a successful build only."""

import json

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.defs.resources import Warehouse
from dagster_project.publishing.publish import PUBLISHED_SCHEMAS, publish
from dagster_project.publishing.spark import publish_on_spark
from dagster_project.settings import DBT_PROJECT_DIR
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
        kinds={"duckdb", "spark"},
        description=(
            "The marts and reference tables for readers, after a successful build only. DuckDB: "
            "copied into a separate DuckDB file (NPS_PUBLISHED) that replaces the previous one "
            "atomically; BI tools open it, never the pipeline's own. Spark: copied into a new "
            "versioned database, then the readers' views `marts.*` swapped to it."
        ),
    )
    def published_nps_marts(context: dg.AssetExecutionContext, warehouse: Warehouse, dbt: DbtCliResource):
        settings = warehouse.settings
        tables = {".".join(key.path) for key in readable}
        with warehouse.writing(context.log):
            if settings.engine == "spark":

                def run_dbt(args: list[str]) -> None:
                    vars_ = json.dumps(settings.dbt_vars())
                    target_path = (
                        settings.warehouse_path.parent / "dbt_target" / f"{settings.dbt_target}-publish"
                    )
                    dbt.cli(
                        [*args, "--target", settings.dbt_target, "--vars", vars_], target_path=target_path
                    ).wait()

                publication = publish_on_spark(run_dbt, settings, tables, context.run_id)
            else:
                publication = publish(
                    settings.warehouse_path,
                    settings.published_path,
                    context.run_id,
                    memory_limit=settings.duckdb_memory_limit,
                    spill_dir=settings.spill_dir,
                    only=tables,
                )
        promote_pending(settings, context.run_id, publication.version)
        how = "rows of changed files only" if publication.incremental else "everything copied"
        context.log.info(f"published version {publication.version} to {publication.path} ({how})")
        return dg.MaterializeResult(
            metadata={
                "engine": settings.engine,
                "path": dg.MetadataValue.path(str(publication.path)),
                "version": publication.version,
                "size_bytes": publication.size_bytes,
                "tables": len(publication.tables),
                "incremental": publication.incremental,
                "rows": dg.MetadataValue.json(publication.tables),
                # Where to read about the data: GX's Data Docs (make data-docs) and dbt's
                # docs (make dbt-docs), both static files.
                "gx_data_docs": dg.MetadataValue.url(
                    (settings.gx_results_dir / "data_docs" / "local_site" / "index.html").as_uri()
                ),
                "dbt_docs": dg.MetadataValue.url((DBT_PROJECT_DIR / "target" / "static_index.html").as_uri()),
                "report": dg.MetadataValue.url(
                    (settings.published_path.parent / "report" / "index.html").as_uri()
                ),
            }
        )

    return published_nps_marts


REPORT = dg.AssetKey(["published", "nps_report"])


@dg.asset(
    key=REPORT,
    group_name="publish",
    deps=[PUBLISHED],
    kinds={"html"},
    # It reads only the published file, but runs in the pool like every step of a run, so
    # that it never reads a publication mid-way through another run.
    pool=WRITER_POOL,
    description=(
        "The static HTML report of the published marts (report/index.html and report/enps.html "
        "next to the published file): NPS trends with intervals, touchpoints, what moved NPS, "
        "segments, channels, alerts, the response funnel, closing the loop, themes; eNPS apart. "
        "Self-contained (Vega scripts inlined): it opens offline."
    ),
)
def nps_report(context: dg.AssetExecutionContext, warehouse: Warehouse):
    from dagster_project.report.page import write_report

    report = write_report(warehouse.settings)
    context.log.info(f"report of version {report.version}: {report.index}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(report.index)),
            "url": dg.MetadataValue.url(report.index.as_uri()),
            "pages": len(report.pages),
            "sections": report.sections,
            "charts": report.charts,
            "published_version": report.version,
        }
    )
