"""Realistic survey-tool exports of the same fictional company, one file per format.

- `qualtrics/`: a Qualtrics "CSV (legacy-free)" export, zipped as Qualtrics downloads it:
  three header rows (names, question texts, ImportId JSON with the time zone), `Status`
  (real responses, previews, spam), `Finished`, `Q1` + `Q1_NPS_GROUP`,
  `DistributionChannel`, embedded data as segments.
- `surveymonkey/`: a SurveyMonkey export: two header rows, US dates, endpoint labels
  ("10 - Extremely likely").
- `excel/`: a store-tablet workbook, sheet "Svar" with title rows above the header.
- `json/`: app feedback as JSON Lines and as a JSON array with a BOM, nested fields.

Scores, verbatims and segments come from the main generator's model, so the vendor data
looks like the rest of the sample. Deterministic for a seed (xlsx: same cell values; zip:
same member bytes).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import zipfile
from pathlib import Path

from dagster_project.nps_scale import category_of
from dagster_project.sample_data.generator import GeneratorConfig, SampleGenerator, draw_score
from dagster_project.sample_data.world import LOCAL_TZ

SURVEYMONKEY_NPS_QUESTION = (
    "How likely is it that you would recommend Nordvind Telekom to a friend or colleague?"
)
QUALTRICS_NPS_QUESTION = (
    "How likely is it that you would recommend Nordvind Telekom to a friend or colleague? "
    "(0 = not at all likely, 10 = extremely likely)"
)
QUALTRICS_CHANNELS = (("email", 0.45), ("smsinvite", 0.3), ("anonymous", 0.1), ("gl", 0.1), ("qr", 0.05))
NPS_GROUP = {"detractor": "1", "passive": "2", "promoter": "3"}


def _responses(generator: SampleGenerator, count: int, start: dt.datetime, days: int, effect: float):
    """(moment, customer, score, reason, improvement) in time order."""
    rng = generator.rng
    rows = []
    for _ in range(count):
        customer = generator.pick_customer()
        moment = start + dt.timedelta(seconds=rng.uniform(0, days * 86400))
        score = draw_score(rng, generator.mean_score(customer, effect, generator.config.months - 2))
        reason, improvement = generator.verbatims(customer, score)
        rows.append((moment, customer, score, reason, improvement))
    return sorted(rows, key=lambda row: row[0])


def write_qualtrics(folder: Path, generator: SampleGenerator, count: int = 160) -> Path:
    rng = generator.rng
    names = [
        "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
        "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
        "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
        "DistributionChannel", "UserLanguage", "Q1", "Q1_NPS_GROUP", "Q2", "Q3",
        "Region", "BusinessUnit", "Product", "CustomerType",
    ]  # fmt: skip
    questions = [
        "Start Date", "End Date", "Response Type", "IP Address", "Progress",
        "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
        "Recipient Last Name", "Recipient First Name", "Recipient Email",
        "External Data Reference", "Location Latitude", "Location Longitude",
        "Distribution Channel", "User Language", QUALTRICS_NPS_QUESTION,
        f"{QUALTRICS_NPS_QUESTION} - Group", "What is the main reason for your score?",
        "What could we do better?", "Region", "BusinessUnit", "Product", "CustomerType",
    ]  # fmt: skip
    import_ids = [
        {"ImportId": "startDate", "timeZone": "Europe/Stockholm"},
        {"ImportId": "endDate", "timeZone": "Europe/Stockholm"},
        {"ImportId": "status"}, {"ImportId": "ipAddress"}, {"ImportId": "progress"},
        {"ImportId": "duration"}, {"ImportId": "finished"},
        {"ImportId": "recordedDate", "timeZone": "Europe/Stockholm"},
        {"ImportId": "_recordId"}, {"ImportId": "recipientLastName"},
        {"ImportId": "recipientFirstName"}, {"ImportId": "recipientEmail"},
        {"ImportId": "externalDataReference"}, {"ImportId": "locationLatitude"},
        {"ImportId": "locationLongitude"}, {"ImportId": "distributionChannel"},
        {"ImportId": "userLanguage"}, {"ImportId": "QID1"}, {"ImportId": "QID1_NPS_GROUP"},
        {"ImportId": "QID2_TEXT"}, {"ImportId": "QID3_TEXT"}, {"ImportId": "Region"},
        {"ImportId": "BusinessUnit"}, {"ImportId": "Product"}, {"ImportId": "CustomerType"},
    ]  # fmt: skip
    start = dt.datetime(2026, 9, 1, tzinfo=LOCAL_TZ)
    name = "Nordvind_Relationship_NPS_2026-09"
    with io.StringIO(newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerow(questions)
        writer.writerow([json.dumps(i, separators=(",", ":")) for i in import_ids])
        for n, (moment, customer, score, reason, improvement) in enumerate(
            _responses(generator, count, start, 30, 0.0), start=1
        ):
            status = "IP Address"
            finished, progress = "True", 100
            if n % 37 == 0:
                status = "Survey Preview"
            elif n % 53 == 0:
                status = "Spam"
            if n % 23 == 0:
                finished, progress = "False", rng.choice((40, 60, 80))
            score_text = "" if finished == "False" and n % 2 else str(score)
            group = NPS_GROUP[category_of(score)] if score_text else ""
            if n == 101:  # a hand-edited export: the group no longer matches the score
                group = "3" if group != "3" else "1"
            local = moment.astimezone(LOCAL_TZ)
            channel = rng.choices(*zip(*QUALTRICS_CHANNELS, strict=True))[0]
            email = customer.respondent_id if "@" in customer.respondent_id else ""
            writer.writerow([
                (local - dt.timedelta(minutes=4)).strftime("%Y-%m-%d %H:%M:%S"),
                local.strftime("%Y-%m-%d %H:%M:%S"), status,
                "" if channel == "anonymous" else f"192.0.2.{n % 250}", progress,
                rng.randint(35, 600), finished, local.strftime("%Y-%m-%d %H:%M:%S"),
                f"R_{rng.getrandbits(60):015x}", "", "", email,
                "" if channel == "anonymous" else f"QINV-{n:06d}", "", "", channel,
                "SV" if customer.language == "sv" else customer.language.upper(),
                score_text, group, reason, improvement, customer.region,
                customer.business_unit, customer.product, customer.customer_type,
            ])  # fmt: skip
        text = handle.getvalue()
    path = folder / f"{name}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        member = zipfile.ZipInfo(f"{name}.csv", date_time=(2026, 10, 1, 6, 0, 0))
        member.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(member, text.encode("utf-8-sig"))
    return path


def write_surveymonkey(folder: Path, generator: SampleGenerator, count: int = 120) -> Path:
    questions = [
        "Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
        "Email Address", "First Name", "Last Name", "Custom Data 1", "Region",
        SURVEYMONKEY_NPS_QUESTION, "What is the main reason for your score?",
    ]  # fmt: skip
    answers = ["", "", "", "", "", "", "", "", "", "", "Response", "Open-Ended Response"]
    start = dt.datetime(2026, 10, 1, tzinfo=LOCAL_TZ)
    path = folder / "Support_Survey_Export_2026-10.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(questions)
        writer.writerow(answers)
        for n, (moment, customer, score, reason, _) in enumerate(
            _responses(generator, count, start, 30, -0.1), start=1
        ):
            local = moment.astimezone(LOCAL_TZ)
            label = {0: "0 - Not at all likely", 10: "10 - Extremely likely"}.get(score, str(score))
            writer.writerow([
                114418700000 + n * 7, 431234567,
                (local - dt.timedelta(minutes=3)).strftime("%m/%d/%Y %I:%M:%S %p"),
                local.strftime("%m/%d/%Y %I:%M:%S %p"), f"198.51.100.{n % 250}",
                customer.respondent_id if "@" in customer.respondent_id else "",
                "", "", "", customer.region, label, reason,
            ])  # fmt: skip
    return path


def write_excel(folder: Path, generator: SampleGenerator, count: int = 90) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Svar"
    sheet.append(["Butiksenkät – Nordvind Telekom"])
    sheet.append(["Export från surfplattorna i butik, oktober 2026"])
    sheet.append(["Svars-ID", "Tidpunkt", "Betyg", "Kommentar", "Kanal", "Region", "Produkt"])
    start = dt.datetime(2026, 10, 1, tzinfo=LOCAL_TZ)
    for n, (moment, customer, score, reason, _) in enumerate(
        _responses(generator, count, start, 30, 0.5), start=1
    ):
        local = moment.astimezone(LOCAL_TZ).replace(tzinfo=None, microsecond=0)
        sheet.append([
            f"BUTIK-{n:05d}", local, score, reason or None,
            "Surfplatta" if n % 3 else "Butik", customer.region, customer.product,
        ])  # fmt: skip
    workbook.create_sheet("Info").append(["Betyg 0–10; 10 = mycket troligt"])
    fixed = dt.datetime(2026, 11, 1)
    workbook.properties.created = workbook.properties.modified = fixed
    path = folder / "butiksenkat_2026-10.xlsx"
    workbook.save(path)
    return path


def write_json(folder: Path, generator: SampleGenerator, count: int = 80) -> list[Path]:
    paths = []
    for month, suffix, bom in ((9, "json", True), (10, "jsonl", False)):
        start = dt.datetime(2026, month, 1, tzinfo=LOCAL_TZ)
        records = []
        for n, (moment, customer, score, reason, _) in enumerate(
            _responses(generator, count // 2, start, 30, 0.1), start=1
        ):
            record = {
                "id": f"APP-2026{month:02d}-{n:05d}",
                "submitted_at": moment.astimezone(LOCAL_TZ).isoformat(timespec="seconds"),
                "nps": score,
                "comment": reason or None,
                "customer": {
                    "id": customer.respondent_id if "@" not in customer.respondent_id else None,
                    "region": customer.region,
                    "product": customer.product,
                },
                "app_version": f"5.{month}.{n % 4}",
            }
            records.append(record)
        path = folder / f"app_feedback_2026-{month:02d}.{suffix}"
        if suffix == "json":
            text = json.dumps(records, ensure_ascii=False, indent=1)
        else:
            text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"
        path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
        paths.append(path)
    return paths


def generate_vendor_exports(out_dir: Path, seed: int | None = None) -> list[Path]:
    """Write one realistic export per survey-tool format under out_dir."""
    config = GeneratorConfig(seed=(seed if seed is not None else GeneratorConfig().seed) + 1)
    generator = SampleGenerator(config)
    generator.rng = random.Random(config.seed)
    written = []
    for folder, writer in (
        ("qualtrics", write_qualtrics),
        ("surveymonkey", write_surveymonkey),
        ("excel", write_excel),
        ("json", write_json),
    ):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
        result = writer(out_dir / folder, generator)
        written += result if isinstance(result, list) else [result]
    return written
