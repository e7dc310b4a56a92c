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
