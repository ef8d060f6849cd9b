"""H2O's metrics objects (``auc()``, ``logloss()``, ``confusion_matrix()``, ``show()``...) over the engine's
``ModelMetrics`` (which computes every number)."""
import math

from ..exceptions import H2OValueError
from ..two_dim_table import H2OTwoDimTable


def _scalar(key):
    """A metric method reading one scalar of the engine's metrics (None when the model has no such metric)."""
    def method(self):
        return self._value(key)
    method.__name__ = key
    return method


class H2OModelMetrics:
    """Metrics of one model on one frame; each metric is a method, as in H2O's client."""

    def __init__(self, metrics, algo="deeplearning"):
        self._metrics = metrics
        self._algo = algo

    def _value(self, name):
        v = self._metrics.get(name)
        return None if v is None or (isinstance(v, float) and math.isnan(v) and name != "r2") else v

    nobs = _scalar("nobs")
    mse = _scalar("mse")
    rmse = _scalar("rmse")
    r2 = _scalar("r2")
    mae = _scalar("mae")
    rmsle = _scalar("rmsle")
    mean_residual_deviance = _scalar("mean_residual_deviance")
    custom_metric_name = _scalar("custom_metric_name")
    custom_metric_value = _scalar("custom_metric_value")

    def _table(self, key, title):
        t = self._metrics.tables.get(key) if hasattr(self._metrics, "tables") else None
        return H2OTwoDimTable.from_pandas(t, title) if t is not None else None

    def show(self):
        print(repr(self))

    def __repr__(self):
        return repr(self._metrics)

    def __getitem__(self, key):
        return self._metrics.get(key)


class H2OBinomialModelMetrics(H2OModelMetrics):
    """Binomial classification metrics."""

    auc = _scalar("auc")
    aucpr = pr_auc = _scalar("pr_auc")
    gini = _scalar("gini")
    logloss = _scalar("logloss")
    mean_per_class_error = _scalar("mean_per_class_error")

    def error(self):
        """Classification error at the max-F1 threshold."""
        return self._value("classification_error")

    def confusion_matrix(self, metrics=None, thresholds=None):
        if metrics is not None or thresholds is not None:
            raise H2OValueError("confusion_matrix at other thresholds or metrics is not available; the table is "
                                "at the max-F1 threshold", var_name="metrics")
        return self._table("confusion_matrix", "Confusion Matrix (Act/Pred) for max f1")

    def gains_lift(self):
        return self._table("gains_lift", "Gains/Lift Table")

    def find_threshold_by_max_metric(self, metric):
        t = self._metrics.tables.get("max_criteria")
        if t is None:
            return None
        row = t[t.iloc[:, 0].astype(str).str.startswith("max " + metric)]
        if not len(row):
            raise H2OValueError(f"unknown metric {metric!r}", var_name="metric")
        return float(row["threshold"].iloc[0])

    def hit_ratio_table(self):
        return None


class H2OMultinomialModelMetrics(H2OBinomialModelMetrics):
    """Multinomial classification metrics."""

    def hit_ratio_table(self):
        return self._table("hit_ratios", "Top-K Hit Ratios")

    def confusion_matrix(self):
        return self._table("confusion_matrix", "Confusion Matrix: Row labels: Actual class; Column labels: "
                                               "Predicted class")

    def gains_lift(self):
        return None


class H2ORegressionModelMetrics(H2OModelMetrics):
    """Regression metrics."""


class H2OAutoEncoderModelMetrics(H2OModelMetrics):
    """Reconstruction metrics of an autoencoder."""


_BY_CATEGORY = {"Binomial": H2OBinomialModelMetrics, "Multinomial": H2OMultinomialModelMetrics,
                "Regression": H2ORegressionModelMetrics, "AutoEncoder": H2OAutoEncoderModelMetrics}


def wrap_metrics(metrics):
    """The H2O metrics object for an engine ModelMetrics (None stays None)."""
    if metrics is None:
        return None
    return _BY_CATEGORY.get(metrics.category, H2OModelMetrics)(metrics)
