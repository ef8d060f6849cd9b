"""Parse speed: deepbrook.import_file vs pandas.read_csv (C engine) vs pandas.read_csv(engine="pyarrow").

Writes a mixed CSV (reals, ints, enums, ~5% NA), runs each contender in a fresh process (so peak memory is its
own), prints times, ratios, peak RSS, and the time of Frame.summary() after the parse.

    python benchmarks/parse.py [--rows 1000000] [--repeat 3] [--keep FILE]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

CONTENDERS = ("deepbrook", "pandas_c", "pandas_pyarrow")


def write_csv(path, rows, seed=0):
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    rng = np.random.default_rng(seed)
    cols = {}
    for i in range(10):
        v = rng.normal(100 * i, 10 + i, rows).round(4)
        cols[f"real{i}"] = pa.array(v, mask=rng.random(rows) < 0.05)
    for i in range(4):
        cols[f"int{i}"] = pa.array(rng.integers(0, 10 ** (i + 1), rows), mask=rng.random(rows) < (0.05 if i % 2
                                                                                                  else 0))
    for i, card in enumerate((2, 5, 12, 50, 300, 1000)):
        levels = np.array([f"L{i}_{k}" for k in range(card)], dtype=object)
        cols[f"enum{i}"] = pa.array(levels[rng.integers(0, card, rows)], mask=rng.random(rows) < 0.05)
    pacsv.write_csv(pa.table(cols), path)


def run_one(contender, path):
    """Parse once in this process; print JSON with seconds, peak RSS above the baseline, and summary time."""
    import numpy as np  # noqa: F401 - imported before the baseline, like pandas
    import pandas as pd
    from deepbrook.engine import Frame, import_file
    Frame.from_arrays({"x": np.arange(10.0)}).summary()  # load compiled kernels before timing
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    c0 = time.process_time()  # CPU time of all threads: steadier than wall time on a shared machine
    t0 = time.perf_counter()
    if contender == "deepbrook":
        obj = import_file(path)
    elif contender == "pandas_c":
        obj = pd.read_csv(path)
    else:
        obj = pd.read_csv(path, engine="pyarrow")
    seconds = time.perf_counter() - t0
    out = {"seconds": seconds, "cpu_seconds": time.process_time() - c0, "peak_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024,
           "rows": len(obj)}
    if contender == "deepbrook":
        t0 = time.perf_counter()
        obj.summary()
        out["summary_seconds"] = time.perf_counter() - t0
        out["frame_mb"] = obj.nbytes / 2 ** 20
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs per contender (the best is reported)")
    ap.add_argument("--keep", help="write the CSV here and keep it (default: a temporary file)")
    ap.add_argument("--run", choices=CONTENDERS, help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.run:
        return run_one(a.run, a.file)
    path = a.keep or os.path.join(tempfile.mkdtemp(prefix="deepbrook-bench-"), "mixed.csv")
    t0 = time.perf_counter()
    write_csv(path, a.rows)
    print(f"wrote {a.rows:,} x 20 mixed CSV ({os.path.getsize(path) / 2 ** 20:.0f} MiB) in "
          f"{time.perf_counter() - t0:.1f}s; cores: {os.cpu_count()}")
    os.sync()  # flush the new file now, not while the first contender reads it
    with open(path, "rb") as f:  # and start every contender from a warm page cache
        while f.read(1 << 24):
            pass
    best = {}
    for rep in range(a.repeat):
        order = CONTENDERS[rep % 3:] + CONTENDERS[:rep % 3]
        for c in order:  # interleaved and rotated, so machine noise hits every contender alike
            res = subprocess.run([sys.executable, __file__, "--run", c, "--file", path], capture_output=True,
                                 text=True, check=True)
            r = json.loads(res.stdout.strip().splitlines()[-1])
            if c not in best or r["seconds"] < best[c]["seconds"]:
                best[c] = r
    print(f"{'contender':<16}{'seconds':>9}{'CPU s':>8}{'peak MiB':>10}   (best of {a.repeat} by wall time)")
    for c in CONTENDERS:
        print(f"{c:<16}{best[c]['seconds']:>9.3f}{best[c]['cpu_seconds']:>8.2f}{best[c]['peak_mb']:>10.0f}")
    d = best["deepbrook"]
    for other, note in (("pandas_c", ""), ("pandas_pyarrow", "  (target <= 1)")):
        o = best[other]
        print(f"ratio deepbrook / {other:<15}= {d['seconds'] / o['seconds']:.2f} wall, "
              f"{d['cpu_seconds'] / o['cpu_seconds']:.2f} CPU{note}")
    print(f"deepbrook frame: {d['frame_mb']:.0f} MiB in memory; summary() after parse: "
          f"{d['summary_seconds']:.3f}s (target < 1s)")
    if not a.keep:
        os.remove(path)
        os.rmdir(os.path.dirname(path))


if __name__ == "__main__":
    main()
