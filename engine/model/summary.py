"""H2O's "Status of Neuron Layers" table (model summary) from the network arrays (doc section 5.1)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..kernels import hyper as H

COLUMNS = ["layer", "units", "type", "dropout", "l1", "l2", "mean_rate", "rate_rms", "momentum", "mean_weight",
           "weight_rms", "mean_bias", "bias_rms"]
_TYPE = {H.TANH: "Tanh", H.RECTIFIER: "Rectifier", H.MAXOUT: "Maxout", H.EXPRECTIFIER: "ExpRectifier",
         H.LINEAR: "Linear", H.SOFTMAX: "Softmax"}


def _p(params, name, default):
    v = params.get(name, default) if isinstance(params, dict) else getattr(params, name, default)
    return default if v is None else v


def _stats(a):
    a = np.asarray(a, dtype=np.float64).ravel()
    if a.size == 0:
        return float("nan"), float("nan")
    return float(a.mean()), float(a.std())   # H2O's "RMS" is the population sd about the mean


def manual_rate(params, layer, samples):
    """H2O's `rate(n)` of weight layer `layer` (0-based): rate / (1 + annealing * n) * rate_decay ** layer."""
    rate = float(_p(params, "rate", 0.005))
    ann = float(_p(params, "rate_annealing", 1e-6))
    decay = float(_p(params, "rate_decay", 1.0))
    return rate / (1.0 + ann * samples) * decay ** layer


def manual_momentum(params, samples):
    """H2O's intended ramp `momentum(n)` (what the summary shows, not what training used: doc 0.3)."""
    start = float(_p(params, "momentum_start", 0.0))
    ramp = float(_p(params, "momentum_ramp", 1e6))
    stable = float(_p(params, "momentum_stable", 0.0))
    if ramp > 0 and samples < ramp:
        return start + (stable - start) * samples / ramp
    return stable


def layer_status(network, params, samples=0.0, autoencoder=False) -> pd.DataFrame:
    """One row per layer (input, hidden..., output) with H2O's columns; input row has layer/units/type/dropout."""
    lay = network.lay
    L = network.n_layers
    adaptive = bool(_p(params, "adaptive_rate", True))
    eps = float(_p(params, "epsilon", 1e-8))
    l1, l2 = float(_p(params, "l1", 0.0)), float(_p(params, "l2", 0.0))
    with_dropout = "dropout" in str(_p(params, "activation", "")).lower()
    drop = np.asarray(network.drop, dtype=np.float64)
    nan = float("nan")
    rows = [[1, int(lay[0, H.L_FAN_IN]), "Input", float(drop[0]) * 100.0] + [nan] * 9]
    for k in range(L):
        code = int(lay[k, H.L_ACT])
        out = k == L - 1
        name = _TYPE[code] + ("Dropout" if with_dropout and not out else "")
        if adaptive:
            eg2_w, edx2_w, _, _ = network.state(k)
            r = np.sqrt(edx2_w.astype(np.float64) + eps) / np.sqrt(eg2_w.astype(np.float64) + eps)
            mean_rate, rate_rms = _stats(r)
            mom = 0.0
        else:
            mean_rate, rate_rms = manual_rate(params, k, samples), 0.0
            mom = manual_momentum(params, samples)
        mw, sw = _stats(network.weights(k))
        mb, sb = _stats(network.biases(k))
        rows.append([k + 2, int(lay[k, H.L_UNITS]), name, nan if out else float(drop[k + 1]) * 100.0, l1, l2,
                     mean_rate, rate_rms, mom, mw, sw, mb, sb])
    return pd.DataFrame(rows, columns=COLUMNS)


def model_summary(model) -> pd.DataFrame:
    """The table for a model (network + resolved params + processed samples), usable during training."""
    params = model.params
    samples = float(getattr(model, "samples_seen", None) or (model.output or {}).get("samples", 0.0) or 0.0)
    return layer_status(model.network, params, samples, getattr(model, "problem", None) == "autoencoder")
