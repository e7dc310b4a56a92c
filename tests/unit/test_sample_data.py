"""The sample-data generator: deterministic, realistic, and what is committed."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from dagster_project.sample_data import GeneratorConfig, generate
from dagster_project.sample_data.vendor_exports import generate_vendor_exports
from dagster_project.settings import REPO_ROOT


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate(out)
    generate_vendor_exports(out)
    return out


def read_rows(folder: Path) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.csv")):
        raw = path.read_bytes()
        encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
        rows += list(csv.DictReader(text.splitlines(), delimiter=delimiter))
    return rows


def test_the_committed_sample_is_what_the_generator_writes(generated):
    committed = REPO_ROOT / "data" / "raw"
    names = sorted(p.relative_to(generated).as_posix() for p in generated.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(committed).as_posix() for p in committed.rglob("*") if p.is_file())
    for name in names:
        assert content(generated / name) == content(committed / name), (
            f"{name} differs: run `make sample-data`"
        )


def content(path: Path):
    """A file's bytes; for a zip its members' bytes, for a workbook its cell values (zip
    entries carry write times, compressed bytes depend on the zlib build)."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist()}
    if path.suffix != ".xlsx":
        return path.read_bytes()
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}
    finally:
        workbook.close()


def test_one_sample_per_survey_tool_format(generated):
    assert sorted(p.parent.name + "/" + p.suffix for p in generated.rglob("*") if p.is_file()) == [
        *["customers/.csv"] * 2,
        "excel/.xlsx",
        *["followups/.csv"] * 5,
        *["invitations/.csv"] * 5,
        "json/.json",
        "json/.jsonl",
        "qualtrics/.zip",
        *["responses/.csv"] * 5,
        *["revenue/.csv"] * 3,
        "surveymonkey/.csv",
    ]


def test_the_sample_is_realistic(generated):
    responses = read_rows(generated / "responses")
    invitations = read_rows(generated / "invitations")
    assert 3000 <= len(responses) <= 5000 and len(invitations) > len(responses)
    months = {r["responded_at"][:7] for r in responses if r["responded_at"][:4].isdigit()}
    assert len(months) >= 24
    assert set(Counter(r["channel"] for r in responses)) >= {
        "email",
        "sms",
        "web",
        "app",
        "phone",
        "store",
    }
    regions = {r["segment_region"] for r in responses}
    assert {"Skåne", "Sjælland", "Østlandet"} <= regions
    anonymous = [r for r in responses if not r["invitation_id"]]
    assert 0.03 < len(anonymous) / len(responses) < 0.2
    texts = " ".join(r["reason"] for r in responses)
    assert "täckning" in texts and "dækning" in texts and "support" in texts  # sv, da, en
    formats = {p.name.split("_", 2)[-1] for p in (generated / "responses").glob("*.csv")}
    assert {"nordic.csv", "bom.csv"} <= formats


def test_scores_drift_by_segment_over_time(generated):
    responses = [r for r in read_rows(generated / "responses") if r["score"].isdigit()]

    def nps(rows):
        scores = [int(r["score"]) for r in rows]
        return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)

    def region_in(region, year):
        return [r for r in responses if r["segment_region"] == region and r["responded_at"].startswith(year)]

    assert nps(region_in("Jylland", "2026")) > nps(region_in("Jylland", "2025")) + 10
    assert nps(region_in("Norrland", "2026")) < nps(region_in("Norrland", "2025"))


def test_any_size_same_seed_same_bytes(tmp_path):
    config = GeneratorConfig(responses=300, months=3, end_month=dt.date(2025, 3, 1))
    first, second = tmp_path / "a", tmp_path / "b"
    counts = generate(first, config)
    generate(second, config)
    assert 200 < counts["responses"] < 400
    for path in first.rglob("*.csv"):
        assert path.read_bytes() == (second / path.relative_to(first)).read_bytes()


def test_the_customer_base_shows_what_nps_is_worth(generated):
    """Customers whose last answer was a detractor's leave several times as often as
    promoters (the effect the generator builds in: 4% vs 1% a month); referral and word of
    mouth bring a share of the customers; billing has credit notes and one currency slip."""
    (late,) = (generated / "customers").glob("*_nordic.csv")
    customers = read_rows_of(late)
    by_id = {c["customer_id"]: c for c in customers}
    last_score: dict[str, int] = {}
    for row in sorted(read_rows(generated / "responses"), key=lambda r: r["responded_at"]):
        if row["respondent_id"] in by_id and row["score"].isdigit() and row["survey_type"] == "customer":
            last_score[row["respondent_id"]] = int(row["score"])

    def churn_share(low: int, high: int) -> float:
        ids = [i for i, score in last_score.items() if low <= score <= high]
        return sum(bool(by_id[i]["churned_at"]) for i in ids) / len(ids)

    assert churn_share(0, 6) > 2 * churn_share(9, 10)
    sources = Counter(c["acquisition_source"] for c in customers)
    assert 0.15 < (sources["referral"] + sources["word_of_mouth"]) / len(customers) < 0.4
    revenue = read_rows(generated / "revenue")
    amounts = [float(r["revenue"].replace(" ", "").replace(",", ".")) for r in revenue]
    assert any(a < 0 for a in amounts) and Counter(r["currency"] for r in revenue)["EUR"] == 1
    assert {r["month"] for r in revenue} >= {"2024-11", "2026-10"}


def read_rows_of(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter=";" if ";" in text.split("\n", 1)[0] else ","))
