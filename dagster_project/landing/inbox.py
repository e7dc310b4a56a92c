"""The inbox: which files wait in a source's folder, and how a file is named in the ledger."""

from __future__ import annotations

from pathlib import Path


def inbox_files(raw_dir: Path, folder: str) -> list[Path]:
    """Every file below `raw_dir/folder`, in path order; hidden and Office lock files left out."""
    root = raw_dir / folder
    if not root.is_dir():
        return []
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and not any(part.startswith((".", "~$")) for part in path.relative_to(root).parts)
    )


def inbox_path(path: Path, raw_dir: Path) -> str:
    """The file's path relative to the inbox (its name in load records and quarantine)."""
    try:
        return path.relative_to(raw_dir).as_posix()
    except ValueError:
        return path.as_posix()
