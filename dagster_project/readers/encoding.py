"""Reading a delimited text file's bytes without guessing wrong: checksum, encoding, delimiter.

DuckDB's CSV sniffer does not detect Windows-1252 or mixed encodings, so we decide here,
in one streaming pass over the bytes (constant memory), and hand DuckDB a UTF-8 file.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 1 << 20
UTF8_BOM = codecs.BOM_UTF8
DELIMITER_CANDIDATES = (",", ";", "\t", "|")


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    size_bytes: int
    encoding: str  # utf-8 | utf-8-sig | windows-1252 | mixed utf-8/windows-1252

    @property
    def is_utf8(self) -> bool:
        return self.encoding in ("utf-8", "utf-8-sig")


def first_line(path: Path, limit: int = 1 << 16) -> str:
    """The file's first line, decoded, without BOM and line end."""
    with path.open("rb") as handle:
        raw = handle.readline(limit)
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM) :]
    return decode_line(raw)[0].rstrip("\r\n")


def decode_line(raw: bytes) -> tuple[str, str]:
    """Decode one line: UTF-8 when it is valid UTF-8, else Windows-1252 (else Latin-1)."""
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        # Five byte values are undefined in Windows-1252; Latin-1 maps every byte.
        return raw.decode("latin-1"), "windows-1252"


def sniff_delimiter(header_line: str) -> str:
    """The candidate that occurs most often outside quotes in the header line (',' on a tie)."""
    counts = dict.fromkeys(DELIMITER_CANDIDATES, 0)
    in_quotes = False
    for char in header_line:
        if char == '"':
            in_quotes = not in_quotes
        elif not in_quotes and char in counts:
            counts[char] += 1
    best = max(DELIMITER_CANDIDATES, key=lambda c: (counts[c], c == ","))
    return best if counts[best] > 0 else ","


def inspect_file(path: Path) -> FileFacts:
    """Checksum, size and encoding of a file, in one streaming pass over its bytes."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = 0
    utf8 = True
    with path.open("rb") as handle:
        head = handle.read(len(UTF8_BOM))
        handle.seek(0)
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if utf8:
        encoding = "utf-8-sig" if head == UTF8_BOM else "utf-8"
    else:
        encoding = _non_utf8_encoding(path)
    return FileFacts(digest.hexdigest(), size, encoding)


def _non_utf8_encoding(path: Path) -> str:
    seen = set()
    with path.open("rb") as handle:
        for raw in handle:
            if raw.isascii():
                continue
            seen.add(decode_line(raw)[1])
            if len(seen) == 2:
                return "mixed utf-8/windows-1252"
    return "windows-1252"


def utf8_copy(path: Path, facts: FileFacts, work_dir: Path, forced: str = "auto") -> Path:
    """A UTF-8 file DuckDB can read: the file itself, or a line-by-line transcoded copy.

    Line by line, so a file that mixes UTF-8 and Windows-1252 lines keeps every letter.
    `forced="windows-1252"` decodes every line as Windows-1252 (a configured source).
    """
    if facts.is_utf8 and forced != "windows-1252":
        return path
    work_dir.mkdir(parents=True, exist_ok=True)
    target = work_dir / f"{facts.sha256}.csv"
    partial = target.with_suffix(".partial")
    with path.open("rb") as source, partial.open("w", encoding="utf-8", newline="") as sink:
        for raw in source:
            if forced == "windows-1252":
                sink.write(raw.decode("cp1252") if _cp1252_ok(raw) else raw.decode("latin-1"))
            else:
                sink.write(decode_line(raw)[0])
    partial.replace(target)
    return target


def _cp1252_ok(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False
