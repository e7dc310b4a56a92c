"""Landing: every file of every configured source, as raw text rows with lineage, once.

One multi-asset, because the load records (`raw.landed_files`) are shared by all sources;
its asset keys are the tables it writes. A file that cannot be used is recorded with the
reason and reported by the check `raw/landed_files:files_usable`; it never stops the run.
"""

import dagster as dg

from dagster_project.defs.metadata import markdown_table
from dagster_project.defs.resources import Warehouse
from dagster_project.landing.inbox import inbox_files, unsettled_files
from dagster_project.landing.land import land_source
from dagster_project.landing.ledger import LandingOutcome
from dagster_project.landing.legacy_migration import pseudonymise_legacy_columns
from dagster_project.landing.sources import SourcesConfig
from dagster_project.progress import progress_message
from dagster_project.row_kinds import ROW_KINDS
from dagster_project.warehouse.build_clock import start_build
from dagster_project.warehouse.build_state import BuildFingerprint, record_pending
from dagster_project.warehouse.connection import WRITER_POOL

LANDED_FILES = dg.AssetKey(["raw", "landed_files"])


def rows_key(kind: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", f"{kind}_rows"])


def segments_key(kind: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", f"{kind}_segments"])


_SPECS = [
    dg.AssetSpec(
        LANDED_FILES,
        description="One load record per file content (SHA-256): path, encoding, rows read, "
        "rejection reason, landing order, replacement.",
    ),
    *(
        spec
        for kind in ROW_KINDS
        for spec in (
            dg.AssetSpec(
                rows_key(kind.name),
                description=f"Every record of every {kind.name} file, as text, with file id and "
                "row number; personal ids as keyed pseudonyms.",
            ),
            dg.AssetSpec(
                segments_key(kind.name),
                description=f"The `segment_<name>` values of {kind.name} rows, long form.",
            ),
        )
    ),
]


def build_landing_asset(config: SourcesConfig) -> dg.AssetsDefinition:
    folders = ", ".join(f"{s.folder}/ ({s.format})" for s in config.sources)

    @dg.multi_asset(
        name="land_inbox",
        specs=[spec.replace_attributes(group_name="ingest", kinds={"duckdb"}) for spec in _SPECS],
        pool=WRITER_POOL,
        description=f"Land new and changed files from NPS_RAW_DIR: {folders}. "
        "Content already landed is skipped.",
    )
    def land_inbox(context: dg.AssetExecutionContext, warehouse: Warehouse):
        settings = warehouse.settings
        # The run's one moment, and the inbox it starts from, taken before any file is read:
        # a file that arrives during the run is seen next time.
        moment, settled_before = settings.now(), settings.settled_before()
        fingerprint = BuildFingerprint.now(settings, config, settled_before)
        record_pending(settings, fingerprint, context.run_id, moment)
        if settled_before is not None:
            for source in config.sources:
                for path in unsettled_files(settings.raw_dir, source.folder, settled_before):
                    context.log.warning(
                        f"{path.relative_to(settings.raw_dir)}: changed in the last "
                        f"{settings.inbox_settle_seconds:g} s (still being written?): left for the next run"
                    )
        outcomes: dict[str, list[LandingOutcome]] = {kind.name: [] for kind in ROW_KINDS}
        total = sum(
            len(inbox_files(settings.raw_dir, source.folder, settled_before)) for source in config.sources
        )
        seen = 0

        def landed(path, file_outcomes, seconds: float) -> None:
            nonlocal seen
            seen += 1
            rows = sum(o.rows_read or 0 for o in file_outcomes if o.outcome != "already_landed")
            rate = f", {rows / seconds:,.0f} rows/s" if rows and seconds > 0 else ""
            detail = f"{path.name}: {rows:,} rows{rate}" if rows else f"{path.name}: already landed"
            context.log.info(progress_message("landing files", seen, total, detail))

        with warehouse.connect(log=context.log) as con:
            start_build(con, moment, context.run_id)
            key = warehouse.pseudonym_key(con)
            for column in pseudonymise_legacy_columns(con, key):
                context.log.warning(f"{column}: clear ids of an older version pseudonymised and dropped")
            for source in config.sources:
                outcomes[source.kind] += land_source(
                    con,
                    source,
                    settings.raw_dir,
                    settings.work_dir,
                    key,
                    settings.archive_max_bytes,
                    on_file=landed,
                    settled_before=settled_before,
                )
        all_new = []
        for kind in ROW_KINDS:
            new = [o for o in outcomes[kind.name] if o.outcome != "already_landed"]
            all_new += new
            for o in new:
                if o.rejected_reason:
                    context.log.warning(f"{o.file_path}: file rejected: {o.rejected_reason}")
                else:
                    context.log.info(f"{o.file_path}: {o.outcome}, {o.rows_read} rows ({o.parser})")
            yield dg.MaterializeResult(
                asset_key=rows_key(kind.name),
                metadata={
                    "files_in_inbox": len(outcomes[kind.name]),
                    "files_landed_now": len(new),
                    "rows_landed_now": sum(o.rows_read for o in new),
                },
            )
            yield dg.MaterializeResult(asset_key=segments_key(kind.name))
        yield dg.MaterializeResult(
            asset_key=LANDED_FILES,
            metadata={
                "files_landed_now": len(all_new),
                "rejected_now": [o.file_path for o in all_new if o.rejected_reason],
                "landed_now": markdown_table(
                    ("file", "outcome", "rows", "rejected because"),
                    [(o.file_path, o.outcome, o.rows_read, o.rejected_reason) for o in all_new],
                    empty="nothing new",
                ),
            },
        )

    return land_inbox
