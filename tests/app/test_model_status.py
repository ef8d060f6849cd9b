"""#18 minor: the model view's status line is current while training and says what a finished model did; a
cancelled build keeps its model so far (as H2O does), marked CANCELLED."""
import panel as pn
import pytest

from deepbrook.app import views
from deepbrook.app.routines import run
from test_views_support import app, ctx, poll, prostate  # noqa: F401  (fixtures)

LONG = '{model_id: "dl_long", training_frame: "prostate.hex", response_column: "CAPSULE", hidden: [32, 32], ' \
       'epochs: 100000, stopping_rounds: 0, score_each_iteration: true, train_samples_per_iteration: 200, seed: 2}'



def test_a_cancelled_build_keeps_its_model_marked_cancelled(ctx, app, prostate):
    run(ctx, f'buildModel "deeplearning", {LONG}')
    job = ctx.job
    poll(lambda: job.model is not None and job.progress > 0)
    live = views.model_view(ctx, job)
    pn.panel(live).get_root()
    poll(lambda: "Iterations:" in live.status.object, step=live.tick)
    assert live.status.object.startswith("Job **RUNNING**, ") and "()" not in live.status.object
    first = live.status.object
    poll(lambda: live.status.object != first, step=live.tick)  # the line follows the job, not only its status
    run(ctx, f'cancelJob "{job.key}"')
    job.wait(30)
    poll(lambda: "dl_long" in app.workspace.names("model"))
    stored = app.workspace.get("dl_long")
    assert stored.output["stop_reason"] == "cancelled" and stored.output["iterations"] > 0
    assert live.tick() is False and live.status.object.startswith("Job **CANCELLED**: Iterations: ")
    view = run(ctx, 'getModel "dl_long"')
    assert view.state.status == "CANCELLED"
    assert view.status.object == (f"Model **CANCELLED**: Iterations: {stored.output['iterations']}. "
                                  f"Epochs: {stored.output['epochs']:.4f}. Stopped: cancelled.")
    assert run(ctx, 'predict model: "dl_long", frame: "prostate.hex"').predictions.nrows == 380  # usable


def test_a_finished_model_says_what_it_did_with_its_final_counts(ctx, app, prostate):
    """One long iteration: the last progress event said "Iterations: 0"; the final line uses the model's counts."""
    run(ctx, 'buildModel "deeplearning", {model_id: "ae100", training_frame: "prostate.hex", autoencoder: true, '
             'ignored_columns: ["ID"], hidden: [4], epochs: 20, train_samples_per_iteration: 0, seed: 1}')
    job = ctx.job
    job.result(120)
    poll(lambda: "ae100" in app.workspace.names("model"))
    job_view = run(ctx, f'getJob "{job.key}"')
    model = app.workspace.get("ae100")
    assert model.output["iterations"] >= 1
    assert job_view.state.message == (f"Iterations: {model.output['iterations']}. Epochs: 20.0000. "
                                      f"Stopped: all epochs trained.")
    view = run(ctx, 'getModel "ae100"')
    assert view.state.status == "DONE" and view.status.object == f"Model **DONE**: {job_view.state.message}"
