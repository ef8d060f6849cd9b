"""H2O-3's own Deep Learning pyunit tests, unchanged, run against deepbrook.h2o by the shared runner.

Each test runs in its own process with ``import h2o`` answered by ``deepbrook.h2o``; the MNIST autoencoder test
(60,000 rows) takes the longest (about a minute and a half here, the first run also writes the MNIST CSVs).
"""
import re
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_all_h2o_deep_learning_pyunits_pass(pyunit_dir, tmp_path_factory):
    cache = tmp_path_factory.mktemp("h2o-pyunit-cache")
    run = subprocess.run([sys.executable, str(pyunit_dir / "run.py"), "--cache", str(cache), "--timeout", "900"],
                         capture_output=True, text=True, timeout=3000)
    report = run.stdout + run.stderr
    print(report)  # per-test PASS/FAIL lines with times, for the CI log
    summary = re.search(r"h2o pyunit: (\d+)/(\d+) pass", report)
    assert summary, report
    assert summary.group(1) == summary.group(2) == "10", report
    assert run.returncode == 0, report
