"""The batches Great Expectations judges, prepared by DuckDB: which live files still need
a check at a stage, and each file's rows as pandas frames of at most `BATCH_ROWS` rows
(text trimmed, channel mapped, timestamps parsed into `<column>_utc`, as validation reads
them).

At the `landed` stage the landed text is typed here, as validation types it. At the `valid`
stage the rows are read from the valid table (`validated.<kind>`): the values validation
stored, the ones dbt reads, judged without typing every landed row a second time (at 38M
billed months that second pass took three quarters of the stage)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pandas as pd
import pyarrow as pa

from dagster_project.row_kinds import RowKind
from dagster_project.validation.typed_rows import (
    date_name,
    live_rows_sql,
    timestamp_formats,
    typed_columns_sql,
)

BATCH_ROWS = 500_000  # rows per GX run (DuckDB hands ~122,880-row pieces; they are joined up)


def _checked_columns(kind: RowKind, present: set[str]) -> list[str]:
    """The columns a suite judges that this file has (optional columns with a closed set
    always: empty when the file lacks them)."""
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
    return [
        column
        for column in (*checked, *kind.enumerations)
        if column is not None and (column in present or column in kind.enumerations)
    ]


def batch_columns_sql(kind: RowKind, present: set[str]) -> str:
    """The prepared columns of a batch: only those the file has, values read the way
    validation reads them (trimmed; channel through the source's map; score labels
    stripped where configured), the timestamp parsed into `<column>_utc`, dates into
    `<column>_date`, the month into `month_start`, the amount into `<column>_number`. A
    personal id is judged by its pseudonym (the clear value is never stored)."""
    expressions = ["row_number"]
    for column in _checked_columns(kind, present):
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


def valid_columns_sql(kind: RowKind, present: set[str]) -> str:
    """The same prepared columns, read from the valid table's stored values: already
    trimmed, mapped (channel, enumerations), typed (timestamps in UTC, dates, the month as
    `YYYY-MM`, the amount as a decimal) and pseudonymised. A column's text is its stored
    value as text (a score `10`, a timestamp in UTC)."""
    expressions = ["row_number"]
    for column in _checked_columns(kind, present):
        stored = kind.raw_column(column)
        expressions.append(f"cast({stored} as varchar) as {column}")
        if column == kind.timestamp_column:
            expressions.append(f"{stored} as {column}_utc")
        if column in kind.date_columns:
            expressions.append(f"{stored} as {column}_date")
        if column == kind.amount_column:
            expressions.append(f"cast({stored} as double) as {column}_number")
    if kind.month_column and kind.month_column in present:
        expressions.append(f"cast({kind.month_column} || '-01' as date) as month_start")
    return ", ".join(expressions)


def files_to_check(con: duckdb.DuckDBPyConnection, kind: RowKind, stage: str) -> list[tuple]:
    """(file_id, landing_seq, file_path, mapped columns, validation_seq, revalidated_after) of
    the live files whose batch has not been checked at this stage since it last changed (the
    valid stage: since its valid rows last changed, `valid_rows_seq`).

    `revalidated_after` (valid stage): the file passed its check at that validation run and
    validation has judged it in every run since, so only its rows that became valid after it
    need judging (`validated.rows_revalidated`; a row that stays valid keeps its values: they
    follow from its landed row). A billing correction of a few customers then judges none of
    the big export whose months it replaced, instead of all its rows again. NULL: every valid
    row of the file (never checked, failed, or validated afresh). The records are kept while
    a check is behind them (warehouse/dbt_watermark.py), and a new configuration checks
    everything again."""
    if stage == "landed":
        return con.execute(
            """select files.file_id, files.landing_seq, files.file_path, files.mapped_columns, null, null
                from raw.live_files as files
                anti join validated.gx_checked_files as done
                    on done.file_id = files.file_id and done.landing_seq = files.landing_seq
                       and done.kind = files.kind and done.stage = 'landed'
                where files.kind = $kind and files.rows_read > 0
                order by files.file_path""",
            {"kind": kind.name},
        ).fetchall()
    return con.execute(
        """with verdicts as (
                select *, coalesce(valid_rows_seq, validation_seq) as rows_seq
                from validated.file_verdicts where kind = $kind and is_live)
            select files.file_id, files.landing_seq, files.file_path, files.mapped_columns, verdicts.rows_seq,
                case when done.success and verdicts.first_judged_seq <= done.validation_seq
                     then done.validation_seq end
            from raw.live_files as files
            join verdicts on verdicts.file_id = files.file_id and verdicts.landing_seq = files.landing_seq
            left join validated.gx_checked_files as done
                on done.file_id = files.file_id and done.landing_seq = files.landing_seq
                   and done.kind = files.kind and done.stage = 'valid'
            where files.kind = $kind and files.rows_read > 0
              and not coalesce(done.success and done.validation_seq = verdicts.rows_seq, false)
            order by files.file_path""",
        {"kind": kind.name},
    ).fetchall()


def iter_batches(
    con: duckdb.DuckDBPyConnection, kind: RowKind, stage: str, files: list[tuple]
) -> Iterator[tuple[str, pd.DataFrame]]:
    """(file path, frame of at most BATCH_ROWS rows) for each file and chunk; stage 'landed'
    or 'valid'."""
    formats = timestamp_formats(con, kind) if stage == "landed" else None
    for file_id, _, file_path, mapped, _, revalidated_after in files:
        present = set(mapped or [])
        if stage == "landed":
            sql = f"""with live_rows as ({live_rows_sql(kind)} and files.file_id = $id),
                typed as (select *, {typed_columns_sql(kind, formats)} from live_rows)
                select {batch_columns_sql(kind, present)}
                from typed as landed
                order by row_number"""
        else:
            only_revalidated = ""
            if revalidated_after is not None:
                only_revalidated = f"""semi join (
                    select file_id, row_number from validated.rows_revalidated
                    where kind = '{kind.name}' and validation_seq > {int(revalidated_after)}
                ) as revalidated using (file_id, row_number)"""
            sql = f"""select {valid_columns_sql(kind, present)}
                from {kind.valid_table} as valid {only_revalidated}
                where valid.file_id = $id
                order by row_number"""
        reader = con.sql(sql, params={"id": file_id}).to_arrow_reader(BATCH_ROWS)
        pending, rows = [], 0
        for arrow_batch in reader:
            pending.append(arrow_batch)
            rows += arrow_batch.num_rows
            if rows >= BATCH_ROWS:
                yield file_path, pa.Table.from_batches(pending).to_pandas()
                pending, rows = [], 0
        if rows:
            yield file_path, pa.Table.from_batches(pending).to_pandas()
