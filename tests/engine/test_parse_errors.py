"""Every bad input gets a ParseError whose message says what is wrong and where."""
import gzip
import os

import numpy as np
import pytest

from deepbrook.engine import ParseError, import_file, parse, parse_setup


def write(path, data):
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_empty_file(tmp_path):
    with pytest.raises(ParseError, match=r"file .*empty\.csv is empty"):
        import_file(write(tmp_path / "empty.csv", ""))


def test_blank_lines_only(tmp_path):
    with pytest.raises(ParseError, match="holds only blank lines"):
        import_file(write(tmp_path / "blank.csv", "\n \n\n"))


def test_header_only(tmp_path):
    with pytest.raises(ParseError, match="has a header line but no data rows"):
        import_file(write(tmp_path / "h.csv", "a,b,c\n"))


def test_binary_garbage(tmp_path):
    rng = np.random.default_rng(1)
    with pytest.raises(ParseError, match="looks like a binary file, not delimited text or Parquet"):
        import_file(write(tmp_path / "g.bin", rng.integers(0, 256, 4000, dtype=np.uint8).tobytes()))


def test_too_many_fields_names_the_line(tmp_path):
    with pytest.raises(ParseError, match=r"line 4 has too many fields: 4 instead of 3: '7,8,9,10'") as e:
        import_file(write(tmp_path / "m.csv", "a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n"))
    assert e.value.line == 4


def test_too_few_fields_names_the_line_and_the_option(tmp_path):
    with pytest.raises(ParseError, match=r"line 3 has too few fields: 2 instead of 3: '4,5'; parse with "
                                         r"fill_short_rows=True") as e:
        import_file(write(tmp_path / "f.csv", "a,b,c\n1,2,3\n4,5\n\n7,8,9\n"))
    assert e.value.line == 3


def test_line_number_counts_blank_lines(tmp_path):
    with pytest.raises(ParseError, match=r"line 6 has too many fields") as e:
        import_file(write(tmp_path / "f.csv", "a,b\n1,2\n\n3,4\n\n5,6,7\n8,9\n"))
    assert e.value.line == 6


def test_fill_short_rows_fills_na_like_h2o(tmp_path):
    f = import_file(write(tmp_path / "f.csv", "a,b,c\n1,2,3\n4,5\n7,8,9\n"), fill_short_rows=True)
    assert f.nrows == 3 and f.numeric("a").tolist() == [1, 4, 7]
    assert np.isnan(f.numeric("c")[1]) and f.numeric("c")[2] == 9
    with pytest.raises(ParseError, match="line 3 has too many fields"):  # long rows are still an error
        import_file(write(tmp_path / "g.csv", "a,b\n1,2\n3,4,5\n"), fill_short_rows=True)


def test_separator_that_appears_nowhere(tmp_path):
    with pytest.raises(ParseError, match=r"separator ';' does not occur in the first 2 lines of .*s\.csv"):
        import_file(write(tmp_path / "s.csv", "a,b\n1,2\n"), separator=";")


def test_separator_must_be_one_character(tmp_path):
    with pytest.raises(ParseError, match=r"separator must be a single character, got '::'"):
        import_file(write(tmp_path / "s.csv", "a::b\n1::2\n"), separator="::")


def test_unreadable_encoding(tmp_path):
    p = write(tmp_path / "l.csv", "a,b\nx,1\né,2\n".encode("latin-1"))
    with pytest.raises(ParseError, match=r"is not valid utf-8 text: byte 0xe9 at line 3 cannot be decoded; "
                                         r"set encoding='latin-1'") as e:
        import_file(p, encoding="utf-8")
    assert e.value.line == 3
    with pytest.raises(ParseError, match="unknown encoding 'klingon'"):
        import_file(p, encoding="klingon")


def test_bad_bytes_after_the_sample(tmp_path):
    """Bytes beyond the guessed sample: a guessed utf-8 falls back to latin-1, a set one is an error."""
    p = write(tmp_path / "late.csv", ("a,b\n" + "q,2\n" * 300_000).encode() + "é,3\n".encode("latin-1"))
    s = parse_setup(p)
    assert s.encoding == "utf-8"
    f = parse(s)
    assert f.domain("a") == ["q", "é"] and any("read as latin-1" in w for w in s.warnings)
    with pytest.raises(ParseError, match=r"late\.csv is not valid utf-8 text; set encoding='latin-1'"):
        import_file(p, encoding="utf-8")


def test_missing_file(tmp_path):
    with pytest.raises(ParseError, match=r"file not found: .*nope\.csv"):
        import_file(tmp_path / "nope.csv")
    with pytest.raises(ParseError, match=r"no files match the pattern"):
        import_file(str(tmp_path / "none*.csv"))


def test_directory(tmp_path):
    with pytest.raises(ParseError, match=r"is a directory, not a file; pass the files inside it"):
        import_file(tmp_path)


def test_corrupt_parquet(tmp_path):
    with pytest.raises(ParseError, match=r"cannot read Parquet file .*bad\.parquet: it is corrupt or not Parquet"):
        import_file(write(tmp_path / "bad.parquet", b"PAR1" + os.urandom(200) + b"PAR1"))


def test_corrupt_gzip(tmp_path):
    raw = gzip.compress(b"a,b\n" + b"".join(b"%d,%d\n" % (i, i * 7 % 1000) for i in range(50_000)))
    with pytest.raises(ParseError, match=r"the gzip data is corrupt or truncated"):
        import_file(write(tmp_path / "t.csv.gz", raw[: len(raw) // 2]))


def test_duplicated_and_empty_column_names_renamed_like_h2o(tmp_path):
    s = parse_setup(write(tmp_path / "d.csv", "a,a,,b\n1,2,3,4\n5,6,7,8\n"))
    assert s.column_names == ["a", "C2", "C3", "b"]
    assert any("column 2 'a' -> 'C2'" in w and "column 3 '' -> 'C3'" in w for w in s.warnings)
    assert parse(s).numeric("C2").tolist() == [2, 6]


def test_column_forced_to_numeric_holding_text(tmp_path):
    s = parse_setup(write(tmp_path / "n.csv", "a,b\n1,x\n2,y\n3,4\n4,\n"))
    assert s.column_types["b"] == "enum"
    s.column_types["b"] = "numeric"
    f = parse(s)
    assert np.isnan(f.numeric("b")[:2]).all() and f.numeric("b")[2] == 4
    summ = f.summary()["column_summaries"]["b"]
    assert summ["invalid"] == 2 and summ["missing"] == 3  # 2 texts + 1 empty field
    assert any("b: 2" in w for w in s.warnings)


def test_text_in_numeric_column_after_the_sample(tmp_path):
    p = write(tmp_path / "late.csv", "a,b\n" + "1,2\n" * 200_000 + "oops,3\n")
    f = import_file(p)
    assert f.types["a"] == "int" and np.isnan(f.numeric("a")[-1])
    assert f.invalid_counts == {"a": 1}


def test_bad_quote_option(tmp_path):
    with pytest.raises(ParseError, match="quote must be one character or None"):
        import_file(write(tmp_path / "q.csv", "a,b\n1,2\n"), quote="''")


def test_column_names_of_wrong_length(tmp_path):
    with pytest.raises(ParseError, match=r"column_names has 3 names but .* has 2 columns"):
        import_file(write(tmp_path / "c.csv", "a,b\n1,2\n"), column_names=["x", "y", "z"])


def test_unknown_option(tmp_path):
    with pytest.raises(TypeError, match=r"parse_setup got unknown options \['sepp'\]"):
        parse_setup(write(tmp_path / "c.csv", "a,b\n1,2\n"), sepp=";")


def test_files_of_different_shape(tmp_path):
    write(tmp_path / "a1.csv", "a,b\n1,2\n")
    write(tmp_path / "a2.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(ParseError, match=r"a2\.csv has 3 columns on its first line, but .*a1\.csv has 2; files "
                                         r"parsed together need the same shape"):
        import_file([tmp_path / "a1.csv", tmp_path / "a2.csv"])
    write(tmp_path / "a3.csv", "a,b\n1,2\n3,4,5\n")
    with pytest.raises(ParseError, match=r"a3\.csv: line 3 has too many fields: 3 instead of 2"):
        import_file([tmp_path / "a1.csv", tmp_path / "a3.csv"])


def test_empty_zip_and_office_documents(tmp_path):
    import zipfile
    with zipfile.ZipFile(tmp_path / "e.zip", "w"):
        pass
    with pytest.raises(ParseError, match=r"zip archive .*e\.zip holds no files"):
        import_file(tmp_path / "e.zip")
    with zipfile.ZipFile(tmp_path / "book.xlsx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ParseError, match=r"cannot read workbook .*book.xlsx: it is corrupt or not an Excel file"):
        import_file(tmp_path / "book.xlsx")


def test_fill_short_rows_keeps_row_order_on_a_larger_file(tmp_path):
    lines = []
    for i in range(30_000):
        lines.append(f"{i},{i % 7},x{i % 3}" if i % 1000 else f"{i}")  # every 1000th row has one field
    p = write(tmp_path / "big.csv", "a,b,c\n" + "\n".join(lines) + "\n\n")
    with pytest.raises(ParseError, match=r"line 2 has too few fields: 1 instead of 3 \(30 malformed rows in all\)"):
        import_file(p)
    f = import_file(p, fill_short_rows=True)
    assert f.nrows == 30_000 and f.numeric("a").tolist() == list(range(30_000))
    b = f.numeric("b")
    assert np.isnan(b[::1000]).all() and b[1] == 1 and np.count_nonzero(np.isnan(b)) == 30
    assert (f.codes("c")[::1000] == -1).all() and f.domain("c") == ["x0", "x1", "x2"]


def test_parquet_column_of_unsupported_type(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    pq.write_table(pa.table({"l": [[1, 2], [3]], "a": [1, 2]}), tmp_path / "nested.parquet")
    with pytest.raises(ParseError, match=r"column 'l' \(list<element: int64>\) cannot be read as enum") as e:
        import_file(tmp_path / "nested.parquet")
    assert e.value.column == "l"
    assert import_file(tmp_path / "nested.parquet", skip_columns=["l"]).names == ["a"]
