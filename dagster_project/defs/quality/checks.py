"""Asset checks: Great Expectations on every landed batch, and rows that reconcile.

Great Expectations sees each batch once: a file when it lands, its valid rows whenever
validation changes them (see `validation/gx.py`).

- `gx_landed_batches` (on `raw/<kind>_rows`, not blocking): the GX suite on every row as
  delivered, file by file. Failures are expected - that is what quarantine is for - so
  they warn, naming file, rule and row count.
- `gx_valid_rows` (on `validated/<kind>`, blocking): the same suite on the rows that
  validation let through. A failure means a bad value would reach the marts: dbt does
  not run.
- `rows_reconcile` (on `validated/<kind>`, blocking): for every file,
  rows read = valid + quarantined + excluded rows. Nothing is lost, nothing doubled.
"""

import dagster as dg

from dagster_project.defs.ingest.assets import rows_key
from dagster_project.defs.metadata import markdown_table
from dagster_project.defs.quality.assets import valid_key
from dagster_project.defs.resources import Warehouse
from dagster_project.row_kinds import ROW_KINDS, RowKind
from dagster_project.settings import GX_DUCKDB_MEMORY_SHARE
from dagster_project.validation.gx import BatchReport, GxValidator, validate_batches
from dagster_project.validation.reconciliation import reconcile
from dagster_project.validation.retention import prune_and_rebuild
from dagster_project.warehouse.build_clock import build_time
from dagster_project.warehouse.build_state import config_changed
from dagster_project.warehouse.connection import WRITER_POOL


def _report_rows(reports: list[BatchReport]) -> list[tuple]:
    rows = []
    for report in reports:
        if report.success:
            rows.append((report.file_path, report.rows, "all rules pass", 0, ""))
        for rule in report.failed_rules:
            examples = ", ".join(rule.examples[:5]) if not rule.error else f"error: {rule.error}"
            rows.append((report.file_path, report.rows, rule.rule, rule.unexpected_count, examples))
    return rows


def _run_gx(warehouse: Warehouse, kind: RowKind, stage: str) -> list[BatchReport]:
    validator = GxValidator.for_results(warehouse.settings.gx_results_dir)
    # Not read-only: what was checked is recorded, so unchanged batches are not checked again.
    # DuckDB only reads batches here; GX's frames sit beside it (settings.GX_DUCKDB_MEMORY_SHARE).
    with warehouse.connect(memory_share=GX_DUCKDB_MEMORY_SHARE) as con:
        # New suites (or any configuration change): every batch is checked again.
        now = build_time(con)
        reports = validate_batches(
            con, validator, kind, stage, now=now, recheck=config_changed(warehouse.settings)
        )
    # Results older than NPS_GX_KEEP_DAYS go; an existing Data Docs site is rebuilt without them.
    # (GX names its results by the system clock, so their age is told by it too.)
    prune_and_rebuild(warehouse.settings.gx_results_dir, warehouse.settings.gx_keep_days)
    return reports


def _gx_result(reports: list[BatchReport], passed_text: str, failed_text: str, **kwargs):
    failing = [r for r in reports if not r.success]
    if failing:
        description = failed_text.format(files=", ".join(r.file_path for r in failing))
    elif reports:
        description = passed_text.format(files=len(reports), rows=sum(r.rows for r in reports))
    else:
        description = "no new or changed batches: every file was checked before"
    return dg.AssetCheckResult(
        passed=not failing,
        description=description,
        metadata={
            "files": len(reports),
            "files_with_failures": [r.file_path for r in failing],
            "rows_checked": sum(r.rows for r in reports),
            "report": markdown_table(
                ("file", "rows", "rule", "failing rows", "examples"),
                _report_rows(reports),
                empty="no batches",
            ),
        },
        **kwargs,
    )


def build_checks(kind: RowKind) -> list[dg.AssetChecksDefinition]:
    @dg.asset_check(
        asset=rows_key(kind.name),
        name="gx_landed_batches",
        pool=WRITER_POOL,
        description=f"GX checkpoint `{kind.name}_landed_rows` on every landed file, as delivered.",
    )
    def gx_landed_batches(warehouse: Warehouse) -> dg.AssetCheckResult:
        return _gx_result(
            _run_gx(warehouse, kind, "landed"),
            passed_text="all {files} new files meet the suite",
            failed_text="rows that break the suite (and are quarantined) in {files}",
            severity=dg.AssetCheckSeverity.WARN,
        )

    @dg.asset_check(
        asset=valid_key(kind.name),
        name="gx_valid_rows",
        pool=WRITER_POOL,
        blocking=True,
        description=(
            f"GX checkpoint `{kind.name}_valid_rows` on the rows validation let through: "
            "must pass entirely, or the marts are not built."
        ),
    )
    def gx_valid_rows(warehouse: Warehouse) -> dg.AssetCheckResult:
        return _gx_result(
            _run_gx(warehouse, kind, "valid"),
            passed_text="{rows} valid rows in {files} new or changed files meet the suite",
            failed_text="invalid values among valid rows in {files}",
        )

    @dg.asset_check(
        asset=valid_key(kind.name),
        name="rows_reconcile",
        pool=WRITER_POOL,
        blocking=True,
        description="For every file: rows read = valid + quarantined + excluded rows.",
    )
    def rows_reconcile(warehouse: Warehouse) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            files = reconcile(con, kind)
        broken = [f for f in files if not f.reconciles]
        return dg.AssetCheckResult(
            passed=not broken,
            description=(
                "rows do not reconcile in " + ", ".join(f.file_path for f in broken)
                if broken
                else f"{len(files)} files reconcile"
            ),
            metadata={
                "rows_read": sum(f.rows_read for f in files),
                "valid_rows": sum(f.valid for f in files),
                "quarantined_rows": sum(f.quarantined for f in files),
                "excluded_rows": sum(f.excluded for f in files),
                "files": markdown_table(
                    ("file", "read", "valid", "quarantined", "excluded"),
                    [(f.file_path, f.rows_read, f.valid, f.quarantined, f.excluded) for f in files],
                ),
            },
        )

    return [gx_landed_batches, gx_valid_rows, rows_reconcile]


quality_checks = [check for kind in ROW_KINDS for check in build_checks(kind)]
