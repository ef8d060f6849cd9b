"""DeepLearningModel: a trained network with its data preparation, resolved parameters and outputs.

Predictions come from one code path (``predict_design``) shared by ``predict``, metrics and the Scorer:
classification -> class probabilities (prior-corrected after class balancing), regression -> response units
(de-standardized, then the inverse log link for poisson/gamma/tweedie), autoencoder -> reconstruction in the
normalized expanded input space.
"""
from __future__ import annotations

import re
import threading

import numpy as np
import pandas as pd

from ..errors import DeepbrookError
from ..kernels import hyper as H
from .network import Network
from .optimizer import LOG_LINK, blas_threads, design_arrays, input_scaling

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def prob_column_names(domain):
    """H2O's class-probability column names: the level, with a ``p`` prefix for number-like levels."""
    return [f"p{lvl}" if _NUMBER.match(str(lvl)) else str(lvl) for lvl in domain]


def compact_designs(mini_batch_size, problem):
    """Whether a model's designs may be compact (``prep.Design.num_scaling``): its kernels decode them (mini-batch
    training, predictions), and the autoencoder's reconstruction target reads dense inputs."""
    return int(mini_batch_size or 1) > 1 and problem != "autoencoder"


def _get(params, name, default=None):
    v = params.get(name, default) if isinstance(params, dict) else getattr(params, name, default)
    return default if v is None else v


def _in_parts(fn, n):
    """``fn(lo, hi)`` over ``0:n`` in one part per numba thread, run by Python threads (the kernel releases the
    GIL); parts start at multiples of the kernel's block, so every row is computed exactly as in one part."""
    from ..kernels.predict import BLOCK
    from .optimizer import default_threads
    parts = max(1, min(default_threads(), n // (2 * BLOCK)))
    if parts == 1:
        fn(0, n)
        return
    from concurrent.futures import ThreadPoolExecutor
    bounds = [n * i // parts // BLOCK * BLOCK for i in range(parts)] + [n]
    with ThreadPoolExecutor(parts - 1) as pool:
        others = [pool.submit(fn, bounds[i], bounds[i + 1]) for i in range(1, parts)]
        fn(bounds[0], bounds[1])
        for f in others:
            f.result()


_ALL_ROWS = np.zeros(0, np.int64)  # predict_blocks: every row, in order


class DeepLearningModel:
    """A Deep Learning model (see docs/architecture.md for the attribute contract)."""

    def __init__(self, key, params, data_info, network: Network, output=None, problem=None, samples_seen=0.0):
        self.key = key
        self.params = params
        self.data_info = data_info
        self.network = network
        self.problem = problem or _get(params, "problem", None) or getattr(data_info, "problem", None)
        self.output = output if output is not None else {}
        self.output.setdefault("backend", {"backend": "local"})
        self.samples_seen = float(samples_seen)
        self.custom_metric = None  # custom_metric_func object given to train (not saved: code is never loaded)
        self.lock = threading.RLock()  # held while a snapshot is copied (Job.model during training)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("lock", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.lock = threading.RLock()

    # ------------------------------------------------------------------ persistence hooks
    def persist_extra(self):
        return {"problem": self.problem, "samples_seen": self.samples_seen}

    @classmethod
    def from_parts(cls, key, params, data_info, network, output, **extra):
        return cls(key, params, data_info, network, output, problem=extra.get("problem"),
                   samples_seen=extra.get("samples_seen", 0.0))

    def save(self, path="", force=False, filename=None):
        """``save_model(self, path, force, filename)``: one file named after the key inside folder ``path``."""
        from .persist import save_model
        return save_model(self, path, force=force, filename=filename)

    # ------------------------------------------------------------------ raw scoring
    def _forward_arrays(self, design, upto=None, with_offset=True):
        """``(rows or None, n, upto, arrays)`` for ``predict_blocks``: ``arrays = (net, cfg, num, scaling, cat, off)``
        of a Design, or of the design under a ``SampledRows`` (its rows read in place)."""
        net = self.network
        upto = net.n_layers - 1 if upto is None else int(upto)
        rows = getattr(design, "rows", None)
        if rows is not None:
            rows, design = np.ascontiguousarray(rows, np.int64), design.design
        m = design.num.shape[0]
        num, cat, _, _, off = design_arrays(design, codes=True)
        if not with_offset:
            off = np.zeros(m, np.float32)
        arrays = (net.net, (net.lay, net.drop), num, input_scaling(design), cat, off)
        return rows, (m if rows is None else len(rows)), upto, arrays

    def scoring_call(self, design):
        """``(predict_blocks, arguments)`` of the first call that scoring ``design`` makes (for their types: a
        helper process can compile it ahead, ``compile_ahead.py``)."""
        from ..kernels.predict import predict_blocks
        _, _, upto, arrays = self._forward_arrays(design)
        out = np.empty((0, int(self.network.lay[upto, H.L_UNITS])), np.float32)
        return predict_blocks, (*arrays, _ALL_ROWS, upto, out)

    def _forward(self, design, upto=None, with_offset=True):
        """Activations of layer ``upto`` for every row of a Design, or for the sampled rows of a ``SampledRows``
        (read in place)."""
        from .. import compile_ahead
        from ..kernels.predict import predict_blocks
        rows, n, upto, (netw, cfg, num, scaling, cat, off) = self._forward_arrays(design, upto, with_offset)
        out = np.empty((n, int(self.network.lay[upto, H.L_UNITS])), np.float32)
        if rows is None:
            def part(a, b):
                predict_blocks(netw, cfg, num[a:b], scaling, cat[a:b], off[a:b], _ALL_ROWS, upto, out[a:b])
        else:
            def part(a, b):
                predict_blocks(netw, cfg, num, scaling, cat, off, rows[a:b], upto, out[a:b])
        compile_ahead.wait(predict_blocks, (netw, cfg, num, scaling, cat, off, _ALL_ROWS, upto, out))
        with blas_threads(1):  # one path for every row count (kernels/predict.py); robust on shared cores
            _in_parts(part, n)
        return out

    def predict_design(self, design):
        """Probabilities (n, k), response-unit predictions (n,), or the reconstruction (n, n_inputs)."""
        out = self._forward(design)
        if self.problem in ("binomial", "multinomial"):
            probs = out.astype(np.float64)
            correct = getattr(self.data_info, "prior_correction", None)
            return correct(probs) if callable(correct) else probs
        if self.problem == "autoencoder":
            return out.astype(np.float64)
        pred = self.data_info.destandardize(out[:, 0].astype(np.float64))
        if str(_get(self.params, "distribution", "gaussian")).lower() in LOG_LINK:
            pred = np.exp(pred)
        return pred

    def _design(self, frame, with_response=False):
        return self.data_info.transform(frame, with_response=with_response,
                                        compact=compact_designs(_get(self.params, "mini_batch_size", 1), self.problem))

    # ------------------------------------------------------------------ public scoring
    def predict(self, frame):
        """H2O's prediction frame: ``predict`` (+ one probability column per class), or ``reconstr_*``."""
        from ..frames import Frame
        design = self._design(frame)
        pred = self.predict_design(design)
        name = f"predictions_{self.key}_on_{getattr(frame, 'name', 'frame')}"
        if self.problem in ("binomial", "multinomial"):
            domain = list(self.data_info.response_domain)
            if self.problem == "binomial":
                label = (pred[:, 1] >= self.default_threshold()).astype(np.int32)
            else:
                label = np.argmax(pred, axis=1).astype(np.int32)
            cols = {"predict": label}
            cols.update({c: pred[:, i] for i, c in enumerate(prob_column_names(domain))})
            return Frame.from_arrays(cols, types={"predict": "enum"}, domains={"predict": domain}, name=name)
        if self.problem == "autoencoder":
            recon = self._denormalize(pred)
            return Frame.from_arrays({f"reconstr_{c}": recon[:, i] for i, c in enumerate(self.data_info.coef_names)},
                                     name=name)
        return Frame.from_arrays({"predict": pred}, name=name)

    def default_threshold(self):
        """Binomial label threshold: max-F1 threshold of validation metrics, else training metrics, else 0.5."""
        for key in ("validation_metrics", "training_metrics"):
            m = self.output.get(key)
            t = _metric(m, "default_threshold")
            if t is not None and np.isfinite(t):
                return float(t)
        return 0.5

    def _denormalize(self, recon):
        """Numeric reconstruction columns back to original units; one-hot slots stay as they are."""
        info = self.data_info
        recon = np.array(recon, dtype=np.float64)
        p = info.p_num
        if p:
            mul = np.asarray(info.num_mul, np.float64)
            sub = np.asarray(info.num_sub, np.float64)
            recon[:, -p:] = recon[:, -p:] / np.where(mul == 0, 1.0, mul) + sub
        return recon

    def deepfeatures(self, frame, layer):
        """Activations of hidden layer ``layer`` (0-based) in inference mode: columns ``DF.L{layer+1}.C{j+1}``."""
        from ..frames import Frame
        n_hidden = self.network.n_layers - 1
        if not 0 <= int(layer) < n_hidden:
            raise DeepbrookError(f"hidden layer (index) to extract must be between 0 and {n_hidden - 1}, got {layer}")
        feats = self._forward(self._design(frame), upto=int(layer), with_offset=False)
        return Frame.from_arrays({f"DF.L{int(layer) + 1}.C{j + 1}": feats[:, j].astype(np.float64)
                                  for j in range(feats.shape[1])}, name=f"deepfeatures_{self.key}_L{int(layer) + 1}")

    def anomaly(self, frame, per_feature=False):
        """Reconstruction error per row (``Reconstruction.MSE``) or per expanded input (``reconstr_<x>.SE``),
        in the normalized expanded input space (like H2O)."""
        from ..frames import Frame
        from .scoring import _expanded_inputs
        if self.problem != "autoencoder":
            raise DeepbrookError("anomaly() is only for autoencoder Deep Learning models (autoencoder=True)")
        design = self._design(frame)
        x = _expanded_inputs(design, self.data_info.n_inputs)
        se = (self.predict_design(design) - x) ** 2
        if per_feature:
            return Frame.from_arrays({f"reconstr_{c}.SE": se[:, i] for i, c in enumerate(self.data_info.coef_names)},
                                     name=f"anomaly_{self.key}")
        return Frame.from_arrays({"Reconstruction.MSE": se.mean(axis=1)}, name=f"anomaly_{self.key}")

    def model_performance(self, frame=None, train=False, valid=False):
        """Metrics on ``frame`` (computed now), or the last training / validation metrics."""
        if frame is None:
            return self.output.get("validation_metrics" if valid and not train else "training_metrics")
        from .metrics import make_metrics
        from .scoring import _expanded_inputs
        design = self._design(frame, with_response=self.problem != "autoencoder")
        pred = self.predict_design(design)
        if self.problem == "autoencoder":
            y = _expanded_inputs(design, self.data_info.n_inputs)
        elif self.problem == "regression":
            y = self.data_info.destandardize(design.y.astype(np.float64))
        else:
            y = design.y.astype(np.float64)
        dist = str(_get(self.params, "distribution", "gaussian")).lower()
        opts = {k: _get(self.params, k) for k in ("gainslift_bins", "auc_type", "tweedie_power", "quantile_alpha",
                                                  "huber_alpha")}
        domain = getattr(self.data_info, "response_domain", None)
        m = make_metrics(self.problem, y, pred, design.w, domain, "gaussian" if dist == "auto" else dist,
                         description=f"Metrics on frame {getattr(frame, 'name', '')}", **opts)
        if getattr(self, "custom_metric", None) is not None:
            from .scoring import add_custom_metric
            add_custom_metric(m, self.custom_metric, self.problem, y, pred, design, self)
        return m

    # ------------------------------------------------------------------ outputs
    def scoring_history(self):
        h = self.output.get("scoring_history")
        return h.to_pandas() if hasattr(h, "to_pandas") else pd.DataFrame(h or [])

    def varimp(self, per_column=False):
        """H2O's Gedeon table, one row per expanded input (one-hot slot). ``per_column=True`` sums each column's
        slots: that sum grows with the number of levels (a 12-level noise column can outrank every real one), so
        compare columns with ``permutation_importance`` instead."""
        vi = self.output.get("variable_importances")
        if isinstance(vi, dict):
            return vi.get("per_column" if per_column else "per_input")
        return vi

    def permutation_importance(self, frame, metric="AUTO", n_samples=10000, n_repeats=1, features=None, seed=-1):
        """Metric change per original column when it is shuffled (H2O's ``permutation_importance``; see
        ``engine/model/permutation.py`` for the table's columns)."""
        from .permutation import permutation_importance
        return permutation_importance(self, frame, metric=metric, n_samples=n_samples, n_repeats=n_repeats,
                                      features=features, seed=seed)

    def summary(self):
        return self.output.get("model_summary")

    def weights(self, layer):
        """Weights into layer ``layer + 1`` in H2O's orientation: rows = units (x channels), cols = inputs."""
        return self.network.weights(int(layer)).T.copy()

    def biases(self, layer):
        return self.network.biases(int(layer)).copy()

    def snapshot(self):
        """An independent copy (arrays copied) for ``Job.model`` while training continues."""
        with self.lock:
            out = dict(self.output)
            copy = DeepLearningModel(self.key, self.params, self.data_info, self.network.copy(), out, self.problem,
                                     self.samples_seen)
            copy.custom_metric = getattr(self, "custom_metric", None)
            return copy

    def __repr__(self):
        return f"DeepLearningModel(key={self.key!r}, problem={self.problem!r}, {self.network!r})"


def _metric(m, name):
    if m is None:
        return None
    if isinstance(m, dict):
        return m.get(name)
    get = getattr(m, "get", None)
    try:
        return get(name) if callable(get) else getattr(m, name, None)
    except (KeyError, AttributeError):
        return None
