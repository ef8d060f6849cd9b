"""buildModel / getModel / predict / jobs routines with real (tiny) training on the bundled prostate data."""
import pytest

from deepbrook.app.context import AppState, CellContext
from deepbrook.app.notebook import Notebook
from deepbrook.app.routines import RoutineError, run
from deepbrook.engine import Workspace

engine = pytest.importorskip("deepbrook.engine")
if not hasattr(engine, "DeepLearning"):  # the estimator is exported by the training core
    pytest.fail("deepbrook.engine.DeepLearning is not exported", pytrace=False)

TINY = 'hidden: [4], epochs: 1, seed: 1, reproducible: true'


@pytest.fixture
def ctx(prostate_path):
    app = AppState(workspace=Workspace(None), data_roots=[prostate_path.parent])
    ctx = CellContext(app)
    run(ctx, 'parseFiles "prostate.csv.gz"')
    return ctx


def test_build_trains_in_the_background_and_stores_the_model(ctx):
    run(ctx, 'buildModel "deeplearning", {training_frame: "prostate.hex", response_column: "CAPSULE", '
             f'model_id: "dl1", {TINY}}}')
    job = ctx.job
    assert job in ctx.jobs.list()
    job.result(timeout=120)
    assert job.status == "DONE"
    # the job's "done" event stores the model just after result() returns; getModel never misses it
    assert run(ctx, 'getModel "dl1"') is not None
    assert "dl1" in ctx.workspace.names("model")
    assert job.wait(10) and ctx.workspace.get("dl1").key == "dl1"
    run(ctx, 'predict model: "dl1", frame: "prostate.hex"')
    preds = ctx.workspace.get("predictions_dl1_on_prostate.hex")
    assert preds.nrows == 380
    run(ctx, 'deleteModel "dl1"')
    assert "dl1" not in ctx.workspace.names("model")


def test_validation_errors_build_nothing(ctx):
    with pytest.raises(RoutineError, match="response_column"):
        run(ctx, 'buildModel "deeplearning", {training_frame: "prostate.hex", response_column: "NOPE"}')
    with pytest.raises(RoutineError, match="no frame named 'prostate'"):
        run(ctx, 'buildModel "deeplearning", {training_frame: "prostate", response_column: "CAPSULE"}')
    assert ctx.jobs.list() == [] and ctx.workspace.names("model") == []


def test_cancel_job(ctx):
    run(ctx, 'buildModel "deeplearning", {training_frame: "prostate.hex", response_column: "CAPSULE", '
             'hidden: [64, 64], epochs: 100000, model_id: "long"}')
    key = ctx.job.key
    run(ctx, f'cancelJob "{key}"')
    ctx.job.wait(60)
    assert ctx.job.status == "CANCELLED"
    assert run(ctx, f'getJob "{key}"') is not None and run(ctx, "getJobs") is not None
    with pytest.raises(RoutineError, match="no job 'job_nope'"):
        run(ctx, 'getJob "job_nope"')


def test_run_all_waits_for_training_and_reproduces_the_model(prostate_path):
    nb = Notebook(AppState(workspace=Workspace(None), data_roots=[prostate_path.parent]))
    for text in ['parseFiles "prostate.csv.gz"',
                 f'buildModel "deeplearning", {{training_frame: "prostate.hex", response_column: "CAPSULE", '
                 f'model_id: "m", {TINY}}}',
                 'getModel "m"']:
        nb.append("code", text)
    assert nb.run_all(timeout=120), [c.error for c in nb.cells]
    assert "m" in nb.app.workspace.names("model")
