"""H2O's ScoreKeeper.stopEarly rule, worked by hand on small histories (row 0 is the NaN placeholder)."""
import math

import pytest

from deepbrook.engine.model import stopping as S

NAN = math.nan


def test_needs_2k_rows_after_placeholder_and_k_zero_never_stops():
    assert not S.stop_early([NAN, 3, 3, 3], 2, 0.0, "logloss")          # 3 real rows < 2k = 4
    assert S.stop_early([NAN, 3, 3, 3, 3], 2, 0.0, "logloss")           # flat: best/ref = 1 >= 1 - 0
    assert not S.stop_early([NAN] + [1.0] * 50, 0, 0.0, "logloss")


def test_less_is_better_moving_averages():
    # ma = [4.5, 3.5, 3.25] -> best/ref = 0.72 < 1: still improving
    assert not S.stop_early([NAN, 5, 4, 3, 3.5], 2, 0.0, "logloss")
    # ma = [3, 3.05, 3.15] -> 1.017 >= 1: stop
    assert S.stop_early([NAN, 3, 3, 3.1, 3.2], 2, 0.0, "MSE")
    # ma = [4.5, 4.2, 4.45]: ratio 0.933 is an improvement at tol 0 but not at tol 0.1
    assert not S.stop_early([NAN, 5, 4, 4.4, 4.5], 2, 0.0, "deviance")
    assert S.stop_early([NAN, 5, 4, 4.4, 4.5], 2, 0.1, "deviance")
    # only the last 2k rows count
    assert S.stop_early([NAN, 100, 50, 3, 3, 3.1, 3.2], 2, 0.0, "RMSE")


def test_more_is_better_and_special_cases():
    assert not S.stop_early([NAN, .7, .8, .85, .9], 2, 0.0, "AUC")
    assert S.stop_early([NAN, .8, .8, .79, .78], 2, 0.0, "AUCPR")
    assert S.stop_early([NAN, 0, 0, 0, 0], 2, 0.0, "logloss")            # bounded below, reference 0
    assert not S.stop_early([NAN, -1, -1, 1, 1], 2, 0.0, "lift_top_group")  # moving averages change sign
    assert not S.stop_early([NAN, 1, NAN, 1, 1], 2, 0.0, "logloss")       # NaN in a window


def test_metric_resolution_and_loss():
    assert S.resolve_stopping_metric("AUTO", "binomial") == "logloss"
    assert S.resolve_stopping_metric("AUTO", "regression") == "deviance"
    assert S.resolve_stopping_metric("AUTO", "autoencoder") == "MSE"
    assert S.resolve_stopping_metric("auc", None) == "AUC"
    with pytest.raises(ValueError, match="stopping_metric 'foo'"):
        S.resolve_stopping_metric("foo", "binomial")
    assert S.more_is_better("lift_top_group") and not S.more_is_better("misclassification")
    assert S.loss_for_best(0.9, "AUC") == pytest.approx(0.1)
    assert S.metric_value({"logloss": 0.3}, "deviance", "binomial") == 0.3
    assert S.metric_value({"mean_residual_deviance": 2.0}, "AUTO", "regression") == 2.0


def test_every_h2o_stopping_metric_is_known():
    from deepbrook.engine.params.h2o_names import STOPPING_METRICS
    for name in STOPPING_METRICS:
        S.resolve_stopping_metric(name, "binomial")
    assert math.isnan(S.metric_value({"logloss": 1.0}, "custom", "binomial"))
    assert not S.stop_early([S.metric_value({"logloss": 1.0}, "custom")] * 11, 2, 0.0, "custom")
