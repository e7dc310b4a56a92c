"""Publishing the marts for readers, after a successful build only: one asset per audience
(config/audiences.yml), each writing that audience's own file."""

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.audiences import Audience, Audiences
from dagster_project.defs.resources import Warehouse
from dagster_project.defs.transform.project import target_and_vars
from dagster_project.publishing.publish import publish
from dagster_project.publishing.spark import publish_audience_from_spark, publish_on_spark
from dagster_project.settings import DBT_PROJECT_DIR, Settings
from dagster_project.warehouse.build_clock import next_change_at
from dagster_project.warehouse.build_state import promote_pending
from dagster_project.warehouse.connection import WRITER_POOL
from dagster_project.warehouse.dbt_watermark import clock_next_changes_at

PUBLISHED = dg.AssetKey(["published", "nps_marts"])


def published_key(audience: Audience) -> dg.AssetKey:
    """The default audience's publication is `published/nps_marts`; another's
    `published/<name>_marts`."""
    return PUBLISHED if audience.default else dg.AssetKey(["published", f"{audience.name}_marts"])


def build_publish_assets(dbt_assets: dg.AssetsDefinition, audiences: Audiences) -> list[dg.AssetsDefinition]:
    return [_publish_asset(dbt_assets, audience, audiences) for audience in audiences.audiences]


def _dbt_runner(settings: Settings, dbt: DbtCliResource):
    def run_dbt(args: list[str]) -> None:
        target_path = settings.warehouse_path.parent / "dbt_target" / f"{settings.dbt_target}-publish"
        dbt.cli([*args, *target_and_vars(settings)], target_path=target_path).wait()

    return run_dbt


def _record_build(context: dg.AssetExecutionContext, warehouse, version: str) -> bool:
    """This run's build is the last build, current until the clock next changes a verdict;
    False (and a warning) when another run's build superseded it: the next run builds again."""
    settings = warehouse.settings
    with warehouse.connect(read_only=True, log=context.log) as con:
        # the moment the dbt build of these marts recorded (computed once, by the dbt asset)
        until = clock_next_changes_at(con, settings.dbt_target) or next_change_at(con, settings.reporting_tz)
    if promote_pending(settings, context.run_id, version, until):
        context.log.info(f"build recorded; the clock alone changes a verdict at {until.isoformat()}")
        return True
    context.log.warning(
        "published, but not recorded as the last build: another run started landing since "
        "(its own publication records it); the next run builds again"
    )
    return False


def _publish_asset(
    dbt_assets: dg.AssetsDefinition, audience: Audience, audiences: Audiences
) -> dg.AssetsDefinition:
    readable = [key for key in dbt_assets.keys if key.path[0] in audience.schemas]
    # The default audience publishes last: its publication records the build as done
    # (promote_pending), so a run whose other publications failed is not taken as current.
    others = [published_key(a) for a in audiences.audiences if not a.default] if audience.default else []

    @dg.asset(
        key=published_key(audience),
        group_name="publish",
        deps=readable + others,
        pool=WRITER_POOL,
        kinds={"duckdb", "spark"},
        description=(
            f"What audience `{audience.name}` reads ({audience.description}): its schemas "
            f"({', '.join(audience.schemas)}) and programmes ({', '.join(audience.programmes)}), after a "
            "successful build only, in a file of its own that replaces the previous one atomically "
            "(read-only, the audience's permissions); readers never open the pipeline's own file. "
            + (
                "On Spark: copied into a new versioned database, then the readers' views swapped to it."
                if audience.default
                else "On Spark: exported from the build and written as a DuckDB file the same way."
            )
        ),
    )
    def _published(context: dg.AssetExecutionContext, warehouse: Warehouse, dbt: DbtCliResource):
        settings = warehouse.settings
        tables = {".".join(key.path) for key in readable}
        with warehouse.writing(context.log):
            if settings.engine == "spark" and audience.default:
                publication = publish_on_spark(
                    _dbt_runner(settings, dbt), settings, tables, context.run_id, audience
                )
            elif settings.engine == "spark":
                publication = publish_audience_from_spark(
                    _dbt_runner(settings, dbt), settings, audience, tables, context.run_id
                )
            else:
                publication = publish(
                    settings.warehouse_path,
                    audience.published_path(settings),
                    context.run_id,
                    memory_limit=settings.duckdb_memory_limit,
                    spill_dir=settings.spill_dir,
                    only=tables,
                    audience=audience,
                    target=settings.dbt_target,
                )
            # Recorded under the same lock: no other run lands between the swap and the record.
            recorded = audience.default and _record_build(context, warehouse, publication.version)
        how = "rows of changed files only" if publication.incremental else "everything copied"
        if publication.copied_whole_because:
            how += f": the increment was not used, {publication.copied_whole_because}"
        context.log.info(f"published version {publication.version} to {publication.path} ({how})")
        return dg.MaterializeResult(
            metadata={
                "engine": settings.engine,
                "audience": audience.name,
                "path": dg.MetadataValue.path(str(publication.path)),
                "version": publication.version,
                "size_bytes": publication.size_bytes,
                "tables": len(publication.tables),
                "incremental": publication.incremental,
                "kept_as_published": dg.MetadataValue.json(sorted(publication.kept)),
                "recorded_as_last_build": recorded,
                "rows": dg.MetadataValue.json(publication.tables),
                # Where to read about the data: GX's Data Docs (make data-docs) and dbt's
                # docs (make dbt-docs), both static files.
                "gx_data_docs": dg.MetadataValue.url(
                    (settings.gx_results_dir / "data_docs" / "local_site" / "index.html").as_uri()
                ),
                "dbt_docs": dg.MetadataValue.url((DBT_PROJECT_DIR / "target" / "static_index.html").as_uri()),
                "report": dg.MetadataValue.url((audience.report_dir(settings) / "index.html").as_uri()),
            }
        )

    return _published


REPORT = dg.AssetKey(["published", "nps_report"])


def build_report_asset(audiences: Audiences) -> dg.AssetsDefinition:
    @dg.asset(
        key=REPORT,
        group_name="publish",
        deps=[published_key(audience) for audience in audiences.audiences],
        kinds={"html"},
        # It reads only the published files, but runs in the pool like every step of a run, so
        # that it never reads a publication mid-way through another run.
        pool=WRITER_POOL,
        description=(
            "The static HTML report of each audience's published file, in `report/` beside it: "
            "customers' NPS trends with intervals, touchpoints, what moved NPS, segments, channels, "
            "alerts, the response funnel, closing the loop, themes; HR's k-anonymous eNPS in HR's "
            "folder only. Self-contained (Vega scripts inlined): it opens offline."
        ),
    )
    def nps_report(context: dg.AssetExecutionContext, warehouse: Warehouse):
        from dagster_project.report.page import write_report

        reports = [write_report(warehouse.settings, audience) for audience in audiences.audiences]
        for report in reports:
            context.log.info(f"report of version {report.version}: {report.index}")
        default = reports[[a.default for a in audiences.audiences].index(True)]
        return dg.MaterializeResult(
            metadata={
                # the default audience's report; the others' are only named (their folders are
                # their audience's: Dagster's users need not be HR)
                "path": dg.MetadataValue.path(str(default.index)),
                "url": dg.MetadataValue.url(default.index.as_uri()),
                "pages": len(default.pages),
                "sections": default.sections,
                "charts": default.charts,
                "published_version": default.version,
                "audiences": ", ".join(a.name for a in audiences.audiences),
            }
        )

    return nps_report
