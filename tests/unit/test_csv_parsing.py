from __future__ import annotations

import duckdb

from dagster_project.readers.delimited import parse_delimited


def parse(tmp_path, text: str, delimiter: str, width: int, header_rows: int = 1):
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    con = duckdb.connect()
    parser = parse_delimited(con, path, delimiter, width, "t", header_rows)
    return parser, con.sql("select * from t order by row_number").fetchall()


def test_well_formed_files_use_duckdb_and_keep_file_order(tmp_path):
    rows = "".join(f"R{i},{i % 11}\n" for i in range(1, 5001))
    parser, parsed = parse(tmp_path, "id,score\n" + rows, ",", 2)
    assert parser == "duckdb"
    assert len(parsed) == 5000
    assert all(row[0] == int(row[1][1:]) for row in parsed)  # row_number follows the file


def test_quoted_newlines_and_blank_lines(tmp_path):
    parser, parsed = parse(tmp_path, 'id,text\nR1,"two\nlines"\n\nR2,x\n', ",", 2)
    assert parser == "duckdb"
    assert parsed == [(1, "R1", "two\nlines", None), (2, "R2", "x", None)]


def test_ragged_rows_are_kept_and_marked(tmp_path):
    parser, parsed = parse(tmp_path, "a,b,c\n1,2\n3,4,5,6\n7,8,9\n", ",", 3)
    assert parser == "python"
    assert parsed == [
        (1, "1", "2", None, "row has 2 fields but the header has 3"),
        (2, "3", "4", "5", "row has 4 fields but the header has 3; extra values ['6']"),
        (3, "7", "8", "9", None),
    ]


def test_an_unterminated_quote_does_not_lose_the_rows_before_it(tmp_path):
    parser, parsed = parse(tmp_path, 'a,b\n1,2\n3,"open\n5,6\n', ",", 2)
    assert parser == "python"
    assert parsed[0] == (1, "1", "2", None)
    assert len(parsed) == 2
    assert parsed[1] == (
        2,
        None,
        None,
        "unreadable CSV (unexpected end of data) in '3,\"open\\n5,6\\n'",
    )


def test_reading_goes_on_after_a_stray_quote(tmp_path):
    parser, parsed = parse(tmp_path, 'a,b\n1,"x"y\n3,4\n', ",", 2)
    assert parser == "python"
    assert parsed[1] == (2, "3", "4", None)
    assert parsed[0][0] == 1 and parsed[0][-1].startswith("unreadable CSV")


def test_several_header_rows_are_skipped_even_with_quoted_newlines(tmp_path):
    text = 'id,q\n"Response ID","How likely,\nreally?"\n{"ImportId":"x"},y\nR1,9\nR2,10\n'
    parser, parsed = parse(tmp_path, text, ",", 2, header_rows=3)
    assert parser == "duckdb"
    assert parsed == [(1, "R1", "9", None), (2, "R2", "10", None)]


def test_several_header_rows_in_the_python_reader(tmp_path):
    text = "id,q\nq1,q2\nR1,9,extra\nR2,10\n"
    parser, parsed = parse(tmp_path, text, ",", 2, header_rows=2)
    assert parser == "python"
    assert [row[0] for row in parsed] == [1, 2] and parsed[1] == (2, "R2", "10", None)
