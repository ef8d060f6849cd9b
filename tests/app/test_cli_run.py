"""`deepbrook run NOTEBOOK`: every cell of a notebook runs headless, one report line per cell, exit 0 only when
all succeeded. Real data: H2O Flow's own notebooks and the files they read (../shared/h2o-flows)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT.parent / "shared" / "h2o-flows"
DEEPBROOK = str(Path(sys.executable).with_name("deepbrook"))


def run(notebook, *args, cwd):
    env = {**os.environ, "NUMBA_THREADING_LAYER": "omp"}
    return subprocess.run([DEEPBROOK, "run", str(notebook), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900, env=env)


@pytest.fixture(scope="module")
def flows():
    assert FLOWS.is_dir(), f"the shared H2O Flow notebooks are missing: {FLOWS}"
    return FLOWS


def test_runs_a_flow_notebook_and_reports_each_cell(flows, tmp_path):
    r = run(flows / "flows" / "dl_iris_wheader.flow", "--data-root", str(flows / "data"), "--workspace",
            str(tmp_path / "ws"), cwd=tmp_path)
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("cell ")]
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(lines) == 11 and all(" ok " in ln for ln in lines)
    assert lines[2].split()[1] == "3" and lines[2].split()[3].endswith("s")  # number, status, seconds
    assert "ignored, no effect here: delete_on_done" in r.stdout  # H2O-only options are listed, not dropped
    deprecated = next(ln for ln in r.stdout.splitlines() if "ignored, deprecated in H2O and without effect" in ln)
    assert "diagnostics" in deprecated and "col_major" in deprecated
    assert "ignored, not used for this model: single_node_mode" in r.stdout
    assert "11/11 cells ran" in r.stdout
    names = {p.name for p in (tmp_path / "ws").rglob("*")}
    assert "manifest.json" in names  # the workspace holds what the notebook made


def test_a_failing_cell_stops_the_run_names_the_error_and_exits_1(flows, tmp_path):
    nb = {"version": "1.0.0", "cells": [
        {"type": "md", "input": "# A test"},
        {"type": "cs", "input": 'importFiles [ "../smalldata/iris/iris_wheader.csv" ]'},
        {"type": "cs", "input": 'parseFiles\n  paths: ["../smalldata/iris/iris_wheader.csv"]\n  number_columns: 4'},
        {"type": "cs", "input": 'getFrameSummary "iris_wheader.hex"'}]}
    path = tmp_path / "bad.flow"
    path.write_text(json.dumps(nb))
    r = run(path, "--data-root", str(flows / "data"), cwd=tmp_path)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert any(ln.startswith("cell   3 error") for ln in lines)
    assert any("number_columns is 4 but" in ln and "iris_wheader.csv has 5 columns" in ln for ln in lines)
    assert not any(ln.startswith("cell   4") for ln in lines)  # Run All stops at the first failure


def test_paths_outside_the_data_roots_stay_unreachable(flows, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("a,b\n1,2\n")
    nb = {"version": "1.0.0", "cells": [{"type": "cs", "input": f'importFiles [ "{secret}" ]'}]}
    path = tmp_path / "escape.flow"
    path.write_text(json.dumps(nb))
    r = run(path, "--data-root", str(flows / "data"), cwd=tmp_path)
    assert r.returncode == 1 and "outside the allowed data folders" in r.stdout


def test_runs_our_own_notebook_format_on_the_bundled_data(tmp_path):
    r = run(ROOT / "app" / "examples" / "welcome.flow.json", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "6/6 cells ran" in r.stdout and list(tmp_path.iterdir()) == []  # no --workspace: nothing written


def test_a_job_over_the_job_timeout_is_cancelled_and_fails_its_cell(flows, tmp_path):
    nb = {"version": "1.0.0", "cells": [
        {"type": "cs", "input": 'parseFiles\n  paths: ["../smalldata/junit/iris.csv.gz"]\n  destination_frame: "i.hex"'},
        {"type": "cs", "input": "buildModel 'deeplearning', {\"model_id\":\"slow\",\"training_frame\":\"i.hex\","
                                "\"response_column\":\"class\",\"hidden\":[50,50],\"epochs\":\"100000\"}"},
        {"type": "cs", "input": 'getModel "slow"'}]}
    path = tmp_path / "slow.flow"
    path.write_text(json.dumps(nb))
    r = run(path, "--data-root", str(flows / "data"), "--job-timeout", "5", cwd=tmp_path)
    assert r.returncode == 1
    assert any(ln.startswith("cell   2 error") for ln in r.stdout.splitlines())
    assert "cancelled" in r.stdout and not any(ln.startswith("cell   3") for ln in r.stdout.splitlines())
