"""balance_classes: factors, capped sizes, sampled priors and the probability correction."""
import numpy as np
import pandas as pd
import pytest

from deepbrook.engine.errors import ParameterError
from deepbrook.engine.frames.frame import Frame
from deepbrook.engine.params import resolve
from deepbrook.engine.prep import DataInfo, balance_rows, correct_probabilities, sampling_factors


def test_automatic_factors_majority_keeps_one():
    counts = np.array([800.0, 150.0, 50.0])
    f = sampling_factors(counts, None, max_after_balance_size=100.0)
    np.testing.assert_allclose(f, [1.0, 800 / 150, 16.0])  # (N/k)/count_c divided by the smallest
    np.testing.assert_allclose(f * counts, [800.0, 800.0, 800.0])


def test_cap_scales_all_factors():
    counts = np.array([800.0, 150.0, 50.0])
    f = sampling_factors(counts, None, max_after_balance_size=1.5)
    assert np.isclose(np.dot(f, counts), 1500.0)  # (long)(1.5 * 1000)
    np.testing.assert_allclose(f / f[0], [1.0, 800 / 150, 16.0])


def test_user_factors_and_length_check():
    counts = np.array([10.0, 30.0])
    np.testing.assert_allclose(sampling_factors(counts, [2.0, 0.5], 5.0), [2.0, 0.5])
    with pytest.raises(ParameterError, match="class_sampling_factors must have 2 elements"):
        sampling_factors(counts, [1.0, 2.0, 3.0], 5.0)


def test_balance_rows_sizes_and_replication():
    y = np.array([0.0] * 900 + [1.0] * 100 + [np.nan] * 5)
    idx, f = balance_rows(y, 2, None, 5.0, seed=7)
    np.testing.assert_allclose(f, [1.0, 9.0])  # 9 is an integer factor: exact replication
    assert len(idx) == 1800 and np.all(np.diff(idx) >= 0)
    reps = np.bincount(idx, minlength=len(y))
    assert np.all(reps[:900] == 1) and np.all(reps[900:1000] == 9) and np.all(reps[1000:] == 0)
    idx2, f2 = balance_rows(y, 2, [1.0, 2.5], 5.0, seed=7)
    reps2 = np.bincount(idx2, minlength=len(y))[900:1000]
    assert set(np.unique(reps2)) <= {2, 3} and 200 < reps2.sum() < 300  # floor(2.5) + Bernoulli(0.5)
    again, _ = balance_rows(y, 2, [1.0, 2.5], 5.0, seed=7)
    np.testing.assert_array_equal(idx2, again)  # seeded


def test_correct_probabilities_maps_back_to_priors():
    prior, sampled = np.array([0.9, 0.1]), np.array([0.5, 0.5])
    p = np.array([[0.5, 0.5], [0.2, 0.8]])
    got = correct_probabilities(p, prior, sampled)
    raw = p * (prior / sampled)
    np.testing.assert_allclose(got, raw / raw.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(got[0], prior)  # an uninformative prediction returns the prior


def test_datainfo_balance_and_prior_correction():
    rng = np.random.default_rng(0)
    y = np.where(rng.random(1000) < 0.1, "rare", "common")
    f = Frame.from_pandas(pd.DataFrame({"x": rng.normal(size=1000), "y": pd.Categorical(y)}))
    info = DataInfo.fit(f, resolve({"response_column": "y", "balance_classes": True}, f))
    n_rare = int((y == "rare").sum())
    np.testing.assert_allclose(info.prior_class_dist, [1 - n_rare / 1000, n_rare / 1000])
    probs = np.array([[0.5, 0.5]], dtype=np.float32)
    assert info.prior_correction(probs) is probs  # no balancing: unchanged
    d = info.transform(f, training=True)
    b = info.balance(d, seed=3)
    counts = np.bincount(b.y.astype(int), minlength=2)
    assert abs(counts[0] - counts[1]) <= 0.02 * counts.sum()
    np.testing.assert_allclose(info.model_class_dist, counts / counts.sum())
    np.testing.assert_array_equal(b.num, d.num[np.searchsorted(d.row_index, b.row_index)])
    corrected = info.prior_correction(probs)
    np.testing.assert_allclose(corrected[0], info.prior_class_dist / info.model_class_dist
                               / np.sum(info.prior_class_dist / info.model_class_dist), rtol=1e-5)
    back = DataInfo.from_dict(info.to_dict())
    np.testing.assert_allclose(back.prior_correction(probs), corrected)
    reg_frame = Frame.from_pandas(pd.DataFrame({"x": rng.normal(size=50), "y": rng.normal(size=50)}))
    reg = DataInfo.fit(reg_frame, resolve({"response_column": "y"}, reg_frame))
    with pytest.raises(ParameterError, match="balance_classes requires classification"):
        reg.balance(reg.transform(reg_frame))
