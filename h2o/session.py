"""The in-process "cluster": a registry of frames and models by key, and the settings ``h2o.rapids`` can set.

H2O keeps frames and models in its distributed key-value store; here they live in this Python process. Named
objects (imported frames, models, predictions, splits) stay until ``h2o.remove``; temporary frames made by
expressions are held weakly and disappear with their last reference, as H2O's temporaries do.
"""
import itertools
import threading
import weakref

from .exceptions import H2OValueError

_lock = threading.RLock()
_named = {}                                  # key -> H2OFrame or estimator (kept until removed)
_temporary = weakref.WeakValueDictionary()   # key -> H2OFrame made by an expression
_counter = itertools.count(1)
properties = {"sys.ai.h2o.algos.evaluate_auto_model_parameters": "true"}
state = {"initialized": False, "progress": True}


def temp_key(prefix="py"):
    """A fresh key for a temporary frame (H2O's ``py_<n>`` style)."""
    return f"{prefix}_{next(_counter)}_sid_deepbrook"


def keep(key, obj):
    """Register ``obj`` under ``key`` until it is removed (replaces an older object of that key)."""
    with _lock:
        _temporary.pop(key, None)
        _named[key] = obj
    return obj


def track(key, obj):
    """Register a temporary object (weakly)."""
    with _lock:
        if key not in _named:
            _temporary[key] = obj
    return obj


def lookup(key):
    with _lock:
        obj = _named.get(key)
        return obj if obj is not None else _temporary.get(key)


def forget(key):
    """Remove a key; H2OValueError when nothing has that key."""
    with _lock:
        if _named.pop(key, None) is None and _temporary.pop(key, None) is None:
            raise H2OValueError(f"Object {key!r} not found", var_name="x")


def named_keys():
    with _lock:
        return list(_named)


def evaluate_auto_parameters() -> bool:
    """H2O's ``sys.ai.h2o.algos.evaluate_auto_model_parameters``: show AUTO's resolution as actual_value."""
    return str(properties.get("sys.ai.h2o.algos.evaluate_auto_model_parameters", "true")).lower() == "true"
