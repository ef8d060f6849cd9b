"""H2O Flow's .flow files: opened as they are, written back so H2O Flow opens them (round trip, real notebooks)."""
import json
from pathlib import Path

import pytest

from deepbrook.app.context import AppState
from deepbrook.app.notebook import Notebook
from deepbrook.engine import Workspace

FLOWS = Path(__file__).resolve().parents[2].parent / "shared" / "h2o-flows"


@pytest.fixture
def nb():
    return Notebook(AppState(workspace=Workspace(None), data_roots=[FLOWS / "data"]))


def test_every_shared_flow_round_trips_unchanged(nb):
    files = sorted((FLOWS / "flows").glob("*.flow"))
    assert len(files) == 14
    for f in files:
        original = json.loads(f.read_text())
        nb.load_json(f.read_text(), run_text_cells=False)
        assert nb.to_flow_json() == {"version": "1.0.0", "cells": original["cells"]}, f.name


def test_our_cells_become_flow_cells_and_come_back(nb):
    nb.append("heading", "## Iris")
    nb.append("markdown", "Some *notes*")
    nb.append("code", 'importFiles [ "../smalldata/junit/iris.csv.gz" ]')
    flow = json.loads(nb.dumps_flow())
    assert flow == {"version": "1.0.0", "cells": [
        {"type": "h2", "input": "Iris"}, {"type": "md", "input": "Some *notes*"},
        {"type": "cs", "input": 'importFiles [ "../smalldata/junit/iris.csv.gz" ]'}]}
    back = Notebook(nb.app).load_json(flow)
    assert [(c.kind, c.input) for c in back.cells] == [(c.kind, c.input) for c in nb.cells]
    ours = Notebook(nb.app).load_json(nb.dumps())  # our own format still round-trips as well
    assert [(c.kind, c.input) for c in ours.cells] == [(c.kind, c.input) for c in nb.cells]


def test_run_all_on_a_flow_notebook_waits_for_jobs_and_stops_at_a_failed_job(nb):
    nb.load_json(json.dumps({"version": "1.0.0", "cells": [
        {"type": "cs", "input": 'parseFiles\n  paths: ["../smalldata/junit/iris.csv.gz"]\n  destination_frame: "i.hex"'
                                '\n  parse_type: "CSV"\n  separator: 44\n  check_header: 1'},
        {"type": "cs", "input": "buildModel 'deeplearning', {\"model_id\":\"m1\",\"training_frame\":\"i.hex\","
                                "\"response_column\":\"class\",\"hidden\":[5],\"epochs\":\"2\",\"checkpoint\":\"\","
                                "\"max_w2\":\"Infinity\",\"seed\":-1944908901591224000,\"reproducible\":true}"},
        {"type": "cs", "input": 'getModel "m1"'},
        {"type": "cs", "input": 'predict model: "m1", frame: "i.hex", predictions_frame: "p1"'},
        {"type": "cs", "input": "getPredictions"}]}))
    seen = []
    assert nb.run_all(on_cell=lambda i, c: seen.append((i, c.status)))
    assert seen == [(i, "ok") for i in range(1, 6)]
    model = nb.app.workspace.get("m1")
    assert model.params.epochs == 2.0 and model.params.max_w2 == float("inf")
    assert nb.app.workspace.get("p1").nrows == 150 and nb.app.predictions == {"p1": ("m1", "i.hex")}
    # a job that fails fails its cell, and Run All stops there
    nb.load_json(json.dumps({"version": "1.0.0", "cells": [
        {"type": "cs", "input": "buildModel 'deeplearning', {\"model_id\":\"m2\",\"training_frame\":\"i.hex\","
                                "\"response_column\":\"class\",\"checkpoint\":\"m1\",\"hidden\":[5],\"epochs\":1}"},
        {"type": "cs", "input": 'getModel "m2"'}]}))
    seen.clear()
    assert not nb.run_all(on_cell=lambda i, c: seen.append((i, c.status)))
    assert seen == [(1, "error")]
    assert nb.cells[0].error.startswith("job ") and "failed: ParameterError" in nb.cells[0].error
    assert "epochs (1) must be larger" in nb.cells[0].error
