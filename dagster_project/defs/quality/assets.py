"""Validation: every landed row becomes valid (typed, pseudonymised) or quarantined."""

import dagster as dg

from dagster_project.alerts.pipeline import deliver, raise_with_validation
from dagster_project.defs.ingest.assets import LANDED_FILES, rows_key, segments_key
from dagster_project.defs.metadata import markdown_table
from dagster_project.defs.resources import Warehouse
from dagster_project.row_kinds import RESPONSES, ROW_KINDS, RowKind
from dagster_project.validation.reconciliation import reconcile
from dagster_project.validation.rules import rejections_by_rule
from dagster_project.validation.verdicts import validate_kind
from dagster_project.warehouse.build_clock import build_time
from dagster_project.warehouse.build_state import config_changed
from dagster_project.warehouse.connection import WRITER_POOL


def valid_key(kind: str) -> dg.AssetKey:
    return dg.AssetKey(["validated", kind])


def build_validation_asset(kind: RowKind) -> dg.AssetsDefinition:
    deps = [rows_key(kind.name), segments_key(kind.name), LANDED_FILES]
    specs = [
        dg.AssetSpec(
            valid_key(kind.name),
            deps=deps,
            description=f"Valid {kind.name}: typed, respondent pseudonymised (HMAC-SHA-256).",
        ),
        dg.AssetSpec(
            dg.AssetKey(["validated", f"{kind.name}_segments"]),
            deps=deps,
            description=f"Segment values of valid {kind.name}.",
        ),
        dg.AssetSpec(
            dg.AssetKey(["validated", f"{kind.name}_quarantine"]),
            deps=deps,
            description=f"Every other {kind.name} row: quarantined (an error) or excluded (a "
            "preview, spam, unfinished), with file, row number, reason and raw values.",
        ),
    ]

    @dg.multi_asset(
        name=f"validate_{kind.name}",
        specs=[s.replace_attributes(group_name="quality", kinds={"duckdb"}) for s in specs],
        pool=WRITER_POOL,
        description=(
            f"Bring `{kind.valid_table}` and `{kind.quarantine_table}` up to date with the landed "
            "rows: rows of new files, and earlier rows sharing an id with them, are judged. "
            "The rules mirror the Great Expectations suite "
            f"`expectations/expectations/{kind.name}.json`."
        ),
    )
    def _validate(context: dg.AssetExecutionContext, warehouse: Warehouse):
        raised = []
        with warehouse.connect(log=context.log) as con:
            # A new version of the rules (or any configuration) judges every row again.
            # judged as of the run's one moment (a row in the future waits for it)
            moment = build_time(con)
            if kind is RESPONSES:
                # the fresh answers' alerts, in the transaction that makes them valid
                alerts = raise_with_validation(warehouse.settings, moment)
                before_commit = lambda c: raised.append(alerts(c))  # noqa: E731
            else:
                before_commit = None
            outcome = validate_kind(
                con, kind, moment, full=config_changed(warehouse.settings), before_commit=before_commit
            )
            if sum(raised):
                # The fast lane: the new alerts go out now, not after the other kinds' checks
                # and the marts; `alerts/outbox` retries what fails and shows the outbox.
                context.log.info(deliver(con, warehouse.settings, log=context.log.warning).line())
            files = reconcile(con, kind)
            reasons = rejections_by_rule(con, kind)
        valid = sum(f.valid for f in files)
        quarantined = sum(f.quarantined for f in files)
        excluded = sum(f.excluded for f in files)
        context.log.info(
            f"{kind.name}: "
            + (
                "nothing new to validate"
                if outcome.mode == "nothing_new"
                else f"{outcome.mode} validation: {outcome.files_new} new file(s), "
                f"{outcome.files_retired} replaced, {outcome.rows_checked} rows judged"
            )
        )
        if outcome.mode != "nothing_new" and (quarantined or excluded):
            context.log.warning(f"{quarantined} {kind.name} rows quarantined, {excluded} excluded")
        yield dg.MaterializeResult(
            asset_key=valid_key(kind.name),
            metadata={
                "rows": valid,
                "validation": outcome.mode,
                "files_new": outcome.files_new,
                "files_replaced": outcome.files_retired,
                "rows_judged_now": outcome.rows_checked,
                **({"alerts_raised_now": sum(raised)} if kind is RESPONSES else {}),
            },
        )
        yield dg.MaterializeResult(asset_key=specs[1].key)
        yield dg.MaterializeResult(
            asset_key=specs[2].key,
            metadata={
                "rows_quarantined": quarantined,
                "rows_excluded": excluded,
                "reasons": markdown_table(("disposition", "reason", "rows"), reasons),
            },
        )

    return _validate


validation_assets = [build_validation_asset(kind) for kind in ROW_KINDS]
