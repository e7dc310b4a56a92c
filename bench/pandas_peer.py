"""The pandas peer: what a data team would write in a notebook - the same canonical CSV
files, the same validation rules, the same core-mart counts as `floor.py`, in plain pandas.

    python bench/pandas_peer.py INBOX OUT [--reporting-tz Europe/Stockholm]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from floor import CHANNELS, GRAINS, REPO_ROOT, SCORE, csv_options, load_survey_catalogue  # same folder

CHANNEL_SET = set(CHANNELS.strip("()").replace("'", "").replace(" ", "").split(","))


def load(folder: Path) -> pd.DataFrame:
    frames = []
    for order, path in enumerate(sorted(folder.glob("*.csv"))):
        delimiter, encoding = csv_options(path)
        frame = pd.read_csv(
            path,
            sep=delimiter,
            encoding="utf-8-sig" if encoding == "utf-8" else "cp1252",
            dtype=str,
            keep_default_na=False,
        )
        frame.columns = [c.strip().lower() for c in frame.columns]
        frame["file_order"] = order
        frame["row_number"] = range(1, len(frame) + 1)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def timestamps(text: pd.Series) -> pd.Series:
    """ISO 8601; an explicit offset wins, without one UTC."""
    return pd.to_datetime(text.str.strip(), utc=True, errors="coerce", format="ISO8601")


def present(column: pd.Series) -> pd.Series:
    return column.str.strip() != ""


def latest_per_id(frame: pd.DataFrame, id_column: str) -> pd.DataFrame:
    frame = frame.assign(id=frame[id_column].str.strip())
    frame = frame.sort_values(["file_order", "row_number"])
    return frame.drop_duplicates("id", keep="last")


def local_date(moments: pd.Series, tz: str) -> pd.Series:
    return moments.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()


def period(dates: pd.Series, grain: str) -> pd.Series:
    if grain == "day":
        return dates
    if grain == "week":
        return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")
    return dates.dt.to_period({"month": "M", "quarter": "Q", "year": "Y"}[grain]).dt.start_time


def segment_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith("segment_")]


def responses(inbox: Path, tz: str) -> pd.DataFrame:
    raw = load(inbox / "responses")
    now = pd.Timestamp.now(tz="UTC")
    required = ["response_id", "survey_id", "responded_at", "score", "channel"]
    ok = pd.concat([present(raw[c]) for c in required], axis=1).all(axis=1)
    ok &= raw["score"].str.strip().str.fullmatch(SCORE)
    survey_type = raw.get("survey_type", pd.Series("", index=raw.index)).str.strip().str.lower()
    ok &= survey_type.isin(["", "customer", "employee"])
    moment = timestamps(raw["responded_at"])
    ok &= moment.notna() & (moment <= now)
    ok &= raw["channel"].str.strip().str.lower().isin(CHANNEL_SET)
    catalogue = {
        s.survey_id: s.programme for s in load_survey_catalogue(REPO_ROOT / "config" / "surveys.yml").surveys
    }
    listed = raw.loc[ok, "survey_id"].str.strip().map(catalogue)
    is_employee = survey_type[ok] == "employee"
    # the catalogue's programme; unknown or contradicted by the rows: 'unclassified'
    programme = listed.where(listed.notna() & ((listed == "employee") == is_employee), "unclassified")
    valid = raw[ok].assign(
        moment=moment[ok],
        programme=programme,
        score=raw.loc[ok, "score"].str.strip().str.replace(",", ".").astype(float).astype(int),
        channel=raw.loc[ok, "channel"].str.strip().str.lower(),
    )
    valid = latest_per_id(valid, "response_id")
    # customer answers only: employee answers are HR's (the customers' marts hold none)
    valid = valid[
        valid.get("survey_type", pd.Series("", index=valid.index)).str.strip().str.lower() != "employee"
    ]
    valid["response_date"] = local_date(valid["moment"], tz)
    valid["invitation_id"] = valid["invitation_id"].str.strip()
    return valid


def invitations(inbox: Path, tz: str) -> pd.DataFrame:
    raw = load(inbox / "invitations")
    now = pd.Timestamp.now(tz="UTC")
    ok = pd.concat(
        [present(raw[c]) for c in ("invitation_id", "survey_id", "sent_at", "channel")], axis=1
    ).all(axis=1)
    sent = timestamps(raw["sent_at"])
    ok &= sent.notna() & (sent <= now)
    for column in ("delivered_at", "opened_at", "started_at", "completed_at"):
        if column in raw:
            moment = timestamps(raw[column])
            ok &= ~present(raw[column]) | (moment.notna() & (moment <= now))
    ok &= raw["channel"].str.strip().str.lower().isin(CHANNEL_SET)
    valid = raw[ok].assign(sent=sent[ok], channel=raw.loc[ok, "channel"].str.strip().str.lower())
    valid = latest_per_id(valid, "invitation_id")
    # invitations to employee surveys are HR's, never in the customers' response rates
    catalogue = load_survey_catalogue(REPO_ROOT / "config" / "surveys.yml").surveys
    valid = valid[
        ~valid["survey_id"].str.strip().isin({s.survey_id for s in catalogue if s.programme == "employee"})
    ]
    valid["sent_date"] = local_date(valid["sent"], tz)
    return valid


def nps_counts(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = frame.assign(
        promoters=frame["score"] >= 9, passives=frame["score"].between(7, 8), detractors=frame["score"] <= 6
    ).groupby(keys, dropna=False)
    counts = grouped[["promoters", "passives", "detractors"]].sum()
    counts.insert(0, "responses", grouped.size())
    return counts.reset_index()


def marts(valid: pd.DataFrame, invited: pd.DataFrame, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    long_segments = pd.concat(
        [
            valid.loc[present(valid[c]), ["programme", "response_date", "score"]].assign(
                segment_type=c.removeprefix("segment_"),
                segment_value=valid.loc[present(valid[c]), c].str.strip(),
            )
            for c in segment_columns(valid)
        ]
    )
    answered = set(valid.loc[valid["invitation_id"] != "", "invitation_id"])
    invited = invited.assign(is_answered=invited["invitation_id"].str.strip().isin(answered))
    long_invitations = pd.concat(
        [
            invited[["sent_date", "is_answered"]].assign(dimension="overall", dimension_value="all"),
            invited[["sent_date", "is_answered"]].assign(
                dimension="channel", dimension_value=invited["channel"]
            ),
        ]
        + [
            invited.loc[present(invited[c]), ["sent_date", "is_answered"]].assign(
                dimension=c.removeprefix("segment_"),
                dimension_value=invited.loc[present(invited[c]), c].str.strip(),
            )
            for c in segment_columns(invited)
        ]
    )
    tables: dict[str, list[pd.DataFrame]] = {
        m: [] for m in ("by_period", "by_channel", "by_segment", "rates")
    }
    for grain in GRAINS:
        by_grain = valid.assign(period_grain=grain, period_start=period(valid["response_date"], grain))
        keys = ["programme", "period_grain", "period_start"]
        tables["by_period"].append(nps_counts(by_grain, keys))
        tables["by_channel"].append(nps_counts(by_grain, [*keys, "channel"]))
        segments = long_segments.assign(
            period_grain=grain, period_start=period(long_segments["response_date"], grain)
        )
        tables["by_segment"].append(nps_counts(segments, [*keys, "segment_type", "segment_value"]))
        rates = long_invitations.assign(
            period_grain=grain, period_start=period(long_invitations["sent_date"], grain)
        ).groupby(["period_grain", "period_start", "dimension", "dimension_value"])
        tables["rates"].append(
            pd.DataFrame({"invitations": rates.size(), "responses": rates["is_answered"].sum()}).reset_index()
        )
    for name, key in (
        ("nps_by_period", "by_period"),
        ("nps_by_channel", "by_channel"),
        ("nps_by_segment", "by_segment"),
        ("response_rates", "rates"),
    ):
        frame = pd.concat(tables[key], ignore_index=True)
        frame["period_start"] = frame["period_start"].dt.date
        frame.to_parquet(out / f"{name}.parquet", index=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inbox", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--reporting-tz", default="Europe/Stockholm")
    args = parser.parse_args(argv)
    marts(responses(args.inbox, args.reporting_tz), invitations(args.inbox, args.reporting_tz), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
