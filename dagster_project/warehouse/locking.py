"""One writer at a time on a warehouse, across processes: an advisory lock file.

Every process that opens the pipeline's DuckDB file takes `<warehouse>.lock` first (an
exclusive `flock`), and writes who holds it into the file. A second run waits, saying who
it waits for, until the first is done or the timeout (`NPS_LOCK_TIMEOUT`) passes; `make run` can
also be told not to wait. The kernel drops the lock when its process dies, so a killed run
never leaves a stale lock behind.

The lock is re-entrant within a process: `make run` holds it for the whole run, and the
steps it runs in-process take it again for free. Steps of a Dagster run launched by the
daemon run in their own processes and take it step by step.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster_project.settings import DEFAULT_LOCK_TIMEOUT_SECONDS

POLL_SECONDS = 0.5


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse; the message names it."""


def lock_path(warehouse_path: Path) -> Path:
    return warehouse_path.with_name(warehouse_path.name + ".lock")


def describe_holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        holder = {}
    if not holder:
        return "another process"
    return (
        f"process {holder.get('pid')} on {holder.get('host')} "
        f"(since {holder.get('since')}: {holder.get('command')})"
    )


class _Held:
    def __init__(self) -> None:
        self.guard = threading.Lock()
        self.files: dict[Path, tuple[int, int]] = {}  # lock path -> (fd, depth)


_HELD = _Held()


@contextmanager
def warehouse_lock(
    warehouse_path: Path,
    wait: bool = True,
    timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse's lock; wait for it (or raise WarehouseBusy)."""
    path = lock_path(warehouse_path)
    with _HELD.guard:
        if path in _HELD.files:
            fd, depth = _HELD.files[path]
            _HELD.files[path] = (fd, depth + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            _release(path)
        return

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, wait, timeout, on_wait)
    except BaseException:
        os.close(fd)
        raise
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join(os.path.basename(a) for a in sys.argv[:3]),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(holder).encode(), 0)
    with _HELD.guard:
        _HELD.files[path] = (fd, 1)
    try:
        yield
    finally:
        _release(path)


def _acquire(fd: int, path: Path, wait: bool, timeout: float, on_wait) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    holder = describe_holder(path)
    if not wait:
        raise WarehouseBusy(f"{path.with_suffix('')} is being written by {holder}; not waiting")
    if on_wait:
        on_wait(f"waiting for {holder} to finish with {path.with_suffix('')} (up to {timeout:.0f} s)")
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"gave up after {timeout:.0f} s: {path.with_suffix('')} is still being "
                    f"written by {describe_holder(path)} (NPS_LOCK_TIMEOUT sets the wait)"
                ) from None
            time.sleep(POLL_SECONDS)


def _release(path: Path) -> None:
    with _HELD.guard:
        fd, depth = _HELD.files[path]
        if depth > 1:
            _HELD.files[path] = (fd, depth - 1)
            return
        del _HELD.files[path]
    os.ftruncate(fd, 0)
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
