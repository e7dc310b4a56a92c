"""Making a rename survive a crash: fsync of a file or a directory (after writing a file
and after renaming it into place, the directory that holds the new name)."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
