"""Property-based: whatever rows or bytes arrive, ingestion never crashes and every row
read is valid, quarantined or excluded - the counts always reconcile."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import tempfile
import zipfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.landing.land import land_source
from dagster_project.landing.sources import SourceConfig
from dagster_project.row_kinds import RESPONSES
from dagster_project.validation.reconciliation import reconcile
from dagster_project.validation.verdicts import validate_kind
from dagster_project.warehouse.tables import ensure_landing_tables
from tests.pipeline import LANDING_KEY

COLUMNS = ["response_id", "survey_id", "responded_at", "score", "channel", "reason", "segment_region"]
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
values = st.one_of(
    text,
    st.sampled_from(["10", "0", "9,0", "9.5", "11", "-1", "tio", "", " 7 ", "1e1", "N/A"]),
    st.sampled_from(["2025-01-01", "2025-01-01T10:00:00+01:00", "2099-01-01", "igår", "2025-13-40"]),
    st.sampled_from(["email", "SMS", "fax", "", "web "]),
)
rows = st.lists(st.fixed_dictionaries({c: values for c in COLUMNS}), max_size=25)


def ingest(files: dict[str, bytes], source: SourceConfig) -> tuple[list, list]:
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        (inbox / source.folder).mkdir(parents=True)
        for name, content in files.items():
            (inbox / source.folder / name).write_bytes(content)
        con = duckdb.connect()
        con.execute("set TimeZone = 'UTC'")
        ensure_landing_tables(con)
        outcomes = land_source(con, source, inbox, Path(tmp) / "work", LANDING_KEY)
        validate_kind(con, RESPONSES, NOW)
        files_landed = reconcile(con, RESPONSES)
        con.close()
    return outcomes, files_landed


def as_csv(records: list[dict], delimiter: str, encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([record[c] for c in COLUMNS])
    return buffer.getvalue().encode(encoding, errors="replace")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=rows, delimiter=st.sampled_from([",", ";", "\t", "|"]), bom=st.booleans())
def test_random_rows_all_land_and_reconcile(records, delimiter, bom):
    content = ("\ufeff" if bom else "").encode() + as_csv(records, delimiter, "utf-8")
    source = SourceConfig(name="r", kind="responses", folder="responses")
    outcomes, files = ingest({"random.csv": content}, source)
    (outcome,) = outcomes
    assert (
        outcome.rejected_reason is None
        or "scale" in outcome.rejected_reason
        or ("text labels" in outcome.rejected_reason)
    )
    (file,) = files
    assert file.rows_read == len(records)
    assert file.reconciles


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    content=st.binary(max_size=400),
    header=st.booleans(),
    name=st.sampled_from(["x.csv", "x.json", "x.jsonl", "x.xlsx", "x.txt"]),
    file_format=st.sampled_from(["csv", "json", "xlsx", "qualtrics_csv", "surveymonkey_csv"]),
)
def test_random_bytes_never_crash_and_reconcile(content, header, name, file_format):
    prefix = ",".join(COLUMNS).encode() + b"\n" if header else b""
    columns = {"response_id": "response_id"}
    source = SourceConfig(name="r", kind="responses", folder="in", format=file_format, columns=columns)
    outcomes, files = ingest({name: prefix + content}, source)
    (outcome,) = outcomes
    assert outcome.outcome == "landed"
    (file,) = files
    assert file.reconciles
    if outcome.rejected_reason:
        assert file.valid == 0


def as_archive(kind: str, members: dict[str, bytes]) -> bytes:
    if kind == "gz":
        return gzip.compress(next(iter(members.values())))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    contents=st.lists(st.binary(max_size=300), min_size=1, max_size=3),
    kind=st.sampled_from(["zip", "gz"]),
    damage=st.one_of(st.none(), st.tuples(st.integers(0, 10_000), st.integers(1, 255))),
    cut=st.one_of(st.none(), st.integers(0, 10_000)),
)
def test_random_archives_never_crash_and_reconcile(contents, kind, damage, cut):
    """Archives of random members, some with a flipped byte or cut short: every delivery
    (member, or the archive rejected whole) gets one reconciling load record."""
    prefix = ",".join(COLUMNS).encode() + b"\n"
    members = {f"m{i}.csv": prefix + content for i, content in enumerate(contents)}
    data = bytearray(as_archive(kind, members))
    if damage:
        data[damage[0] % len(data)] ^= damage[1]
    if cut is not None:
        data = data[: cut % len(data)]
    name = "x.csv.gz" if kind == "gz" else "x.zip"
    source = SourceConfig(name="r", kind="responses", folder="in")
    outcomes, files = ingest({name: bytes(data)}, source)
    assert outcomes and all(o.file_path.startswith("in/x.") for o in outcomes)
    assert all(f.reconciles for f in files)
    whole = [o for o in outcomes if "!" not in o.file_path]
    assert not whole or (len(outcomes) == 1 and whole[0].rejected_reason)
