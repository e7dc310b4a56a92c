"""Timing a command as a whole process, with the peak resident memory of its process tree
(sampled from /proc every 50 ms: the sum of VmRSS over the process and all descendants,
so dbt's subprocess counts too)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.05


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float
    returncode: int
    stopped_at_cap: bool = False  # killed for passing `rss_cap_mb`

    @property
    def cores_used(self) -> float:
        return self.cpu_seconds / self.seconds if self.seconds else 0.0


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int) -> int:
    tree = _children()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _rss_kb(pid)
        stack.extend(tree.get(pid, []))
    return total


def run(
    command: list[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    log: Path | None = None,
    rss_cap_mb: float | None = None,
):
    """Run `command`; returns its wall time, peak tree RSS and CPU time (children included).
    With `rss_cap_mb`, the command is killed when its tree passes that much resident memory
    (a peer that cannot fit the machine is stopped before the machine runs out)."""
    out = log.open("w") if log else subprocess.DEVNULL
    before = os.times()
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    peak = 0
    done = threading.Event()

    capped = False

    def sample() -> None:
        nonlocal peak, capped
        while not done.is_set():
            peak = max(peak, tree_rss_kb(process.pid))
            if rss_cap_mb is not None and peak / 1024 > rss_cap_mb and not capped:
                capped = True
                process.kill()
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    returncode = process.wait()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    after = os.times()
    if log:
        out.close()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return Measured(seconds, peak / 1024, cpu, returncode, capped)
