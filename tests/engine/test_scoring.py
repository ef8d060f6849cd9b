"""The Scorer alone, with a fake model whose quality is one network weight and a fake clock."""
import math
import threading

import numpy as np
import pandas as pd
import pytest

from deepbrook.engine.model.network import Network
from deepbrook.engine.model.scoring import ScoringHistory, Scorer, history_columns, pretty_duration, sample_rows
from deepbrook.engine.model.trainer import TrainingState
from deepbrook.engine.prep.design import Design


class Clock:
    def __init__(self, t=1000.0):
        self.t = t

    def __call__(self):
        return self.t


class Info:
    response_domain = ["NO", "YES"]
    response_mean = 10.0
    response_sd = 2.0
    n_inputs = 3


class FakeModel:
    """p(YES) = sigmoid(q * (2y - 1) + noise) with q = network.W[0]: a bigger weight is a better model."""

    def __init__(self, problem="binomial"):
        self.problem = problem
        self.data_info = Info()
        self.output = {}
        self.network = Network.build(3, [4], 2, seed=1)
        self.calls = 0

    def predict_design(self, design):
        self.calls += 1
        q = float(self.network.W[0])
        rng = np.random.default_rng(len(design.y))
        noise = rng.normal(size=len(design.y))
        if self.problem == "regression":
            return design.y * 2.0 + 10.0 + noise / max(q, 1e-3)
        z = q * (2 * design.y - 1) + noise
        p1 = 1 / (1 + np.exp(-z))
        return np.c_[1 - p1, p1]


def design(n, seed=0, k=2):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n).astype(np.float32)
    return Design(rng.normal(size=(n, 3)).astype(np.float32), np.zeros((n, 0), np.int32), y,
                  np.ones(n, np.float32), np.zeros(n, np.float32), np.arange(n, dtype=np.int64))


BASE = dict(problem="binomial", epochs=100.0, score_interval=5.0, score_duty_cycle=0.1, stopping_rounds=0,
            classification_stop=-1.0, seed=7, score_training_samples=10000, overwrite_with_best_model=True)


def run(scorer, model, clock, qualities, dt=1.0, epochs_per_it=1.0):
    outcomes = []
    for i, q in enumerate(qualities, start=1):
        model.network.W[0] = q
        clock.t += dt
        st = TrainingState(epochs=i * epochs_per_it, iterations=i, samples=i * 100.0, network=model.network)
        out = scorer.after_iteration(st)
        outcomes.append(out)
        if out.stop:
            return outcomes, st, out.reason
    return outcomes, st, None


def test_schedule_first_iteration_interval_and_end():
    m, clock = FakeModel(), Clock()
    sc = Scorer(m, dict(BASE, epochs=12.0), design(200), clock=clock)
    outs, st, reason = run(sc, m, clock, [1.0] * 12)
    scored = [i + 1 for i, o in enumerate(outs) if o.scored]
    # first iteration, then > 5 s after the last scoring start (t=1, 7), and always at the end (12)
    assert scored == [1, 7, 12] and reason == "epochs"
    h = sc.history.to_pandas()
    assert len(h) == 4 and h.epochs.iloc[0] == 0 and math.isnan(h.training_logloss.iloc[0])
    assert list(h.columns) == history_columns("binomial", False)
    assert list(h.epochs) == [0.0, 1.0, 7.0, 12.0]
    assert h.duration.iloc[2] == pretty_duration(7.0) == " 7.000 sec"
    assert h.training_speed.iloc[1] == "100 obs/sec"
    # the model output is live
    assert m.output["training_metrics"].nobs == 200 and m.output["scoring_history"] is sc.history


def test_duty_cycle_blocks_scoring_when_scoring_is_slow():
    m, clock = FakeModel(), Clock()

    def slow_predict(d, orig=m.predict_design):
        clock.t += 2.0                                    # each scoring takes 2 s: duty cycle 2/6 > 0.1
        return orig(d)
    m.predict_design = slow_predict
    sc = Scorer(m, dict(BASE, epochs=30.0), design(50), clock=clock)
    outs, _, _ = run(sc, m, clock, [1.0] * 30)
    scored = [i + 1 for i, o in enumerate(outs) if o.scored]
    assert scored[0] == 1 and scored[-1] == 30
    # needs > 20 s since the last scoring start so that 2 s / since < 0.1: 19 iterations + the 2 s of scoring
    assert list(np.diff(scored[:-1])) == [19]


def test_score_each_iteration_and_validation_columns():
    m, clock = FakeModel(), Clock()
    sc = Scorer(m, dict(BASE, epochs=4.0, score_each_iteration=True), design(100), design(80, 1), clock=clock)
    outs, _, _ = run(sc, m, clock, [1.0] * 4)
    assert all(o.scored for o in outs)
    h = sc.history.to_pandas()
    assert "validation_auc" in h and "validation_lift" in h and h.validation_auc.iloc[1:].notna().all()
    assert list(h.columns[:9]) == ["timestamp", "duration", "training_speed", "epochs", "iterations", "samples",
                                   "training_rmse", "training_logloss", "training_r2"]


def test_multinomial_history_columns_match_h2o_reference(shared_data):
    ref = pd.read_csv(shared_data.parent / "research" / "h2o-outputs" / "mnist_scoring_history.csv", index_col=0)
    assert history_columns("multinomial", True) == list(ref.columns)


def test_early_stopping_stops_on_plateau_and_history_says_why():
    m, clock = FakeModel(), Clock()
    sc = Scorer(m, dict(BASE, score_each_iteration=True, stopping_rounds=2, stopping_tolerance=0.0), design(300),
                clock=clock)
    qualities = [0.2, 0.5, 1.0, 1.5, 2.0] + [2.0] * 20
    outs, st, reason = run(sc, m, clock, qualities)
    assert reason == "early_stopping"
    assert st.epochs < 100 and len(outs) < len(qualities)
    sc.finish(st, reason)
    assert sc.history.stop_reason == "early_stopping" and m.output["stop_reason"] == "early_stopping"
    assert sc.history.to_pandas(extra=True).stop_reason.iloc[-1] == "early_stopping"


def test_overwrite_with_best_model_restores_best_point_and_appends_row():
    m, clock = FakeModel(), Clock()
    sc = Scorer(m, dict(BASE, epochs=6.0, score_each_iteration=True), design(300), design(300, 3), clock=clock)
    qualities = [0.5, 1.0, 3.0, 0.8, 0.4, 0.3]
    _, st, reason = run(sc, m, clock, qualities)
    h_before = sc.history.to_pandas()
    assert sc.finish(st, reason) is True
    assert float(m.network.W[0]) == pytest.approx(3.0)
    h = sc.history.to_pandas()
    assert len(h) == len(h_before) + 1
    assert h.epochs.iloc[-1] == h.epochs.iloc[-2] == 6.0
    assert h.validation_logloss.iloc[-1] == pytest.approx(h.validation_logloss.iloc[3])   # best row (q = 3)
    assert h.validation_logloss.iloc[-1] == pytest.approx(h.validation_logloss.iloc[1:-1].min())


def test_no_restore_after_timeout_and_max_runtime_reason():
    m, clock = FakeModel(), Clock()
    sc = Scorer(m, dict(BASE, max_runtime_secs=3.5, score_each_iteration=True), design(100), clock=clock)
    _, st, reason = run(sc, m, clock, [3.0, 1.0, 0.5, 0.2, 0.1])
    assert reason == "max_runtime_secs" and st.iterations == 4
    assert sc.finish(st, reason) is False and float(m.network.W[0]) == pytest.approx(0.2)


def test_classification_and_regression_stop():
    m, clock = FakeModel(), Clock()
    sc = Scorer(m, dict(BASE, classification_stop=0.5), design(100), clock=clock)
    _, _, reason = run(sc, m, clock, [5.0])
    assert reason == "classification_stop"
    mr, clock = FakeModel("regression"), Clock()
    sc = Scorer(mr, dict(BASE, problem="regression", regression_stop=1e-6, distribution="gaussian"),
                design(100), clock=clock)
    _, _, reason = run(sc, mr, clock, [1e6])
    assert reason == "regression_stop"
    h = sc.history.to_pandas()
    assert list(h.columns) == ["timestamp", "duration", "training_speed", "epochs", "iterations", "samples",
                               "training_rmse", "training_deviance", "training_mae", "training_r2"]
    # metrics in original units: target = y * sd + mean
    assert sc.train.target.mean() > 9


def test_listeners_get_rows_and_failures_do_not_stop_training():
    m, clock = FakeModel(), Clock()
    sc = Scorer(m, dict(BASE, epochs=3.0, score_each_iteration=True), design(60), clock=clock)
    got = []
    sc.history.subscribe(lambda row: 1 / 0)
    unsub = sc.history.subscribe(got.append)
    run(sc, m, clock, [1.0, 1.0])
    unsub()
    run(sc, m, clock, [1.0])
    assert [r["iterations"] for r in got] == [1, 2] and "training_auc" in got[0]


def test_training_sample_drawn_once_and_stratified_validation():
    m, clock = FakeModel(), Clock()
    va = design(1000, 5)
    sc = Scorer(m, dict(BASE, score_training_samples=100, score_validation_samples=200,
                        score_validation_sampling="Stratified"), design(1000), va, clock=clock)
    assert len(sc.train.design.y) == 100 and "100 samples" in sc.train.description
    share = va.y.mean()
    assert sc.valid.design.y.mean() == pytest.approx(share, abs=0.006)
    again = Scorer(m, dict(BASE, score_training_samples=100), design(1000), clock=clock)
    np.testing.assert_array_equal(again.train.design.row_index, sc.train.design.row_index)
    assert sample_rows(50, 0, 1) is None and sample_rows(50, 80, 1) is None


def test_history_is_thread_safe_and_roundtrips():
    h = ScoringHistory("binomial", False)
    h.placeholder()
    threads = [threading.Thread(target=lambda: [h.append({"epochs": 1.0}) for _ in range(200)]) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(h) == 801
    back = ScoringHistory.from_dict(h.to_dict())
    pd.testing.assert_frame_equal(back.to_pandas(), h.to_pandas())


def test_autoencoder_scoring_matches_anomaly_and_live_rows(prostate_path):
    from deepbrook.engine.estimator import DeepLearning
    from deepbrook.engine.frames import import_file
    fr = import_file(str(prostate_path)).as_type("CAPSULE", "enum").as_type("RACE", "enum")
    est = DeepLearning(hidden=[3], epochs=1000, seed=1, reproducible=True, autoencoder=True,
                       score_each_iteration=True, stopping_rounds=0)
    job = est.train_async(x=["AGE", "PSA", "VOL", "CAPSULE", "RACE"], training_frame=fr)
    rows = []
    job.subscribe(lambda e: e["type"] == "scoring" and (rows.append(e["row"]) or len(rows) >= 3 and job.cancel()))
    m = job.result(timeout=120)
    assert job.status == "CANCELLED" and m.output["stop_reason"] == "cancelled"
    h = m.scoring_history()
    assert list(h.columns) == history_columns("autoencoder", False)
    assert h.epochs.iloc[0] > 0                                   # no placeholder row for autoencoders
    mse = m.output["training_metrics"].mse
    assert mse == pytest.approx(m.anomaly(fr).as_pandas()["Reconstruction.MSE"].mean(), rel=1e-6)
    assert h.training_mse.iloc[-1] == pytest.approx(mse)
    assert rows and set(history_columns("autoencoder", False)) <= set(rows[-1])


def test_training_metrics_on_a_sample_read_the_rows_in_place_and_match_scoring_a_copy():
    # The training sample is scored without copying its inputs (SampledRows); the metrics must be those of the
    # same rows copied out and scored.
    from deepbrook.engine import DeepLearning, Frame
    from deepbrook.engine.model.metrics import make_metrics
    from deepbrook.engine.prep.design import SampledRows
    rng = np.random.default_rng(4)
    n = 900
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n),
                       "c": pd.Categorical(rng.choice(["x", "y", "z"], n))})
    df["y"] = pd.Categorical(np.where(df.a + (df.c == "x") + rng.normal(0, 0.5, n) > 0.5, "yes", "no"))
    frame = Frame.from_pandas(df)
    model = DeepLearning(hidden=[8], epochs=2, seed=3, score_training_samples=250, reproducible=True,
                         overwrite_with_best_model=False).train(y="y", training_frame=frame)
    idx = sample_rows(n, 250, 3)
    design = model.data_info.transform(frame, with_response=True, training=True)
    sampled = SampledRows.of(design, idx)
    np.testing.assert_array_equal(model.predict_design(sampled), model.predict_design(design.take(idx)))
    copy = design.take(idx)
    expect = make_metrics("binomial", copy.y.astype(np.float64), model.predict_design(copy), copy.w,
                          list(model.data_info.response_domain), "bernoulli")
    got = model.output["training_metrics"]
    assert got.get("logloss") == pytest.approx(expect.get("logloss"), rel=1e-12)
    assert got.get("nobs") == 250 and "250 samples" in got.description
