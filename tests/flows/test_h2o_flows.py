"""H2O-3's own Deep Learning Flow notebooks (../shared/h2o-flows, unchanged) run headless with `deepbrook run`.

The shared runner calls `deepbrook run NOTEBOOK --data-root ... --workspace TMP` on each notebook; every cell of
every notebook must succeed. No skip: CI has ../shared beside the clone, and a missing runner is a failure.
"""
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT.parent / "shared" / "h2o-flows" / "run.py"


def test_every_shared_h2o_flow_notebook_runs():
    assert RUNNER.is_file(), f"the shared H2O Flow notebooks are missing: {RUNNER}"
    n = len(list((RUNNER.parent / "flows").glob("*.flow")))
    assert n == 14
    t0 = time.time()
    r = subprocess.run([sys.executable, str(RUNNER)], cwd=ROOT, capture_output=True, text=True, timeout=2400)
    report = r.stdout + r.stderr
    print(report, f"run.py took {time.time() - t0:.0f} s", sep="\n")
    assert f"h2o flows: {n}/{n} pass" in report, report
    assert r.returncode == 0, report
