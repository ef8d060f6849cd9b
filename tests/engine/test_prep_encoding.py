"""categorical_encoding variants and max_categorical_features hashing against hand-computed expectations."""
import numpy as np
import pandas as pd
import pytest

from deepbrook.engine.errors import ParameterError
from deepbrook.engine.frames.frame import Frame
from deepbrook.engine.params import resolve
from deepbrook.engine.prep import DataInfo
from deepbrook.engine.prep.encoders import first_principal_axis
from deepbrook.engine.prep.hashing import hash_slots, murmur2_int32


def fit(frame, **kw):
    """DataInfo from the real parameter resolution; raw numerics unless a test asks for standardize."""
    return DataInfo.fit(frame, resolve({"response_column": "y", "standardize": False, "seed": 42, **kw}, frame))


@pytest.fixture
def frame():
    """c: 5 levels a..e with counts 3,1,2,1,1 (+1 NA), x numeric, y numeric response."""
    c = ["a", "a", "a", "b", "c", "c", "d", "e", None]
    y = [1.0, 2.0, 3.0, 10.0, 0.0, 0.0, 5.0, -1.0, 4.0]
    return Frame.from_pandas(pd.DataFrame({"x": np.arange(9.0), "c": pd.Categorical(c), "y": y}))


CODES = np.array([0, 0, 0, 1, 2, 2, 3, 4, -1])


def test_binary_encoding(frame):
    info = fit(frame, categorical_encoding="binary")
    # value = level + 1 (NA -> 0) in bit_length(5) = 3 bits, LSB first; appended after the numerics
    assert info.coef_names == ["x", "c:0", "c:1", "c:2"] and info.n_cat_slots == 0
    assert info.input_columns == ["x", "c", "c", "c"]
    v = np.where(CODES >= 0, CODES + 1, 0)
    expect = np.stack([(v >> b) & 1 for b in range(3)], axis=1)
    np.testing.assert_array_equal(info.transform(frame).num[:, 1:], expect)


def test_label_encoding_standardized_and_imputed(frame):
    info = fit(frame, categorical_encoding="label_encoder", standardize=True)
    assert info.coef_names == ["x", "c"]
    v = CODES[:-1].astype(float)
    expect = np.append((v - v.mean()) / v.std(ddof=1), 0.0)  # NA -> mean -> 0
    np.testing.assert_allclose(info.transform(frame).num[:, 1], expect, rtol=1e-6, atol=1e-7)


def test_eigen_encoding_matches_numpy_eigh(frame):
    info = fit(frame, categorical_encoding="eigen")
    assert info.coef_names == ["x", "c.Eigen"]
    onehot = np.eye(5)[CODES[:-1]]
    p = onehot.mean(axis=0)
    cov = np.diag(p) - np.outer(p, p)  # one-hot covariance (population)
    np.testing.assert_allclose(cov, np.cov(onehot.T, bias=True), atol=1e-12)
    vals, vecs = np.linalg.eigh(cov)
    v = vecs[:, np.argmax(vals)]
    v = v * np.sign(v[np.argmax(p)])
    got = info.transform(frame).num[:, 1]
    np.testing.assert_allclose(got[:-1], v[CODES[:-1]], atol=1e-6)
    assert np.isnan(info.num_inputs[1].table[-1]) and got[-1] == np.float32(info.num_impute[1])


def test_first_principal_axis_secular_solver_matches_eigh():
    rng = np.random.default_rng(3)
    for k in (2, 3, 7, 40):
        p = rng.dirichlet(np.ones(k))
        vals, vecs = np.linalg.eigh(np.diag(p) - np.outer(p, p))
        v = vecs[:, -1] * np.sign(vecs[np.argmax(p), -1])  # most frequent level positive
        np.testing.assert_allclose(first_principal_axis(p), v, atol=1e-8)
    big = first_principal_axis(rng.dirichlet(np.ones(70_000)))  # O(K), no K x K matrix
    assert big.shape == (70_000,) and np.isclose(np.linalg.norm(big), 1.0)
    tie = first_principal_axis(np.array([0.4, 0.4, 0.2]))  # degenerate top: contrast the tied levels
    np.testing.assert_allclose(tie, [np.sqrt(0.5), -np.sqrt(0.5), 0.0])


def test_sort_by_response_reorders_levels(frame):
    info = fit(frame, categorical_encoding="sort_by_response")
    # mean y per level: a 2, b 10, c 0, d 5, e -1 -> e, c, a, d, b; stays categorical (one-hot)
    assert info.cat_inputs[0].domain == ["e", "c", "a", "d", "b"]
    assert info.coef_names[:6] == ["c.e", "c.c", "c.a", "c.d", "c.b", "c.missing(NA)"]
    np.testing.assert_array_equal(info.transform(frame).cat[:, 0], [2, 2, 2, 4, 1, 1, 3, 0, 5])
    ref = fit(frame, categorical_encoding="sort_by_response", use_all_factor_levels=False)
    assert ref.transform(frame).cat[7, 0] == -1  # the lowest-response level becomes the reference


def test_enum_limited_keeps_top_levels_plus_other():
    rng = np.random.default_rng(0)
    levels = [f"v{i:02d}" for i in range(14)]
    counts = np.arange(14, 0, -1) * 3  # v00 most frequent ... v13 least
    vals = np.repeat(levels, counts)
    f = Frame.from_pandas(pd.DataFrame({"c": pd.Categorical(rng.permutation(vals)),
                                        "y": rng.normal(size=len(vals))}))
    info = fit(f, categorical_encoding="enum_limited")
    ci = info.cat_inputs[0]
    assert ci.name == "c.top_10_levels" and ci.domain == levels[:10] + ["other"]
    assert info.input_columns[0] == "c" and info.coef_names[10:12] == ["c.top_10_levels.other",
                                                                       "c.top_10_levels.missing(NA)"]
    d = info.transform(f)
    src = f.codes("c")
    np.testing.assert_array_equal(d.cat[:, 0], np.where(src < 10, src, 10))
    te = Frame.from_pandas(pd.DataFrame({"c": pd.Categorical(["v12", "v01", "brand-new", None]), "y": np.zeros(4)}))
    np.testing.assert_array_equal(info.transform(te).cat[:, 0], [10, 1, 11, 11])  # other, kept, missing slot x2
    small = Frame.from_pandas(pd.DataFrame({"c": pd.Categorical(["a", "b", "a"]), "y": [1.0, 2.0, 3.0]}))
    assert fit(small, categorical_encoding="enum_limited").cat_names == ["c"]


def test_unsupported_encodings_rejected(frame):
    with pytest.raises(ParameterError, match="categorical_encoding"):
        fit(frame, categorical_encoding="one_hot_explicit")


def java_murmur2(data, seed):
    """Literal transcription of water.util.MurmurHash.hash(byte[], int, int) in 32-bit Java arithmetic."""
    def i32(v):
        v &= 0xFFFFFFFF
        return v - (1 << 32) if v & 0x80000000 else v

    m, r = 0x5BD1E995, 24
    length = len(data)
    h = i32(seed ^ length)
    for i in range(length >> 2):
        b = [x - 256 if x > 127 else x for x in data[4 * i:4 * i + 4]]  # Java bytes are signed
        k = b[3]
        k = i32(k << 8) | (b[2] & 0xFF)
        k = i32(k << 8) | (b[1] & 0xFF)
        k = i32(k << 8) | (b[0] & 0xFF)
        k = i32(k * m)
        k ^= (k & 0xFFFFFFFF) >> r
        k = i32(k * m)
        h = i32(h * m)
        h = i32(h ^ k)
    h = i32(h ^ ((h & 0xFFFFFFFF) >> 13))
    h = i32(h * m)
    h = i32(h ^ ((h & 0xFFFFFFFF) >> 15))
    return h


def test_murmur_matches_java_transcription():
    vals = np.array([0, 1, 2, 255, 256, 70_000, 2**31 - 1, 123456789], dtype=np.int64)
    for seed in (0, 42, -1, 2**40 + 7):
        got = murmur2_int32(vals, seed)
        want = [java_murmur2(list(int(v).to_bytes(4, "big")), seed & 0xFFFFFFFF) for v in vals]
        np.testing.assert_array_equal(got, want)
    h = np.array([java_murmur2(list(int(v).to_bytes(4, "big")), 42) for v in vals])
    java_mod = np.sign(h) * (np.abs(h) % 7)  # Java's % truncates toward zero
    np.testing.assert_array_equal(hash_slots(vals, 7, 42), np.abs(java_mod))
    np.testing.assert_array_equal(hash_slots(np.array([-1, 3]), 7, 42)[0], -1)


def test_max_categorical_features_hashes_slots(frame):
    plain = fit(frame)
    info = fit(frame, max_categorical_features=3)
    assert info.hashed and info.n_cat_slots == 3 and info.n_inputs == 3 + 1
    assert info.coef_names == ["hashed_categorical_0", "hashed_categorical_1", "hashed_categorical_2", "x"]
    d, d0 = info.transform(frame), plain.transform(frame)
    np.testing.assert_array_equal(d.cat, hash_slots(d0.cat, 3, 42))
    assert d.cat.min() >= 0 and d.cat.max() < 3
    np.testing.assert_array_equal(d.num, d0.num)
    assert not fit(frame, max_categorical_features=6).hashed  # 5 levels + NA slot fit
