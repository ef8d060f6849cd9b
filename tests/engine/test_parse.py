"""parse_setup guesses and edits, parse/import_file on CSV variants, compression, Parquet, several files, real data."""
import bz2
import gzip
import zipfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from deepbrook.engine import Frame, ParseSetup, import_file, parse, parse_setup

CSV = ('name,city,x,n,when,id\n'
       '"Smith, J",Paris,1.5,1,2020-01-02,550e8400-e29b-41d4-a716-446655440000\n'
       'Doe,Lyon,NA,2,2021-03-04,550e8400-e29b-41d4-a716-446655440001\n'
       'Roe,Paris,3,3,,550e8400-e29b-41d4-a716-446655440002\n')


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_setup_guesses_everything(tmp_path):
    s = parse_setup(write(tmp_path / "a.csv", CSV))
    assert isinstance(s, ParseSetup)
    assert (s.separator, s.header, s.quote, s.encoding, s.file_type) == (",", True, '"', "utf-8", "csv")
    assert s.column_names == ["name", "city", "x", "n", "when", "id"]
    assert s.column_types == {"name": "enum", "city": "enum", "x": "real", "n": "int", "when": "time", "id": "uuid"}
    assert "NA" in s.na_strings
    # the preview holds the fields as the parser splits them (H2O's preview), NA strings as None
    assert s.preview.shape == (3, 6)
    assert s.preview["name"].tolist() == ["Smith, J", "Doe", "Roe"]  # quoted separator kept in the field
    assert s.preview["x"].tolist() == ["1.5", None, "3"] and s.preview["when"][0] == "2020-01-02"


def test_parse_follows_setup(tmp_path):
    f = parse(parse_setup(write(tmp_path / "a.csv", CSV)))
    assert f.name == "a.hex"
    assert f.types == {"name": "enum", "city": "enum", "x": "real", "n": "int", "when": "time", "id": "uuid"}
    assert f.domain("city") == ["Lyon", "Paris"] and f.codes("city").tolist() == [1, 0, 1]
    assert f.values("n").dtype == np.uint8
    assert f.numeric("when")[0] == pd.Timestamp("2020-01-02").value / 1e6 and np.isnan(f.numeric("when")[2])
    assert f.values("id")[1] == "550e8400-e29b-41d4-a716-446655440001"


def test_setup_edits_types_names_skip(tmp_path):
    s = parse_setup(write(tmp_path / "a.csv", CSV))
    s.column_types["n"] = "enum"
    s.column_types["city"] = "string"
    s.column_names[0] = "person"
    s.skip_columns = ["id", 4]
    f = parse(s, destination="mine")
    assert f.name == "mine"
    assert f.names == ["person", "city", "x", "n"]
    assert f.types == {"person": "enum", "city": "string", "x": "real", "n": "enum"}
    assert f.domain("n") == ["1", "2", "3"]
    fresh = s.refresh()
    assert fresh.column_names[:4] == ["person", "city", "x", "n"] and fresh.column_types["n"] == "enum"
    assert list(fresh.preview.columns) == ["person", "city", "x", "n", "when", "id"]  # Flow lists skipped ones too


def test_setup_rejects_bad_edits(tmp_path):
    from deepbrook.engine import ParseError
    s = parse_setup(write(tmp_path / "a.csv", CSV))
    s.column_types["zzz"] = "enum"
    with pytest.raises(ParseError, match="column_types names unknown column 'zzz'"):
        parse(s)
    s = parse_setup(tmp_path / "a.csv")
    s.column_types["x"] = "blob"
    with pytest.raises(ParseError, match="unknown column type 'blob' for column 'x'"):
        parse(s)
    s = parse_setup(tmp_path / "a.csv")
    s.column_names[1] = "name"
    with pytest.raises(ParseError, match="column names must be unique and non-empty: column 2 'name' -> 'C2'"):
        parse(s)
    s = parse_setup(tmp_path / "a.csv")
    s.skip_columns = ["nope"]
    with pytest.raises(ParseError, match="skip_columns names unknown column 'nope'"):
        parse(s)
    with pytest.raises(ParseError, match="skip_columns index 9 is out of range for 6 columns"):
        parse_setup(tmp_path / "a.csv", skip_columns=[9])
    with pytest.raises(ParseError, match="every column is skipped"):
        parse_setup(tmp_path / "a.csv", skip_columns=list(range(6)))


@pytest.mark.parametrize("sep", ["\t", ";", "|", " ", "#"])
def test_any_single_character_separator(tmp_path, sep):
    text = "".join(sep.join(r) + "\n" for r in [["a", "b", "c"], ["1", "x", "2.5"], ["3", "y", "4"]])
    overrides = {"separator": sep} if sep == "#" else {}
    f = import_file(write(tmp_path / "t.txt", text), **overrides)
    assert f.names == ["a", "b", "c"] and f.types == {"a": "int", "b": "enum", "c": "real"}
    assert parse_setup(tmp_path / "t.txt", **overrides).separator == sep


def test_no_header_gets_h2o_names(tmp_path):
    f = import_file(write(tmp_path / "n.csv", "1,2,a\n3,4,b\n"))
    assert f.names == ["C1", "C2", "C3"] and f.nrows == 2
    g = import_file(tmp_path / "n.csv", header=True)
    assert g.names == ["1", "2", "a"] and g.nrows == 1


def test_quotes_and_newlines_in_values(tmp_path):
    f = import_file(write(tmp_path / "q.csv", 'a,b\n"x, ""y""",1\n"multi\nline",2\n'))
    assert f.as_pandas()["a"].astype(str).tolist() == ['x, "y"', "multi\nline"]
    g = import_file(write(tmp_path / "sq.csv", "a,b\n'p,q',1\n'r',2\n"), quote="'")
    assert g.as_pandas()["a"].astype(str).tolist() == ["p,q", "r"]


def test_na_strings_setting(tmp_path):
    f = import_file(write(tmp_path / "na.csv", "a,b\n1,x\n-99,y\n3,missing\n"), na_strings=["-99", "missing"])
    assert np.isnan(f.numeric("a")[1]) and f.codes("b").tolist() == [0, 1, -1]


def test_latin1_guessed_and_settable(tmp_path):
    p = write(tmp_path / "l.csv", "nom;ville\nJosé;Orléans\nAnaïs;Besançon\nZoé;Orléans\n", "latin-1")
    s = parse_setup(p)
    assert (s.encoding, s.separator) == ("latin-1", ";")
    f = parse(s)
    assert f.domain("ville") == ["Besançon", "Orléans"]
    g = import_file(p, encoding="cp1252")
    assert g.domain("nom") == ["Anaïs", "José", "Zoé"]


def test_utf8_bom_and_utf16(tmp_path):
    f = import_file(write(tmp_path / "b.csv", b"\xef\xbb\xbfa,b\n1,2\n"))
    assert f.names == ["a", "b"]
    g = import_file(write(tmp_path / "u16.csv", "a,b\n1,é\n2,è\n", "utf-16"))
    assert g.names == ["a", "b"] and g.domain("b") == ["è", "é"]


@pytest.mark.parametrize("kind", ["gz", "bz2", "zip"])
def test_compressed(tmp_path, kind):
    raw = CSV.encode()
    path = tmp_path / f"c.csv.{kind}"
    if kind == "gz":
        path.write_bytes(gzip.compress(raw))
    elif kind == "bz2":
        path.write_bytes(bz2.compress(raw))
    else:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("c.csv", raw)
    f = import_file(path)
    assert f.name == "c.hex" and f.nrows == 3 and f.domain("city") == ["Lyon", "Paris"]


def test_several_files_into_one_frame(tmp_path):
    write(tmp_path / "p1.csv", "a,b\n1,x\n2,y\n")
    write(tmp_path / "p2.csv", "a,b\n3,z\n4,x\n")
    f = import_file([tmp_path / "p1.csv", tmp_path / "p2.csv"])
    assert f.numeric("a").tolist() == [1, 2, 3, 4]
    assert f.domain("b") == ["x", "y", "z"] and f.codes("b").tolist() == [0, 1, 2, 0]
    g = import_file(str(tmp_path / "p*.csv"))
    assert g.nrows == 4 and g.name == "p1.hex"


def test_parquet(tmp_path):
    t = pa.table({"i": pa.array([1, 2, None], pa.int64()), "f": [0.5, 1.5, 2.5], "s": ["u", "v", "u"],
                  "d": pa.array(["p", "q", "p"]).dictionary_encode(), "b": [True, False, None],
                  "t": pa.array([0, 86_400_000, None], pa.timestamp("ms"))})
    pq.write_table(t, tmp_path / "x.parquet")
    s = parse_setup(tmp_path / "x.parquet")
    assert s.file_type == "parquet"
    assert s.column_types == {"i": "int", "f": "real", "s": "enum", "d": "enum", "b": "enum", "t": "time"}
    f = parse(s)
    assert f.name == "x.hex" and f.nrows == 3
    assert np.isnan(f.numeric("i")[2]) and f.numeric("f").tolist() == [0.5, 1.5, 2.5]
    assert f.domain("s") == ["u", "v"] and f.domain("b") == ["False", "True"] and f.codes("b").tolist() == [1, 0, -1]
    assert f.numeric("t")[1] == 86_400_000


def test_from_pandas_matches_csv_parse(tmp_path):
    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "x"], "c": [0.5, None, 1.0]})
    df.to_csv(tmp_path / "d.csv", index=False)
    via_csv, via_pandas = import_file(tmp_path / "d.csv"), Frame.from_pandas(df)
    assert via_csv.types == via_pandas.types
    for c in df.columns:
        np.testing.assert_array_equal(via_csv.numeric(c), via_pandas.numeric(c))


def test_many_unique_strings_become_string(tmp_path):
    rows = "".join(f"word{i},{i % 3}\n" for i in range(100))
    f = import_file(write(tmp_path / "s.csv", "w,k\n" + rows))
    assert f.types == {"w": "string", "k": "int"}


def test_prostate(prostate_path):
    s = parse_setup(prostate_path)
    assert s.column_names == ["ID", "CAPSULE", "AGE", "RACE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]
    s.column_types["CAPSULE"] = "enum"
    f = parse(s)
    assert f.name == "prostate.hex" and (f.nrows, f.ncols) == (380, 9)
    assert f.domain("CAPSULE") == ["0", "1"]
    summ = f.summary()["column_summaries"]
    assert summ["CAPSULE"]["domain"] == [("0", 227), ("1", 153)]
    assert summ["AGE"]["min"] == 43 and summ["AGE"]["max"] == 79
    assert summ["PSA"]["mean"] == pytest.approx(15.4086315789)
    ref = pd.read_csv(prostate_path)
    np.testing.assert_array_equal(f.numeric("PSA"), ref["PSA"].to_numpy())


def test_prostate_shared_copy(shared_data):
    f = import_file(shared_data / "prostate.csv.gz")
    assert (f.nrows, f.ncols) == (380, 9) and f.types["PSA"] == "real" and f.values("AGE").dtype == np.uint8


def test_mnist_as_csv(tmp_path, mnist):
    x, y = mnist[0][:3000], mnist[1][:3000]
    data = np.column_stack([x.reshape(len(x), -1), y]).astype(np.int64)
    header = ",".join([f"p{i}" for i in range(784)] + ["label"])
    np.savetxt(tmp_path / "mnist.csv", data, fmt="%d", delimiter=",", header=header, comments="")
    f = import_file(tmp_path / "mnist.csv")
    assert (f.nrows, f.ncols) == (3000, 785) and f.name == "mnist.hex"
    assert set(f.types.values()) == {"int"}
    assert all(f.values(c).dtype == np.uint8 for c in f.names)
    np.testing.assert_array_equal(f.values("p300"), x.reshape(len(x), -1)[:, 300])
    g = f.as_type("label", "enum")
    assert g.domain("label") == [str(d) for d in range(10)]
    s = g.summary()["column_summaries"]
    assert sum(n for _, n in s["label"]["domain"]) == 3000
    assert s["p0"]["zeros"] == 3000 and s["p0"]["sigma"] == 0.0


def test_single_column_and_header_options(tmp_path):
    f = import_file(write(tmp_path / "one.csv", "x\n1\n2\n"))
    assert f.names == ["x"] and f.numeric("x").tolist() == [1, 2]
    g = import_file(tmp_path / "one.csv", header=-1)  # H2O's check_header=-1: first row is data
    assert g.names == ["C1"] and g.nrows == 3
    assert g.types["C1"] == "int" and g.invalid_counts == {"C1": 1}  # mostly numbers: 'x' becomes NA (H2O)
    for sep in (";", 59, "semicolon"):  # character, ASCII code (as Flow sends it), or name
        h = import_file(write(tmp_path / "semi.csv", "a;b\n1;2\n"), sep=sep)
        assert h.names == ["a", "b"]
    assert parse_setup(write(tmp_path / "tab.csv", "a\tb\n1\t2\n"), separator="TAB").separator == "\t"


def test_time_column_with_text_after_the_sample(tmp_path):
    body = "".join(f"2020-01-{1 + i % 28:02d},{i}\n" for i in range(30_000))
    tail = "not a date,1\n2020-02-30T10:00:00+02:00,2\n2020-03-01T10:00:00+02:00,3\n"
    f = import_file(write(tmp_path / "t.csv", "d,i\n" + body + tail))
    assert f.types["d"] == "time"
    assert f.numeric("d")[0] == pd.Timestamp("2020-01-01").value / 1e6
    assert np.isnan(f.numeric("d")[-3:-1]).all()  # text and an impossible date become NA ...
    assert f.numeric("d")[-1] == pd.Timestamp("2020-03-01T08:00:00").value / 1e6  # ... offsets go to UTC
    assert f.invalid_counts == {"d": 2}


def test_several_parquet_files(tmp_path):
    for k in range(2):
        pq.write_table(pa.table({"a": [k, k + 10], "s": ["x", f"y{k}"]}), tmp_path / f"p{k}.parquet")
    f = import_file([tmp_path / "p0.parquet", tmp_path / "p1.parquet"])
    assert f.numeric("a").tolist() == [0, 10, 1, 11] and f.domain("s") == ["x", "y0", "y1"]


def test_from_arrays_leaves_the_callers_array_writable():
    a = np.arange(5, dtype=np.uint8)
    f = Frame.from_arrays({"a": a})
    a[0] = 9  # the caller's array is not locked ...
    with pytest.raises(ValueError):
        f.values("a")[1] = 3  # ... but the frame's view is read-only


def test_editing_separator_or_header_rereads_the_columns(tmp_path):
    p = write(tmp_path / "e.csv", "a;b,c\n1;2,5\n3;4,6\n")
    s = parse_setup(p)
    assert (s.separator, s.column_names) == (",", ["a;b", "c"])
    s.separator = ";"
    assert s.stale
    f = parse(s)
    assert f.names == ["a", "b,c"] and f.numeric("a").tolist() == [1, 3]
    s2 = parse_setup(p, separator=";")
    s2.header = False  # the header row becomes data, names become C1, C2
    g = parse(s2)
    assert g.names == ["C1", "C2"] and g.nrows == 3 and g.domain("C2") == ["2,5", "4,6", "b,c"]
    np.testing.assert_array_equal(g.numeric("C1"), [np.nan, 1, 3])  # mostly numbers: the old header text is NA
    s3 = parse_setup(p, separator=";")
    s3.column_types["a"] = "enum"
    s3.na_strings = s3.na_strings + ["4,6"]  # same columns: the type edit survives the re-read
    h = parse(s3)
    assert h.types["a"] == "enum" and h.domain("a") == ["1", "3"]
    assert h.domain("b,c") == ["2,5"] and h.codes("b,c").tolist() == [0, -1]


def test_zip_with_several_members_and_parquet_edits(tmp_path):
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as z:
        z.writestr("a.csv", "k,v\n1,x\n")
        z.writestr("b.csv", "k,v\n2,y\n")
    f = import_file(tmp_path / "two.zip")
    assert f.name == "a.hex" and f.numeric("k").tolist() == [1, 2] and f.domain("v") == ["x", "y"]
    pq.write_table(pa.table({"a": [3, 1, 2], "b": [0.5, 1.5, 2.5], "c": ["p", "q", "r"]}), tmp_path / "e.parquet")
    s = parse_setup(tmp_path / "e.parquet")
    s.column_types["a"] = "enum"
    s.skip_columns = ["c"]
    g = parse(s)
    assert g.names == ["a", "b"] and g.domain("a") == ["1", "2", "3"] and g.codes("a").tolist() == [2, 0, 1]


def test_mostly_numeric_column_is_numeric_like_h2o(tmp_path):
    f = import_file(write(tmp_path / "q.csv", "a,b\n1,x\n2,y\n?,x\n4,z\n"))
    assert f.types == {"a": "int", "b": "enum"}
    assert np.isnan(f.numeric("a")[2]) and f.numeric("a")[3] == 4
    assert f.invalid_counts == {"a": 1} and f.summary()["column_summaries"]["a"]["invalid"] == 1
    g = import_file(tmp_path / "q.csv", na_strings=["?"])  # declared NA: not counted as invalid
    assert g.types["a"] == "int" and g.invalid_counts == {}
