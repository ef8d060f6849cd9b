"""Frame API: construction, engine accessors, subsets, splits, conversions and summaries."""
import numpy as np
import pandas as pd
import pytest

from deepbrook.engine import Frame, split_frame
from deepbrook.engine.frames import NUMERIC_TYPES, PERCENTILES, summary_table


@pytest.fixture
def frame():
    df = pd.DataFrame({
        "small": np.array([1, 2, 3, 250, 0], dtype=np.int64),
        "neg": [-1, 5, 7, 0, 3],
        "real": [0.5, np.nan, 2.25, np.inf, -np.inf],
        "color": pd.Categorical(["red", "blue", None, "red", "green"]),
        "text": ["a", "b", None, "c", "d"],
        "when": pd.to_datetime(["2020-01-01", None, "2020-01-03", "2021-05-06", "1999-12-31"]),
    })
    return Frame.from_pandas(df, name="f.hex")


def test_types_and_compact_storage(frame):
    assert frame.name == "f.hex"
    assert (frame.nrows, frame.ncols) == (5, 6)
    assert frame.names == ["small", "neg", "real", "color", "text", "when"]
    assert frame.types == {"small": "int", "neg": "int", "real": "real", "color": "enum", "text": "enum",
                           "when": "time"}
    assert frame.values("small").dtype == np.uint8  # uint8 stays uint8 without NA
    assert frame.values("neg").dtype == np.int8
    assert frame.values("real").dtype == np.float64
    assert NUMERIC_TYPES == {"int", "real", "time"}


def test_enum_domain_is_sorted_and_codes_use_minus_one_for_na(frame):
    assert frame.domain("color") == ["blue", "green", "red"]
    np.testing.assert_array_equal(frame.codes("color"), [2, 0, -1, 2, 1])
    assert frame.codes("color").dtype == np.int32
    assert frame.domain("small") is None
    assert frame.is_enum("color") and not frame.is_numeric("color")
    assert frame.is_numeric("when") and frame.is_numeric("real")


def test_numeric_accessor(frame):
    np.testing.assert_array_equal(frame.numeric("small"), [1, 2, 3, 250, 0])
    assert frame.numeric("small").dtype == np.float64
    np.testing.assert_array_equal(frame.numeric("color"), [2, 0, np.nan, 2, 1])
    real = frame.values("real")
    assert frame.numeric("real") is real  # float64 columns are not copied
    assert frame.numeric("when")[0] == pd.Timestamp("2020-01-01").value / 1e6
    with pytest.raises(TypeError, match="'text' is enum, not numeric|not numeric"):
        Frame.from_arrays({"s": np.array(["x"] * 30 + [str(i) for i in range(30)], dtype=object)},
                          types={"s": "string"}).numeric("s")
    with pytest.raises(TypeError, match="column 'small' is int, not enum"):
        frame.codes("small")
    with pytest.raises(KeyError, match="frame 'f.hex' has no column 'nope'"):
        frame.numeric("nope")


def test_frame_is_immutable(frame):
    with pytest.raises(ValueError):
        frame.values("small")[0] = 9
    with pytest.raises(ValueError):
        frame.codes("color")[0] = 0


def test_as_pandas_roundtrip(frame):
    df = frame.as_pandas()
    assert list(df.columns) == frame.names
    assert list(df["color"].cat.categories) == ["blue", "green", "red"]
    assert df["color"].isna().tolist() == [False, False, True, False, False]
    assert df["when"].dtype == "datetime64[ms]"
    assert pd.isna(df["when"][1]) and df["when"][4] == pd.Timestamp("1999-12-31")
    again = Frame.from_pandas(df)
    assert again.types == frame.types
    np.testing.assert_array_equal(again.codes("color"), frame.codes("color"))


def test_head_getitem_rows_drop(frame):
    h = frame.head(2)
    assert isinstance(h, pd.DataFrame) and len(h) == 2 and h["neg"].tolist() == [-1, 5]
    sub = frame[["real", "color"]]
    assert sub.names == ["real", "color"] and sub.domain("color") == frame.domain("color")
    one = frame["neg"]
    assert one.names == ["neg"] and one.nrows == 5
    assert frame[0].names == ["small"]
    r = frame.rows([4, 0])
    assert r.numeric("small").tolist() == [0, 1]
    assert r.domain("color") == ["blue", "green", "red"]  # domains kept even for absent levels
    assert frame.rows(np.array([True, False, True, False, False])).nrows == 2
    with pytest.raises(ValueError, match="row mask has 2 entries, frame has 5 rows"):
        frame.rows(np.array([True, False]))
    assert frame.drop(["text", "when"]).names == ["small", "neg", "real", "color"]


def test_from_arrays_with_codes_and_domains():
    f = Frame.from_arrays({"y": np.array([0, 1, -1, 1]), "x": np.array([0.5, 1.0, 2.0, 3.0], np.float32)},
                          domains={"y": ["no", "yes"]}, name="arr")
    assert f.types == {"y": "enum", "x": "real"}
    assert f.domain("y") == ["no", "yes"] and f.codes("y").tolist() == [0, 1, -1, 1]
    with pytest.raises(ValueError, match="column 'y': codes outside its domain of 2 levels"):
        Frame.from_arrays({"y": np.array([0, 2])}, domains={"y": ["no", "yes"]})
    s = Frame.from_arrays({"y": np.array(["yes", None, "no"], dtype=object)}, domains={"y": ["no", "yes", "maybe"]})
    assert s.codes("y").tolist() == [1, -1, 0] and s.domain("y") == ["no", "yes", "maybe"]
    with pytest.raises(ValueError, match=r"column 'y': values \['x'\] are not in its domain"):
        Frame.from_arrays({"y": np.array(["x"], dtype=object)}, domains={"y": ["no"]})
    g = Frame.from_arrays({"n": [1.0, 2.0, 3.0]})
    assert g.types["n"] == "int" and g.values("n").dtype == np.uint8
    h = Frame.from_arrays({"n": [1, 2, 3]}, types={"n": "enum"})
    assert h.domain("n") == ["1", "2", "3"]


def test_with_columns(frame):
    extra = Frame.from_arrays({"z": np.arange(5)})
    both = frame.with_columns(extra)
    assert both.names[-1] == "z" and both.ncols == 7 and both.domain("color") == frame.domain("color")
    with pytest.raises(ValueError, match="cannot bind frame .* \\(3 rows\\) to 'f.hex' \\(5 rows\\)"):
        frame.with_columns(Frame.from_arrays({"q": np.arange(3)}))
    with pytest.raises(ValueError, match="share column names \\['neg'\\]"):
        frame.with_columns(Frame.from_arrays({"neg": np.arange(5)}))


def test_split_frame_is_reproducible_and_partitions_rows():
    f = Frame.from_arrays({"i": np.arange(10_000)}, name="big")
    a, b, c = f.split_frame([0.6, 0.2], seed=42, destinations=["tr", "va", "te"])
    assert (a.name, b.name, c.name) == ("tr", "va", "te")
    ids = np.concatenate([a.numeric("i"), b.numeric("i"), c.numeric("i")])
    assert sorted(ids.tolist()) == list(range(10_000))
    assert abs(a.nrows - 6000) < 200 and abs(b.nrows - 2000) < 150
    a2, b2, c2 = split_frame(f, [0.6, 0.2], seed=42)
    assert a2.numeric("i").tolist() == a.numeric("i").tolist()
    assert b2.name == "big_part1"
    with pytest.raises(ValueError, match="split ratios must be positive and sum to less than 1"):
        f.split_frame([0.7, 0.4])
    with pytest.raises(ValueError, match="3 parts need 3 destination names, got 2"):
        f.split_frame([0.5, 0.2], destinations=["a", "b"])


def test_as_type_conversions(frame):
    e = frame.as_type("small", "enum")
    assert e.types["small"] == "enum" and e.domain("small") == ["0", "1", "2", "3", "250"]  # numeric order
    assert frame.types["small"] == "int"  # original untouched
    back = e.as_type("small", "numeric")
    np.testing.assert_array_equal(back.numeric("small"), frame.numeric("small"))
    s = frame.as_type("color", "string")
    assert s.values("color").tolist() == ["red", "blue", None, "red", "green"]
    t = Frame.from_arrays({"s": np.array(["1", "2.5", "x", None], dtype=object)}, types={"s": "string"})
    n = t.as_type("s", "numeric")
    assert n.types["s"] == "real" and np.isnan(n.numeric("s")[2]) and n.numeric("s")[1] == 2.5
    assert n.invalid_counts == {"s": 1}
    assert n.summary()["column_summaries"]["s"]["invalid"] == 1
    codes_only = frame.as_type("color", "numeric")  # levels are not numbers: their codes
    np.testing.assert_array_equal(codes_only.numeric("color"), [2, 0, np.nan, 2, 1])
    with pytest.raises(ValueError, match="unknown column type 'blob' for column 'small'"):
        frame.as_type("small", "blob")


def test_summary_matches_numpy(frame):
    s = frame.summary()
    assert s is frame.summary()  # cached
    assert (s["rows"], s["columns"], s["bytes"]) == (5, 6, frame.nbytes)
    r = s["column_summaries"]["real"]
    assert (r["missing"], r["pinf"], r["ninf"], r["zeros"]) == (1, 1, 1, 0)
    assert (r["min"], r["max"], r["mean"]) == (0.5, 2.25, 1.375)
    sm = s["column_summaries"]["small"]
    assert sm["zeros"] == 1 and sm["sigma"] == pytest.approx(np.std([1, 2, 3, 250, 0], ddof=1))
    assert sm["histogram"]["width"] == 1.0 and len(sm["histogram"]["counts"]) == 251
    assert sum(sm["histogram"]["counts"]) == 5
    c = s["column_summaries"]["color"]
    assert c["cardinality"] == 3 and c["missing"] == 1
    assert c["domain"] == [("blue", 1), ("green", 1), ("red", 2)]
    codes = np.array([2, 0, 2, 1], float)  # H2O's rollups of an enum are those of its level codes
    assert (c["min"], c["max"], c["mean"]) == (0, 2, 1.25) and c["sigma"] == pytest.approx(codes.std(ddof=1))
    table = summary_table(s)
    assert table["label"].tolist() == frame.names and table.loc[2, "+inf"] == 1


def test_percentiles_and_histogram_exact_on_large_column():
    rng = np.random.default_rng(0)
    x = rng.normal(size=50_001)
    x[::97] = np.nan
    f = Frame.from_arrays({"x": x, "k": rng.integers(0, 5000, 50_001)})
    s = f.summary()["column_summaries"]
    finite = x[~np.isnan(x)]
    assert list(s["x"]["percentiles"]) == list(PERCENTILES)
    np.testing.assert_allclose(list(s["x"]["percentiles"].values()), np.quantile(finite, PERCENTILES), rtol=1e-12)
    hist = s["x"]["histogram"]
    assert len(hist["counts"]) == 1000 and sum(hist["counts"]) == finite.size
    np.testing.assert_array_equal(hist["counts"][:999], np.histogram(finite, bins=hist["breaks"])[0][:999])
    k = s["k"]
    np.testing.assert_allclose(list(k["percentiles"].values()), np.quantile(f.numeric("k"), PERCENTILES))
    assert k["histogram"]["width"] == 5.0 and sum(k["histogram"]["counts"]) == 50_001


def test_pickle_roundtrip(frame):
    import pickle
    again = pickle.loads(pickle.dumps(frame))
    assert again.name == frame.name and again.types == frame.types and again.domain("color") == frame.domain("color")
    np.testing.assert_array_equal(again.codes("color"), frame.codes("color"))
    assert again.summary()["column_summaries"]["real"]["pinf"] == 1
    with pytest.raises(ValueError):
        again.values("small")[0] = 1


def test_from_pandas_nullable_dtypes():
    df = pd.DataFrame({"b": pd.array([True, None, False], dtype="boolean"), "c": [True, False, True],
                       "i": pd.array([1, None, 3], dtype="Int64"), "s": pd.array(["x", None, "y"], dtype="string"),
                       "": [1, 2, 3], "dup": [1, 2, 3]})
    df.columns = ["b", "c", "i", "s", "", "b"]
    f = Frame.from_pandas(df)
    assert f.names == ["b", "c", "i", "s", "C5", "C6"]  # empty and repeated names renamed as H2O does
    assert f.types == {"b": "enum", "c": "enum", "i": "int", "s": "enum", "C5": "int", "C6": "int"}
    assert f.domain("b") == ["False", "True"] == f.domain("c") and f.codes("b").tolist() == [1, -1, 0]
    np.testing.assert_array_equal(f.numeric("i"), [1, np.nan, 3])
    assert f.domain("s") == ["x", "y"] and f.codes("s").tolist() == [0, -1, 1]
    with pytest.raises(TypeError, match="from_pandas needs a pandas DataFrame, got list"):
        Frame.from_pandas([1, 2])
