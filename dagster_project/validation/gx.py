"""Running the committed Great Expectations checkpoints on batches prepared by DuckDB.

Each live landed file is one batch (split into chunks of `BATCH_ROWS` rows so that a huge
file never becomes one huge pandas frame). Only batches not checked before are checked:
at the `landed` stage a file's rows never change, so each landed file is checked once; at
the `valid` stage a file is checked again whenever validation changed its rows (its
`validated.file_verdicts.validation_seq` moved on), and a file that failed is checked on
every run until it passes. What was checked is recorded in `validated.gx_checked_files`.
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from dagster_project.row_kinds import RowKind
from dagster_project.settings import GX_CONTEXT_DIR
from dagster_project.validation.redaction import redact
from dagster_project.validation.typed_rows import (
    date_name,
    live_rows_sql,
    timestamp_formats,
    typed_columns_sql,
)

# A batch holding employee answers runs `<checkpoint>_private`: the same rules, results of
# counts only (GX's BOOLEAN_ONLY), so no employee's value reaches stored results or Data Docs.
PRIVATE_SUFFIX = "_private"
BATCH_ROWS = 500_000  # rows per GX run (DuckDB hands ~122,880-row pieces; they are joined up)


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


def batch_columns_sql(kind: RowKind, present: set[str]) -> str:
    """The prepared columns of a batch: only those the file has, values read the way
    validation reads them (trimmed; channel through the source's map; score labels
    stripped where configured), the timestamp parsed into `<column>_utc`, dates into
    `<column>_date`, the month into `month_start`, the amount into `<column>_number`. A
    personal id is judged by its pseudonym (the clear value is never stored)."""
    expressions = ["row_number"]
    checked = (
        *kind.id_columns,
        "survey_id",
        kind.timestamp_column,
        kind.channel_column,
        kind.score_column,
        *kind.date_columns,
        kind.amount_column,
        kind.currency_column,
    )
    for column in (*checked, *kind.enumerations):
        # Optional columns with a closed set are always there (empty when the file lacks them).
        if column is None or (column not in present and column not in kind.enumerations):
            continue
        if column == kind.channel_column:
            expressions.append(f"channel_value as {column}")
        elif column in kind.enumerations:
            expressions.append(f"lower(nullif(trim({column}), '')) as {column}")
        elif column == kind.score_column:
            expressions.append(f"nullif(score_text, '') as {column}")
        elif column == kind.currency_column:
            expressions.append(f"currency_value as {column}")
        else:
            expressions.append(f"nullif(trim({kind.raw_column(column)}), '') as {column}")
        if column == kind.timestamp_column:
            expressions.append(f"timestamp_value as {column}_utc")
        if column in kind.date_columns:
            expressions.append(f"{date_name(column)} as {column}_date")
        if column == kind.amount_column:
            expressions.append(f"cast(amount_number as double) as {column}_number")
    if kind.month_column and kind.month_column in present:
        expressions.append("month_value as month_start")
    return ", ".join(expressions)


def files_to_check(con: duckdb.DuckDBPyConnection, kind: RowKind, stage: str) -> list[tuple]:
    """(file_id, landing_seq, file_path, mapped columns, validation_seq) of the live files
    whose batch has not been checked at this stage since it last changed."""
    if stage == "landed":
        already = """anti join validated.gx_checked_files as done
            on done.file_id = files.file_id and done.landing_seq = files.landing_seq
               and done.kind = files.kind and done.stage = 'landed'"""
        verdicts, seq = "", "null"
    else:
        already = """anti join validated.gx_checked_files as done
            on done.file_id = files.file_id and done.landing_seq = files.landing_seq
               and done.kind = files.kind and done.stage = 'valid' and done.success
               and done.validation_seq = verdicts.validation_seq"""
        verdicts = """join validated.file_verdicts as verdicts
            on verdicts.file_id = files.file_id and verdicts.landing_seq = files.landing_seq
               and verdicts.kind = files.kind and verdicts.is_live"""
        seq = "verdicts.validation_seq"
    return con.execute(
        f"""select files.file_id, files.landing_seq, files.file_path, files.mapped_columns, {seq}
            from raw.live_files as files {verdicts} {already}
            where files.kind = $kind and files.rows_read > 0
            order by files.file_path""",
        {"kind": kind.name},
    ).fetchall()


def iter_batches(
    con: duckdb.DuckDBPyConnection, kind: RowKind, stage: str, files: list[tuple]
) -> Iterator[tuple[str, pd.DataFrame]]:
    """(file path, frame of at most BATCH_ROWS rows) for each file and chunk; stage 'landed'
    or 'valid'."""
    formats = timestamp_formats(con, kind)
    for file_id, _, file_path, mapped, _ in files:
        only_valid = (
            f"semi join {kind.valid_table} as valid using (file_id, row_number)" if stage == "valid" else ""
        )
        reader = con.sql(
            f"""with live_rows as ({live_rows_sql(kind)} and files.file_id = $id),
                typed as (select *, {typed_columns_sql(kind, formats)} from live_rows)
                select {batch_columns_sql(kind, set(mapped or []))}
                from typed as landed {only_valid}
                order by row_number""",
            params={"id": file_id},
        ).to_arrow_reader(BATCH_ROWS)
        pending, rows = [], 0
        for arrow_batch in reader:
            pending.append(arrow_batch)
            rows += arrow_batch.num_rows
            if rows >= BATCH_ROWS:
                yield file_path, pa.Table.from_batches(pending).to_pandas()
                pending, rows = [], 0
        if rows:
            yield file_path, pa.Table.from_batches(pending).to_pandas()


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
    for file_id, landing_seq, file_path, _, validation_seq in files:
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
