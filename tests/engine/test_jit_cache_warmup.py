"""The compiled-kernel cache (engine/jit_cache.py), the compile notice (compile_notice.py) and `deepbrook warmup`.

No timings: a warm start is proven by numba's own counters (the second process loads every kernel from the cache
and compiles none), not by seconds.
"""
import json
import logging
import os
import subprocess
import sys
import types

import numpy as np
import pytest
from numba import njit
from numba import types as nbtypes

from deepbrook.engine import DeepLearning, Frame, compile_listeners, compile_notice, jit_cache
from deepbrook.engine.kernels import hyper as H
from deepbrook.engine.kernels import minibatch, sgd
from deepbrook.engine.kernels.updates import update_row

SECOND_PROCESS = r"""
import gc, json
import numpy as np
from numba.core.registry import CPUDispatcher
from deepbrook.engine import DeepLearning, Frame, compile_notice
rng = np.random.default_rng(3)
f = Frame.from_arrays({"a": rng.normal(size=100), "b": rng.normal(size=100),
                       "y": (rng.random(100) > 0.5).astype(float)}, types={"y": "enum"})
DeepLearning(epochs=1, seed=1).train(y="y", training_frame=f).predict(f)
hits = misses = 0
for d in gc.get_objects():
    if isinstance(d, CPUDispatcher) and d.py_func.__module__.startswith("deepbrook."):
        hits += sum(d.stats.cache_hits.values())
        misses += sum(d.stats.cache_misses.values())
print(json.dumps({"hits": hits, "misses": misses, "compiled": compile_notice.compiled()}))
"""


def test_cache_folder_is_per_user_keyed_by_version_and_kernel_sources(monkeypatch, tmp_path):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("DEEPBROOK_CACHE_DIR", str(tmp_path))
    where = jit_cache.cache_dir()
    assert where == tmp_path / "numba" / jit_cache.package_version() / jit_cache.sources_hash()[:16]
    monkeypatch.delenv("DEEPBROOK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert jit_cache.cache_dir().is_relative_to(tmp_path / "xdg" / "deepbrook" / "numba")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "numba-own"))
    assert jit_cache.cache_dir() is None  # numba's own variable wins, with numba's layout


def test_a_kernel_goes_stale_when_any_kernel_file_changes_not_only_its_own():
    """numba's stamp is the kernel's own file; a callee edited in another file would leave stale machine code."""
    names = {p.name for p in jit_cache._kernel_sources()}
    assert {"sgd.py", "backward.py", "forward.py", "updates.py", "predict.py", "config.py", "kernels.py"} <= names
    locator = sgd.sgd_rows_of_rule._cache._impl.locator
    if os.environ.get("NUMBA_CACHE_DIR"):  # numba decides: nothing of ours to check
        return
    assert isinstance(locator, jit_cache.DeepbrookCacheLocator)
    assert locator.get_source_stamp() == jit_cache.sources_hash()


def test_parallel_and_serial_row_kernels_are_one_compiled_kernel():
    """Hogwild! runs the serial kernel on threads: no second (parallel=True) copy to compile, none to confuse in
    numba's cache, which keyed both copies by the one Python function."""
    assert not hasattr(sgd.sgd_rows_parallel, "py_func")
    assert sgd.sgd_rows_of_rule.targetoptions.get("parallel") in (None, False)


def test_serial_and_parallel_minibatch_kernels_have_their_own_cache_files():
    """Both compile one Python function; numba names cache files after the function, so each gets its own name
    (they shared one index before, and a process could load one's machine code for the other)."""
    serial, parallel = minibatch.minibatch_rows_serial_of_rule, minibatch.minibatch_rows_parallel_of_rule
    options = parallel.targetoptions.get("parallel")
    assert options.prange and options.fusion and not options.numpy  # prange regions, no gufunc rewrites
    # every compile sees the same options (numba empties a dict of options on first use)
    assert options is minibatch.PARALLEL_OPTIONS and minibatch.PARALLEL_OPTIONS.enabled
    assert serial.targetoptions.get("parallel") in (None, False)
    assert serial._cache._impl._filename_base != parallel._cache._impl._filename_base


def test_a_model_compiles_only_its_own_update_rule_and_spec():
    """The optimizer and the model spec reach the kernels as compile-time constants: a default (ADADELTA)
    regression model's row kernel is compiled for that rule and a Gaussian loss without max_w2, dropout or
    sparsity; a Nesterov model with max_w2 gets its own kernel instead of run-time switches."""
    frame = Frame.from_arrays({"x": np.linspace(-1, 1, 64), "y": np.linspace(0, 2, 64) ** 2})
    for params, rule, spec in (({}, H.RULE_ADADELTA, H.GAUSSIAN),
                               ({"adaptive_rate": False, "momentum_stable": 0.9, "max_w2": 10.0}, H.RULE_NESTEROV,
                                H.GAUSSIAN | H.SPEC_MAX_W2)):
        DeepLearning(hidden=[3], epochs=1, seed=1, reproducible=True, **params).train(
            x=["x"], y="y", training_frame=frame)
        compiled = {sig[-2:] for sig in sgd.sgd_rows_of_rule.signatures}
        assert (nbtypes.literal(rule), nbtypes.literal(spec)) in compiled
    with pytest.raises(TypeError, match="inside compiled kernels"):
        update_row(None, None, None, 1.0, None, None, H.RULE_ADADELTA, 0.0, 0.0, None, False)


def engine_function(fn, module, name):
    """A fresh copy of ``fn`` that numba sees as ``name`` in an engine kernel module (it must compile it)."""
    return types.FunctionType(fn.__code__, {"__name__": f"deepbrook.engine.kernels.{module}"}, name)


def test_a_kernel_compile_is_announced_once_and_recorded(monkeypatch, caplog):
    kernel = njit(engine_function(lambda x: 2 * x, "probe_for_test", "twice"))
    events = []
    unsubscribe = compile_listeners.subscribe(events.append)
    monkeypatch.setattr(compile_notice, "_announced", False)
    try:
        with caplog.at_level(logging.WARNING, logger="deepbrook.engine"):
            assert kernel(3) == 6 and kernel(2.5) == 5.0
    finally:
        unsubscribe()
    assert [e["status"] for e in events] == ["start", "end", "start", "end"]
    assert {e["kernel"] for e in events} == {"probe_for_test.twice"}
    assert [r.getMessage() for r in caplog.records].count(compile_notice.COMPILE_MESSAGE) == 1
    recorded = [c for c in compile_notice.compiled() if c["kernel"] == "probe_for_test.twice"]
    assert [c["signature"] for c in recorded] == ["(int64)", "(float64)"]


def test_warmup_command_reports_and_a_second_process_starts_warm():
    env = {**os.environ, "NUMBA_THREADING_LAYER": "omp"}
    r = subprocess.run([sys.executable, "-m", "deepbrook.app.cli", "warmup"], env=env, capture_output=True,
                       text=True, timeout=1800)
    assert r.returncode == 0, r.stderr[-3000:]
    lines = r.stdout.splitlines()
    assert lines[0] == "warming up: default model (one row per update, classification)"
    assert any(line.startswith("compiled ") and "kernel signatures" in line for line in lines) or \
        "nothing to compile: every kernel came from the cache" in lines
    assert lines[-1].startswith("done in ") and "cache: " in lines[-1]
    r = subprocess.run([sys.executable, "-c", SECOND_PROCESS], env=env, capture_output=True, text=True,
                       timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.splitlines()[-1])
    assert out["hits"] > 0 and out["misses"] == 0 and out["compiled"] == []
    assert compile_notice.COMPILE_MESSAGE not in r.stderr


def test_a_job_that_waits_for_a_compile_says_so_once_in_its_progress_line():
    from deepbrook.engine import Job
    kernel = njit(engine_function(lambda x: 3 * x, "probe_for_job", "thrice"))
    job = Job("probe")
    events = []
    job.subscribe(events.append)
    assert job.run_here(lambda j: kernel(2) + kernel(1.5)) == 10.5
    notes = [e for e in events if e["type"] == "progress" and "Compiling training kernels" in e.get("message", "")]
    assert len(notes) == 1 and notes[0]["message"].endswith("`deepbrook warmup` does it ahead).")
    assert events[-1]["type"] == "done"
