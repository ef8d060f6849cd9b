"""scikit-learn estimators over the Deepbrook engine: ``DeepLearningClassifier`` and ``DeepLearningRegressor``.

They accept numpy arrays or pandas DataFrames (categorical / string columns become enums and use the sparse
one-hot first layer), train with the same code as ``DeepLearning`` and follow sklearn's estimator contract
(get_params/set_params, ``classes_``, ``n_features_in_``, ``feature_names_in_``, ``sample_weight``), so they drop
into pipelines, ``GridSearchCV`` and ``cross_val_score``. ``seed`` plays the role of ``random_state``;
``reproducible=True`` (single-threaded) makes repeated fits identical.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

_PARAMS = ("hidden", "activation", "epochs", "adaptive_rate", "rho", "epsilon", "rate", "rate_annealing",
           "momentum_start", "momentum_ramp", "momentum_stable", "nesterov_accelerated_gradient", "l1", "l2",
           "max_w2", "input_dropout_ratio", "hidden_dropout_ratios", "mini_batch_size", "loss", "distribution",
           "standardize", "seed", "reproducible", "train_samples_per_iteration", "stopping_rounds",
           "score_each_iteration", "max_runtime_secs")
_FIXED = dict(ignore_const_cols=False, variable_importances=False, overwrite_with_best_model=False,
              classification_stop=-1.0, regression_stop=-1.0)


def _target(y):
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None")
    if isinstance(y, (pd.Series, pd.DataFrame)):
        y = y.to_numpy()
    return np.asarray(y)


class _DeepLearningBase(BaseEstimator):
    def __init__(self, hidden=(200, 200), activation="Rectifier", epochs=10.0, adaptive_rate=True, rho=0.99,
                 epsilon=1e-8, rate=0.005, rate_annealing=1e-6, momentum_start=0.0, momentum_ramp=1e6,
                 momentum_stable=0.0, nesterov_accelerated_gradient=True, l1=0.0, l2=0.0, max_w2=3.4028235e38,
                 input_dropout_ratio=0.0, hidden_dropout_ratios=None, mini_batch_size=1, loss="Automatic",
                 distribution="AUTO", standardize=True, seed=-1, reproducible=False, train_samples_per_iteration=0,
                 stopping_rounds=0, score_each_iteration=False, max_runtime_secs=0.0):
        self.hidden = hidden
        self.activation = activation
        self.epochs = epochs
        self.adaptive_rate = adaptive_rate
        self.rho = rho
        self.epsilon = epsilon
        self.rate = rate
        self.rate_annealing = rate_annealing
        self.momentum_start = momentum_start
        self.momentum_ramp = momentum_ramp
        self.momentum_stable = momentum_stable
        self.nesterov_accelerated_gradient = nesterov_accelerated_gradient
        self.l1 = l1
        self.l2 = l2
        self.max_w2 = max_w2
        self.input_dropout_ratio = input_dropout_ratio
        self.hidden_dropout_ratios = hidden_dropout_ratios
        self.mini_batch_size = mini_batch_size
        self.loss = loss
        self.distribution = distribution
        self.standardize = standardize
        self.seed = seed
        self.reproducible = reproducible
        self.train_samples_per_iteration = train_samples_per_iteration
        self.stopping_rounds = stopping_rounds
        self.score_each_iteration = score_each_iteration
        self.max_runtime_secs = max_runtime_secs

    def __getstate__(self):
        """Pickle the fitted model through Deepbrook's own format (arrays + JSON), not its live objects."""
        state = dict(super().__getstate__())
        if state.get("model_") is not None:
            from .model.persist import model_state
            state["model_"] = ("deepbrook-model", model_state(state["model_"]))
        return state

    def __setstate__(self, state):
        m = state.get("model_")
        if isinstance(m, tuple) and m and m[0] == "deepbrook-model":
            from .model.persist import model_from_state
            state = {**state, "model_": model_from_state(*m[1])}
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags

    # ------------------------------------------------------------------ data
    def _frame(self, X, y=None, sample_weight=None, fitting=False):
        from .frames import Frame
        if isinstance(X, pd.DataFrame) and fitting:
            validate_data(self, X, ensure_all_finite=True, dtype=None, reset=True, skip_check_array=True)
        if isinstance(X, pd.DataFrame):
            if not fitting:
                validate_data(self, X, reset=False, skip_check_array=True)
            df = X.copy()
            df.columns = [str(c) for c in df.columns]
            num = df.select_dtypes(include="number")
            if len(num.columns) and not np.isfinite(num.to_numpy(dtype=float)).all():
                raise ValueError("Input X contains NaN or infinity.")
        else:
            A = validate_data(self, X, dtype=np.float64, ensure_all_finite=True, reset=fitting)
            df = pd.DataFrame(A, columns=[f"x{i}" for i in range(A.shape[1])])
        cols = {c: df[c] for c in df.columns}
        if y is not None:
            cols["__y__"] = y
        if sample_weight is not None:
            cols["__w__"] = np.asarray(sample_weight, dtype=np.float64)
        return Frame.from_pandas(pd.DataFrame(cols), name="sklearn_data")

    def _train(self, frame, y_name, weights):
        from .estimator import DeepLearning
        params = {k: getattr(self, k) for k in _PARAMS}
        params["hidden"] = list(params["hidden"])
        if params["hidden_dropout_ratios"] is not None:
            params["hidden_dropout_ratios"] = list(params["hidden_dropout_ratios"])
        if not params["adaptive_rate"]:
            params.pop("rho"), params.pop("epsilon")
        else:
            for k in ("rate", "rate_annealing", "momentum_start", "momentum_ramp", "momentum_stable"):
                params.pop(k)
        model = DeepLearning(**params, **_FIXED, weights_column="__w__" if weights else None).train(
            y=y_name, training_frame=frame)
        return model

    def _scores(self, X):
        check_is_fitted(self, "model_")
        frame = self._frame(X)
        design = self.model_.data_info.transform(frame, with_response=False)
        return self.model_.predict_design(design)


class DeepLearningClassifier(ClassifierMixin, _DeepLearningBase):
    """H2O-style Deep Learning classifier (softmax output, cross-entropy by default)."""

    def fit(self, X, y, sample_weight=None):
        y = _target(y)
        if y.ndim == 2 and y.shape[1] == 1:
            import warnings
            from sklearn.exceptions import DataConversionWarning
            warnings.warn("A column-vector y was passed when a 1d array was expected.", DataConversionWarning,
                          stacklevel=2)
            y = y.ravel()
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        frame = self._frame(X, pd.Categorical.from_codes(codes, [str(i) for i in range(len(self.classes_))]),
                            sample_weight, fitting=True)
        if len(self.classes_) == 1:
            self.model_ = None
            return self
        self.model_ = self._train(frame, "__y__", sample_weight is not None)
        return self

    def predict_proba(self, X):
        check_is_fitted(self, "classes_")
        if getattr(self, "model_", "unset") is None:
            n = validate_data(self, X, reset=False, dtype=None, ensure_all_finite=False).shape[0] \
                if not isinstance(X, pd.DataFrame) else len(X)
            return np.ones((n, 1))
        probs = self._scores(X)
        order = [int(level) for level in self.model_.data_info.response_domain]
        out = np.zeros((probs.shape[0], len(self.classes_)))
        out[:, order] = probs
        return out

    def predict(self, X):
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class DeepLearningRegressor(RegressorMixin, _DeepLearningBase):
    """H2O-style Deep Learning regressor (linear output in standardized response space)."""

    def fit(self, X, y, sample_weight=None):
        y = _target(y).astype(np.float64)
        if len(y) < 2:
            raise ValueError(f"n_samples = {len(y)}: at least 2 samples are needed to fit a regressor")
        if y.ndim == 2 and y.shape[1] == 1:
            import warnings
            from sklearn.exceptions import DataConversionWarning
            warnings.warn("A column-vector y was passed when a 1d array was expected.", DataConversionWarning,
                          stacklevel=2)
            y = y.ravel()
        if not np.isfinite(y).all():
            raise ValueError("Input y contains NaN or infinity.")
        frame = self._frame(X, y, sample_weight, fitting=True)
        self.model_ = self._train(frame, "__y__", sample_weight is not None)
        return self

    def predict(self, X):
        return np.asarray(self._scores(X), dtype=np.float64)
