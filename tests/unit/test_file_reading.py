from __future__ import annotations

import hashlib

import pytest

from dagster_project.readers.encoding import first_line, inspect_file, sniff_delimiter, utf8_copy


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("a,b,c", ","),
        ("a;b;c", ";"),
        ("a\tb\tc", "\t"),
        ('"x;y",b,c', ","),  # a delimiter inside quotes does not count
        ("single", ","),
        ("a;b,c", ","),  # a tie goes to the comma
    ],
)
def test_sniff_delimiter(header, expected):
    assert sniff_delimiter(header) == expected


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("\ufeffresponse_id;score\nR1;9\n".encode())
    facts = inspect_file(path)
    assert facts.encoding == "utf-8-sig"
    assert first_line(path) == "response_id;score"
    assert facts.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert utf8_copy(path, facts, tmp_path / "work") == path


def test_windows_1252_is_transcoded_without_losing_a_letter(tmp_path):
    text = "segment_region;reason\r\nSkåne;Väldigt nöjd – 5 € ’bäst’\r\nØstlandet;Dårlig dækning\r\n"
    path = tmp_path / "nordic.csv"
    path.write_bytes(text.encode("cp1252"))
    facts = inspect_file(path)
    assert facts.encoding == "windows-1252"
    copy = utf8_copy(path, facts, tmp_path / "work")
    assert copy.read_bytes().decode("utf-8") == text


def test_a_file_mixing_utf8_and_windows_1252_lines_keeps_both(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"a,b\n" + "Skåne,ok\n".encode() + "Jönköping,ok\n".encode("cp1252"))
    facts = inspect_file(path)
    assert facts.encoding == "mixed utf-8/windows-1252"
    assert utf8_copy(path, facts, tmp_path / "w").read_text() == "a,b\nSkåne,ok\nJönköping,ok\n"


def test_an_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    facts = inspect_file(path)
    assert facts.size_bytes == 0 and facts.encoding == "utf-8"


UNICODE_TEXT = "response_id\tscore\tsegment_region\r\nR1\t9\tJönköping\r\nR2\t6\tØstfold – Ås\r\n"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (b"\xff\xfe" + UNICODE_TEXT.encode("utf-16-le"), "utf-16-le"),  # Excel's "Unicode text"
        (b"\xfe\xff" + UNICODE_TEXT.encode("utf-16-be"), "utf-16-be"),
        (UNICODE_TEXT.encode("utf-16-le"), "utf-16-le (no BOM)"),
        (UNICODE_TEXT.encode("utf-16-be"), "utf-16-be (no BOM)"),
    ],
)
def test_utf16_is_recognised_and_transcoded_whole(tmp_path, raw, encoding):
    path = tmp_path / "unicode.txt"
    path.write_bytes(raw)
    facts = inspect_file(path)
    assert facts.encoding == encoding and facts.not_text_reason is None
    copy = utf8_copy(path, facts, tmp_path / "work")
    assert copy.read_bytes().decode("utf-8") == UNICODE_TEXT
    # a source configured as Windows-1252 still reads UTF-16 as UTF-16
    assert (
        utf8_copy(path, facts, tmp_path / "w2", forced="windows-1252").read_bytes().decode() == UNICODE_TEXT
    )


def test_binary_bytes_are_not_text_with_the_evidence(tmp_path):
    path = tmp_path / "picture.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    facts = inspect_file(path)
    assert facts.encoding == "not text"
    assert facts.not_text_reason.startswith("the file is not UTF-8, UTF-16 or Windows-1252 text (")
    assert "the first 0x00 at byte 8" in facts.not_text_reason


def test_a_stray_control_byte_in_text_is_still_text(tmp_path):
    """One NUL in a row quarantines that row (the reader's job), not the whole file."""
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n" + b"x,y\n" * 50 + b"x\x00,y\n")
    assert inspect_file(path).encoding == "utf-8"


@pytest.mark.parametrize(
    ("content", "holds_nul"),
    [
        (b"a,b\n" + b"x,y\n" * 50 + b"x\x00,y\n", True),
        (b"a,b\n" + b"x,y\n" * 50, False),
        (b"a,b\n" + "\u00e5,\u00e4\n".encode("cp1252") + b"\x00,y\n", True),  # Windows-1252
        (b"\xff\xfe" + "a,b\r\nx,\x00y\r\n".encode("utf-16-le"), True),
        (b"\xff\xfe" + "a,b\r\nx,y\r\n".encode("utf-16-le"), False),  # zero bytes, no NUL
    ],
)
def test_whether_the_text_holds_a_nul_is_known_from_the_first_pass(tmp_path, content, holds_nul):
    """Landing checks every value for a NUL only in a file whose text holds one."""
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    assert inspect_file(path).holds_nul is holds_nul


def test_utf16_that_does_not_decode_is_not_text(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xff\xfe" + "a,b\r\n".encode("utf-16-le") + b"\x00\xdc" + "x".encode("utf-16-le"))
    facts = inspect_file(path)
    assert facts.encoding == "not text"
    assert "it looks utf-16-le but byte 12 is not valid utf-16" in facts.not_text_reason


def test_windows_1252_is_read_whole_unless_a_byte_is_undefined_there(tmp_path):
    """A Windows-1252 file is decoded in chunks; one holding a byte Windows-1252 leaves
    undefined (0x81) is read line by line, that line as Latin-1, the others as before."""
    plain = tmp_path / "plain.csv"
    plain.write_bytes("a,b\nSkåne,€5\n".encode("cp1252"))
    facts = inspect_file(plain)
    assert facts.encoding == "windows-1252"
    assert utf8_copy(plain, facts, tmp_path / "w").read_text(encoding="utf-8") == "a,b\nSkåne,€5\n"
    odd = tmp_path / "odd.csv"
    odd.write_bytes("a,b\nSkåne,€5\n".encode("cp1252") + b"x\x81\x80,y\n")
    facts = inspect_file(odd)
    assert facts.encoding == "windows-1252"
    assert utf8_copy(odd, facts, tmp_path / "w").read_text(encoding="utf-8") == "a,b\nSkåne,€5\nx\x81\x80,y\n"
