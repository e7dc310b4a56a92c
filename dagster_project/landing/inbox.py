"""The inbox: which files wait in a source's folder, and how a delivery is named in the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MEMBER_SEPARATOR = "!"  # `responses/export.zip!export.csv`: a member of an archive


@dataclass(frozen=True)
class Delivery:
    """One export as delivered: a file in the inbox, or one member of an archive in it.

    `seen` (name, size and modification time of the file in the inbox, the archive's for a
    member) recognises an unchanged delivery without reading it; `path` holds the bytes.
    """

    name: str  # in the ledger: the inbox path, or `<archive path>!<member>`
    path: Path
    seen: dict
    archive_path: str | None = None
    archive_member: str | None = None
    rejected_reason: str | None = None  # an archive rejected as a whole (none of it lands)
    replaces: tuple[str, ...] = ()  # other names whose live content this one replaces

    @classmethod
    def of_file(cls, path: Path, raw_dir: Path, **fields) -> Delivery:
        name = inbox_path(path, raw_dir)
        return cls(name=name, path=path, seen=seen_as(name, path), **fields)


def seen_as(name: str, path: Path) -> dict:
    """What the ledger remembers of a delivery to recognise it unchanged: name, size, mtime."""
    stat = path.stat()
    return {"p": name, "bytes": stat.st_size, "mtime": stat.st_mtime_ns}


# Names under which upload tools, browsers and editors write a file that is not complete yet.
TEMPORARY_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".filepart")


def inbox_files(raw_dir: Path, folder: str, settled_before: float | None = None) -> list[Path]:
    """Every file below `raw_dir/folder`, in path order; hidden, temporary and Office lock
    files left out, and with `settled_before` (seconds since the epoch) the files modified
    since then too: a file still being written waits for a later run."""
    return [
        path
        for path in _candidates(raw_dir, folder)
        if settled_before is None or _settled(path, settled_before)
    ]


def unsettled_files(raw_dir: Path, folder: str, settled_before: float) -> list[Path]:
    """The files of `folder` left for a later run: modified since `settled_before`."""
    return [path for path in _candidates(raw_dir, folder) if not _settled(path, settled_before)]


def _candidates(raw_dir: Path, folder: str) -> list[Path]:
    root = raw_dir / folder
    if not root.is_dir():
        return []
    return sorted(
        path for path in root.rglob("*") if path.is_file() and not is_hidden(path.relative_to(root))
    )


def _settled(path: Path, settled_before: float) -> bool:
    try:
        return path.stat().st_mtime < settled_before
    except FileNotFoundError:  # gone since it was listed (moved away mid-upload)
        return False


def is_hidden(relative: Path) -> bool:
    """Hidden files, Office lock files, macOS resource forks and files still being written
    under a temporary name are not deliveries."""
    return any(part.startswith((".", "~$")) or part == "__MACOSX" for part in relative.parts) or (
        relative.name.lower().endswith(TEMPORARY_SUFFIXES)
    )


def inbox_path(path: Path, raw_dir: Path) -> str:
    """The file's path relative to the inbox (its name in load records and quarantine)."""
    try:
        return path.relative_to(raw_dir).as_posix()
    except ValueError:
        return path.as_posix()
