"""BI tools read a published copy: never blocked by the pipeline, never blocking it, and
never seeing a half-written or failed build."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from dagster_project.publishing.publish import publish
from tests.cli_runs import Deployment, copy_site, published_tables, published_version

pytestmark = [pytest.mark.pipeline, pytest.mark.long_running(minutes=2)]

LATE_FILE = (
    "response_id,survey_id,invitation_id,respondent_id,responded_at,score,channel,reason,"
    "improvement,segment_region\n"
    + "".join(f"L{i},tnps,,,2025-01-2{i % 9}T12:00:00+01:00,{i % 11},web,,,Skåne\n" for i in range(40))
)

READER = textwrap.dedent(
    """
    import json, sys, time, duckdb
    path, stop, out, persistent = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
    import pathlib
    held = duckdb.connect(path, read_only=True) if persistent else None
    with open(out, "w") as log:
        while not pathlib.Path(stop).exists():
            con = held or duckdb.connect(path, read_only=True)
            try:
                version = con.execute("select version from meta.publication").fetchall()[0][0]
                facts = con.execute(
                    "select count(*) from marts.nps_responses where programme <> 'employee'"
                ).fetchall()[0][0]
                yearly = con.execute(
                    "select sum(responses) from marts.nps_by_period "
                    "where programme <> 'employee' and period_grain = 'year'"
                ).fetchall()[0][0]
                recorded = con.execute(
                    "select table_rows['marts.nps_responses'] from meta.publication"
                ).fetchall()[0][0]
                log.write(json.dumps({"version": version, "facts": facts, "yearly": int(yearly),
                                      "recorded": recorded}) + "\\n")
            except Exception as exc:
                log.write(json.dumps({"error": repr(exc)}) + "\\n")
            finally:
                if not persistent:
                    con.close()
            log.flush()
            time.sleep(0.05)
    """
)


@pytest.fixture(scope="module")
def built(small_warehouse):
    """The small inbox, run once; tests run `nps-warehouse run` on copies (copy_site)."""
    return Deployment(small_warehouse.settings.raw_dir.parent)


def test_readers_during_a_run_see_one_whole_version_and_the_increment_equals_a_full_copy(tmp_path, built):
    """Readers (one holding its connection, one reconnecting) during a run that publishes a
    new file by increment; then the published file equals the warehouse copied whole."""
    site = copy_site(built, tmp_path / "site")
    version_1 = published_version(site.published)

    stop = tmp_path / "stop"
    readers = {
        name: subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER,
                str(site.published),
                str(stop),
                str(tmp_path / f"{name}.jsonl"),
                "1" if name == "holding" else "0",
            ]
        )
        for name in ("holding", "reconnecting")
    }
    time.sleep(1.0)
    (site.inbox / "responses" / "2025-02_late.csv").write_text(LATE_FILE, encoding="utf-8")
    second = site.run()
    time.sleep(1.0)
    stop.touch()
    for reader in readers.values():
        reader.wait(timeout=30)

    assert second.returncode == 0, second.stderr
    version_2 = published_version(site.published)
    assert version_2 != version_1
    for name in readers:
        seen = [json.loads(line) for line in (tmp_path / f"{name}.jsonl").read_text().splitlines()]
        assert seen and not [s for s in seen if "error" in s], name
        # every answer is one whole version: its tables agree with each other
        assert all(s["facts"] == s["yearly"] == s["recorded"] for s in seen), name
        versions = [s["version"] for s in seen]
        assert set(versions) <= {version_1, version_2}
        if name == "holding":
            assert set(versions) == {version_1}  # an open connection keeps its version
        else:
            assert versions[0] == version_1 and versions[-1] == version_2
            assert versions == sorted(versions, key=[version_1, version_2].index)

    by_increment = published_tables(site.published)
    assert (
        len(by_increment["marts.nps_responses"])
        == len(published_tables(built.published)["marts.nps_responses"]) + 40
    )
    # The same warehouse copied whole into another file: the same tables, row for row.
    whole = publish(site.warehouse, tmp_path / "whole" / "nps_marts.duckdb")
    assert not whole.incremental
    assert published_tables(whole.path) == by_increment


def test_a_failed_build_never_publishes(tmp_path, built):
    site = copy_site(built, tmp_path)
    version = published_version(site.published)
    # Damage the load records so that the rows no longer reconcile: the blocking check fails
    # on the next build (a new file arrives, so there is something to build).
    con = duckdb.connect(str(site.warehouse))
    con.execute("update raw.landed_files set rows_read = rows_read + 1")
    con.close()
    (site.inbox / "responses" / "2025-02_late.csv").write_text(LATE_FILE, encoding="utf-8")
    failed = site.run()
    assert failed.returncode == 1
    assert "nothing was published" in failed.stderr
    assert published_version(site.published) == version


def test_a_reader_holding_the_published_file_in_write_mode_does_not_block_the_run(tmp_path, built):
    site = copy_site(built, tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(site.published)!r}); time.sleep(600)",
        ]
    )
    try:
        time.sleep(1.0)
        (site.inbox / "responses" / "2025-02_late.csv").write_text(LATE_FILE, encoding="utf-8")
        assert site.run().returncode == 0
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()


def test_publishing_copies_everything_when_the_published_file_is_not_the_recorded_one(tmp_path, built):
    site = copy_site(built, tmp_path)
    expected = published_tables(site.published)
    # Nothing changed since the last publication: an increment with nothing to do.
    again = publish(site.warehouse, site.published)
    assert again.incremental
    assert published_tables(site.published) == expected
    # Someone put another file in its place (here: the same file, told it is another version).
    con = duckdb.connect(str(site.published))
    con.execute("update meta.publication set version = 'not-the-recorded-one'")
    con.execute("delete from marts.nps_responses where score < 5")
    con.close()
    replaced = publish(site.warehouse, site.published)
    assert not replaced.incremental
    assert published_tables(site.published) == expected


def test_open_follow_ups_are_published_again_by_increment(tmp_path, built):
    site = copy_site(built, tmp_path)
    # A detractor still inside the call-back window: open in the build and as published (the
    # clock may turn it overdue, so every publication replaces it, and must bring it back).
    for path in (site.warehouse, site.published):
        con = duckdb.connect(str(path))
        con.execute(
            "update marts.detractor_followups set followup_status = 'open' "
            "where response_id = (select min(response_id) from marts.detractor_followups)"
        )
        con.close()
    expected = published_tables(site.published)
    assert any("open" in row for row in expected["marts.detractor_followups"])
    again = publish(site.warehouse, site.published)
    assert again.incremental
    assert published_tables(site.published) == expected


def test_an_increment_that_does_not_give_what_was_built_is_never_swapped_in(tmp_path, built):
    site = copy_site(built, tmp_path)
    expected = published_tables(site.published)
    # The published file is the recorded one, but a row of an unchanged file is not what the
    # warehouse holds (a damaged page, a hand edit): the increment would keep it, with the
    # same number of rows. The content digest sees it; everything is copied instead.
    con = duckdb.connect(str(site.published))
    con.execute(
        "update marts.nps_responses set score = 10 - score "
        "where response_id = (select min(response_id) from marts.nps_responses)"
    )
    con.close()
    republished = publish(site.warehouse, site.published)
    assert not republished.incremental
    assert "marts.nps_responses: the increment gives" in republished.copied_whole_because
    assert published_tables(site.published) == expected
