"""Cold start: seconds from ``import deepbrook.engine`` to a first trained and scored model in a fresh process.

Each probe runs in a child process. The cold probe gets an empty cache folder (so numba compiles every kernel the
model needs); the warm probe is a second process on the same cache folder (what a user's second session sees).
The child records every numba compile (kernel, type signature, seconds, self time without nested compiles), the
cache hits/misses of deepbrook's kernels and the kernels a helper process compiled ahead (``compile_ahead.py``,
with its CPU time), so the report says where the time went.

    python benchmarks/cold_start.py                  # default model on prostate: cold, then warm
    python benchmarks/cold_start.py --detail         # + one line per compiled kernel and signature
    python benchmarks/cold_start.py --warmup-first   # cold `deepbrook warmup`, then the model (the Docker image case)

``measure_cold_start()`` returns the figures as a dict; ``benchmarks/train_speed.py`` prints ``cold_start_line()``.
Timings depend on the machine's load: state it with the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROSTATE = ROOT / "assets" / "data" / "prostate.csv.gz"

PROBE = r"""
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from numba.core import event

compiles, stack = [], []


class Recorder(event.Listener):
    # a compile of a kernel types and compiles its callees first (nested events): self time = own time - children
    def on_start(self, ev):
        d = ev.data["dispatcher"]
        stack.append([time.perf_counter(), 0.0, f"{d.py_func.__module__.rsplit('.', 1)[-1]}.{d.py_func.__name__}"])

    def on_end(self, ev):
        start, children, name = stack.pop()
        took = time.perf_counter() - start
        if stack:
            stack[-1][1] += took
        compiles.append({"kernel": name, "caller": stack[-1][2] if stack else None,
                         "sig": ", ".join(str(a) for a in ev.data["args"]), "s": took, "self_s": took - children,
                         "top": not stack})


event.register("numba:compile", Recorder())
from deepbrook.engine import DeepLearning, import_file
t_import = time.perf_counter()
params = json.loads(sys.argv[2])
frame = import_file(sys.argv[1]).as_type("CAPSULE", "enum")
t_frame = time.perf_counter()
model = DeepLearning(seed=1, **params).train(x=[c for c in frame.names if c not in ("ID", "CAPSULE")],
                                             y="CAPSULE", training_frame=frame)
t_train = time.perf_counter()
model.predict(frame)
t_end = time.perf_counter()

import resource
from deepbrook.engine import compile_ahead
children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)  # helpers compiling ahead (waited for)
hits = misses = 0
from numba.core.registry import CPUDispatcher
import gc
for obj in gc.get_objects():
    if isinstance(obj, CPUDispatcher) and obj.py_func.__module__.startswith("deepbrook."):
        st = obj.stats  # hits: loaded from the cache folder; misses: compiled here
        hits += sum(st.cache_hits.values())
        misses += sum(st.cache_misses.values())
print(json.dumps({"total_s": t_end - t0, "cpu_s": time.process_time() - c0, "import_s": t_import - t0,
                  "frame_s": t_frame - t_import,
                  "train_s": t_train - t_frame, "predict_s": t_end - t_train,
                  "compile_s": sum(c["s"] for c in compiles if c["top"]), "compiles": compiles,
                  "cache_hits": hits, "cache_misses": misses, "ahead": compile_ahead.started,
                  "helpers_cpu_s": children_cpu.ru_utime + children_cpu.ru_stime}))
"""


def probe(env: dict, params: dict | None = None) -> dict:
    """One child process training the model (``params`` on top of the defaults) on prostate; its figures."""
    r = subprocess.run([sys.executable, "-c", PROBE, str(PROSTATE), json.dumps(params or {})], env=env,
                       capture_output=True, text=True, cwd=str(ROOT))
    if r.returncode != 0:
        raise RuntimeError(f"cold-start probe failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def fresh_env(cache_dir: str) -> dict:
    """This environment with every deepbrook/numba cache pointed at ``cache_dir`` (empty = a fresh install)."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["DEEPBROOK_CACHE_DIR"] = cache_dir
    env.setdefault("NUMBA_THREADING_LAYER", "omp")
    return env


def warmup(env: dict) -> float:
    """Run ``deepbrook warmup`` in a child process; its wall seconds."""
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "deepbrook.app.cli", "warmup"], env=env, capture_output=True,
                       text=True, cwd=str(ROOT))
    if r.returncode != 0:
        raise RuntimeError(f"deepbrook warmup failed:\n{r.stderr[-3000:]}")
    return time.perf_counter() - t0


def measure_cold_start(params: dict | None = None, warmup_first: bool = False) -> dict:
    """First model (train + predict, default parameters unless ``params``) in a fresh process with an empty
    cache folder (``cold_s``), then in a second process on the same folder (``warm_s``).

    ``warmup_first``: run ``deepbrook warmup`` on the empty folder first (``warmup_s``), so ``cold_s`` is what a
    user of a warmed install (the Docker image) waits. Also returns each run's details (``cold``, ``warm``).
    """
    with tempfile.TemporaryDirectory(prefix="deepbrook-cold-") as cache:
        env = fresh_env(cache)
        out = {"warmup_s": warmup(env) if warmup_first else None}
        cold = probe(env, params)
        warm = probe(env, params)
    out.update(cold_s=cold["total_s"], warm_s=warm["total_s"], cold=cold, warm=warm)
    return out


def cold_start_line(res: dict) -> str:
    """One line for ``benchmarks/train_speed.py`` from ``measure_cold_start()`` of a default model."""
    head = "cold start, default model on prostate (fresh cache folder, child process): "
    return (head + f"{res['cold_s']:.1f} s ({res['cold']['cpu_s']:.1f} s CPU, {res['cold']['compile_s']:.1f} s "
            f"compiling{_ahead(res['cold'])}); second process {res['warm_s']:.1f} s ({res['warm']['cpu_s']:.1f} s CPU)")


def _ahead(run: dict) -> str:
    """What helper processes compiled ahead (engine/compile_ahead.py) while this one compiled."""
    if not run.get("ahead"):
        return ""
    kernels = ", ".join(a["kernel"] for a in run["ahead"])
    return f"; {len(run['ahead'])} more in a helper process ({kernels}, {run['helpers_cpu_s']:.1f} s CPU)"


def _summary(name: str, run: dict) -> str:
    return (f"{name}: {run['total_s']:.1f} s total, {run['cpu_s']:.1f} s CPU (import {run['import_s']:.1f}, "
            f"frame {run['frame_s']:.1f}, train {run['train_s']:.1f}, predict {run['predict_s']:.1f}; "
            f"numba compiling {run['compile_s']:.1f} s, "
            f"{len(run['compiles'])} kernel signatures compiled, cache hits {run['cache_hits']}, "
            f"misses {run['cache_misses']}{_ahead(run)})")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--detail", action="store_true", help="one line per compiled kernel and signature")
    ap.add_argument("--warmup-first", action="store_true", help="run `deepbrook warmup` on the empty cache first")
    ap.add_argument("--params", default="{}", help="JSON model parameters on top of the defaults")
    args = ap.parse_args(argv)
    res = measure_cold_start(json.loads(args.params), warmup_first=args.warmup_first)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if res["warmup_s"] is not None:
        print(f"deepbrook warmup (empty cache): {res['warmup_s']:.1f} s")
    print(_summary("cold (empty cache)", res["cold"]))
    print(_summary("warm (second process)", res["warm"]))
    if args.detail:
        for c in sorted(res["cold"]["compiles"], key=lambda c: -c["self_s"]):
            print(f"  {c['self_s']:6.2f} s self {c['s']:6.2f} s incl  {c['kernel']}({c['sig'][:150]}) "
                  f"<- {c['caller']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
