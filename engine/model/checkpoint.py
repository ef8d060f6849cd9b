"""Checkpoint restart: continue training a saved or in-memory model with H2O's rules (doc section 5.7).

The trainer calls `prepare_restart(checkpoint, params, training_frame, has_validation)` before building anything
and, when it returns a `Restart`, uses its data info, network copy, counters and scoring history instead of fresh
ones (hook in docs/architecture.md, "Scoring, checkpoints, CV, grid").
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from .scoring import ScoringHistory

@dataclass
class Restart:
    """What a continued run starts from (all copies: the checkpoint model is never modified)."""

    source: Any                 # the checkpoint model
    data_info: Any              # the checkpoint's layout: the new training frame is adapted to it
    network: Any                # copy of weights, biases and optimizer state
    history: ScoringHistory     # copy of the scoring history (appended to)
    epochs: float
    iterations: int
    samples: float
    duration_s: float


def _get(p, name, default=None):
    if p is None:
        return default
    return p.get(name, default) if isinstance(p, dict) else getattr(p, name, default)


def resolve_checkpoint(checkpoint, parameter="checkpoint"):
    """A model object, or the path (str or any os.PathLike) of a saved model, loaded."""
    if isinstance(checkpoint, (str, os.PathLike)):
        from .persist import load_model
        if not Path(checkpoint).exists():
            raise ParameterError(f"{parameter}: no saved model at '{os.fspath(checkpoint)}'",
                                 [("error", parameter, "not found")])
        return load_model(checkpoint)
    if not hasattr(checkpoint, "network"):
        raise ParameterError(f"{parameter} must be a model or the path of a saved model, got "
                             f"{type(checkpoint).__name__}")
    return checkpoint


def changed_fixed_parameters(old_params, new_params) -> list:
    """(parameter, message) pairs, H2O's "Cannot change parameter" for parameters a restart may not change
    (the list is derived from the parameter declarations, ``params.check_checkpoint_compatible``)."""
    from ..params import check_checkpoint_compatible
    return [(m.parameter, m.message) for m in check_checkpoint_compatible(old_params, new_params)]


def check_restart(source, new_params, training_frame=None, has_validation=None):
    """Raise ParameterError naming every rule the restart breaks (doc 5.7)."""
    old = source.params
    msgs = changed_fixed_parameters(getattr(source, "user_params", None) or old, new_params)
    hist = _history(source)
    done = _trained(source, hist)[0]
    epochs = float(_get(new_params, "epochs", 10.0))
    if epochs <= done:
        msgs.append(("epochs", f"epochs ({epochs:g}) must be larger than the number of epochs already trained by "
                               f"the checkpoint ({done:g})"))
    if int(_get(new_params, "nfolds", 0) or 0) != 0:
        msgs.append(("nfolds", "nfolds must be 0: cross-validation cannot continue from a checkpoint"))
    if has_validation is not None and hist is not None and bool(has_validation) != hist.has_validation:
        msgs.append(("validation_frame", "Presence of validation dataset must agree with the checkpointed model."))
    if training_frame is not None:
        info = source.data_info
        names = set(getattr(training_frame, "names", []))
        missing = [c for c in info.sources if c not in names]
        resp = getattr(info, "response_column", None)
        if resp and resp not in names:
            missing.append(resp)
        if missing:
            msgs.append(("training_frame", "The columns of the training data must be the same as for the "
                                           f"checkpointed model; missing: {', '.join(missing)}"))
    if msgs:
        from ..params import Message
        raise ParameterError("Cannot restart from the checkpoint: " + "; ".join(m for _, m in msgs),
                             [Message("error", p, m) for p, m in msgs])


def _history(model):
    h = (getattr(model, "output", None) or {}).get("scoring_history")
    return h if isinstance(h, ScoringHistory) else None


def _trained(model, hist):
    """(epochs, iterations, samples, duration_s) of the checkpoint, from its counters or its last history row."""
    rows = hist.rows if hist is not None else []
    last = rows[-1] if rows else {}
    out = getattr(model, "output", None) or {}
    return (float(out.get("epochs", last.get("epochs", 0.0)) or 0.0),
            int(out.get("iterations", last.get("iterations", 0)) or 0),
            float(out.get("samples", last.get("samples", 0.0)) or 0.0),
            float(out.get("duration_s", last.get("duration_s", 0.0)) or 0.0))


def prepare_restart(checkpoint, new_params, training_frame=None, has_validation=None) -> Restart:
    """Load / check the checkpoint and return copies to continue from (None checkpoint -> None)."""
    if checkpoint is None:
        return None
    source = resolve_checkpoint(checkpoint)
    check_restart(source, new_params, training_frame, has_validation)
    hist = _history(source)
    epochs, iterations, samples, duration = _trained(source, hist)
    history = ScoringHistory.from_dict(hist.to_dict()) if hist is not None else None
    return Restart(source=source, data_info=copy.deepcopy(source.data_info), network=source.network.copy(),
                   history=history, epochs=epochs, iterations=iterations, samples=samples, duration_s=duration)
