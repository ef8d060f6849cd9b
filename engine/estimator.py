"""``DeepLearning(**params)``: H2O's estimator API over the numba engine.

``train`` = resolve + validate the parameters (``ParameterError`` listing every error; nothing starts) ->
``DataInfo.fit``/``transform`` -> Network init -> Trainer loop with the Scorer -> ``DeepLearningModel``.
``train_async`` runs the same in a ``Job`` thread.
"""
from __future__ import annotations

import os
import uuid

import numpy as np

from .errors import ParameterError, TrainingError
from .jobs import Job
from .model.model import DeepLearningModel, compact_designs
from .model.network import Network
from .model.optimizer import Hyper

_RUNTIME_OPTIONS = ("backend", "client", "scheduler")


class DeepLearning:
    """H2O Deep Learning estimator. Parameters use H2O's names (see ``DeepLearningParameters``).

    Run-time options (not model parameters): ``backend="local" | "dask"``, ``client``, ``scheduler``.
    """

    def __init__(self, **params):
        self.runtime = {k: params.pop(k) for k in _RUNTIME_OPTIONS if k in params}
        self.params = params
        self.model = None
        self.job = None

    def _merged(self, x, y, training_frame, validation_frame, extra):
        p = {**self.params, **extra}
        if training_frame is None:
            training_frame = p.get("training_frame")
        if training_frame is None:
            raise ParameterError("training_frame is required", [("error", "training_frame", "required")])
        if validation_frame is None:
            validation_frame = p.get("validation_frame")
        if y is not None:
            p["response_column"] = y
        if x is not None:
            x = [x] if isinstance(x, str) else list(x)
            names = list(training_frame.names)
            missing = [c for c in x if c not in names]
            if missing:
                raise ParameterError(f"x: column '{missing[0]}' is not in frame '{training_frame.name}'",
                                     [("error", "x", f"unknown column {missing[0]}")])
            keep = set(x) | {p.get(k) for k in ("response_column", "weights_column", "offset_column", "fold_column")}
            p["ignored_columns"] = [c for c in names if c not in keep]
        p["training_frame"] = training_frame
        p["validation_frame"] = validation_frame
        return p, training_frame, validation_frame

    def train(self, x=None, y=None, training_frame=None, validation_frame=None, **params):
        """Train and return the model (blocks). Raises ``ParameterError`` before training on invalid input."""
        from .params import resolve
        p, tf, vf = self._merged(x, y, training_frame, validation_frame, params)
        resolve(_for_resolve(p), tf, vf)  # H2O refuses up front, before any fold model trains
        job = Job(f"DeepLearning {p.get('model_id') or ''}".strip(), dest=p.get("model_id"))
        self.job = job
        from .cv import train_cv, wants_cv  # cross-validation (issue 5): fold models + main model
        if wants_cv(p):
            work = lambda j: train_cv(self, p, j)  # noqa: E731
        else:
            work = lambda j: build_model(p, tf, vf, j, self.runtime)  # noqa: E731
        self.model = job.run_here(work)
        return self.model

    def train_async(self, x=None, y=None, training_frame=None, validation_frame=None, **params) -> Job:
        """Start training in a background thread; parameter errors raise here, before the job starts."""
        from .params import resolve
        p, tf, vf = self._merged(x, y, training_frame, validation_frame, params)
        resolve(_for_resolve(p), tf, vf)  # fail fast in the caller's thread
        job = Job(f"DeepLearning {p.get('model_id') or ''}".strip(), dest=p.get("model_id"))
        self.job = job
        from .cv import train_cv, wants_cv  # cross-validation (issue 5): fold models + main model
        if wants_cv(p):
            return job.start(lambda j: train_cv(self, p, j))
        return job.start(lambda j: build_model(p, tf, vf, j, self.runtime))


def _for_resolve(p):
    """Parameters as the params package takes them (objects such as models or arrays stay in ``p``)."""
    q = dict(p)
    metric = q.get("custom_metric_func")
    if metric is not None and not isinstance(metric, str):  # the object stays in ``p``; its name is the parameter
        from .model.custom_metric import check_metric, metric_name
        try:
            check_metric(metric)
        except TypeError as e:
            raise ParameterError(str(e), [("error", "custom_metric_func", str(e))]) from None
        q["custom_metric_func"] = metric_name(metric)
    for name in ("pretrained_autoencoder", "checkpoint"):
        if isinstance(q.get(name), os.PathLike):
            q[name] = os.fspath(q[name])                # a saved model's path, e.g. what save_model returns
        elif q.get(name) is not None and not isinstance(q[name], str) and hasattr(q[name], "key"):
            q[name] = q[name].key
    if q.get("initial_weights") is not None or q.get("initial_biases") is not None:
        q["initial_weights"] = [None if w is None else _frame_name(w) for w in q.get("initial_weights") or []] \
            or None
        q["initial_biases"] = [None if b is None else _frame_name(b) for b in q.get("initial_biases") or []] or None
    return q


def _frame_name(obj):
    return obj if isinstance(obj, str) else getattr(obj, "name", None) or "array"


# ---------------------------------------------------------------------------- the build
def build_model(p, training_frame, validation_frame, job, runtime=None):
    """Everything ``train`` does, reporting to ``job``; returns the DeepLearningModel. Running out of memory is
    a TrainingError naming the sizes that asked for it, not a raw MemoryError."""
    try:
        return _build_model(p, training_frame, validation_frame, job, runtime)
    except MemoryError:
        raise TrainingError(f"not enough memory to train this model (hidden={p.get('hidden')}, mini_batch_size="
                            f"{p.get('mini_batch_size')}, {training_frame.nrows} training rows x "
                            f"{training_frame.ncols} columns); use smaller layers or batches, or fewer rows") from None


def _build_model(p, training_frame, validation_frame, job, runtime=None):
    from . import compile_ahead
    from .model.checkpoint import prepare_restart
    from .model.scoring import Scorer
    from .model.summary import model_summary
    from .model.trainer import Trainer
    from .model.varimp import model_varimp
    from .params import resolve
    from .prep import DataInfo

    resolved = resolve(_for_resolve(p), training_frame, validation_frame)
    problem = resolved.problem
    restart = prepare_restart(p.get("checkpoint"), resolved, training_frame, validation_frame is not None)
    if restart is not None:
        info, network = restart.data_info, restart.network
    else:
        info = DataInfo.fit(training_frame, resolved)
    runtime = runtime or {}
    # compact designs: the local mini-batch kernels decode them; Dask workers' shards stay float32
    compact = compact_designs(resolved.mini_batch_size, problem) and runtime.get("backend", "local") == "local"
    design = info.transform(training_frame, with_response=True, training=True, compact=compact)
    if getattr(resolved, "balance_classes", False):
        design = info.balance(design, resolved.class_sampling_factors, resolved.max_after_balance_size,
                              resolved.seed)
    valid = (info.transform(validation_frame, with_response=True, compact=compact)
             if validation_frame is not None else None)
    if restart is None:
        network = make_network(resolved, info, p)
    hyper = Hyper.from_params(resolved, problem)
    key = resolved.model_id or f"DeepLearning_model_{uuid.uuid4().hex[:10]}"
    job.dest = key
    model = DeepLearningModel(key, resolved, info, network, problem=problem)
    custom = p.get("custom_metric_func")
    model.custom_metric = custom if custom is not None and not isinstance(custom, str) else None
    job.set_model(model)
    scorer = Scorer(model, resolved, design, valid, history=restart.history if restart else None,
                    time_offset=restart.duration_s if restart else 0.0,
                    start_samples=restart.samples if restart else 0.0,
                    varimp_fn=model_varimp, summary_fn=model_summary, custom_metric=model.custom_metric)
    unsubscribe = scorer.history.subscribe(lambda row: job.emit({"type": "scoring", "row": row}))
    step = None
    if runtime.get("backend", "local") != "local":
        from .distributed import make_iteration_step
        step = make_iteration_step(runtime.get("backend"), runtime.get("client"), runtime.get("scheduler"),
                                   design=design, params=resolved)

    def progress(frac, state):
        model.samples_seen = state.samples
        job.set_progress(frac, epochs=state.epochs, samples=state.samples, iterations=state.iterations)

    trainer = Trainer(network, design, hyper, epochs=resolved.epochs,
                      train_samples_per_iteration=resolved.train_samples_per_iteration, seed=resolved.seed,
                      threads=1 if resolved.reproducible else None, shuffle=resolved.shuffle_training_data,
                      max_runtime_secs=resolved.max_runtime_secs, scorer=scorer, cancel=job.cancel_event,
                      on_progress=progress, samples=restart.samples if restart else 0.0,
                      iterations=restart.iterations if restart else 0, valid_design=valid, model=model, step=step)
    # a cold cache: a helper process compiles the scoring kernel while this one compiles training's
    # (compile_ahead.py)
    compile_ahead.start(model.scoring_call(design))
    try:
        reason = trainer.run()
    finally:
        unsubscribe()
        if step is not None:
            model.output["backend"] = step.info()
            step.close()
    model.samples_seen = trainer.state.samples
    model.output["stop_reason"] = reason
    model.output["epochs"] = trainer.state.epochs
    model.output["iterations"] = trainer.state.iterations
    model.output["samples"] = trainer.state.samples
    model.output["compute_seconds"] = trainer.state.compute_seconds  # time inside the training kernels
    job.stop_reason = reason
    if getattr(resolved, "export_weights_and_biases", False):  # H2O: the matrices are published as frames
        model.output["weights_keys"] = [f"{key}.weights.{k}" for k in range(network.n_layers)]
        model.output["biases_keys"] = [f"{key}.biases.{k}" for k in range(network.n_layers)]
    if getattr(resolved, "export_checkpoints_dir", None):  # issue 5: H2O exports every built model there
        from .model.persist import export_checkpoint
        export_checkpoint(model, resolved.export_checkpoints_dir)
    return model


def output_activation(problem, activation_base):
    if problem in ("binomial", "multinomial"):
        return "softmax"
    if problem == "autoencoder":
        # H2O's autoencoder output uses the hidden activation (no Maxout output layer: linear instead)
        return "linear" if str(activation_base).lower() == "maxout" else activation_base
    return "linear"


def make_network(resolved, info, raw_params=None):
    """A freshly initialized Network for the resolved parameters and data layout."""
    problem = resolved.problem
    n_out = {"autoencoder": info.n_inputs, "regression": 1}.get(problem, resolved.nclasses)
    hidden = list(resolved.hidden)
    net = Network.build(info.n_inputs, hidden, n_out, resolved.activation_base,
                        output_activation(problem, resolved.activation_base),
                        input_dropout=resolved.input_dropout_ratio,
                        hidden_dropout=resolved.hidden_dropout_ratios if resolved.dropout else None,
                        distribution=resolved.initial_weight_distribution, scale=resolved.initial_weight_scale,
                        seed=resolved.seed)
    raw = raw_params or {}
    pre = raw.get("pretrained_autoencoder")
    if pre is not None:
        if isinstance(pre, (str, os.PathLike)) and os.path.exists(pre):   # the path of a saved autoencoder
            from .model.checkpoint import resolve_checkpoint
            pre = resolve_checkpoint(pre, "pretrained_autoencoder")
        init_from_pretrained(net, pre)
    if raw.get("initial_weights") is not None or raw.get("initial_biases") is not None:
        set_initial(net, raw.get("initial_weights"), raw.get("initial_biases"))
    return net


def init_from_pretrained(net, ae_model):
    """Copy an autoencoder's weights and hidden biases into every layer but the output (H2O 5.9)."""
    if isinstance(ae_model, str) or getattr(ae_model, "problem", None) != "autoencoder":
        raise ParameterError("pretrained_autoencoder must be an autoencoder model object (autoencoder=True); "
                             f"got {ae_model!r}", [("error", "pretrained_autoencoder", "not an autoencoder")])
    src = ae_model.network
    for k in range(net.n_layers - 1):
        if k >= src.n_layers - 1 or src.weights(k).shape != net.weights(k).shape:
            got = src.weights(k).shape if k < src.n_layers else None
            raise ParameterError(
                f"pretrained_autoencoder: mismatch between weights in pretrained model and this model in layer {k}: "
                f"{got} vs {net.weights(k).shape}. Use the same hidden layers, use_all_factor_levels=True and the "
                "same columns (ignore_const_cols) for both models.", [("error", "pretrained_autoencoder", "shape")])
        net.weights(k)[:] = src.weights(k)
        net.biases(k)[:] = src.biases(k)


def _as_matrix(obj):
    if hasattr(obj, "as_pandas"):
        return obj.as_pandas().to_numpy(dtype=np.float64)
    if hasattr(obj, "to_numpy"):
        return obj.to_numpy(dtype=np.float64)
    return np.asarray(obj, dtype=np.float64)


def set_initial(net, weights, biases):
    """Overwrite layers with user ``initial_weights`` (H2O orientation: rows = units, cols = inputs) and
    ``initial_biases``; a None entry keeps the random initialization of that layer."""
    L = net.n_layers
    for what, items in (("initial_weights", weights), ("initial_biases", biases)):
        if items is None:
            continue
        if len(items) != L:
            raise ParameterError(f"{what}: the number of matrices must be {L} (hidden layers + 1), got {len(items)}",
                                 [("error", what, "wrong length")])
        for k, item in enumerate(items):
            if item is None:
                continue
            m = _as_matrix(item)
            target = net.weights(k) if what == "initial_weights" else net.biases(k)
            want = target.shape[::-1] if what == "initial_weights" else target.shape
            if what == "initial_biases":
                m = m.reshape(-1)
            if m.shape != want:
                raise ParameterError(f"{what}[{k}]: dimensionality mismatch, expected {want} (units x inputs), got "
                                     f"{m.shape}", [("error", what, "shape")])
            target[:] = m.T if what == "initial_weights" else m

