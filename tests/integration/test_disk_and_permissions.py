"""A full disk or a read-only output directory gives a clear error, not a traceback.

The run is started inside a user and mount namespace (`unshare`), where the output
directories are a tiny or a read-only tmpfs - a real ENOSPC / EROFS, no mock.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess

import pytest

from tests.cli_runs import deployment
from tests.conftest import FIXTURES


def namespaces_available() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        [
            "unshare",
            "--user",
            "--map-root-user",
            "--mount",
            "sh",
            "-c",
            "mount -t tmpfs -o size=1m tmpfs /mnt && umount /mnt",
        ],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(not namespaces_available(), reason="user/mount namespaces are not allowed here"),
]


def run_on_tmpfs(site, mount_options: str, directories, **extra):
    mounts = " && ".join(
        f"mkdir -p {shlex.quote(str(d))} && mount -t tmpfs -o {mount_options} tmpfs {shlex.quote(str(d))}"
        for d in directories
    )
    command = " ".join(shlex.quote(part) for part in site.command())
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", f"{mounts} && exec {command}"],
        env=site.env(**extra),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def no_traceback(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_a_read_only_warehouse_directory(tmp_path):
    site = deployment(tmp_path, FIXTURES / "inbox_small")
    result = run_on_tmpfs(site, "ro,size=8m", [site.warehouse.parent])
    assert result.returncode == 4
    assert (
        f"cannot write the warehouse to {site.warehouse.parent}: Read-only file system. "
        "Set NPS_WAREHOUSE to a writable location." in result.stderr
    )
    no_traceback(result)


def test_a_read_only_published_directory(tmp_path):
    site = deployment(tmp_path, FIXTURES / "inbox_small")
    result = run_on_tmpfs(site, "ro,size=8m", [site.published.parent])
    assert result.returncode == 4
    assert f"cannot write the published marts to {site.published.parent}: Read-only file system" in (
        result.stderr
    )
    no_traceback(result)


def test_too_little_free_space_is_refused_before_starting(tmp_path):
    site = deployment(tmp_path, FIXTURES / "inbox_small")
    result = run_on_tmpfs(site, "size=2m", [site.warehouse.parent])
    assert result.returncode == 4
    assert "has only 2 MB free; the run needs at least 50 MB (NPS_MIN_FREE_MB)" in result.stderr
    no_traceback(result)


def test_a_disk_that_fills_up_during_the_run(tmp_path):
    site = deployment(tmp_path, FIXTURES / "inbox_small")
    result = run_on_tmpfs(site, "size=3m", [site.warehouse.parent], NPS_MIN_FREE_MB="0")
    assert result.returncode == 4, result.stderr[-3000:]
    assert "The run stopped because the disk is full" in result.stderr
    assert "Nothing was published" in result.stderr
    no_traceback(result)
    assert not site.published.exists()
