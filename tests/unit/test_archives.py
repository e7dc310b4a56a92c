"""Archives in the inbox on a real DuckDB file: each member is a delivery of its own
(exactly once, corrected re-deliveries), an unchanged archive is not unpacked again, and a
rejected archive is replaced by its corrected version."""

from __future__ import annotations

import gzip
import os
import zipfile
from pathlib import Path

import pytest

from dagster_project.landing import archives
from dagster_project.landing.land import land_source
from dagster_project.landing.sources import SourceConfig
from dagster_project.warehouse.connection import connect
from dagster_project.warehouse.tables import ensure_landing_tables
from tests.pipeline import LANDING_KEY

HEADER = "response_id,survey_id,responded_at,score,channel,segment_region\n"
CANONICAL = SourceConfig(name="responses", kind="responses", folder="responses")


def rows(*ids: str, score: int = 9) -> str:
    return HEADER + "".join(f"{i},S,2025-01-01,{score},email,Skåne\n" for i in ids)


@pytest.fixture
def inbox(tmp_path) -> Path:
    (tmp_path / "inbox" / "responses").mkdir(parents=True)
    return tmp_path / "inbox"


def write_zip(inbox: Path, name: str, members: dict[str, str], mtime: int = 1_700_000_000) -> Path:
    path = inbox / "responses" / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    os.utime(path, (mtime, mtime))
    return path


def land(tmp_path, inbox, max_bytes: int = 1 << 30):
    with connect(tmp_path / "w.duckdb") as con:
        ensure_landing_tables(con)
        outcomes = land_source(con, CANONICAL, inbox, tmp_path / "work", LANDING_KEY, max_bytes)
        files = con.sql(
            """select file_path, archive_path, archive_member, rows_read, rejected_reason,
                      replaced_at is not null
               from raw.landed_files order by landing_seq"""
        ).fetchall()
        ids = [r for (r,) in con.sql("select response_id from raw.responses_rows order by 1").fetchall()]
    return [(o.file_path, o.outcome) for o in outcomes], files, ids


def test_each_member_lands_with_its_archive_and_name(tmp_path, inbox):
    write_zip(inbox, "export.zip", {"a.csv": rows("A1", "A2"), "sub/b.csv": rows("B1")})
    outcomes, files, ids = land(tmp_path, inbox)
    assert outcomes == [
        ("responses/export.zip!a.csv", "landed"),
        ("responses/export.zip!sub/b.csv", "landed"),
    ]
    assert files == [
        ("responses/export.zip!a.csv", "responses/export.zip", "a.csv", 2, None, False),
        ("responses/export.zip!sub/b.csv", "responses/export.zip", "sub/b.csv", 1, None, False),
    ]
    assert ids == ["A1", "A2", "B1"]
    assert not list((tmp_path / "work").rglob("*.csv")), "unpacked members are removed"


def test_an_unchanged_archive_is_not_unpacked_again(tmp_path, inbox, monkeypatch):
    write_zip(inbox, "export.zip", {"a.csv": rows("A1")})
    land(tmp_path, inbox)

    def fail(*args, **kwargs):
        raise AssertionError("an unchanged archive was unpacked")

    monkeypatch.setattr("dagster_project.landing.land.unpacked", fail)
    outcomes, files, ids = land(tmp_path, inbox)
    assert outcomes == [("responses/export.zip!a.csv", "already_landed")]
    assert len(files) == 1 and ids == ["A1"]


def test_a_corrected_archive_replaces_the_members_that_changed(tmp_path, inbox):
    write_zip(inbox, "export.zip", {"a.csv": rows("A1"), "b.csv": rows("B1", score=3)})
    land(tmp_path, inbox)
    write_zip(inbox, "export.zip", {"a.csv": rows("A1"), "b.csv": rows("B1", score=4)}, mtime=1_800_000_000)
    outcomes, files, ids = land(tmp_path, inbox)
    assert outcomes == [
        ("responses/export.zip!a.csv", "already_landed"),
        ("responses/export.zip!b.csv", "replacement"),
    ]
    assert [(f[0], f[5]) for f in files] == [
        ("responses/export.zip!a.csv", False),
        ("responses/export.zip!b.csv", True),
        ("responses/export.zip!b.csv", False),
    ]
    assert ids == ["A1", "B1"]


def test_a_rejected_archive_is_replaced_by_its_corrected_version(tmp_path, inbox):
    broken = inbox / "responses" / "export.csv.gz"
    broken.write_bytes(gzip.compress(rows("G1", "G2").encode())[:40])
    outcomes, files, _ = land(tmp_path, inbox)
    assert outcomes == [("responses/export.csv.gz", "landed")]
    assert files[0][4].startswith("the gzip archive is corrupt or truncated")
    assert land(tmp_path, inbox)[0] == [("responses/export.csv.gz", "already_landed")]

    broken.write_bytes(gzip.compress(rows("G1", "G2").encode()))
    os.utime(broken, (1_800_000_000, 1_800_000_000))
    outcomes, files, ids = land(tmp_path, inbox)
    assert outcomes == [("responses/export.csv.gz!export.csv", "replacement")]
    assert [(f[0], f[4] is None, f[5]) for f in files] == [
        ("responses/export.csv.gz", False, True),
        ("responses/export.csv.gz!export.csv", True, False),
    ]
    assert ids == ["G1", "G2"]


def test_a_zip_bomb_stops_at_the_limit_and_lands_nothing(tmp_path, inbox):
    write_zip(inbox, "bomb.zip", {"small.csv": rows("S1"), "bomb.csv": rows("Z1") + "0" * (3 << 20)})
    outcomes, files, ids = land(tmp_path, inbox, max_bytes=2 << 20)
    assert outcomes == [("responses/bomb.zip", "landed")]
    assert files[0][4].startswith("the archive expands past the limit of 2 MB")
    assert ids == [], "no member of a rejected archive lands"


def test_a_bomb_that_lies_about_its_size_is_stopped_while_unpacking(tmp_path, inbox):
    """The directory says 100 bytes; the bytes unpacked are counted, not believed."""
    path = write_zip(inbox, "liar.zip", {"bomb.csv": rows("Z1") + "0" * (3 << 20)})
    with zipfile.ZipFile(path) as archive:
        true_size = archive.infolist()[0].file_size
    data = path.read_bytes()
    data = data.replace(true_size.to_bytes(4, "little"), (100).to_bytes(4, "little"))
    path.write_bytes(data)
    outcomes, files, ids = land(tmp_path, inbox, max_bytes=2 << 20)
    assert outcomes == [("responses/liar.zip", "landed")]
    assert files[0][4].startswith("the zip archive is corrupt or truncated ('bomb.csv'")
    assert ids == []


def test_member_names_skip_folders_hidden_files_and_resource_forks(tmp_path):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("2025/", "")
        archive.writestr("2025/a.csv", rows("A1"))
        archive.writestr("__MACOSX/2025/._a.csv", "\x00\x05")
        archive.writestr(".DS_Store", "\x00")
    assert archives.member_names(path, 1 << 20) == ["2025/a.csv"]
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("only/", "")
    with pytest.raises(archives.ArchiveRejected, match="holds no files"):
        archives.member_names(empty, 1 << 20)
