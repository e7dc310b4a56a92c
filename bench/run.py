"""The benchmark: the pipeline against a plain DuckDB script and pandas on the same inbox.

    python bench/run.py --responses 1000000 [--repeat 3] [--no-peers]   (or: make bench N=1000000)
    python bench/run.py --responses 10000000 --only-pandas   (add the pandas peer to those results)
    python bench/run.py --responses 1000000 --only-webhooks  (the webhook receiver, on the built warehouse)
    python bench/run.py --responses 1000000 --engine spark --repeat 1   (dbt on local Spark)

For N responses (and the 2-3x invitations our generator writes with them), from the
project's own generator (`--canonical-only`), it measures as whole processes, with the
peak resident memory of the process tree:
- floor: `bench/floor.py`, one plain DuckDB SQL script, same files and validation rules,
  the core marts' counts - asserted equal to the pipeline's (`bench/compare.py`);
- pandas: `bench/pandas_peer.py`, the same in pandas - asserted equal too; a peer whose
  process tree passes `--peer-rss-cap-mb` (20 GB) is stopped and reported as not finishing;
- full: `nps-warehouse run` from an empty warehouse;
- no-op: the same command again, nothing new;
- +1%: a new delivery of 1% more responses (and their invitations and follow-ups, own
  ids, all in old periods), into the built warehouse - its marts asserted equal to a
  from-scratch build of the same inbox;
- small deliveries into that warehouse, one file each: 100 answers, then their follow-up
  cases alone (a kind that feeds few marts), then their invitations alone, then a billing
  file of their customers alone;
- the time from a file with one fresh detractor in the inbox to its alert at a receiver on
  localhost (`bench/alert_latency.py`, `--alert-tries` files, p50/p95; DuckDB only).
The inbox holds the CRM export and 24 months of billing of the customers who answered
(what NPS is worth); the peers compute the core marts of the survey exports only.
With `--engine spark` the same runs build the marts on local Spark (NPS_ENGINE=spark; no
peers), and the final marts are compared with DuckDB's of the same inbox (the last run of
the DuckDB benchmark of that size, `bench/results/<N>.json`). Medians of `--repeat` runs; the per-stage profile (Dagster steps, dbt models) of the last
full and +1% run. Results go to `bench/results/<N>.json`; `bench/RESULTS.md` is rebuilt
from every result there (`python bench/report.py`). Inputs and warehouses live in
`data/bench/` (git-ignored). Not part of `make test`.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import duckdb
from alert_latency import measure_alert_latency
from measure import Measured, run
from webhook_intake import measure_intake, measure_to_marts

from dagster_project.publishing.compare import marts_differences
from dagster_project.publishing.published import published_marts
from dagster_project.settings import ENGINE_TARGETS, Settings

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PYTHON = sys.executable
CLI = str(Path(PYTHON).parent / "nps-warehouse")
DELIVERY_PREFIX = "X"  # ids of the 1% delivery: RSP-X00000001, INV-X00000001
SMALL_PREFIX = "S"  # ids of the small deliveries
SMALL_ANSWERS = 100
# (result key, inbox folder) of the small deliveries, in the order they are made
SMALL_DELIVERIES = (
    ("small", "responses"),
    ("cases_only", "followups"),
    ("invitations_only", "invitations"),
    ("revenue_only", "revenue"),
)
# The inbox folders of a delivery: the survey exports, and the CRM and billing exports of its
# customers (what NPS is worth)
DELIVERY_FOLDERS = ("responses", "invitations", "followups", "customers", "revenue")


def generate(out: Path, responses: int, *extra: str) -> None:
    if (out / ".complete").exists():
        return
    shutil.rmtree(out, ignore_errors=True)
    command = [PYTHON, "-m", "dagster_project.sample_data", "--out", str(out), "--responses", str(responses)]
    subprocess.run([*command, "--canonical-only", *extra], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    (out / ".complete").touch()


def linked_copy(source: Path, target: Path) -> None:
    """The inbox as hard links: no copy of gigabytes, same sizes and modification times."""
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(["cp", "-al", str(source), str(target)], check=True)
    (target / ".complete").unlink(missing_ok=True)


def add_delivery(delivery: Path, inbox: Path) -> None:
    for folder in DELIVERY_FOLDERS:
        for path in sorted((delivery / folder).glob("*.csv")):
            os.link(path, inbox / folder / f"delivery_{path.name}")


def add_small_delivery(small: Path, inbox: Path, folder: str, run: int) -> None:
    """One file of the small delivery's `folder` (its last), its ids made this run's own."""
    source = sorted((small / folder).glob("*.csv"))[-1]
    text = source.read_text(encoding="utf-8").replace(f"-{SMALL_PREFIX}", f"-{SMALL_PREFIX}{run}")
    (inbox / folder / f"small{run}_{source.name}").write_text(text, encoding="utf-8")


def environment(root: Path, inbox: Path, engine: str = "duckdb") -> dict[str, str]:
    return {
        **os.environ,
        "NPS_ENGINE": engine,
        "NPS_RAW_DIR": str(inbox),
        "NPS_INBOX_SETTLE_SECONDS": "0",  # the generator's files are complete
        "NPS_WAREHOUSE": str(root / "warehouse" / "nps.duckdb"),
        "NPS_PUBLISHED": str(root / "published" / "nps_marts.duckdb"),
        "NPS_SECRETS_DIR": str(root / "secrets"),
        "NPS_PSEUDONYMISATION_KEY": "bench-key",
        "DAGSTER_HOME": str(root / "dagster_home"),
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }


def fresh(root: Path) -> None:
    for name in ("warehouse", "published", "dagster_home"):
        shutil.rmtree(root / name, ignore_errors=True)
    (root / "dagster_home").mkdir(parents=True)
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", root / "dagster_home" / "dagster.yaml")


def settings_of(root: Path, inbox: Path, engine: str) -> Settings:
    return dataclasses.replace(
        Settings(raw_dir=inbox, warehouse_path=root / "warehouse" / "nps.duckdb"),
        published_path=root / "published" / "nps_marts.duckdb",
        engine=engine,
        dbt_target=ENGINE_TARGETS[engine],
    )


def pipeline(root: Path, inbox: Path, label: str, engine: str = "duckdb") -> Measured:
    measured = run([CLI, "run"], env=environment(root, inbox, engine), cwd=REPO, log=root / f"{label}.log")
    if measured.returncode != 0:
        raise SystemExit(f"{label}: the pipeline failed, see {root / f'{label}.log'}")
    return measured


# Run in the Dagster instance of a bench warehouse: the seconds of each step of one run (its
# argument: 0 the newest, 1 the one before...) and the rows its landing step landed (the
# `rows_landed_now` of the raw row tables' materialisations).
_PROFILE_CODE = """
import dagster as dg, json, sys
i = dg.DagsterInstance.get()
r = i.get_runs(limit=int(sys.argv[1]) + 1)[int(sys.argv[1])]
steps = {s.step_key: round(s.end_time - s.start_time, 2)
         for s in i.get_run_step_stats(r.run_id) if s.end_time and s.start_time}
landed = 0
for record in i.get_records_for_run(r.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records:
    value = record.event_log_entry.asset_materialization.metadata.get("rows_landed_now")
    landed += value.value if value is not None else 0
print(json.dumps({"steps": steps, "rows_landed": landed}))
"""


def stage_profile(root: Path, engine: str = "duckdb") -> dict:
    """Seconds per Dagster step of the last run, the rows it landed, and seconds per dbt
    model/test (top 12) of the last dbt build."""
    env = environment(root, Path("."))
    done = subprocess.run([PYTHON, "-c", _PROFILE_CODE, "0"], env=env, capture_output=True, text=True)
    profile = json.loads(done.stdout or '{"steps": {}, "rows_landed": 0}')
    results = root / "warehouse" / "dbt_target" / ENGINE_TARGETS[engine] / "run_results.json"
    models = {}
    if results.exists():
        timings = json.loads(results.read_text())["results"]
        slowest = sorted(timings, key=lambda r: -r["execution_time"])[:12]
        models = {r["unique_id"].split(".", 2)[-1]: round(r["execution_time"], 2) for r in slowest}
        models["(all dbt nodes)"] = round(sum(r["execution_time"] for r in timings), 2)
    return {**profile, "dbt": models}


def _mart_columns(con: duckdb.DuckDBPyConnection, database: str, table: str) -> list[tuple[str, str]]:
    """(column, type) of a mart, landing times left out (two builds differ there by construction)."""
    return [
        (name, data_type)
        for name, data_type in con.execute(
            """select column_name, data_type from duckdb_columns()
               where database_name = $db and schema_name = 'marts' and table_name = $t
               order by column_index""",
            {"db": database, "t": table},
        ).fetchall()
        if name not in {"landed_at", "replaced_at"}
    ]


def _same_row(a: tuple, b: tuple) -> bool:
    # Floating-point sums depend on the order rows are added in; compared rounded to 6
    # decimals in DuckDB, the rows left over must agree within that rounding.
    return len(a) == len(b) and all(
        math.isclose(x, y, rel_tol=1e-9, abs_tol=2e-6)
        if isinstance(x, float) and isinstance(y, float)
        else x == y
        for x, y in zip(a, b, strict=True)
    )


def _sort_key(row: tuple) -> str:
    return repr(tuple(v for v in row if not isinstance(v, float)))


def differing_marts(a: Path, b: Path) -> list[str]:
    """The marts whose rows differ between two published files. Compared inside DuckDB
    (EXCEPT ALL both ways, doubles rounded to 6 decimals), so that marts of 10M rows are
    never held in Python; only rows left over are compared in Python, within rounding."""
    con = duckdb.connect(config={"memory_limit": "2GB"})
    try:
        con.execute("set enable_progress_bar = false")
        con.execute("attach $p as l (read_only)", {"p": str(a)})
        con.execute("attach $p as r (read_only)", {"p": str(b)})
        tables = {
            database: {
                t for (t,) in con.execute(
                    "select table_name from duckdb_tables() where database_name = $db and schema_name = 'marts'",
                    {"db": database},
                ).fetchall()
            }
            for database in ("l", "r")
        }  # fmt: skip
        differing = sorted(tables["l"] ^ tables["r"])
        for table in sorted(tables["l"] & tables["r"]):
            columns = _mart_columns(con, "l", table)
            if columns != _mart_columns(con, "r", table):
                differing.append(table)
                continue
            select = ", ".join(
                f'round("{name}", 6) as "{name}"' if data_type in ("DOUBLE", "FLOAT") else f'"{name}"'
                for name, data_type in columns
            )
            left_only, right_only = (
                sorted(
                    con.execute(
                        f"select {select} from {x}.marts.{table} except all select {select} from {y}.marts.{table}"
                    ).fetchall(),
                    key=_sort_key,
                )
                for x, y in (("l", "r"), ("r", "l"))
            )
            if len(left_only) != len(right_only) or not all(
                _same_row(x, y) for x, y in zip(left_only, right_only, strict=True)
            ):
                differing.append(table)
        return sorted(differing)
    finally:
        con.close()


def differs_from_duckdb(spark_root: Path, duckdb_published: Path) -> list[str]:
    """The marts of a Spark publication that differ from DuckDB's (publishing/compare.py)."""
    settings = settings_of(spark_root, spark_root / "inbox", "spark")
    with published_marts(settings) as con:
        tables = [
            f"{schema}.{table}"
            for schema, table in con.execute(
                "select table_schema, table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        con.execute("attach $p as duck (read_only)", {"p": str(duckdb_published)})
        return sorted(marts_differences(con, tables, "duck", skip_columns=("landed_at", "replaced_at")))


def _last_line(log: Path) -> str:
    """The last line of a run's log that says why it stopped (the run's own summary)."""
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()] if log.exists() else []
    return lines[-1][:300] if lines else "no log"


def median(values: list[Measured]) -> dict:
    return {
        "seconds": round(statistics.median(v.seconds for v in values), 2),
        "peak_rss_mb": round(statistics.median(v.peak_rss_mb for v in values)),
        "max_peak_rss_mb": round(max(v.peak_rss_mb for v in values)),
        "cores_used": round(statistics.median(v.cores_used for v in values), 2),
        "runs": len(values),
    }


def run_peer(name: str, script: str, base: Path, inbox: Path, rss_cap_mb: float) -> Measured:
    """One run of a peer script into `<base>/<name>_out`, stopped past `rss_cap_mb`."""
    out = base / f"{name}_out"
    shutil.rmtree(out, ignore_errors=True)
    measured = run(
        [PYTHON, str(BENCH / script), str(inbox), str(out)],
        cwd=BENCH,
        log=base / f"{name}.log",
        rss_cap_mb=rss_cap_mb,
    )
    if measured.returncode and not measured.stopped_at_cap:
        raise SystemExit(f"{name} failed: {base / f'{name}.log'}")
    return measured


def peer_equals_pipeline(published: Path, base: Path, name: str) -> bool:
    check = subprocess.run(
        [PYTHON, str(BENCH / "compare.py"), str(published), str(base / f"{name}_out")],
        capture_output=True,
        text=True,
    )
    print(check.stdout.strip())
    return check.returncode == 0


def add_pandas_peer(results_file: Path, base: Path, inbox: Path, rss_cap_mb: float) -> int:
    """One run of the pandas peer, added to the results measured before (same inbox); its
    numbers are compared with the pipeline's published marts of that measurement."""
    result = json.loads(results_file.read_text())
    measured = run_peer("pandas", "pandas_peer.py", base, inbox, rss_cap_mb)
    result["pandas"] = median([measured])
    result["pandas"]["date"] = dt.date.today().isoformat()
    if measured.stopped_at_cap:
        result["pandas"]["stopped_at_cap_mb"] = rss_cap_mb
    else:
        published = base / f"run{result['full']['runs'] - 1}" / "published" / "nps_marts.duckdb"
        result["pandas"]["equals_pipeline"] = peer_equals_pipeline(published, base, "pandas")
    results_file.write_text(json.dumps(result, indent=2) + "\n")
    subprocess.run([PYTHON, str(BENCH / "report.py")], check=True)
    return 0


def measure_webhooks(base: Path, root: Path, args: argparse.Namespace) -> dict:
    """The receiver's intake on its own, then POST to marts and alert on the built warehouse
    (after the alert latency: these answers are history the comparison never saw)."""
    shutil.rmtree(base / "webhook_inbox", ignore_errors=True)
    return {
        "intake": measure_intake(base, args.webhook_events),
        "to_marts": measure_to_marts(
            [CLI, "run"],
            environment(root, root / "inbox"),
            root / "inbox",
            REPO,
            root / "webhooks.log",
            tries=args.webhook_tries,
        ),  # fmt: skip
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, required=True)
    parser.add_argument("--engine", choices=sorted(ENGINE_TARGETS), default="duckdb")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-peers", action="store_true", help="skip the floor and pandas peers")
    parser.add_argument(
        "--no-pandas", action="store_true", help="skip the pandas peer (it holds everything in RAM)"
    )
    parser.add_argument("--no-scratch-check", action="store_true", help="skip the from-scratch comparison")
    parser.add_argument("--alert-tries", type=int, default=5, help="fresh detractors timed to their alert")
    parser.add_argument(
        "--peer-rss-cap-mb",
        type=float,
        default=20_000,
        help="stop a peer whose memory passes this (the pandas peer holds every row in RAM)",
    )
    parser.add_argument(
        "--only-pandas",
        action="store_true",
        help="run the pandas peer alone and add it to the existing results of this size",
    )
    parser.add_argument("--webhook-events", type=int, default=10_000, help="answers posted to the receiver")
    parser.add_argument(
        "--webhook-tries", type=int, default=3, help="answers timed from POST to marts and alert"
    )
    parser.add_argument(
        "--only-webhooks",
        action="store_true",
        help="measure the webhook receiver alone on the last built warehouse of this size, add it to its results",
    )
    args = parser.parse_args(argv)
    n, engine = args.responses, args.engine
    spark = engine == "spark"
    base = REPO / "data" / "bench" / str(n)
    inbox, delivery, small = base / "inbox", base / "delivery", base / "small"
    generate(inbox, n)
    generate(delivery, max(n // 100, 100), "--months", "1", "--id-prefix", DELIVERY_PREFIX, "--seed", "2011")
    generate(small, SMALL_ANSWERS, "--months", "1", "--id-prefix", SMALL_PREFIX, "--seed", "2012")
    result: dict = {
        "responses_requested": n,
        "engine": engine,
        "date": dt.date.today().isoformat(),
        "version": subprocess.run(
            # The hash and date only: a commit subject is free text (it may cite a document).
            ["git", "log", "-1", "--format=%h (committed %cs)"], capture_output=True, text=True, check=False
        ).stdout.strip(),
        "machine": {
            "cores": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": platform.python_version(),
        },
        "inbox_mb": round(sum(p.stat().st_size for p in inbox.rglob("*.csv")) / 2**20),
        "memory_limit": os.environ.get("NPS_DUCKDB_MEMORY_LIMIT", "1GB"),
        "memory_note": " (the GX steps' DuckDB half of it, dbt's three quarters)",
    }
    duckdb_results = BENCH / "results" / f"{n}.json"
    results_file = BENCH / "results" / f"{n}-spark.json" if spark else duckdb_results
    if args.only_pandas:
        return add_pandas_peer(results_file, base, inbox, args.peer_rss_cap_mb)
    if args.only_webhooks:
        stored = json.loads(results_file.read_text())
        stored["webhooks"] = measure_webhooks(base, base / f"run{stored['full']['runs'] - 1}", args)
        results_file.write_text(json.dumps(stored, indent=2) + "\n")
        subprocess.run([PYTHON, str(BENCH / "report.py")], check=True)
        return 0
    if spark:
        args.no_peers = True  # the peers are held against DuckDB's marts
        result["memory_note"] = f"; Spark's driver heap {os.environ.get('NPS_SPARK_MEMORY', '2g')}"
    if not args.no_peers:
        peers = (
            (("floor", "floor.py"),)
            if args.no_pandas
            else (("floor", "floor.py"), ("pandas", "pandas_peer.py"))
        )
        for name, script in peers:
            runs = []
            for _ in range(args.repeat):
                runs.append(run_peer(name, script, base, inbox, args.peer_rss_cap_mb))
                if runs[-1].stopped_at_cap:
                    break  # it does not fit this machine: once is enough to show it
            result[name] = median(runs)
            if runs[-1].stopped_at_cap:
                result[name]["stopped_at_cap_mb"] = args.peer_rss_cap_mb
    full, noop, increment = [], [], []
    smalls: dict[str, list[Measured]] = {key: [] for key, _ in SMALL_DELIVERIES}
    for i in range(args.repeat):
        root = base / (f"spark{i}" if spark else f"run{i}")
        fresh(root)
        work_inbox = root / "inbox"
        linked_copy(inbox, work_inbox)
        full.append(pipeline(root, work_inbox, "full", engine))
        if i == args.repeat - 1:
            result["full_profile"] = stage_profile(root, engine)
            published = root / "published" / "nps_marts.duckdb"
            if not args.no_peers:
                for name, _ in (peer for peer in peers if "stopped_at_cap_mb" not in result[peer[0]]):
                    result[name]["equals_pipeline"] = peer_equals_pipeline(published, base, name)
        noop.append(pipeline(root, work_inbox, "noop", engine))
        add_delivery(delivery, work_inbox)
        increment.append(pipeline(root, work_inbox, "increment", engine))
        if i == args.repeat - 1:
            result["increment_profile"] = stage_profile(root, engine)
        for key, folder in SMALL_DELIVERIES:
            add_small_delivery(small, work_inbox, folder, i)
            smalls[key].append(pipeline(root, work_inbox, key, engine))
            if i == args.repeat - 1:
                result[f"{key}_profile"] = stage_profile(root, engine)
    result["full"], result["noop"], result["increment"] = median(full), median(noop), median(increment)
    result.update({key: median(runs) for key, runs in smalls.items()})
    last = base / (f"spark{args.repeat - 1}" if spark else f"run{args.repeat - 1}")
    with published_marts(settings_of(last, last / "inbox", engine)) as con:
        result["valid_responses"] = con.execute("select count(*) from marts.nps_responses").fetchall()[0][0]
        result["invitations"] = con.execute(
            "select sum(invitations) from marts.response_rates where period_grain = 'year' and dimension = 'overall'"
        ).fetchall()[0][0]
    with duckdb.connect(str(last / "warehouse" / "nps.duckdb"), read_only=True) as con:
        result["revenue_rows"] = con.execute("select count(*) from validated.revenue").fetchall()[0][0]
        result["customers"] = con.execute("select count(*) from validated.customers").fetchall()[0][0]
    if spark:
        # Spark's marts, built in full then by increment, against DuckDB's on the same inbox.
        runs = json.loads(duckdb_results.read_text())["full"]["runs"] if duckdb_results.exists() else 0
        duckdb_published = base / f"run{runs - 1}" / "published" / "nps_marts.duckdb"
        if duckdb_published.exists():
            differing = differs_from_duckdb(last, duckdb_published)
            result["equals_duckdb"] = not differing
            result["differs_from_duckdb_in"] = differing
    elif not args.no_scratch_check:
        # The warehouse built by increments against one built from scratch on the same inbox.
        root = base / f"run{args.repeat - 1}"
        scratch = base / "scratch"
        fresh(scratch)
        linked_copy(root / "inbox", scratch / "inbox")
        try:
            pipeline(scratch, scratch / "inbox", "scratch")
        except SystemExit as failed:
            # The measurements above stand; the comparison is recorded as not made, and why
            # (at 3M the second warehouse has run out of a shared disk).
            result["scratch_failed"] = f"{failed}; {_last_line(scratch / 'scratch.log')}"
        else:
            differing = differing_marts(
                root / "published" / "nps_marts.duckdb", scratch / "published" / "nps_marts.duckdb"
            )
            result["increment_equals_scratch"] = not differing
            result["increment_differs_in"] = differing
        if (scratch / "scratch.log").exists():
            shutil.copy(scratch / "scratch.log", base / "scratch.log")
        shutil.rmtree(scratch, ignore_errors=True)  # its disk, for the runs after (its log kept)
    if not spark and args.alert_tries:
        # Last: alerts are events of the warehouse's history, not of its inbox (a build from
        # scratch of the same inbox raises none), so they come after the comparison above.
        root = base / f"run{args.repeat - 1}"
        result["alert_latency"] = measure_alert_latency(
            [CLI, "run"], environment(root, root / "inbox"), root / "inbox", REPO, root / "alerts.log",
            tries=args.alert_tries, run=args.repeat - 1,
        )  # fmt: skip
        result["webhooks"] = measure_webhooks(base, root, args)
    (BENCH / "results").mkdir(exist_ok=True)
    results_file.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    subprocess.run([PYTHON, str(BENCH / "report.py")], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
