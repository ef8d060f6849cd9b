"""Cross-validation: fold assignment rules, and 5-fold CV on prostate through DeepLearning.train."""
import numpy as np
import pandas as pd
import pytest

from deepbrook.engine import ParameterError
from deepbrook.engine.cv import assign_folds, metrics_summary_table
from deepbrook.engine.estimator import DeepLearning
from deepbrook.engine.frames import Frame, import_file

X = ["AGE", "RACE", "PSA", "GLEASON", "DPROS", "DCAPS", "VOL"]


@pytest.fixture(scope="module")
def prostate(prostate_path):
    return import_file(str(prostate_path)).as_type("CAPSULE", "enum")


def test_fold_assignment_rules():
    fr = Frame.from_arrays({"y": np.array(["a"] * 30 + ["b"] * 10), "f": np.arange(40) % 4 * 10.0,
                            "x": np.arange(40.0)}, types={"y": "enum"})
    folds, k = assign_folds(fr, 5, "Modulo")
    assert k == 5 and list(folds[:7]) == [0, 1, 2, 3, 4, 0, 1]
    folds, k = assign_folds(fr, 5, "Stratified", response="y", seed=1)
    y = fr.codes("y")
    for f in range(5):
        assert (y[folds == f] == 1).sum() == 2 and (folds == f).sum() == 8   # class shares kept per fold
    r1, _ = assign_folds(fr, 3, "AUTO", seed=7)
    r2, _ = assign_folds(fr, 3, "Random", seed=7)
    np.testing.assert_array_equal(r1, r2)
    assert set(r1) == {0, 1, 2}
    folds, k = assign_folds(fr, 0, fold_column="f")
    assert k == 4 and list(folds[:5]) == [0, 1, 2, 3, 0]
    with pytest.raises(ParameterError, match="Stratified"):
        assign_folds(fr, 3, "Stratified", response="x")
    with pytest.raises(ParameterError, match="nfolds"):
        assign_folds(fr, 1)
    with pytest.raises(ParameterError, match="fold_assignment 'Bogus'"):
        assign_folds(fr, 3, "Bogus")


def test_five_fold_cv_reports_mean_and_sd(prostate):
    m = DeepLearning(hidden=[8], epochs=2, seed=4, reproducible=True, nfolds=5, fold_assignment="Modulo",
                     keep_cross_validation_predictions=True, keep_cross_validation_fold_assignment=True,
                     model_id="pros_cv").train(x=X, y="CAPSULE", training_frame=prostate)
    out = m.output
    s = out["cross_validation_metrics_summary"]
    assert list(s.columns) == ["mean", "sd", "cv_1_valid", "cv_2_valid", "cv_3_valid", "cv_4_valid", "cv_5_valid"]
    assert {"auc", "logloss", "accuracy", "err", "f1", "mse", "rmse", "pr_auc"} <= set(s.index)
    folds = s.loc["auc", [f"cv_{i}_valid" for i in range(1, 6)]].to_numpy(float)
    assert s.loc["auc", "mean"] == pytest.approx(folds.mean())
    assert s.loc["auc", "sd"] == pytest.approx(folds.std(ddof=1))
    assert s.loc["auc", "sd"] > 0
    cv = out["cross_validation_metrics"]
    assert cv.nobs == prostate.nrows and 0.5 < cv.auc < 1
    models = out["cross_validation_models"]
    assert [x.key for x in models] == [f"pros_cv_cv_{i}" for i in range(1, 6)]
    fa = out["cross_validation_fold_assignment"]
    assert list(fa.fold_assignment[:6]) == [0, 1, 2, 3, 4, 0]
    hp = out["cross_validation_holdout_predictions"]
    assert list(hp.columns) == ["predict", "p0", "p1"] and len(hp) == prostate.nrows
    # holdout prediction of row 0 comes from the fold-1 model
    first = models[0].predict(prostate.rows([0])).as_pandas()
    assert hp.p1.iloc[0] == pytest.approx(first.p1.iloc[0], rel=1e-6)
    assert m.key == "pros_cv" and m.output["training_metrics"].nobs == prostate.nrows
    assert m.params.nfolds == 5 and m.params.fold_assignment == "Modulo"      # shown as the user gave them
    assert all(f.params.nfolds == 0 for f in models)


def test_cv_main_model_epochs_rule_under_early_stopping(prostate):
    m = DeepLearning(hidden=[8], epochs=3, seed=4, reproducible=True, nfolds=3, stopping_rounds=2,
                     score_each_iteration=True, train_samples_per_iteration=50).train(
        x=X, y="CAPSULE", training_frame=prostate)
    fold_epochs = [f.scoring_history().epochs.iloc[-1] for f in m.output["cross_validation_models"]]
    assert m.scoring_history().epochs.iloc[-1] == pytest.approx(np.mean(fold_epochs), abs=0.02)
    assert any("optimal _epochs" in w for w in m.output["cv_warnings"])
    assert not m.params.overwrite_with_best_model


def test_regression_summary_table():
    from deepbrook.engine.model.metrics import regression_metrics
    rng = np.random.default_rng(0)
    ms = [regression_metrics(rng.normal(size=50), rng.normal(size=50)) for _ in range(3)]
    t = metrics_summary_table(ms)
    assert list(t.index) == ["mae", "mean_residual_deviance", "mse", "r2", "residual_deviance", "rmse", "rmsle"]
    assert t.loc["mse", "mean"] == pytest.approx(np.mean([m.mse for m in ms]))
    assert isinstance(t, pd.DataFrame)


def test_cv_model_saves_and_loads(prostate, tmp_path):
    from deepbrook.engine import load_model
    m = DeepLearning(hidden=[4], epochs=1, seed=2, nfolds=3, model_id="cvsave",
                     keep_cross_validation_predictions=True).train(x=X, y="CAPSULE", training_frame=prostate)
    back = load_model(m.save(tmp_path / "cv"))
    assert back.output["cross_validation_models"] == ["cvsave_cv_1", "cvsave_cv_2", "cvsave_cv_3"]
    pd.testing.assert_frame_equal(back.output["cross_validation_metrics_summary"],
                                  m.output["cross_validation_metrics_summary"])
    assert back.output["cross_validation_metrics"].auc == m.output["cross_validation_metrics"].auc
    pd.testing.assert_frame_equal(back.output["cross_validation_holdout_predictions"],
                                  m.output["cross_validation_holdout_predictions"])


def test_cv_refuses_checkpoint_restart(prostate):
    m = DeepLearning(hidden=[4], epochs=1, seed=1).train(x=X, y="CAPSULE", training_frame=prostate)
    with pytest.raises(ParameterError, match="nfolds must be 0") as e:
        DeepLearning(hidden=[4], epochs=2, seed=1, checkpoint=m, nfolds=3).train(x=X, y="CAPSULE",
                                                                               training_frame=prostate)
    assert e.value.messages[0].parameter == "nfolds"
