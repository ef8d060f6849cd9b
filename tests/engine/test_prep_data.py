"""DataInfo on real data: prostate (assets) and scikit-learn's bundled data sets."""
import types

import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes, load_iris

from deepbrook.engine.frames.frame import Frame
from deepbrook.engine.prep import DataInfo


def dense(info, d):
    """Expand a Design to the dense input matrix (one-hot block + numerics) for checks."""
    x = np.zeros((d.nrows, info.n_inputs), dtype=np.float64)
    rows = np.repeat(np.arange(d.nrows), d.cat.shape[1])
    slots = d.cat.ravel()
    np.add.at(x, (rows[slots >= 0], slots[slots >= 0]), 1.0)
    x[:, info.n_cat_slots:] = d.num
    return x


def test_prostate_layout_matches_pandas_one_hot(prostate_path):
    df = pd.read_csv(prostate_path)
    for c in ("CAPSULE", "RACE", "DPROS", "DCAPS"):
        df[c] = pd.Categorical(df[c].astype(str))
    f = Frame.from_pandas(df)
    info = DataInfo.fit(f, types.SimpleNamespace(response_column="CAPSULE", ignored_columns=["ID"],
                                                 use_all_factor_levels=False))
    # DPROS (4 levels) before RACE (3) before DCAPS (2); numerics in frame order
    assert info.cat_names == ["DPROS", "RACE", "DCAPS"]
    assert info.num_names == ["AGE", "PSA", "VOL", "GLEASON"]
    d = info.transform(f, training=True)
    assert d.nrows == 380 and info.problem == "binomial"
    x = dense(info, d)
    expect = []
    for c in info.cat_names:
        oh = pd.get_dummies(df[c]).to_numpy(float)[:, 1:]  # first level dropped
        expect.append(np.hstack([oh, np.zeros((len(df), 1))]))  # never-active missing slot
    for c in info.num_names:
        v = df[c].to_numpy(float)
        expect.append(((v - v.mean()) / v.std(ddof=1))[:, None])
    np.testing.assert_allclose(x, np.hstack(expect), atol=1e-5)
    np.testing.assert_array_equal(d.y, df["CAPSULE"].cat.codes.to_numpy())
    assert len(info.coef_names) == info.n_inputs == x.shape[1]


def test_iris_multinomial_and_unseen_scoring_rows():
    iris = load_iris(as_frame=True)
    df = iris.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    df["target"] = pd.Categorical.from_codes(df["target"], list(iris.target_names))
    f = Frame.from_pandas(df)
    info = DataInfo.fit(f, types.SimpleNamespace(response_column="target"))
    assert info.problem == "multinomial" and info.response_domain == ["setosa", "versicolor", "virginica"]
    assert info.n_cat_slots == 0 and info.n_inputs == 4
    d = info.transform(f)
    np.testing.assert_allclose(d.num.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(d.num.std(axis=0, ddof=1), 1, rtol=1e-5)
    np.testing.assert_allclose(info.prior_class_dist, [1 / 3] * 3)


def test_diabetes_regression_with_weights_and_skip():
    data = load_diabetes(as_frame=True, scaled=False).frame
    rng = np.random.default_rng(5)
    data["sex"] = pd.Categorical(data["sex"].map({1.0: "f", 2.0: "m"}))
    data.loc[rng.choice(len(data), 40, replace=False), "bmi"] = np.nan
    data["w"] = rng.uniform(0.5, 2.0, len(data))
    f = Frame.from_pandas(data)
    p = types.SimpleNamespace(response_column="target", weights_column="w", missing_values_handling="Skip")
    info = DataInfo.fit(f, p)
    d = info.transform(f, training=True)
    assert d.nrows == len(data) - 40 and info.coef_names[:3] == ["sex.f", "sex.m", "sex.missing(NA)"]
    kept = data.dropna()
    w = kept["w"].to_numpy()
    y = kept["target"].to_numpy()
    m = np.sum(w * y) / w.sum()
    np.testing.assert_allclose(info.response_mean, m)
    np.testing.assert_allclose(info.destandardize(d.y), y, rtol=1e-5)
    np.testing.assert_allclose(d.w, w, rtol=1e-6)
