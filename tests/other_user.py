"""Opening a file as another user: root ignores file modes, so a test that checks who may
open a published file runs the open in a forked child demoted to nobody:nogroup."""

from __future__ import annotations

import os
from collections.abc import Callable

import duckdb

NOBODY = 65534  # uid of nobody and gid of nogroup


def in_child_as_nobody(open_file: Callable[[], object]) -> str:
    """Run `open_file` in a forked child (as nobody:nogroup under root); what happened, in words."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report and leave without running any test machinery
        os.close(read)
        try:
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            open_file()
            outcome = "opened"
        except duckdb.Error as exc:
            outcome = "refused: permission denied" if "Permission denied" in str(exc) else f"refused: {exc}"
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            outcome = f"failed: {exc!r}"
        os.write(write, outcome.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        outcome = pipe.read()
    os.waitpid(pid, 0)
    return outcome
