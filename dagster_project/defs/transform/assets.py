"""dbt models as Dagster assets: dbt folder = schema = Dagster group."""

import gc
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from dagster_project.defs.resources import Warehouse
from dagster_project.defs.transform.mart_metadata import mart_metadata
from dagster_project.defs.transform.project import (
    dbt_project,
    manifest_path,
    start_from_parsed_project,
    target_and_vars,
)
from dagster_project.defs.transform.selection import exclude_args, fed_by_changed, unchanged_nodes
from dagster_project.lake.export import write_build_state
from dagster_project.progress import Throttle, progress_message
from dagster_project.warehouse.build_clock import build_time, next_change_at
from dagster_project.warehouse.build_state import config_changed
from dagster_project.warehouse.connection import WRITER_POOL
from dagster_project.warehouse.crash_points import crash_point
from dagster_project.warehouse.dbt_watermark import (
    built_through,
    changed_kinds,
    clock_next_changes_at,
    employee_answers_changed,
    record_built_through,
    record_relation_builds,
    validation_seq_now,
)
from dagster_project.warehouse.memory import release_unused_memory


def _schema(dbt_resource_props: Mapping[str, Any]) -> str:
    """A node's folder schema (`marts`), whatever the target calls it (Spark builds in
    `build_marts`, dbt/macros/generate_schema_name.sql); a source's own schema (`lake`)."""
    return (dbt_resource_props.get("config") or {}).get("schema") or dbt_resource_props["schema"]


class NpsDbtTranslator(DagsterDbtTranslator):
    def __init__(self):
        # dbt's data tests run inside `dbt build`: a failing one stops what depends on it and
        # fails this step, which names it (`_failed_nodes`). They are not Dagster asset checks
        # as well: ~250 checks were ~700 Dagster events per run (planned, result, output),
        # ~6 s of every run's event log on SQLite, whatever the size of the delivery. dbt's
        # observation of a passing test is counted, not stored either (`_passed_test`).
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=False))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        # Every table is keyed by where it lives: [schema, table]. Sources are the lake's
        # tables the Python assets write; models and seeds are in their folder's schema.
        return dg.AssetKey([_schema(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return _schema(dbt_resource_props)


MART_SCHEMAS = ("marts",)


def _event_key(context: dg.AssetExecutionContext, event) -> dg.AssetKey | None:
    """The asset a dbt event is about (an Output names its output; the rest their key)."""
    if isinstance(event, dg.Output):
        return context.asset_key_for_output(event.output_name)
    return getattr(event, "asset_key", None)


def _passed_test(event) -> bool:
    """A data test's result (dagster-dbt reports one as an observation of what it tests)
    that passed."""
    if not isinstance(event, dg.AssetObservation):
        return False
    status = event.metadata.get("status")
    return getattr(status, "value", status) == "pass"


def _marts_no_model_reads(upstream: dict[dg.AssetKey, set[dg.AssetKey]]) -> set[dg.AssetKey]:
    """The marts whose materialisations can wait for dbt to end: no model outside the marts
    reads them, but for one nothing reads (a record built after a mart, such as
    int_revenue_periods_built: it waits with it). Within this multi-asset, `upstream` maps
    each asset to what it reads."""
    read = {u for ups in upstream.values() for u in ups}
    read_by_models = {
        u for key, ups in upstream.items() if key.path[0] not in MART_SCHEMAS and key in read for u in ups
    }
    return {key for key in upstream if key.path[0] in MART_SCHEMAS and key not in read_by_models}


@cache
def _manifest() -> dict[str, Any]:
    return json.loads(manifest_path().read_text(encoding="utf-8"))


def _asset_keys(manifest: Mapping[str, Any], unique_ids: list[str]) -> list[dg.AssetKey]:
    """The Dagster asset keys of these dbt nodes (models and seeds; tests have none), in order."""
    translator = NpsDbtTranslator()
    return [
        translator.get_asset_key(manifest["nodes"][unique_id])
        for unique_id in unique_ids
        if manifest["nodes"][unique_id]["resource_type"] != "test"
    ]


def _results_stamp(artifacts: Path) -> tuple[int, int, int] | None:
    """What run_results.json is now (inode, size, mtime in ns), None when there is none."""
    try:
        stat = (artifacts / "run_results.json").stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _failed_nodes(artifacts: Path, before: tuple[int, int, int] | None) -> list[str]:
    """The dbt nodes that failed or erred in this invocation, with dbt's message; none when
    dbt wrote no results (it stopped before building): run_results.json is still what it
    was before (`before`, its stamp; file times lag the clock, so no time is compared)."""
    stamp = _results_stamp(artifacts)
    if stamp is None or stamp == before:
        return []
    failed = []
    for result in json.loads((artifacts / "run_results.json").read_text(encoding="utf-8"))["results"]:
        if result["status"] in ("fail", "error"):
            name = result["unique_id"].split(".", 2)[-1]
            failed.append(f"{name}: {(result.get('message') or result['status']).splitlines()[0][:300]}")
    return failed


def _stream(invocation, artifacts: Path):
    """dbt's events; when dbt fails, a failure that names the tests and models that failed."""
    before = _results_stamp(artifacts)
    try:
        yield from invocation.stream()
    except DagsterDbtCliRuntimeError as exc:
        failed = _failed_nodes(artifacts, before)
        if not failed:
            raise
        raise dg.Failure(
            description=f"dbt build failed: {'; '.join(failed[:5])}"
            + (f" (and {len(failed) - 5} more)" if len(failed) > 5 else ""),
            metadata={"failed": dg.MetadataValue.json(failed), "dbt_log": str(artifacts / "dbt.log")},
        ) from exc


def _unchanged(context: dg.AssetExecutionContext, key: dg.AssetKey) -> dg.Output:
    return dg.Output(
        None,
        output_name=context.assets_def.get_output_name_for_asset_key(key),
        metadata={"dbt": "unchanged: nothing it reads changed since the last build"},
    )


@dbt_assets(
    manifest=manifest_path(),
    project=dbt_project,
    dagster_dbt_translator=NpsDbtTranslator(),
    pool=WRITER_POOL,
)
def nps_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    # dbt gets the settings it needs as --vars (the warehouse path, the lake, the reporting
    # time zone, its memory cap) and builds on the engine's target (NPS_ENGINE, the same
    # models on DuckDB or Spark); its artifacts (run results, compiled SQL) go next to the
    # warehouse.
    settings = warehouse.settings
    artifacts = settings.warehouse_path.parent / "dbt_target" / settings.dbt_target
    with warehouse.writing(context.log):
        with warehouse.connect(log=context.log) as con:
            seq_now, since = validation_seq_now(con), built_through(con, settings.dbt_target)
            kinds, employee_changed = changed_kinds(con, since), employee_answers_changed(con, since)
            moved_to = clock_next_changes_at(con, settings.dbt_target)
            clock_moved = moved_to is None or build_time(con) >= moved_to
        # Incremental models rebuild the rows of files validated since the last build (they
        # read the watermark from validated.dbt_built_through: no var that changes every run,
        # so dbt's partial parsing holds); a new configuration (or no build yet) rebuilds
        # everything.
        full = since is None or config_changed(settings, settings.dbt_target)
        # An incremental build leaves out the nodes nothing changed for (selection.py).
        manifest = _manifest()
        unchanged = [] if full else unchanged_nodes(manifest, kinds, clock_moved, employee_changed)
        reported_last = fed_by_changed(manifest, unchanged)
        context.log.info(
            f"dbt ({settings.dbt_target}): full build"
            if full
            else f"dbt ({settings.dbt_target}): incremental build of files validated after run {since}"
            f" ({', '.join(sorted(kinds)) or 'no new rows: the file marts only'}"
            f"{'; the clock moved' if clock_moved else ''}; {len(unchanged)} nodes unchanged)"
        )
        # Unit tests check the models' logic, not the data: `make test` runs them, production
        # skips them. Data tests on row-level relations look at the rows of changed files on
        # an incremental build (macros/incremental.sql, var nps_test_changed_files_only).
        # dbt's process starts beside this one: what the earlier steps left (GX's objects hold
        # reference cycles) is collected and handed back to the system first, once per run.
        gc.collect()
        release_unused_memory()
        build = ["build", *target_and_vars(settings), "--exclude-resource-type", "unit_test"]
        build += ["--full-refresh"] if full else []
        build += exclude_args(manifest, unchanged)
        # The marts' materialisations wait for dbt to finish, then carry row counts, the latest
        # NPS and a preview (defs/transform/mart_metadata.py); the rest stream as dbt goes.
        # Dagster wants a multi-asset's outputs in dependency order, so a mart that models
        # read (`surveys`) streams with dbt's own metadata only, else nearly every event would
        # wait (and Dagster writes ~20 a second).
        held, held_keys, built, rebuilt = [], set(), 0, []
        upstream = context.assets_def.asset_deps
        holdable = _marts_no_model_reads(upstream)
        models, throttle = len(context.selected_asset_keys), Throttle()
        # The unchanged tables are as the last build left them: reported first (parents
        # before children, and none is downstream of a node dbt builds now), so that the
        # steps reading them run.
        for key in _asset_keys(manifest, [u for u in unchanged if u not in reported_last]):
            if key in context.selected_asset_keys:
                built += 1
                yield _unchanged(context, key)
        start_from_parsed_project(artifacts)
        passed_tests: set[str] = set()
        for number, event in enumerate(
            _stream(dbt.cli(build, context=context, target_path=artifacts), artifacts)
        ):
            if _passed_test(event):
                # a passing data test is counted, not stored (a responses delivery runs ~90;
                # each an event on the event log); one that warns or fails is reported
                passed_tests.add(str(event.metadata["unique_id"].value))
                continue
            key = _event_key(context, event)
            if isinstance(event, dg.Output | dg.AssetMaterialization):
                rebuilt.append(".".join(key.path))
                built += 1
                if throttle.due(built, models):
                    context.log.debug(progress_message("building dbt models", built, models, key.path[-1]))
            if isinstance(event, dg.Output | dg.AssetMaterialization) and (
                key in holdable or upstream.get(key, set()) & held_keys
            ):
                held.append(event)
                held_keys.add(key)
            else:
                yield event
            if number == 0:
                crash_point("dbt")
        context.log.info(f"dbt: {len(passed_tests)} data tests passed ({artifacts / 'run_results.json'})")
        with warehouse.connect(log=context.log) as con:
            changes_at = next_change_at(con, settings.reporting_tz)
            record_built_through(con, seq_now, full, settings.dbt_target, next_change_at=changes_at)
            # which tables this build changed: publishing keeps the others as published
            record_relation_builds(con, rebuilt, settings.dbt_target)
            write_build_state(con, settings.lake_dir)
            for event in held:
                if isinstance(event, dg.Output | dg.AssetMaterialization) and settings.engine != "spark":
                    metadata = mart_metadata(con, _event_key(context, event))
                    event = event.with_metadata({**event.metadata, **metadata})
                yield event
        for key in _asset_keys(manifest, [u for u in unchanged if u in reported_last]):
            if key in context.selected_asset_keys:
                yield _unchanged(context, key)
