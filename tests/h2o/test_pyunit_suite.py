"""H2O-3's own Deep Learning pyunit tests, unchanged, run against deepbrook.h2o by the shared runner.

Each test runs in its own process with ``import h2o`` answered by ``deepbrook.h2o``; the MNIST autoencoder test
(60,000 rows) takes the longest: 50-160 s on the shared 2-core machine (one epoch of a 784-2-784 Tanh autoencoder is
most of it); the whole suite 3-4 minutes. The MNIST CSVs are written once into the runner's cache folder
(``H2O_PYUNIT_CACHE``, default ``<tmp>/h2o-pyunit-cache``) and reused.
"""
import re
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_all_h2o_deep_learning_pyunits_pass(pyunit_dir):
    run = subprocess.run([sys.executable, str(pyunit_dir / "run.py"), "--timeout", "900"],
                         capture_output=True, text=True, timeout=3000)
    report = run.stdout + run.stderr
    print(report)  # per-test PASS/FAIL lines with times, for the CI log
    summary = re.search(r"h2o pyunit: (\d+)/(\d+) pass", report)
    assert summary, report
    assert summary.group(1) == summary.group(2) == "10", report
    assert run.returncode == 0, report
