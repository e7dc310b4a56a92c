"""Reading a delimited text file's bytes without guessing wrong: checksum, encoding, delimiter.

DuckDB's CSV sniffer does not detect Windows-1252, UTF-16 or mixed encodings, so we decide
here, in one streaming pass over the bytes (constant memory), and hand DuckDB a UTF-8 file.

| encoding (load record)     | how it is recognised                                         |
|----------------------------|--------------------------------------------------------------|
| utf-8, utf-8-sig           | the bytes are valid UTF-8 (-sig: with a byte-order mark)     |
| utf-16-le, utf-16-be       | a UTF-16 byte-order mark (Excel's "Unicode text")            |
| utf-16-le/-be (no BOM)     | no mark, but every other byte is zero (mostly-Latin text)    |
| windows-1252               | not UTF-8: every line read as Windows-1252                   |
| mixed utf-8/windows-1252   | some lines UTF-8, others Windows-1252: each line on its own  |
| not text                   | not UTF-8, control bytes (NUL, ...) throughout: rejected     |
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 1 << 20
SNIFF_BYTES = 1 << 16  # how much of the file decides UTF-16 without a mark, or "not text"
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}
UTF32_LE_BOM = codecs.BOM_UTF32_LE  # starts like UTF-16 LE's mark; not supported
DELIMITER_CANDIDATES = (",", ";", "\t", "|")
# Text has tabs and line ends, at most a stray control byte; binary data has them throughout.
TEXT_CONTROLS = frozenset(b"\t\n\r\x0c\x1a")
MIN_CONTROL_BYTES = 4
MAX_CONTROL_SHARE = 0.01
NOT_TEXT = "the file is not UTF-8, UTF-16 or Windows-1252 text"


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    size_bytes: int
    encoding: str  # see the table above
    not_text_because: str | None = None  # the evidence, when encoding is "not text"
    # whether the decoded text holds a NUL character anywhere (then each row is checked)
    holds_nul: bool = True

    @property
    def is_utf8(self) -> bool:
        return self.encoding in ("utf-8", "utf-8-sig")

    @property
    def is_utf16(self) -> bool:
        return self.encoding.startswith("utf-16")

    @property
    def not_text_reason(self) -> str | None:
        """Why the bytes cannot be read as text in a supported encoding, if they cannot."""
        if self.encoding != "not text":
            return None
        return f"{NOT_TEXT} ({self.not_text_because})"


def utf16_codec(encoding: str) -> str:
    """The Python codec of a UTF-16 encoding name ('utf-16' reads and drops the mark)."""
    if encoding.endswith("(no BOM)"):
        return encoding.split()[0]
    return "utf-16"


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
        # Five byte values are undefined in Windows-1252; Latin-1 maps every byte (as
        # Windows itself does, to control characters).
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
    """Checksum, size and encoding of a file, in one streaming pass over its bytes (and a
    second, line by line, only for text that is not UTF-8)."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    utf16 = _utf16_encoding(head)
    sha256, size, decode_error, nul = _checksum_and_decode(path, utf16_codec(utf16) if utf16 else "utf-8")
    if utf16:
        if decode_error:
            return FileFacts(sha256, size, "not text", f"it looks {utf16} but {decode_error}")
        return FileFacts(sha256, size, utf16, holds_nul=nul)
    if decode_error is None:  # valid UTF-8: a control byte in it is a value, judged by its row
        return FileFacts(sha256, size, "utf-8-sig" if head.startswith(UTF8_BOM) else "utf-8", holds_nul=nul)
    evidence = _control_bytes_evidence(head)
    if evidence:
        return FileFacts(sha256, size, "not text", evidence)
    # Windows-1252 (or mixed): the zero byte is the NUL character there too
    return FileFacts(sha256, size, _non_utf8_encoding(path), holds_nul=nul)


def _utf16_encoding(head: bytes) -> str | None:
    """UTF-16 by its byte-order mark, or by zero bytes in every other position."""
    if head.startswith(UTF32_LE_BOM):
        return None
    for bom, name in UTF16_BOMS.items():
        if head.startswith(bom):
            return name
    even, odd = head[0::2], head[1::2]
    if len(odd) < 4:
        return None
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le (no BOM)"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be (no BOM)"
    return None


def _checksum_and_decode(path: Path, codec: str) -> tuple[str, int, str | None, bool]:
    """(SHA-256, size, the first decoding error or None, whether the text holds a NUL) of
    the file's bytes in `codec`. In UTF-16 a NUL is a decoded character (its zero bytes
    are everywhere); in the byte encodings it is a zero byte."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(codec)()
    wide = codec.startswith("utf-16")
    size, error, nul = 0, None, False
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            if not wide:
                nul = nul or b"\x00" in chunk
            if error is None:
                try:
                    text = decoder.decode(chunk)
                    nul = nul or (wide and "\x00" in text)
                except UnicodeDecodeError as exc:
                    error = f"byte {size + exc.start} is not valid {codec} ({exc.reason})"
            size += len(chunk)
    if error is None:
        try:
            nul = nul or (wide and "\x00" in decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            error = f"it ends in the middle of a character ({exc.reason})"
    return digest.hexdigest(), size, error, nul


def _control_bytes_evidence(head: bytes) -> str | None:
    """Binary data, not text: control bytes (other than tab and line ends) throughout."""
    controls = [i for i, byte in enumerate(head) if (byte < 32 or byte == 127) and byte not in TEXT_CONTROLS]
    if len(controls) < MIN_CONTROL_BYTES or len(controls) <= MAX_CONTROL_SHARE * len(head):
        return None
    first = controls[0]
    return (
        f"{len(controls)} of its first {len(head)} bytes are control bytes, "
        f"the first 0x{head[first]:02x} at byte {first}"
    )


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
    """A UTF-8 file DuckDB can read: the file itself, or a transcoded copy.

    Line by line, so a file that mixes UTF-8 and Windows-1252 lines keeps every letter.
    `forced="windows-1252"` decodes every line as Windows-1252 (a configured source).
    UTF-16 is decoded in chunks (its line ends are two bytes wide).
    """
    if facts.is_utf8 and forced != "windows-1252":
        return path
    work_dir.mkdir(parents=True, exist_ok=True)
    target = work_dir / f"{facts.sha256}.csv"
    partial = target.with_suffix(".partial")
    whole_windows_1252 = not facts.is_utf16 and "windows-1252" in (forced, facts.encoding)
    if not (whole_windows_1252 and _copy_decoded(path, partial, "cp1252")):
        with path.open("rb") as source, partial.open("w", encoding="utf-8", newline="") as sink:
            if facts.is_utf16:  # the zero bytes say so, whatever the source expects
                decoder = codecs.getincrementaldecoder(utf16_codec(facts.encoding))()
                while chunk := source.read(CHUNK_BYTES):
                    sink.write(decoder.decode(chunk))
                sink.write(decoder.decode(b"", final=True))
            else:
                for raw in source:
                    if forced == "windows-1252":
                        sink.write(raw.decode("cp1252") if _cp1252_ok(raw) else raw.decode("latin-1"))
                    else:
                        sink.write(decode_line(raw)[0])
    partial.replace(target)
    return target


def _copy_decoded(path: Path, target: Path, codec: str) -> bool:
    """`path` decoded as a one-byte `codec` into UTF-8 `target`, chunk by chunk; False (and
    no file) when a byte has no character there. A file known to be Windows-1252 throughout
    is read so, as line by line would read it (every non-ASCII line fails UTF-8 in it), only
    ten times faster; a line with one of the five bytes Windows-1252 leaves undefined is
    read line by line (as Latin-1) instead."""
    try:
        with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as sink:
            while chunk := source.read(CHUNK_BYTES):
                sink.write(chunk.decode(codec))
        return True
    except UnicodeDecodeError:
        target.unlink(missing_ok=True)
        return False


def _cp1252_ok(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False
