"""DataInfo/Design core: one-hot layout, missing slot, unseen levels, standardization, imputation, rows."""
import json
import types

import numpy as np
import pandas as pd
import pytest

from deepbrook.engine.errors import DeepbrookError, ParameterError, TrainingError
from deepbrook.engine.frames.frame import Frame
from deepbrook.engine.params import resolve
from deepbrook.engine.prep import DataInfo, Design


def fit(frame, **kw):
    """DataInfo from the real parameter resolution (H2O defaults for everything not given)."""
    return DataInfo.fit(frame, resolve({"response_column": "y", "seed": 1234, **kw}, frame))


def cat(values, categories=None):
    return pd.Categorical(values, categories=categories)


@pytest.fixture
def small():
    """a: 3 levels, b: 4 levels (one NA), x/z numeric, y binomial."""
    df = pd.DataFrame({
        "a": cat(["p", "q", "r", "p", "q", "r"]),
        "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "b": cat(["k", "l", "m", "n", None, "k"]),
        "z": [10.0, np.nan, 30.0, 40.0, 50.0, 60.0],
        "y": cat(["no", "yes", "no", "yes", "no", "yes"]),
    })
    return Frame.from_pandas(df)


def test_layout_one_hot_order_and_slots(small):
    info = fit(small)
    # categoricals first by decreasing cardinality (b: 4, a: 3), each with a missing slot, then numerics
    assert info.coef_names == ["b.k", "b.l", "b.m", "b.n", "b.missing(NA)", "a.p", "a.q", "a.r", "a.missing(NA)",
                               "x", "z"]
    assert info.input_columns == ["b"] * 5 + ["a"] * 4 + ["x", "z"]
    assert (info.n_cat_slots, info.p_num, info.n_inputs) == (9, 2, 11)
    d = info.transform(small)
    assert isinstance(d, Design)
    np.testing.assert_array_equal(d.cat, [[0, 5], [1, 6], [2, 7], [3, 5], [4, 6], [0, 7]])  # NA b -> slot 4
    assert d.cat.dtype == np.int32 and d.num.dtype == np.float32
    assert d.num.flags.c_contiguous and d.cat.flags.c_contiguous
    np.testing.assert_array_equal(d.y, [0, 1, 0, 1, 0, 1])
    assert info.response_domain == ["no", "yes"] and info.problem == "binomial"
    np.testing.assert_array_equal(d.row_index, np.arange(6))


def test_use_all_factor_levels_false_reference_level(small):
    info = fit(small, use_all_factor_levels=False)
    assert info.coef_names == ["b.l", "b.m", "b.n", "b.missing(NA)", "a.q", "a.r", "a.missing(NA)", "x", "z"]
    d = info.transform(small)
    # first level (b=k, a=p) contributes nothing (-1); the missing slot ends each block
    np.testing.assert_array_equal(d.cat, [[-1, -1], [0, 4], [1, 5], [2, -1], [3, 4], [-1, 5]])
    assert info.n_inputs == 7 + 2


def test_autoencoder_forces_all_levels(small):
    info = fit(small, autoencoder=True, use_all_factor_levels=False, response_column=None)
    assert info.use_all_factor_levels and info.problem == "autoencoder"
    assert "y.no" in info.coef_names  # no response: y is an input
    d = info.transform(small)
    assert np.isnan(d.y).all()


def test_unseen_levels_and_reordered_domain_map_by_name(small):
    info = fit(small)
    test = Frame.from_pandas(pd.DataFrame({
        "a": cat(["r", "zzz", None], categories=["zzz", "r"]),  # other order + a level never seen
        "x": [1.0, 2.0, 3.0], "b": cat(["n", "k", "new"]), "z": [0.0, 0.0, 0.0],
    }))
    d = info.transform(test, with_response=False)
    np.testing.assert_array_equal(d.cat, [[3, 7], [0, 8], [4, 8]])  # unseen/NA -> missing slots 4 and 8
    assert np.isnan(d.y).all() and len(d.y) == 3


def test_numeric_test_column_for_enum_training_column():
    tr = Frame.from_pandas(pd.DataFrame({"c": cat(["1", "2", "3", "1"]), "y": [1.0, 2.0, 3.0, 4.0]}))
    info = fit(tr)
    te = Frame.from_pandas(pd.DataFrame({"c": [3, 1, 7], "y": [0.0, 0.0, 0.0]}))
    np.testing.assert_array_equal(info.transform(te).cat[:, 0], [2, 0, 3])


def test_standardize_mean_sd_and_mean_imputation(small):
    info = fit(small)
    d = info.transform(small)
    x = np.arange(1.0, 7.0)
    np.testing.assert_allclose(d.num[:, 0], (x - x.mean()) / x.std(ddof=1), rtol=1e-6)
    z = np.array([10.0, 30, 40, 50, 60])
    expect = (np.array([10.0, z.mean(), 30, 40, 50, 60]) - z.mean()) / z.std(ddof=1)
    np.testing.assert_allclose(d.num[:, 1], expect, rtol=1e-6, atol=1e-7)
    assert d.num[1, 1] == 0.0  # NA -> mean -> exactly 0 after standardizing
    np.testing.assert_allclose(info.num_sub, [x.mean(), z.mean()])
    np.testing.assert_allclose(info.num_mul, [1 / x.std(ddof=1), 1 / z.std(ddof=1)])


def test_wide_design_fills_every_column_block_into_a_prefaulted_matrix():
    # 41 numeric columns (two blocks of 16 and a partial one), uint8 and float columns with NAs, 52,000 rows: the
    # design (8.5 MB) takes the pre-faulted allocation path of prep/memory.py
    from deepbrook.engine.prep.memory import PREFAULT_BYTES
    rng = np.random.default_rng(5)
    n, p = 52_000, 41
    cols = {f"u{j}": rng.integers(0, 255, n).astype(np.uint8) for j in range(20)}
    for j in range(p - 20):
        v = rng.normal(j, 1 + j, n)
        v[rng.random(n) < 0.05] = np.nan
        cols[f"f{j}"] = v
    cols["y"] = cat(rng.choice(["a", "b"], n))
    frame = Frame.from_pandas(pd.DataFrame(cols))
    d = fit(frame).transform(frame)
    assert d.num.nbytes >= PREFAULT_BYTES and d.num.flags.c_contiguous and d.num.flags.writeable
    names = [c for c in cols if c != "y"]
    for j, name in enumerate(names):
        x = cols[name].astype(np.float64)
        mean, sd = np.nanmean(x), np.nanstd(x, ddof=1)
        expect = (np.where(np.isnan(x), mean, x) - mean) / sd
        np.testing.assert_allclose(d.num[:, j], expect, rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.uint8, np.int8, np.int16, np.uint16, np.int32])
def test_column_moments_skip_nans_like_numpy(dtype):
    from deepbrook.engine.kernels.columns import nan_moments
    from deepbrook.engine.prep.stats import moments
    rng = np.random.default_rng(2)
    lo_value = 0 if np.dtype(dtype).kind in "uf" else -100
    x = rng.integers(lo_value, 200 if dtype != np.uint16 else 60_000, 1001).astype(dtype)
    if np.dtype(dtype).kind == "f":
        x[rng.random(1001) < 0.2] = np.nan
    v = x[~np.isnan(x.astype(np.float64))].astype(np.float64)
    for kernel in (nan_moments, moments):  # moments: exact integer sums for columns of up to 16 bits
        n, mean, ss, lo, hi = kernel(x)
        assert (n, lo, hi) == (v.size, v.min(), v.max())
        np.testing.assert_allclose([mean, ss], [v.mean(), ((v - v.mean()) ** 2).sum()], rtol=1e-12)
    assert moments(np.full(4, 7, dtype=dtype))[1:] == (7.0, 0.0, 7.0, 7.0)  # a constant column: no rounding
    assert moments(np.empty(0, dtype=dtype))[0] == 0
    assert nan_moments(np.full(5, np.nan))[0] == 0 and np.isnan(nan_moments(np.full(5, np.nan))[1])
    assert nan_moments(np.array([3.0, np.nan]))[1:] == (3.0, 0.0, 3.0, 3.0)


def test_weighted_standardization_and_weights_passthrough():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    w = np.array([1.0, 3.0, 0.5, 2.0])
    f = Frame.from_pandas(pd.DataFrame({"x": x, "w": w, "y": [1.0, 2.0, 3.0, 5.0]}))
    info = fit(f, weights_column="w")
    m = np.sum(w * x) / w.sum()
    sd = np.sqrt(np.sum(w * (x - m) ** 2) / (w.sum() - 1))
    d = info.transform(f)
    np.testing.assert_allclose(d.num[:, 0], (x - m) / sd, rtol=1e-6)
    np.testing.assert_array_equal(d.w, w.astype(np.float32))
    assert info.coef_names == ["x"]  # the weights column is no predictor
    y = np.array([1.0, 2.0, 3.0, 5.0])
    my = np.sum(w * y) / w.sum()
    np.testing.assert_allclose(info.response_mean, my)
    np.testing.assert_allclose(info.response_sd, np.sqrt(np.sum(w * (y - my) ** 2) / (w.sum() - 1)))


def test_weights_with_offset_use_unweighted_stats_and_offset_in_link_space():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    y = np.array([1.0, 2.0, 3.0, 5.0])
    off = np.array([-1.0, 0.0, 0.5, 2.0])
    f = Frame.from_pandas(pd.DataFrame({"x": x, "w": [1.0, 3.0, 0.5, 2.0], "o": off, "y": y}))
    info = fit(f, weights_column="w", offset_column="o")
    np.testing.assert_allclose(info.num_sub, [x.mean()])
    d = info.transform(f)
    assert info.response_standardized
    # any sign applies; offsets live in the standardized output space
    np.testing.assert_allclose(d.offset, off / y.std(ddof=1), rtol=1e-6)
    np.testing.assert_allclose(d.y, (y - y.mean()) / y.std(ddof=1), rtol=1e-6)
    np.testing.assert_allclose(info.destandardize(d.y), y, rtol=1e-6)
    pois = fit(f, offset_column="o", distribution="poisson")
    assert not pois.response_standardized
    np.testing.assert_array_equal(pois.transform(f).offset, off.astype(np.float32))
    np.testing.assert_array_equal(pois.transform(f).y, y.astype(np.float32))


def test_autoencoder_normalizes_by_range_and_standardize_false_is_raw():
    x = np.array([1.0, 3.0, np.nan, 9.0])
    f = Frame.from_pandas(pd.DataFrame({"x": x, "k": [5.0, 5.0, 5.0, 6.0]}))
    info = fit(f, autoencoder=True, response_column=None)
    m = np.nanmean(x)
    np.testing.assert_allclose(info.transform(f).num[:, 0], (np.where(np.isnan(x), m, x) - m) / 8.0, rtol=1e-6)
    raw = fit(f, autoencoder=True, response_column=None, standardize=False).transform(f)
    np.testing.assert_allclose(raw.num[:, 0], [1.0, 3.0, m, 9.0], rtol=1e-6)  # raw mean imputed, consistently


def test_constant_columns_dropped_or_kept_safely():
    f = Frame.from_pandas(pd.DataFrame({"c": [2.0, 2.0, np.nan, 2.0], "k": cat(["u", "u", "u", None]),
                                        "x": [1.0, 2.0, 3.0, 4.0], "y": [0.0, 1.0, 0.0, 1.0]}))
    info = fit(f)
    assert info.ignored == {"c": "constant", "k": "constant"} and info.coef_names == ["x"]
    assert any("'c'" in m for _, m in info.messages)
    # a scoring frame without the dropped columns still works (they are not needed)
    info.transform(Frame.from_pandas(pd.DataFrame({"x": [1.0], "y": [0.0]})))
    kept = fit(f, ignore_const_cols=False)
    d = kept.transform(f)
    assert kept.num_names == ["c", "x"] and np.all(np.isfinite(d.num))
    np.testing.assert_array_equal(d.num[:, 0], 0.0)  # sd 0 -> multiplier 1, centred at the mean


def test_skip_drops_rows_with_any_na_and_errors_when_none_left(small):
    info = fit(small, missing_values_handling="Skip")
    d = info.transform(small, training=True)
    np.testing.assert_array_equal(d.row_index, [0, 2, 3, 5])  # row 1: z NA; row 4: b NA
    z = np.array([10.0, 30, 40, 60])  # stats on the kept rows only
    np.testing.assert_allclose(info.num_sub[1], z.mean())
    # at scoring the NAs are imputed, nothing is dropped
    assert info.transform(small).nrows == 6
    bad = Frame.from_pandas(pd.DataFrame({"a": [1.0, np.nan, 3.0, np.nan], "b": [np.nan, 2.0, np.nan, 4.0],
                                         "y": [1.0, 2.0, 3.0, 4.0]}))
    with pytest.raises(TrainingError, match="No rows left in the dataset after filtering out rows with missing"):
        fit(bad, missing_values_handling="skip")


def test_na_response_rows_dropped_and_regression_response(small):
    f = Frame.from_pandas(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, np.nan, 3.0, 8.0]}))
    info = fit(f)
    assert info.problem == "regression" and info.response_standardized
    d = info.transform(f, training=True)
    np.testing.assert_array_equal(d.row_index, [0, 2, 3])
    y = np.array([1.0, 3.0, 8.0])
    np.testing.assert_allclose(d.y, (y - y.mean()) / y.std(ddof=1), rtol=1e-6)
    np.testing.assert_allclose(info.num_sub, [np.mean([1.0, 3.0, 4.0])])  # stats on rows with a response
    assert info.transform(f, with_response=False).nrows == 4


def test_classification_response_unknown_class_at_scoring(small):
    info = fit(small)
    te = Frame.from_pandas(pd.DataFrame({"a": cat(["p", "q"]), "x": [1.0, 2.0], "b": cat(["k", "k"]),
                                         "z": [1.0, 2.0], "y": cat(["maybe", "yes"])}))
    d = info.transform(te)
    np.testing.assert_array_equal(d.row_index, [1])
    np.testing.assert_array_equal(d.y, [1.0])


def test_columns_x_ignored_string_time_and_missing_at_scoring():
    n = 30
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"id": [f"row-{i}" for i in range(n)],  # free text -> string column
                       "t": pd.date_range("2024-01-01", periods=n, freq="D"),
                       "x": rng.normal(size=n), "u": rng.normal(size=n), "y": rng.normal(size=n)})
    uid = Frame.from_arrays({"uid": [f"12345678-1234-1234-1234-{i:012d}" for i in range(n)]}, types={"uid": "uuid"})
    f = Frame.from_pandas(df).with_columns(uid)
    assert f.types["id"] == "string" and f.types["t"] == "time" and f.types["uid"] == "uuid"
    info = fit(f, ignored_columns=["u"])
    assert info.coef_names == ["t", "x"] and info.ignored == {"id": "string", "uid": "uuid"}
    assert any("string" in m for _, m in info.messages)
    t = df["t"].to_numpy("datetime64[ms]").astype(np.int64).astype(float)
    np.testing.assert_allclose(info.transform(f).num[:, 0], (t - t.mean()) / t.std(ddof=1), rtol=1e-5, atol=1e-6)
    # a plain namespace works too (x lists the predictors, as in H2O's train(x=...))
    assert DataInfo.fit(f, types.SimpleNamespace(response_column="y", x=["u"])).coef_names == ["u"]
    with pytest.raises(DeepbrookError, match="missing column 'x'"):
        info.transform(Frame.from_pandas(df.drop(columns=["x"])))
    sparse = fit(f, ignored_columns=["u"], sparse=True)
    d = sparse.transform(Frame.from_pandas(df.drop(columns=["x"])))
    np.testing.assert_array_equal(d.num[:, 1], 0.0)
    np.testing.assert_allclose(sparse.num_sub, 0.0)  # sparse: DESCALE, no centering
    with pytest.raises(ParameterError, match="weights_column 'nope'"):
        DataInfo.fit(f, types.SimpleNamespace(response_column="y", weights_column="nope"))


def test_negative_weights_rejected():
    f = Frame.from_pandas(pd.DataFrame({"x": [1.0, 2.0], "w": [1.0, -1.0], "y": [0.0, 1.0]}))
    with pytest.raises(ParameterError, match="weights_column"):  # resolve rejects them ...
        fit(f, weights_column="w")
    with pytest.raises(ParameterError, match="weights_column 'w' has negative values"):  # ... and so does prep
        DataInfo.fit(f, types.SimpleNamespace(response_column="y", weights_column="w"))


def test_round_trip_to_dict_from_dict(small):
    info = fit(small, use_all_factor_levels=False, categorical_encoding="binary")
    d = info.to_dict()

    def plain(v):  # everything but numpy arrays must be JSON-able
        if isinstance(v, np.ndarray):
            return v.tolist()
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        return v

    json.dumps(plain(d))
    back = DataInfo.from_dict(json.loads(json.dumps(plain(d))))
    a, b = info.transform(small), back.transform(small)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert back.coef_names == info.coef_names and back.input_columns == info.input_columns
    assert back.response_domain == info.response_domain


def test_large_cardinality_stays_sparse():
    n, k = 200_000, 70_000
    rng = np.random.default_rng(1)
    levels = np.array([f"L{i:05d}" for i in range(k)], dtype=object)
    codes = rng.integers(0, k, size=n)
    codes[:k] = np.arange(k)  # every level present
    f = Frame.from_arrays({"big": codes.astype(np.int32), "x": rng.normal(size=n), "y": rng.normal(size=n)},
                          domains={"big": levels})
    info = fit(f)
    assert info.n_cat_slots == k + 1 and info.n_inputs == k + 2
    d = info.transform(f)
    assert d.cat.shape == (n, 1) and d.num.shape == (n, 1)
    assert d.cat.nbytes + d.num.nbytes == n * 8  # O(rows x columns), no dense one-hot
    np.testing.assert_array_equal(d.cat[:, 0], codes)
    assert len(info.coef_names) == k + 2


def test_scoring_frame_with_numeric_levels_as_enum_and_repr():
    tr = Frame.from_pandas(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [0.0, 1.0, 0.0, 2.0]}))
    info = fit(tr)
    assert "1 numeric = 1 inputs" in repr(info)
    te = Frame.from_pandas(pd.DataFrame({"x": pd.Categorical(["4", "1", None]), "y": [0.0, 0.0, 0.0]}))
    np.testing.assert_allclose(info.transform(te).num[:, 0], [(4 - 2.5) / np.std([1, 2, 3, 4], ddof=1),
                                                               (1 - 2.5) / np.std([1, 2, 3, 4], ddof=1), 0.0],
                               rtol=1e-6)
    words = Frame.from_pandas(pd.DataFrame({"x": pd.Categorical(["a", "b"]), "y": [0.0, 0.0]}))
    with pytest.raises(DeepbrookError, match="column 'x' was numeric .* levels such as 'a'"):
        info.transform(words)


def test_design_fill_in_parts_matches_one_part():
    # Large designs are filled in one part of the rows per numba thread and in row chunks (DataInfo._fill_numeric):
    # the result equals a plain NumPy standardization, rows with an NA response dropped, for any thread count.
    import numba
    rng = np.random.default_rng(5)
    n = 150_000  # two 65,536-row chunks and a partial one per part; 20 columns -> 3M values, parts of 1M+
    x = rng.normal(size=(n, 20)).astype(np.float32)
    x[rng.random((n, 20)) < 0.01] = np.nan
    y = rng.integers(0, 2, n).astype(np.float64)
    y[::7] = np.nan
    df = pd.DataFrame({f"x{j}": x[:, j] for j in range(20)})
    df["y"] = y
    frame = Frame.from_pandas(df)
    info = fit(frame)
    threads = numba.get_num_threads()
    designs = []
    for t in sorted({1, threads}):
        numba.set_num_threads(t)
        try:
            designs.append(info.transform(frame, with_response=True, training=True).num)
        finally:
            numba.set_num_threads(threads)
    keep = ~np.isnan(y)
    cols = x[keep].astype(np.float64)
    cols = np.where(np.isnan(cols), np.asarray(info.num_impute), cols)
    expected = ((cols - np.asarray(info.num_sub)) * np.asarray(info.num_mul)).astype(np.float32)
    for num in designs:
        assert num.shape == expected.shape
        assert np.allclose(num, expected, rtol=1e-6, atol=1e-6)
        assert np.array_equal(num, designs[0])


def test_prefault_maps_a_rows_pages_without_touching_their_values():
    # each design-fill thread maps the pages of its own rows (prep/memory.py); data already written stays as is,
    # including on the page a neighbour's rows share
    from deepbrook.engine.prep.memory import PREFAULT_BYTES, filled_soon, prefault
    rows = 2 * PREFAULT_BYTES // (4 * 717) + 1000
    a = filled_soon((rows, 717), np.float32)
    a[:10] = 7.0
    half = rows // 2
    prefault(a[3:half])       # starts and ends inside pages
    prefault(a[half:])
    a[half:] = 2.0
    a[10:half] = 1.0
    assert (a[:10] == 7.0).all() and (a[10:half] == 1.0).all() and (a[half:] == 2.0).all()
    prefault(np.zeros(10, np.float32))  # small arrays: nothing to do


def test_a_fit_reads_each_numeric_column_once_and_drops_bad_and_constant_ones(monkeypatch):
    """The bad- and constant-column checks and the standardization share one moments pass per column (kept with
    the frame, which never changes); the statistics are those of the column."""
    from deepbrook.engine.prep import sources, stats
    passes = []
    real = stats.moments
    for module in (sources, stats):
        monkeypatch.setattr(module, "moments", lambda x: passes.append(len(x)) or real(x))
    x = np.array([1.0, 2.0, np.nan, 4.0, 8.0])
    frame = Frame.from_pandas(pd.DataFrame({"x": x, "k": [3.0] * 5, "na": [np.nan] * 5,
                                            "n8": np.array([0, 5, 9, 5, 1], np.uint8),
                                            "y": cat(["a", "b", "a", "b", "a"])}))
    info = fit(frame)
    assert info.ignored == {"k": "constant", "na": "bad"}
    assert sorted(n.source for n in info.num_inputs) == ["n8", "x"]
    assert passes == [5, 5, 5, 5]  # one per numeric column, none again for the standardization
    j = [n.source for n in info.num_inputs].index("x")
    v = x[~np.isnan(x)]
    assert info.num_sub[j] == pytest.approx(v.mean())
    assert info.num_mul[j] == pytest.approx(1 / v.std(ddof=1))
    fit(frame)
    assert len(passes) == 4  # a second fit on the same frame reads the kept moments
