"""H2O's enum spellings and the lenient matching that accepts them in any case or style.

H2O's REST/Java API spells enums ``RectifierWithDropout``, ``UniformAdaptive``, ``OneHotInternal``; its Python
client spells them ``rectifier_with_dropout``, ``uniform_adaptive``, ``one_hot_internal``. Both (and any letter case)
map to the one canonical spelling kept in the declarations, so users can paste either.
"""
import difflib

ACTIVATIONS = ("Tanh", "TanhWithDropout", "Rectifier", "RectifierWithDropout", "Maxout", "MaxoutWithDropout",
               "ExpRectifier", "ExpRectifierWithDropout")
LOSSES = ("Automatic", "CrossEntropy", "Quadratic", "Huber", "Absolute", "Quantile")
DISTRIBUTIONS = ("AUTO", "bernoulli", "multinomial", "gaussian", "poisson", "gamma", "tweedie", "laplace",
                 "quantile", "huber")
INITIAL_WEIGHT_DISTRIBUTIONS = ("UniformAdaptive", "Uniform", "Normal")
MISSING_VALUES_HANDLING = ("MeanImputation", "Skip")
CLASS_SAMPLING = ("Uniform", "Stratified")
FOLD_ASSIGNMENTS = ("AUTO", "Random", "Modulo", "Stratified")
CATEGORICAL_ENCODINGS = ("AUTO", "Enum", "OneHotInternal", "OneHotExplicit", "Binary", "Eigen", "LabelEncoder",
                         "SortByResponse", "EnumLimited")
STOPPING_METRICS = ("AUTO", "deviance", "logloss", "MSE", "RMSE", "MAE", "RMSLE", "AUC", "AUCPR", "lift_top_group",
                    "misclassification", "mean_per_class_error", "custom", "custom_increasing")
AUC_TYPES = ("AUTO", "NONE", "MACRO_OVR", "WEIGHTED_OVR", "MACRO_OVO", "WEIGHTED_OVO")

# Stopping metrics that only make sense for a classifier (H2O ScoreKeeper.StoppingMetric.isClassificationOnly).
CLASSIFICATION_ONLY_METRICS = frozenset({"logloss", "AUC", "AUCPR", "lift_top_group", "misclassification",
                                         "mean_per_class_error"})
DROPOUT_SUFFIX = "WithDropout"


def _key(text):
    """Spelling-insensitive key: case, underscores, blanks and dashes do not matter."""
    return "".join(ch for ch in str(text).lower() if ch not in "_ -")


def canonical(value, choices):
    """Return the entry of ``choices`` that ``value`` spells (any case/style); ``value`` unchanged if none does."""
    if not isinstance(value, str):
        return value
    key = _key(value)
    for choice in choices:
        if _key(choice) == key:
            return choice
    return value


def did_you_mean(word, candidates, n=3):
    """" Did you mean 'x'?" for the closest candidates (difflib), or an empty string."""
    close = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=n, cutoff=0.6)
    if not close:
        lowered = {str(c).lower(): str(c) for c in candidates}
        close = [lowered[str(word).lower()]] if str(word).lower() in lowered else []
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"
