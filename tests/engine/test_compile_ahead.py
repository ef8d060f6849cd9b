"""Compiling the scoring kernel in a helper process on a cold cache (engine/compile_ahead.py), and the locked
index updates that let several processes compile into one cache folder (engine/jit_cache.py).

No timings: what is proven is who compiled what (numba's counters and the compile records), that the result is
the same with and without a helper, and that nothing is lost when processes compile at once.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from numba.core import caching

from deepbrook.engine import compile_ahead, jit_cache

FIRST_MODEL = r"""
import json
import numpy as np
from deepbrook.engine import DeepLearning, Frame, compile_ahead, compile_notice
from deepbrook.engine.kernels.predict import predict_blocks
rng = np.random.default_rng(5)
f = Frame.from_arrays({"a": rng.normal(size=120), "b": rng.normal(size=120),
                       "y": (rng.random(120) > 0.5).astype(float)}, types={"y": "enum"})
model = DeepLearning(hidden=[4], epochs=2, seed=1, reproducible=True).train(y="y", training_frame=f)
pred = model.predict(f)
print(json.dumps({"started": compile_ahead.started,
                  "compiled": sorted({c["kernel"] for c in compile_notice.compiled()}),
                  "predict_hits": sum(predict_blocks.stats.cache_hits.values()),
                  "p1": [float(v) for v in pred.numeric("p1")]}))
"""


def _run(code, cache, ahead="1", stdin=None):
    env = {**os.environ, "DEEPBROOK_CACHE_DIR": str(cache), "DEEPBROOK_COMPILE_AHEAD": ahead,
           "NUMBA_THREADING_LAYER": "omp"}
    env.pop("NUMBA_CACHE_DIR", None)
    return subprocess.run([sys.executable, *code], env=env, capture_output=True, timeout=900, input=stdin)


def _first_model(cache, ahead="1"):
    r = _run(["-c", FIRST_MODEL], cache, ahead)
    assert r.returncode == 0, r.stderr.decode()[-3000:]
    return json.loads(r.stdout.decode().splitlines()[-1])


def test_a_cold_first_model_has_its_scoring_kernel_compiled_by_a_helper_with_the_same_result(tmp_path):
    ahead = _first_model(tmp_path / "ahead")
    assert [s["kernel"] for s in ahead["started"]] == ["predict.predict_blocks"]
    assert "predict.predict_blocks" not in ahead["compiled"]  # the helper compiled it; this process loaded it
    assert "sgd.sgd_rows_of_rule" in ahead["compiled"] and ahead["predict_hits"] >= 1

    alone = _first_model(tmp_path / "alone", ahead="0")  # switched off: everything compiles in the process
    assert alone["started"] == [] and {"predict.predict_blocks", "sgd.sgd_rows_of_rule"} <= set(alone["compiled"])
    assert ahead["p1"] == alone["p1"]  # the same machine code, bit for bit the same predictions

    warm = _first_model(tmp_path / "ahead")  # a second process on the same folder: nothing to hand out
    assert warm["started"] == [] and warm["compiled"] == [] and warm["p1"] == ahead["p1"]


def test_a_helper_past_its_time_is_stopped_and_the_call_compiles_here(tmp_path):
    code = r"""
import json
import numpy as np
from deepbrook.engine import compile_ahead, compile_notice
from deepbrook.engine.kernels.columns import nan_moments
x = np.array([1.0, np.nan, 3.0])
started = compile_ahead.start((nan_moments, (x,)))
again = compile_ahead.start((nan_moments, (x,)), (nan_moments, (x,)))   # one helper per kernel and signature
finished = compile_ahead.wait(nan_moments, (x,), timeout=0.0)
print(json.dumps({"started": started, "again": again, "finished": finished, "moments": list(nan_moments(x)),
                  "compiled": [c["kernel"] for c in compile_notice.compiled()]}))
"""
    r = _run(["-c", code], tmp_path)
    assert r.returncode == 0, r.stderr.decode()[-3000:]
    out = json.loads(r.stdout.decode().splitlines()[-1])
    assert out["started"] is True and out["again"] is False and out["finished"] is False
    assert out["moments"][:3] == [2.0, 2.0, 2.0] and "columns.nan_moments" in out["compiled"]


def test_argument_descriptions_rebuild_the_same_numba_types():
    """The helper gets JSON, not pickles: each argument's description rebuilds a stand-in of the same type."""
    base = np.zeros((6, 4), np.float32)
    readonly = np.zeros(5, np.uint8)
    readonly.flags.writeable = False
    args = (base, base[::2, ::2], np.asfortranarray(base), readonly, (np.zeros(3, np.int32), np.zeros((2, 2))), 7)
    described = json.loads(json.dumps([compile_ahead.describe(a) for a in args]))
    assert compile_ahead.signature(compile_ahead.stand_in(d) for d in described) == compile_ahead.signature(args)
    for bad in ("text", 1.5, np.zeros(2, object)):
        with pytest.raises(TypeError):
            compile_ahead.describe(bad)
    for bad in ({"dtype": "O", "ndim": 1, "layout": "C"}, {"dtype": "<f4", "ndim": 99, "layout": "C"},
                {"dtype": "<f4", "ndim": 1, "layout": "Z"}, ["not", "an", "object"]):
        with pytest.raises(ValueError):
            compile_ahead.stand_in(bad)


def test_the_helper_compiles_only_deepbrook_kernels_for_the_signature_it_was_told(tmp_path):
    """The helper imports what its stdin names: a module outside the kernels, a name that is not a compiled
    kernel, or arguments that do not make the stated signature are refused before anything compiles (a valid
    request listed first included)."""
    x = np.zeros(2)
    valid = {"module": "deepbrook.engine.kernels.columns", "name": "nan_moments",
             "signature": str(compile_ahead.signature((x,))), "args": [compile_ahead.describe(x)]}
    for bad, message in (({**valid, "module": "os", "name": "system"}, "not a deepbrook kernel module: os"),
                         ({**valid, "module": "deepbrook.engine.kernels.hyper", "name": "rule_of"},
                          "not a compiled kernel"),
                         ({**valid, "args": [{"int": True}]}, "the arguments describe (int64,)")):
        r = _run(["-m", "deepbrook.engine.compile_ahead"], tmp_path / "cache", stdin=json.dumps([valid, bad]).encode())
        assert r.returncode != 0 and message in r.stderr.decode()
    assert not list((tmp_path / "cache").rglob("*nan_moments*.nbi"))
    r = _run(["-m", "deepbrook.engine.compile_ahead"], tmp_path / "cache", stdin=json.dumps([valid]).encode())
    assert r.returncode == 0 and list((tmp_path / "cache").rglob("*nan_moments*.nbi"))


def test_index_updates_in_our_cache_folders_are_locked(monkeypatch, tmp_path):
    monkeypatch.setenv("DEEPBROOK_CACHE_DIR", str(tmp_path / "ours"))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert getattr(caching.IndexDataCacheFile.save, "deepbrook_locked", False)
    taken = []
    monkeypatch.setattr(jit_cache.fcntl, "flock", lambda fd, op: taken.append((os.readlink(f"/proc/self/fd/{fd}"),
                                                                               op)))
    ours = jit_cache.cache_dir()
    ours.mkdir(parents=True)
    theirs = tmp_path / "elsewhere"
    theirs.mkdir()
    for folder in (ours, theirs):
        index = caching.IndexDataCacheFile(str(folder), "kernel-1.py311", "stamp")
        index.save(("sig", "cpu"), b"machine code")
        assert index.load(("sig", "cpu")) == b"machine code"
    assert taken == [(str(ours / jit_cache.INDEX_LOCK), jit_cache.fcntl.LOCK_EX)]  # none outside our folders


def test_processes_compiling_signatures_of_one_kernel_at_once_lose_none(tmp_path):
    """Four processes add four signatures to one kernel's index at the same moment; a fifth loads all four."""
    compile_one = r"""
import sys
import numpy as np
from deepbrook.engine.kernels.columns import nan_moments
nan_moments(np.arange(5).astype(sys.argv[1]))
"""
    dtypes = ("float64", "float32", "int64", "int32")
    env = {**os.environ, "DEEPBROOK_CACHE_DIR": str(tmp_path), "NUMBA_THREADING_LAYER": "omp"}
    env.pop("NUMBA_CACHE_DIR", None)
    procs = [subprocess.Popen([sys.executable, "-c", compile_one, d], env=env, stderr=subprocess.PIPE)
             for d in dtypes]
    for p in procs:
        assert p.wait(timeout=600) == 0, p.stderr.read().decode()[-3000:]
    check = r"""
import json, sys
import numpy as np
from deepbrook.engine import compile_notice
from deepbrook.engine.kernels.columns import nan_moments
for d in sys.argv[1:]:
    nan_moments(np.arange(5).astype(d))
print(json.dumps({"hits": sum(nan_moments.stats.cache_hits.values()), "compiled": compile_notice.compiled()}))
"""
    r = subprocess.run([sys.executable, "-c", check, *dtypes], env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.splitlines()[-1])
    assert out == {"hits": 4, "compiled": []}
