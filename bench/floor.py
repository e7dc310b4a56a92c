"""The floor: one plain DuckDB SQL script over the same canonical CSV files, with the same
validation rules, computing the core marts' counts. Nothing else: no lineage, no
quarantine table, no pseudonyms, no GX, no dbt. What the pipeline costs above this is
the price of everything else it does.

    python bench/floor.py INBOX OUT.parquet-dir [--memory-limit 1GB] [--reporting-tz Europe/Stockholm]

Writes `nps_by_period`, `nps_by_segment`, `nps_by_channel` and `response_rates` (counts
per key) as Parquet files into OUT, for `bench/compare.py`.
"""

from __future__ import annotations

import argparse
import codecs
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from dagster_project.settings import REPO_ROOT  # noqa: E402  (the repository's catalogue)
from dagster_project.survey_catalogue import load_survey_catalogue  # noqa: E402

CHANNELS = "('email', 'sms', 'web', 'app', 'phone', 'store')"
SCORE = r"(?:10|[0-9])(?:[.,]0+)?"
GRAINS = ("day", "week", "month", "quarter", "year")


def programme_of(survey_id: str, survey_type: str) -> str:
    """SQL: the programme of a response, by the survey catalogue (config/surveys.yml); an
    unknown survey, or one whose rows contradict its entry, is 'unclassified'."""
    catalogue = load_survey_catalogue(REPO_ROOT / "config" / "surveys.yml")
    cases = " ".join(
        f"when '{s.survey_id.replace(chr(39), chr(39) * 2)}' then '{s.programme}'" for s in catalogue.surveys
    )
    listed = f"(case {survey_id} {cases} end)"
    return f"""(case when {listed} is null then 'unclassified'
                 when ({survey_type} = 'employee') <> ({listed} = 'employee') then 'unclassified'
                 else {listed} end)"""


def employee_surveys() -> str:
    """SQL list of the survey ids the catalogue places in the employee programme: their
    invitations are HR's, never in the customers' response rates."""
    catalogue = load_survey_catalogue(REPO_ROOT / "config" / "surveys.yml")
    ids = [s.survey_id.replace(chr(39), chr(39) * 2) for s in catalogue.surveys if s.programme == "employee"]
    return "(" + ", ".join(f"'{i}'" for i in ids or ["-"]) + ")"


def csv_options(path: Path) -> tuple[str, str]:
    """(delimiter, encoding) of a canonical export: the header says the delimiter; a file
    that is not UTF-8 is Windows-1252 (read as Latin-1: the same letters for å, ä, ö)."""
    with path.open("rb") as handle:
        header = handle.readline()
        delimiter = ";" if header.count(b";") > header.count(b",") else ","
        decoder = codecs.getincrementaldecoder("utf-8")()
        handle.seek(0)
        try:
            while chunk := handle.read(1 << 24):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return delimiter, "latin-1"
    return delimiter, "utf-8"


def load(con: duckdb.DuckDBPyConnection, kind: str, folder: Path) -> None:
    parts = []
    for order, path in enumerate(sorted(folder.glob("*.csv"))):
        delimiter, encoding = csv_options(path)
        parts.append(
            f"""select *, {order} as file_order, row_number() over () as row_number
                from read_csv('{path}', delim='{delimiter}', encoding='{encoding}', header=true,
                              all_varchar=true, quote='"', escape='"', auto_detect=false,
                              columns={columns_of(path, delimiter, encoding)})"""
        )
    con.execute(f"create table {kind}_raw as " + " union all by name ".join(parts))


def columns_of(path: Path, delimiter: str, encoding: str) -> str:
    with path.open("rb") as handle:
        first_line = handle.readline()
    header = first_line.decode("utf-8-sig" if encoding == "utf-8" else "latin-1")
    names = [name.strip().strip('"').lower() for name in header.rstrip("\r").split(delimiter)]
    return "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in names) + "}"


def ts(column: str) -> str:
    """ISO 8601; an explicit offset wins, without one UTC (the session time zone)."""
    return f"try_cast(trim({column}) as timestamptz)"


def blank(column: str) -> str:
    return f"nullif(trim({column}), '') is null"


def ts_ok(column: str, required: bool) -> str:
    parsed = ts(column)
    ok = f"({parsed} is not null and {parsed} <= now())"
    return ok if required else f"({blank(column)} or {ok})"


def validate(con: duckdb.DuckDBPyConnection, tz: str) -> None:
    con.execute(
        f"""create table responses as
        with checked as (
            select nullif(trim(response_id), '') as id, invitation_id, survey_id, survey_type, score, channel,
                   responded_at, file_order, row_number, {", ".join(segment_columns(con, "responses_raw"))}
            from responses_raw
            where not ({blank("response_id")} or {blank("survey_id")} or {blank("responded_at")}
                       or {blank("score")} or {blank("channel")})
              and regexp_full_match(trim(score), '{SCORE}')
              and ({blank("survey_type")} or lower(trim(survey_type)) in ('customer', 'employee'))
              and {ts_ok("responded_at", True)}
              and lower(trim(channel)) in {CHANNELS}
        ),
        ranked as (
            select *, row_number() over (partition by id order by file_order desc, row_number desc) as rank
            from checked
        )
        select id as response_id, nullif(trim(invitation_id), '') as invitation_id,
               {programme_of("trim(survey_id)", "coalesce(lower(nullif(trim(survey_type), '')), 'customer')")}
                   as programme,
               cast(replace(trim(score), ',', '.') as double)::int as score,
               lower(trim(channel)) as channel,
               cast(({ts("responded_at")} at time zone '{tz}') as date) as response_date,
               {", ".join(f"nullif(trim({c}), '') as {c}" for c in segment_columns(con, "responses_raw"))}
        from ranked where rank = 1
            -- customer answers only: employee answers are HR's (the customers' marts hold none)
            and coalesce(lower(nullif(trim(survey_type), '')), 'customer') <> 'employee'"""
    )
    stamps = ("delivered_at", "opened_at", "started_at", "completed_at")
    con.execute(
        f"""create table invitations as
        with checked as (
            select nullif(trim(invitation_id), '') as id, survey_id, channel, sent_at, file_order, row_number,
                   {", ".join(segment_columns(con, "invitations_raw"))}
            from invitations_raw
            where not ({blank("invitation_id")} or {blank("survey_id")} or {blank("sent_at")}
                       or {blank("channel")})
              and {ts_ok("sent_at", True)}
              and {" and ".join(ts_ok(c, False) for c in stamps)}
              and lower(trim(channel)) in {CHANNELS}
        ),
        ranked as (
            select *, row_number() over (partition by id order by file_order desc, row_number desc) as rank
            from checked
        )
        select id as invitation_id, lower(trim(channel)) as channel,
               cast(({ts("sent_at")} at time zone '{tz}') as date) as sent_date,
               {", ".join(f"nullif(trim({c}), '') as {c}" for c in segment_columns(con, "invitations_raw"))}
        from ranked where rank = 1 and trim(survey_id) not in {employee_surveys()}"""
    )


def segment_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"describe {table}").fetchall() if r[0].startswith("segment_")]


def period(grain: str, date: str) -> str:
    return date if grain == "day" else f"cast(date_trunc('{grain}', {date}) as date)"


def marts(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    counts = """count(*) as responses,
        count(*) filter (where score >= 9) as promoters,
        count(*) filter (where score between 7 and 8) as passives,
        count(*) filter (where score <= 6) as detractors"""
    segments = segment_columns(con, "responses")
    long_responses = " union all ".join(
        f"""select programme, response_date, score, '{c.removeprefix("segment_")}' as segment_type,
                   {c} as segment_value from responses where {c} is not null"""
        for c in segments
    )
    for grain in GRAINS:
        p = period(grain, "response_date")
        con.execute(
            f"""create or replace temp table by_period_{grain} as select programme, '{grain}' as period_grain,
                {p} as period_start, {counts} from responses group by all"""
        )
        con.execute(
            f"""create or replace temp table by_channel_{grain} as select programme, '{grain}' as period_grain,
                {p} as period_start, channel, {counts} from responses group by all"""
        )
        con.execute(
            f"""create or replace temp table by_segment_{grain} as select programme, '{grain}' as period_grain,
                {p} as period_start, segment_type, segment_value, {counts}
                from ({long_responses}) group by all"""
        )
    con.execute(
        """create temp table answered as
           select distinct invitation_id from responses where invitation_id is not null"""
    )
    inv_segments = segment_columns(con, "invitations")
    long_invitations = " union all ".join(
        [
            "select sent_date, is_answered, 'overall' as dimension, 'all' as dimension_value from inv",
            "select sent_date, is_answered, 'channel', channel from inv",
        ]
        + [
            f"select sent_date, is_answered, '{c.removeprefix('segment_')}', {c} from inv where {c} is not null"
            for c in inv_segments
        ]
    )
    con.execute(
        """create temp table inv as
           select invitations.*, answered.invitation_id is not null as is_answered
           from invitations left join answered using (invitation_id)"""
    )
    for grain in GRAINS:
        con.execute(
            f"""create or replace temp table rates_{grain} as
                select '{grain}' as period_grain, {period(grain, "sent_date")} as period_start,
                       dimension, dimension_value, count(*) as invitations,
                       count(*) filter (where is_answered) as responses
                from ({long_invitations}) group by all"""
        )
    out.mkdir(parents=True, exist_ok=True)
    for name, prefix in (
        ("nps_by_period", "by_period"),
        ("nps_by_channel", "by_channel"),
        ("nps_by_segment", "by_segment"),
        ("response_rates", "rates"),
    ):
        union = " union all ".join(f"select * from {prefix}_{g}" for g in GRAINS)
        con.execute(f"copy ({union}) to '{out / name}.parquet' (format parquet)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inbox", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--memory-limit", default="1GB")
    parser.add_argument("--reporting-tz", default="Europe/Stockholm")
    args = parser.parse_args(argv)
    spill = args.out / "spill"
    spill.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"memory_limit": args.memory_limit, "temp_directory": str(spill)})
    con.execute("set TimeZone = 'UTC'")
    load(con, "responses", args.inbox / "responses")
    load(con, "invitations", args.inbox / "invitations")
    validate(con, args.reporting_tz)
    marts(con, args.out)
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
