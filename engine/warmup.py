"""``warmup()``: compile (or load from the cache) the kernels of a default model and of the common options.

numba compiles a kernel on its first call with new argument types, so the surest way to compile what a user's
first model needs is to train tiny models through the same code path: a small CSV is parsed like a user's file
(the column kernels are typed by the parsed column types), then one tiny model per case trains and scores.
Run once per install (``deepbrook warmup``, the Docker build); afterwards every process loads the kernels from
the cache (``jit_cache.py``) in about a second.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

# (label, parameters on top of the defaults, response, predictors (None: every other column)): each adds the
# kernels of one common choice
CASES = (
    ("default model (one row per update, classification)", {}, "label", None),
    ("regression", {}, "amount", None),
    ("mini-batch (mini_batch_size > 1)", {"mini_batch_size": 32}, "label", None),
    # integer inputs in 0..255 only (pixels): a compact design, for whose uint8 codes the mini-batch and prediction
    # kernels compile their own signatures
    ("mini-batch on small integers (e.g. pixels)", {"mini_batch_size": 32}, "label", ["age"]),
    ("autoencoder", {"autoencoder": True}, None, None),
)
WIDE_CASE = "threads sharing each row (64 inputs)"


def _csv(path: Path, rows: int = 200) -> Path:
    """A CSV like a user's: small integers, floats, a text category, a missing value, a 0/1 label."""
    rng = np.random.default_rng(0)
    lines = ["label,age,amount,group"]
    for i in range(rows):
        amount = "" if i == 7 else f"{rng.normal(10, 3):.3f}"
        lines.append(f"{int(rng.random() > 0.5)},{rng.integers(40, 80)},{amount},{'abc'[i % 3]}")
    path.write_text("\n".join(lines) + "\n")
    return path


def warmup(progress=None) -> dict:
    """Train and score one tiny model per case in ``CASES`` (and one wide enough for threads that share rows).

    ``progress(label)`` is called before each case. Returns ``{"seconds", "cache_dir", "cases": [(label, s)],
    "compiled": [kernel signatures compiled by this call], "compiled_ahead": [those handed to helper processes
    (``compile_ahead.py``)]}``; both empty means everything came from the cache.
    """
    from . import compile_ahead, compile_notice, jit_cache
    from .estimator import DeepLearning
    from .frames import Frame, import_file

    t0 = time.perf_counter()
    before, before_ahead = len(compile_notice.compiled()), len(compile_ahead.started)
    cases = []
    with tempfile.TemporaryDirectory(prefix="deepbrook-warmup-") as tmp:
        frame = import_file(str(_csv(Path(tmp) / "warmup.csv"))).as_type("label", "enum")
        for label, params, y, x in CASES:
            if progress:
                progress(label)
            t = time.perf_counter()
            x = x or [c for c in frame.names if c not in ("label", y)]
            model = DeepLearning(hidden=[8], epochs=1, seed=1, **params).train(x=x, y=y, training_frame=frame)
            model.predict(frame)
            cases.append((label, time.perf_counter() - t))
    if progress:
        progress(WIDE_CASE)
    t = time.perf_counter()
    rng = np.random.default_rng(1)
    cols = {f"x{j}": rng.normal(size=128) for j in range(64)}
    cols["y"] = (cols["x0"] > 0).astype(float)
    wide = Frame.from_arrays(cols, types={"y": "enum"}, name="warmup_wide")
    DeepLearning(hidden=[16, 16], epochs=1, seed=1).train(y="y", training_frame=wide).predict(wide)
    cases.append((WIDE_CASE, time.perf_counter() - t))
    where = jit_cache.cache_dir() or os.environ.get("NUMBA_CACHE_DIR")
    return {"seconds": time.perf_counter() - t0, "cache_dir": str(where), "cases": cases,
            "compiled": compile_notice.compiled()[before:], "compiled_ahead": compile_ahead.started[before_ahead:]}
