"""Running the committed Great Expectations checkpoints on batches prepared by DuckDB.

Each live landed file is one batch (split into chunks of `BATCH_ROWS` rows, gx_batches.py, so that a huge
file never becomes one huge pandas frame). Only batches not checked before are checked:
at the `landed` stage a file's rows never change, so each landed file is checked once; at
the `valid` stage a file is checked again whenever validation changed which of its rows are
valid (its `validated.file_verdicts.valid_rows_seq` moved on): only its rows that became valid
since its last successful check (`validated.rows_revalidated`, gx_batches.py), and a file that
failed is checked on every run until it passes. What was checked is recorded in
`validated.gx_checked_files`.
DuckDB prepares the batch: text trimmed, channel lower-cased, the timestamp parsed into
`<column>_utc`; GX then judges it with the suite. Results are stored by GX in
`NPS_GX_RESULTS_DIR` and summarised for Dagster.

Two stages per kind of row, a checkpoint each:
- `<kind>_landed_rows`: every landed row, as delivered. Failures here are expected
  (bad rows exist) and are reported, file by file, rule by rule.
- `<kind>_valid_rows`: only the rows validation let through. Any failure here means a
  bad value would reach the marts, so the Dagster check that runs it blocks.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.row_kinds import RowKind
from dagster_project.settings import GX_CONTEXT_DIR
from dagster_project.validation.gx_batches import files_to_check, iter_batches
from dagster_project.validation.redaction import redact

# A batch holding employee answers runs `<checkpoint>_private`: the same rules, results of
# counts only (GX's BOOLEAN_ONLY), so no employee's value reaches stored results or Data Docs.
PRIVATE_SUFFIX = "_private"


os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@dataclass
class RuleOutcome:
    rule: str
    expectation: str
    success: bool
    unexpected_count: int
    examples: list
    error: str | None = None


@dataclass
class BatchReport:
    file_path: str
    rows: int
    success: bool = True
    failed_rules: list[RuleOutcome] = field(default_factory=list)

    def merge(self, rows: int, outcomes: list[RuleOutcome]) -> None:
        self.rows += rows
        for outcome in outcomes:
            if outcome.success:
                continue
            self.success = False
            known = next((r for r in self.failed_rules if r.rule == outcome.rule), None)
            if known:
                known.unexpected_count += outcome.unexpected_count
                known.examples = (known.examples + outcome.examples)[:10]
            else:
                self.failed_rules.append(outcome)


def _silence_gx_progress() -> None:
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    os.environ.setdefault("TQDM_DISABLE", "1")


def _skip_batch_fingerprints() -> None:
    """GX labels an in-memory batch under 1 GB with a fingerprint: an MD5 of pandas' hash of
    every value, a pass over the whole batch that judges nothing (40% of a revenue batch's
    time). Our batches are named by their file and landing sequence instead
    (`validated.gx_checked_files`), so the fingerprint is left out of the results."""
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0


class GxValidator:
    """The committed GX file context, writing its results under `results_dir`.

    Loading the context takes seconds (GX's import, then the project): it is loaded when a
    batch is first judged, so a run with no new batch never pays for it, and
    `GxValidator.for_results(dir)` keeps one per process.
    """

    _loaded: dict[Path, GxValidator] = {}

    @classmethod
    def for_results(cls, results_dir: Path) -> GxValidator:
        if results_dir not in cls._loaded:
            cls._loaded[results_dir] = cls(results_dir)
        return cls._loaded[results_dir]

    def __init__(self, results_dir: Path):
        self.results_dir = results_dir
        self._names: set[str] | None = None

    @cached_property
    def context(self):
        _silence_gx_progress()
        import great_expectations as gx  # slow import, kept off module import time

        _skip_batch_fingerprints()

        self.results_dir.mkdir(parents=True, exist_ok=True)
        return gx.get_context(
            mode="file",
            context_root_dir=str(GX_CONTEXT_DIR),
            runtime_environment={"NPS_GX_RESULTS_DIR": str(self.results_dir)},
        )

    def _checkpoint_names(self) -> set[str]:
        if self._names is None:
            self._names = {checkpoint.name for checkpoint in self.context.checkpoints.all()}
        return self._names

    def _forget_batches(self) -> None:
        """GX's execution engine keeps the last batch it loaded (its data frame) until the
        next one replaces it, one per datasource: 500,000 rows of each kind stayed alive
        while dbt ran beside this process. Dropped after every run."""
        for datasource in self.context.data_sources.all().values():
            batches = datasource.get_execution_engine().batch_manager
            batches.reset_batch_cache()
            batches.batch_data_cache.clear()

    def run_checkpoint(self, name: str, frame: pd.DataFrame, now: dt.datetime) -> list[RuleOutcome]:
        """Judge `frame` with the checkpoint. A batch holding employee answers is judged as
        strictly, but its results keep counts only (GX's BOOLEAN_ONLY): no value of an
        employee's row reaches the stored results, the Data Docs or Dagster."""
        # the same validation definition, with results of counts only (expectations/checkpoints/)
        private = f"{name}{PRIVATE_SUFFIX}"
        if holds_employee_answers(frame) and private in self._checkpoint_names():
            name = private
        checkpoint = self.context.checkpoints.get(name)
        try:
            result = checkpoint.run(
                batch_parameters={"dataframe": frame},
                expectation_parameters={"now": pd.Timestamp(now)},
            )
        finally:
            self._forget_batches()
        outcomes = []
        for run_result in result.run_results.values():
            for item in run_result.results:
                config = item.expectation_config
                details = item.result or {}
                error = None
                if item.exception_info and item.exception_info.get("raised_exception"):
                    error = item.exception_info.get("exception_message")
                outcomes.append(
                    RuleOutcome(
                        rule=(config.meta or {}).get("rule", config.type),
                        expectation=config.type,
                        success=bool(item.success),
                        unexpected_count=int(details.get("unexpected_count") or 0),
                        examples=[redact(str(v)) for v in details.get("partial_unexpected_list") or []][:10],
                        error=error,
                    )
                )
        return outcomes


def holds_employee_answers(frame: pd.DataFrame) -> bool:
    """A batch with any row whose survey_type says employee (docs/nps.md#employee-anonymity)."""
    if "survey_type" not in frame.columns:
        return False
    return bool(frame["survey_type"].astype("string").str.strip().str.lower().eq("employee").any())


def validate_batches(
    con: duckdb.DuckDBPyConnection,
    validator: GxValidator,
    kind: RowKind,
    stage: str,
    now: dt.datetime | None = None,
    recheck: bool = False,
) -> list[BatchReport]:
    """Run the `<kind>_<stage>_rows` checkpoint on every batch not checked before (every
    batch with `recheck`); one report per file checked now, recorded in
    `validated.gx_checked_files`."""
    now = now or dt.datetime.now(dt.UTC)
    if recheck:
        con.execute(
            "delete from validated.gx_checked_files where kind = $k and stage = $stage",
            {"k": kind.name, "stage": stage},
        )
    files = files_to_check(con, kind, stage)
    reports: dict[str, BatchReport] = {}
    for file_path, frame in iter_batches(con, kind, stage, files):
        outcomes = validator.run_checkpoint(f"{kind.name}_{stage}_rows", frame, now)
        reports.setdefault(file_path, BatchReport(file_path, 0)).merge(len(frame), outcomes)
    for file_id, landing_seq, file_path, _, validation_seq, _ in files:
        report = reports.get(file_path, BatchReport(file_path, 0))
        con.execute(
            """delete from validated.gx_checked_files
               where file_id = $id and landing_seq = $seq and kind = $kind and stage = $stage""",
            {"id": file_id, "seq": landing_seq, "kind": kind.name, "stage": stage},
        )
        con.execute(
            """insert into validated.gx_checked_files
               values ($id, $seq, $kind, $stage, $vseq, $success, $rows, $now)""",
            {
                "id": file_id,
                "seq": landing_seq,
                "kind": kind.name,
                "stage": stage,
                "vseq": validation_seq,
                "success": report.success,
                "rows": report.rows,
                "now": now,
            },
        )
    return list(reports.values())
