"""Archives in the inbox: a `.gz` holds one export, a `.zip` one or more.

Survey tools download as archives (a Qualtrics or SurveyMonkey response export is a zip
holding the CSV) and data engineers gzip exports in transit, so archives are opened where
they land, for every format. Each export inside is a delivery of its own, named
`<archive>!<member>` in the ledger with its own checksum: exactly-once landing, corrected
re-deliveries and duplicate ids work per member, and the same member inside two archives
lands once. Directories, hidden files and macOS resource forks (`__MACOSX/`) inside a zip
are not members; any other member is judged like a file in the inbox (a PDF is rejected
as an unsupported file type).

An archive is rejected as a whole, with the reason, and none of it lands when it is corrupt
or truncated, encrypted, holds another archive (one level only), holds nothing, or expands
past the size limit (`NPS_ARCHIVE_MAX_MB`; bytes are counted as they are unpacked, so a
zip bomb that lies about its sizes is stopped at the limit too).
"""

from __future__ import annotations

import gzip
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from dagster_project.landing.inbox import MEMBER_SEPARATOR, Delivery, inbox_path, is_hidden, seen_as

ARCHIVE_SUFFIXES = (".zip", ".gz")
# A member with one of these endings is an archive inside an archive: not opened.
NESTED_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz", ".zst")
COPY_CHUNK = 1 << 20


class ArchiveRejected(Exception):
    """The archive cannot be used as a whole; the message says why."""


def is_archive(path: Path) -> bool:
    return path.suffix.lower() in ARCHIVE_SUFFIXES


def member_names(path: Path, max_bytes: int) -> list[str]:
    """The exports inside the archive, from its directory (nothing is unpacked yet)."""
    if path.suffix.lower() == ".gz":
        members = [path.name[: -len(".gz")]]
    else:
        members = _zip_members(path, max_bytes)
    if not members:
        raise ArchiveRejected("the archive holds no files")
    for member in members:
        if member.lower().endswith(NESTED_SUFFIXES):
            raise ArchiveRejected(
                f"the archive holds another archive ({member!r}); archives are opened one level deep"
            )
    return members


def _zip_members(path: Path, max_bytes: int) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [
                info
                for info in archive.infolist()
                if not info.is_dir() and not is_hidden(Path(*PurePosixPath(info.filename).parts))
            ]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise ArchiveRejected(f"not a readable zip archive ({exc})") from None
    encrypted = [info.filename for info in infos if info.flag_bits & 0x1]
    if encrypted:
        raise ArchiveRejected(f"the zip archive is encrypted ({encrypted[0]!r} needs a password)")
    declared = sum(info.file_size for info in infos)
    if declared > max_bytes:
        raise ArchiveRejected(_too_big(max_bytes, f"its directory says {declared} bytes"))
    return [info.filename for info in infos]


def _too_big(max_bytes: int, detail: str) -> str:
    return (
        f"the archive expands past the limit of {max_bytes / (1 << 20):g} MB ({detail}); "
        "raise NPS_ARCHIVE_MAX_MB if it is a real export"
    )


@contextmanager
def unpacked(path: Path, members: list[str], work_dir: Path, max_bytes: int) -> Iterator[dict[str, Path]]:
    """Every member unpacked into a scratch folder (member -> file), checked whole before
    any of it lands; the folder goes when the `with` block ends."""
    folder = work_dir / "archives" / path.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        budget = [max_bytes]
        files = {}
        for number, member in enumerate(members):
            # A numbered name, never the member's own path (no `../` escapes the folder);
            # keep the member's ending: the readers judge a file type by it.
            target = folder / f"{number}{PurePosixPath(member).suffix}"
            files[member] = target
            try:
                with _open_member(path, member) as source, target.open("wb") as sink:
                    _copy_within(source, sink, budget, max_bytes)
            except NotImplementedError as exc:  # e.g. Deflate64, which Python cannot unpack
                raise ArchiveRejected(f"the zip archive cannot be unpacked ({member!r}: {exc})") from None
            except (zipfile.BadZipFile, EOFError, zlib.error, OSError, RuntimeError) as exc:
                kind = "gzip" if path.suffix.lower() == ".gz" else "zip"
                raise ArchiveRejected(
                    f"the {kind} archive is corrupt or truncated ({member!r}: {exc})"
                ) from None
        yield files
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _open_member(path: Path, member: str):
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")
    archive = zipfile.ZipFile(path)
    try:
        return _ClosingBoth(archive.open(member), archive)
    except BaseException:
        archive.close()
        raise


class _ClosingBoth:
    """A zip member's stream that closes its archive too."""

    def __init__(self, stream, archive: zipfile.ZipFile):
        self.stream, self.archive = stream, archive

    def __enter__(self):
        return self.stream

    def __exit__(self, *exc) -> None:
        self.stream.close()
        self.archive.close()


def _copy_within(source, sink, budget: list[int], max_bytes: int) -> None:
    while chunk := source.read(COPY_CHUNK):
        budget[0] -= len(chunk)
        if budget[0] < 0:
            raise ArchiveRejected(_too_big(max_bytes, f"more than {max_bytes} bytes unpacked"))
        sink.write(chunk)


def archive_deliveries(
    path: Path, raw_dir: Path, members: list[str], files: dict[str, Path]
) -> list[Delivery]:
    """One delivery per member; each replaces a rejected earlier version of the archive."""
    archive = inbox_path(path, raw_dir)
    return [
        Delivery(
            name=member_delivery_name(archive, member),
            path=files.get(member, path),
            # a member is seen unchanged when its archive is (same name, size, mtime)
            seen=seen_as(member_delivery_name(archive, member), path),
            archive_path=archive,
            archive_member=member,
            replaces=(archive,),
        )
        for member in members
    ]


def member_delivery_name(archive: str, member: str) -> str:
    return f"{archive}{MEMBER_SEPARATOR}{member}"
