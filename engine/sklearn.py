"""scikit-learn estimators over the Deepbrook engine: ``DeepLearningClassifier`` and ``DeepLearningRegressor``.

They accept numpy arrays or pandas DataFrames (categorical / string columns become enums and use the sparse
one-hot first layer; NaN is imputed as ``missing_values_handling`` says), train with the same code as
``DeepLearning`` and follow scikit-learn's estimator contract, so they drop into pipelines, ``GridSearchCV`` and
``cross_val_score``. Their parameters are the engine's, under scikit-learn's names where it has one
(``sklearn_params``).

Reproducibility: with a ``random_state`` the fit is reproducible (one training thread; the rows are put in an
order that depends only on their content, so permuting the rows of X or repeating a row instead of weighting it
gives the bit-identical model). Without one, training uses every core and is not repeatable.
"""
from __future__ import annotations

import numbers
import textwrap
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_consistent_length, check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .errors import ParameterError
from .frames.names import clean_column_names
from .params import declared_default
from .sklearn_params import SKLEARN_NAMES, estimator_params, make_init, params_doc

# Integer sample weights repeat rows (scikit-learn's meaning of a weight) while the repeated data stays within
# this many times the rows; beyond that, and for fractional weights, they scale each row's gradient (H2O).
MAX_REPEAT_FACTOR = 10
_SEED_HIGH = np.iinfo(np.int32).max


def _target(y, X):
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None")
    y = np.asarray(y.to_numpy() if isinstance(y, (pd.Series, pd.DataFrame)) else y)
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn("A column-vector y was passed when a 1d array was expected. Please change the shape of y "
                      "to (n_samples,), for example using ravel().", DataConversionWarning, stacklevel=3)
        y = y.ravel()
    check_consistent_length(X, y)
    return y


def _free_name(base, taken):
    """``base``, or ``base1``, ``base2``... whichever no column of the user's already has."""
    name, k = base, 0
    while name in taken:
        k += 1
        name = f"{base}{k}"
    return name


def _weights(sample_weight, y):
    return _check_sample_weight(sample_weight, y, dtype=np.float64, ensure_non_negative=True)


def _is_whole(w):
    return bool(np.all(np.floor(w) == w))


def _content_order(table):
    """A row order that depends only on the rows' values (a hash of each row; ties are equal rows), whatever
    their order or numeric dtype in X, so reproducible fits do not depend on how the rows were given."""
    numeric = table.select_dtypes(include="number").columns
    values = table.astype(dict.fromkeys(numeric, np.float64)) if len(numeric) else table
    return np.argsort(pd.util.hash_pandas_object(values, index=False).to_numpy(), kind="stable")


class _DeepLearningBase(BaseEstimator):
    _params = ()  # EstimatorParam tuple of the concrete class

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
        tags.input_tags.allow_nan = True  # missing values are imputed (missing_values_handling)
        return tags

    # ------------------------------------------------------------------ data
    def _features(self, X, fitting):
        """X as a DataFrame of predictors under the names the engine will use (validated as scikit-learn does)."""
        if isinstance(X, pd.DataFrame):
            validate_data(self, X, reset=fitting, skip_check_array=True)
            num = X.select_dtypes(include="number")
            if num.shape[1] and np.isinf(num.to_numpy(dtype=np.float64, na_value=np.nan)).any():
                raise ValueError("Input X contains infinity (NaN is fine: it is imputed).")
            return X.set_axis(clean_column_names([str(c) for c in X.columns]), axis=1)
        A = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=fitting)
        return pd.DataFrame(A, columns=[f"x{i}" for i in range(A.shape[1])])

    def _seed(self):
        """(engine seed, reproducible) from random_state: an int is the seed itself, a RandomState draws one,
        None draws one from NumPy's global random state."""
        rs = self.random_state
        if isinstance(rs, numbers.Integral) and not isinstance(rs, bool):
            check_random_state(rs)  # ValueError for ints NumPy refuses as seeds (negative, >= 2**32)
            seed = int(rs)
        else:
            seed = int(check_random_state(rs).randint(_SEED_HIGH))
        reproducible = rs is not None if self.reproducible is None else bool(self.reproducible)
        return seed, reproducible

    def _fit_frames(self, X, y, sample_weight, classifier):
        """Training (and early-stopping validation) frames, the response name and the weights column name."""
        from .frames import Frame
        df = self._features(X, fitting=True)
        taken = set(df.columns)
        y_name = _free_name("__y__", taken)  # never clobber a user's column (issue 19 item 12)
        table = df.assign(**{y_name: y})
        w_name = None
        if sample_weight is not None:
            w = _weights(sample_weight, y)
            if not w.any():
                raise ValueError("sample_weight: every weight is 0, so there is nothing to fit.")
            if _is_whole(w) and w.sum() <= MAX_REPEAT_FACTOR * len(w):
                table = table.iloc[np.repeat(np.arange(len(w)), w.astype(np.int64))]
            else:
                if _is_whole(w):
                    warnings.warn(f"sample_weight: repeating rows as the integer weights ask would make more than "
                                  f"{MAX_REPEAT_FACTOR}x the rows; the weights scale each row's gradient instead.",
                                  UserWarning, stacklevel=3)
                w_name = _free_name("__weight__", taken | {y_name})
                table = table.assign(**{w_name: w})
        seed, reproducible = self._seed()
        if reproducible:
            table = table.iloc[_content_order(table)]
        table = table.reset_index(drop=True)
        valid = None
        if self.early_stopping and self.validation_fraction is not None:
            table, valid = self._split(table, y_name, seed, classifier)
        frames = [None if t is None else Frame.from_pandas(t, name=f"sklearn_{what}")
                  for t, what in ((table, "train"), (valid, "valid"))]
        return frames, list(df.columns), y_name, w_name, seed, reproducible

    def _split(self, table, y_name, seed, classifier):
        fraction = self.validation_fraction
        if not (isinstance(fraction, numbers.Real) and 0 < fraction < 1):
            raise ValueError(f"validation_fraction must be a number in (0, 1) or None, got {fraction!r}")
        stratify = None
        if classifier:
            counts = table[y_name].value_counts()
            stratify = table[y_name] if (counts[counts > 0] >= 2).all() else None
        try:
            return train_test_split(table, test_size=fraction, random_state=seed % 2**32, stratify=stratify)
        except ValueError as e:
            raise ValueError(f"validation_fraction={fraction}: cannot hold out validation rows from "
                             f"{len(table)} rows ({e})") from e

    def _engine_params(self, seed, reproducible):
        p = {par.engine: getattr(self, par.name) for par in self._params if par.engine}
        for name in ("hidden", "hidden_dropout_ratios", "class_sampling_factors"):
            if p.get(name) is not None:
                p[name] = list(p[name])
        p["seed"], p["reproducible"] = seed, reproducible
        if p["overwrite_with_best_model"] is None:
            p["overwrite_with_best_model"] = bool(self.early_stopping)
        if p["score_each_iteration"] is None:  # early stopping scores every epoch, as scikit-learn's does
            p["score_each_iteration"] = bool(self.early_stopping) or declared_default("score_each_iteration")
        if p["train_samples_per_iteration"] is None:  # 0: one epoch per iteration
            p["train_samples_per_iteration"] = 0 if self.early_stopping else \
                declared_default("train_samples_per_iteration")
        if not self.early_stopping:
            p["stopping_rounds"] = 0
        return p

    def _train(self, X, y, sample_weight, classifier):
        from .estimator import DeepLearning
        (train, valid), x, y_name, w_name, seed, reproducible = self._fit_frames(X, y, sample_weight, classifier)
        params = self._engine_params(seed, reproducible)
        try:
            model = DeepLearning(**params, weights_column=w_name).train(
                x=x, y=y_name, training_frame=train, validation_frame=valid)
        except ParameterError as e:
            raise _in_sklearn_names(e) from e
        self.n_iter_ = max(0, int(np.ceil(model.output["epochs"] - 1e-9)))  # epochs trained, rounded up
        return model

    def _scores(self, X):
        from .frames import Frame
        check_is_fitted(self, "model_")
        frame = Frame.from_pandas(self._features(X, fitting=False), name="sklearn_data")
        design = self.model_._design(frame)
        return self.model_.predict_design(design)


def _in_sklearn_names(error):
    """The engine's ParameterError retold with the estimator's parameter names."""
    if not error.messages:
        return error
    alias = {engine: f"{sk} (H2O's {engine})" for engine, sk in SKLEARN_NAMES.items()}
    lines = "\n".join(f"  {alias.get(m.parameter, m.parameter)}: {m.message}" for m in error.messages)
    return ParameterError(f"{len(error.messages)} parameter error(s):\n{lines}", error.messages)


class DeepLearningClassifier(ClassifierMixin, _DeepLearningBase):
    _params = estimator_params("classifier")
    __init__ = make_init(_params)

    def fit(self, X, y, sample_weight=None):
        """Fit on X (array or DataFrame, NaN allowed) and class labels y; integer sample weights repeat rows."""
        y = _target(y, X)
        check_classification_targets(y)
        _check_threshold(self.threshold)
        self.classes_, codes = np.unique(y, return_inverse=True)
        labels = pd.Categorical.from_codes(codes, [str(i) for i in range(len(self.classes_))])
        if len(self.classes_) == 1:  # nothing to learn: every prediction is the one class
            self._features(X, fitting=True)
            self.model_, self.n_iter_ = None, 0
            return self
        if sample_weight is not None:
            sample_weight = _weights(sample_weight, y)
            kept = np.unique(codes[sample_weight > 0])
            if len(kept) == 1:
                raise ValueError(f"sample_weight is positive for one class only ({self.classes_[kept[0]]!r}); a "
                                 "classifier needs rows of at least two classes.")
        self.model_ = self._train(X, labels, sample_weight, classifier=True)
        return self

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_`` (corrected back to the original class
        priors when balance_classes resampled the training rows)."""
        check_is_fitted(self, "classes_")
        if self.model_ is None:
            return np.ones((len(self._features(X, fitting=False)), 1))
        probs = self._scores(X)
        order = [int(level) for level in self.model_.data_info.response_domain]
        out = np.zeros((probs.shape[0], len(self.classes_)))
        out[:, order] = probs
        return out

    def predict(self, X):
        """Class labels: the argmax of ``predict_proba`` (threshold=None, scikit-learn's rule), or for two
        classes ``classes_[1]`` where its probability reaches ``threshold`` (a number, or 'max_f1': H2O's
        max-F1 threshold, ``model_.default_threshold()``)."""
        proba = self.predict_proba(X)
        t = _check_threshold(self.threshold)
        if t is None or self.model_ is None:
            return self.classes_[np.argmax(proba, axis=1)]
        if len(self.classes_) != 2:
            raise ValueError(f"threshold={self.threshold!r} needs two classes, this classifier has "
                             f"{len(self.classes_)}; use threshold=None (argmax).")
        if t == "max_f1":
            t = self.model_.default_threshold()
        return self.classes_[(proba[:, 1] >= t).astype(np.intp)]


def _check_threshold(t):
    if t is None or t == "max_f1" or (isinstance(t, numbers.Real) and not isinstance(t, bool) and 0 <= t <= 1):
        return t
    raise ValueError(f"threshold must be None (argmax), 'max_f1' or a number in [0, 1], got {t!r}")


class DeepLearningRegressor(RegressorMixin, _DeepLearningBase):
    _params = estimator_params("regressor")
    __init__ = make_init(_params)

    def fit(self, X, y, sample_weight=None):
        """Fit on X (array or DataFrame, NaN allowed) and a numeric y; integer sample weights repeat rows."""
        y = _target(y, X)
        if np.iscomplexobj(y):
            raise ValueError("Complex data not supported: y is complex.")
        y = y.astype(np.float64)
        if len(y) < 2:
            raise ValueError(f"n_samples = {len(y)}: at least 2 samples are needed to fit a regressor")
        if not np.isfinite(y).all():
            raise ValueError("Input y contains NaN or infinity.")
        self.model_ = self._train(X, y, sample_weight, classifier=False)
        return self

    def predict(self, X):
        """Predictions in the response's units (the inverse link applied for poisson/gamma/tweedie)."""
        return np.asarray(self._scores(X), dtype=np.float64)


_CLASSIFIER_DOC = """H2O-style Deep Learning classifier (softmax output, cross-entropy by default) for arrays and
DataFrames. ``predict`` is the argmax of ``predict_proba`` by default; ``threshold='max_f1'`` gives H2O's binomial
rule (the threshold that maximizes F1) and a number gives a fixed threshold on ``predict_proba(X)[:, 1]``."""
_REGRESSOR_DOC = """H2O-style Deep Learning regressor (linear output in standardized response space) for arrays and
DataFrames; ``distribution`` / ``loss`` choose gaussian, poisson, gamma, tweedie, laplace, quantile or huber."""
REPRODUCIBILITY_DOC = """Reproducibility: ``random_state=None`` (the default) draws a fresh seed and trains on every
core, which is fastest but not repeatable. With an int (or a RandomState) the fit is reproducible: one training
thread, a scoring after every iteration, and the rows ordered by a hash of their content (so the model does not
depend on the order of the rows, and integer sample weights equal repeated rows bit for bit). It costs speed: the
threaded row kernel is about 1.7x one thread on 2 idle cores, and hashing the rows takes 0.5 s per 20 million
values. Bit-identical means: in one process, or in processes that load the same cached numba kernels
(docs/h2o-differences.md). ``reproducible=False`` keeps a seeded start with fast, non-repeatable training."""


def _class_doc(intro, cls, classifier):
    text = "\n\n".join(textwrap.fill(" ".join(par.split()), 116) for par in (intro, REPRODUCIBILITY_DOC))
    return f"{text}\n\n{params_doc(cls._params, classifier)}"


DeepLearningClassifier.__doc__ = _class_doc(_CLASSIFIER_DOC, DeepLearningClassifier, classifier=True)
DeepLearningRegressor.__doc__ = _class_doc(_REGRESSOR_DOC, DeepLearningRegressor, classifier=False)
