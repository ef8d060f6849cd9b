"""#18: type guessing looks beyond the first lines (H2O samples the whole file) and never calls varied text
numeric (airlines' TailNum: strings after thousands of leading NA)."""
import gzip
import zipfile

import numpy as np
import pyarrow as pa
import pytest

from deepbrook.engine import import_file, parse_setup
from deepbrook.engine.frames.columns import guess_type


def _tailnum_csv(n_na):
    rows = [f"{i},NA" for i in range(n_na)] + [f"{n_na + i},N{100 + i % 50}UA" for i in range(200)]
    return "x,TailNum\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("n_na", [3_000, 200_000])  # within the first sample, and far beyond it
def test_text_after_many_leading_na_is_not_numeric(tmp_path, n_na):
    p = tmp_path / "tail.csv"
    p.write_text(_tailnum_csv(n_na))
    s = parse_setup(p)
    assert s.column_types == {"x": "int", "TailNum": "enum"}
    f = import_file(p)
    assert f.types["TailNum"] == "enum" and f.domain("TailNum")[:2] == ["N100UA", "N101UA"]
    assert f.codes("TailNum")[:n_na].max() == -1 and f.invalid_counts == {}


def test_text_late_in_compressed_files_is_seen(tmp_path):
    text = _tailnum_csv(200_000)
    with gzip.open(tmp_path / "t.csv.gz", "wt") as g:
        g.write(text)
    with zipfile.ZipFile(tmp_path / "t.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("t.csv", text)
    for name in ("t.csv.gz", "t.zip"):
        assert parse_setup(tmp_path / name).column_types["TailNum"] == "enum", name


def test_varied_text_among_numbers_is_text_but_one_na_marker_is_not():
    col = pa.array(["1", "2", "3", "4", "5", "N123", "N456"])
    assert guess_type(col) == "enum"  # two different texts: a text column, not numbers with NA
    assert guess_type(pa.array(["1", "2", "?", "4", "?"])) == "int"  # H2O: one repeated token is an NA marker
    assert guess_type(pa.array(["1.5", None, "", "2"])) == "real"
    assert guess_type(pa.array([None, None], pa.string())) == "real"  # all missing: numeric NA, as H2O


def test_real_airlines_file_keeps_text_columns_text(shared_data):
    path = shared_data.parent / "h2o-flows" / "data" / "smalldata" / "airlines" / "AirlinesTrain.csv.zip"
    s = parse_setup(path)
    text = {"fYear", "fMonth", "fDayofMonth", "fDayOfWeek", "UniqueCarrier", "Origin", "Dest", "IsDepDelayed"}
    assert {n for n, t in s.column_types.items() if t == "enum"} == text
    assert {n: s.column_types[n] for n in ("DepTime", "ArrTime", "Distance", "IsDepDelayed_REC")} == \
        {"DepTime": "int", "ArrTime": "int", "Distance": "int", "IsDepDelayed_REC": "int"}
    f = import_file(path)
    assert f.nrows == 24421 and f.invalid_counts == {}
    assert len(f.domain("Dest")) > 50 and not np.isnan(f.numeric("Distance")).any()


def test_short_and_long_rows_together_get_a_hint_that_fits(tmp_path):
    """#18: with both short and long rows the error names the right line and never advises an option that
    cannot help; with fill_short_rows on, the first long row is the one named."""
    from deepbrook.engine import ParseError

    p = tmp_path / "mixed.csv"
    p.write_text("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
    with pytest.raises(ParseError, match=r"line 3 has too few fields: 2 instead of 3 \(2 malformed rows in all: "
                                         r"1 too short, 1 too long\): '4,5'; fill_short_rows fills") as e:
        import_file(p)
    assert e.value.line == 3 and "parse with fill_short_rows=True" not in str(e.value)
    with pytest.raises(ParseError, match=r"line 4 has too many fields: 4 instead of 3 .*'6,7,8,9'") as e:
        import_file(p, fill_short_rows=True)
    assert e.value.line == 4
    p.write_text("a,b,c\n1,2,3\n4,5\n10,11,12\n")
    f = import_file(p, fill_short_rows=True)  # short rows only: filled with NA in place
    assert f.numeric("a").tolist() == [1, 4, 10] and np.isnan(f.numeric("c")[1])


def test_parse_preview_is_the_first_rows_as_parse_reads_them(tmp_path):
    """#18: Flow's per-row preview follows the current settings (types, skips, header, short-row fill)."""
    from deepbrook.engine import ParseError, parse, parse_preview

    p = tmp_path / "p.csv"
    p.write_text("a,b,c\n1,x,3\n\n4,y\n" + "".join(f"{i},z,{i}\n" for i in range(5, 40)))
    s = parse_setup(p)
    with pytest.raises(ParseError, match=r"line 4 has too few fields: 2 instead of 3.*fill_short_rows=True") as e:
        parse_preview(s)
    assert e.value.line == 4  # the file's line, blank lines counted
    s.fill_short_rows = True
    df = parse_preview(s, rows=3)
    assert list(df.columns) == ["a", "b", "c"] and df["a"].tolist() == [1, 4, 5]
    assert np.isnan(df["c"][1]) and list(df["b"].cat.categories) == ["x", "y", "z"]
    s.column_types["b"] = "string"
    s.skip_columns = ["c"]
    df = parse_preview(s, rows=3)
    assert list(df.columns) == ["a", "b"] and df["b"].tolist() == ["x", "y", "z"]
    whole = parse(s).head(3)
    assert df.equals(whole)  # the preview is what Parse gives
    s.header = False  # an edited header re-reads the columns: the old header line is the first row
    df = parse_preview(s, rows=2)
    assert list(df.columns) == ["C1", "C2", "C3"] and df["C2"].tolist() == ["b", "x"]


def test_parse_preview_of_parquet_follows_renames_and_skips(tmp_path):
    import pyarrow.parquet as pq

    from deepbrook.engine import parse_preview

    pq.write_table(pa.table({"a": [1, 2, 3], "b": ["x", "y", "z"], "c": [0.5, 1.5, 2.5]}), tmp_path / "t.parquet")
    s = parse_setup(tmp_path / "t.parquet")
    s.column_names = ["A", "b", "c"]
    s.skip_columns = ["b"]
    df = parse_preview(s, rows=2)
    assert list(df.columns) == ["A", "c"] and df["A"].tolist() == [1, 2] and df["c"].tolist() == [0.5, 1.5]
