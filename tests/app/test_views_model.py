"""Jobs, model, models, predict and assist views against real training on prostate (no browser).

Live behaviour is driven the way the served page drives it: the view's periodic `tick()` drains the job's
event buffer on the test thread (the "event loop"); tests poll state with a deadline, never fixed sleeps.
"""
import io
import zipfile

import numpy as np
import panel as pn
import pytest

from deepbrook.app import views
from deepbrook.app.views.confirm import ConfirmButton
from deepbrook.app.views.model_view import ModelView
from test_views_support import app, ctx, poll, prostate  # noqa: F401  (fixtures)

QUICK = '{model_id: "dl1", training_frame: "prostate.hex", response_column: "CAPSULE", ignored_columns: ["ID"], ' \
        'hidden: [8, 8], epochs: 5, seed: 1, reproducible: true}'
# A job that scores after every short iteration and would run for minutes unless cancelled.
LONG = '{model_id: "dl_long", training_frame: "prostate.hex", response_column: "CAPSULE", hidden: [32, 32], ' \
       'epochs: 100000, stopping_rounds: 0, score_each_iteration: true, train_samples_per_iteration: 200, seed: 2, reproducible: true}'



@pytest.fixture
def enum_prostate(app, prostate):
    frame = prostate.as_type("CAPSULE", "enum")
    app.workspace.put("prostate.hex", frame)
    return frame


@pytest.fixture
def model(ctx, app, enum_prostate):
    ctx.run_routine(f'buildModel "deeplearning", {QUICK}')
    job = ctx.outputs[-1].state.job
    job.result(120)
    poll(lambda: "dl1" in app.workspace.names("model"))
    return app.workspace.get("dl1")


@pytest.fixture
def long_job(ctx, app, enum_prostate):
    ctx.run_routine(f'buildModel "deeplearning", {LONG}')
    job = ctx.outputs[-1].state.job
    yield job
    job.cancel()
    job.wait(30)


def test_job_view_follows_progress_and_cancels(ctx, long_job):
    view = views.job_view(ctx, long_job)
    pn.panel(view).get_root()
    poll(lambda: view.state.progress > 0 and view.state.message.startswith("Iterations"), step=view.tick)
    assert view.bar.value > 0 and view.cancel.visible and view.view.visible  # View opens the partial model
    assert "Run Time" in view.fields.object and "RUNNING" in view.fields.object
    view.cancel.clicks += 1
    assert ctx.calls[-1] == f'cancelJob "{long_job.key}"'
    long_job.wait(30)
    assert view.tick() is False  # the drain stops once the job ended
    assert view.state.status == "CANCELLED" and not view.cancel.visible and view.bar.bar_color == "danger"


def test_model_view_streams_scoring_rows_while_the_job_runs(ctx, long_job):
    poll(lambda: long_job.model is not None)
    view = views.model_view(ctx, long_job)
    assert isinstance(view, ModelView) and view.state.live
    pn.panel(view).get_root()
    figure, source = view.scoring.figure, view.scoring.source
    start = view.scoring.n_points
    poll(lambda: view.scoring.n_points >= start + 3, step=view.tick)
    assert view.scoring.figure is figure and view.scoring.source is source  # streamed, not redrawn
    assert view.state.metric == "logloss"
    np.testing.assert_array_equal(source.data["train"], view.state.history["training_logloss"].to_numpy(float))
    assert len(view.history_table.value) == view.scoring.n_points
    assert len(view.varimp.source.data["variable"]) > 0
    long_job.cancel()
    long_job.wait(30)
    assert view.tick() is False
    assert view.state.status == "CANCELLED" and len(view.layers.objects) == 1


def test_get_model_of_a_running_job_is_live(ctx, long_job):
    poll(lambda: long_job.model is not None)
    view = views.model_view(ctx, long_job.model)  # what getModel passes once the model is in the workspace
    assert view.state.job is long_job and view.state.live


def test_model_view_of_a_finished_model(ctx, model):
    view = views.model_view(ctx, model)
    pn.panel(view).get_root()
    s = view.state
    assert not s.live and view.poller is None
    hist = model.scoring_history()
    assert view.scoring.n_points == len(hist)
    s.metric = "auc"
    np.testing.assert_array_equal(view.scoring.source.data["train"], hist["training_auc"].to_numpy(float))
    modified = set(view.params_table.value["parameter"])
    assert {"hidden", "epochs", "response_column", "ignored_columns"} <= modified
    assert "rho" not in modified
    s.show_all_params = True
    assert len(view.params_table.value) > 80
    layers = view.layers.objects[0].value
    assert list(layers["type"]) == ["Input", "Rectifier", "Rectifier", "Softmax"]
    cards = [c for c in view.metrics.objects if "training" in c.css_classes[0]]
    assert len(cards) == 1
    body = cards[0].objects[0]
    css = {c for o in body.select(pn.viewable.Viewable) for c in (o.css_classes or [])}
    assert {"db-roc-training", "db-gains-lift-training", "db-metrics-training-confusion-matrix"} <= css
    criterion = next(o for o in body.select(pn.widgets.Select) if "db-roc-criterion-training" in o.css_classes)
    criterion.value = "max f1"                       # Flow's Criterion dropdown marks that threshold's point
    best = model.output["training_metrics"].tables["max_criteria"].set_index("metric").loc["max f1"]
    note = next(o for o in body.select(pn.pane.Markdown) if "db-roc-threshold-training" in o.css_classes)
    assert f"{best['threshold']:.6g}" in note.object
    data = view._download().getvalue()
    assert any(n.endswith("model.json") for n in zipfile.ZipFile(io.BytesIO(data)).namelist())


def test_model_actions_write_routines(ctx, model):
    ctx.execute, ctx.calls = False, []
    for b in views.model_view(ctx, model).actions().objects:
        if isinstance(b, pn.widgets.Button):
            b.clicks += 1
        elif isinstance(b, ConfirmButton):  # Delete asks first: only Yes writes the call
            b.button.clicks += 1
            assert b.box.visible and "Delete model &#x27;dl1&#x27;?" in b.text.object
            assert ctx.calls == ['predict model: "dl1"']
            b.no.clicks += 1
            assert not b.box.visible and len(ctx.calls) == 1
            b.button.clicks += 1
            b.yes.clicks += 1
    assert ctx.calls == ['predict model: "dl1"', 'deleteModel "dl1"']


def test_predict_view_shows_predictions_and_metrics(ctx, app, model):
    form = views.predict_view(ctx, model_key="dl1")
    pn.panel(form).get_root()
    assert form.state.model == "dl1" and form.state.frame == "prostate.hex"
    form.predict()
    assert ctx.calls[-1] == 'predict model: "dl1", frame: "prostate.hex"'
    result = ctx.outputs[-1]
    pn.panel(result).get_root()
    assert result.predictions.nrows == 380 and result.metrics is not None
    assert result.metrics.auc == pytest.approx(model.model_performance(app.workspace.get("prostate.hex")).auc)
    no_response = app.workspace.get("prostate.hex")[["AGE", "RACE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]]
    app.workspace.put("unlabelled", no_response)
    ctx.run_routine('predict model: "dl1", frame: "unlabelled"')
    assert ctx.outputs[-1].predictions.nrows == 380 and ctx.outputs[-1].metrics is None


def test_lists_and_assist_write_routines(ctx, app, model):
    ctx.execute, ctx.calls = False, []
    models = views.models_view(ctx)
    assert list(models.table.value["key"]) == ["dl1"]
    models.table.selection = [0]
    assert models.selected() == ["dl1"]
    pn.panel(models).get_root()
    delete = next(o for o in models.__panel__().objects[2].objects if isinstance(o, ConfirmButton))
    delete.button.clicks += 1  # asks first, as Flow: nothing is deleted until Yes
    assert ctx.calls == [] and delete.box.visible and "Delete 1 model(s): dl1?" in delete.text.object
    delete.no.clicks += 1
    assert ctx.calls == [] and not delete.box.visible
    delete.button.clicks += 1
    delete.yes.clicks += 1
    assert ctx.calls == ['deleteModel "dl1"']
    ctx.calls = []
    jobs = views.jobs_view(ctx)
    assert "dl1" in set(jobs.table.value["destination"]) and jobs.tick() is False  # nothing running: stop polling
    for row in views.assist_view(ctx).objects[1:]:
        row.objects[0].clicks += 1
    assert ctx.calls == ["importFiles", "getFrames", "splitFrame", "getModels", "getGrids", "getJobs",
                         'buildModel "deeplearning"', "predict"]


def test_validation_line_and_card_only_with_a_validation_frame(ctx, app, model, enum_prostate):
    without = views.model_view(ctx, model)
    assert not any(r.visible for r in without.scoring._valid_renderers)
    assert [c.css_classes[0] for c in without.metrics.objects] == ["db-card-training-metrics"]
    ctx.run_routine('buildModel "deeplearning", {model_id: "dl_valid", training_frame: "prostate.hex", '
                    'validation_frame: "prostate.hex", response_column: "CAPSULE", hidden: [8], epochs: 3}')
    ctx.outputs[-1].state.job.result(120)
    poll(lambda: "dl_valid" in app.workspace.names("model"))
    view = views.model_view(ctx, app.workspace.get("dl_valid"))
    assert all(r.visible for r in view.scoring._valid_renderers)
    hist = app.workspace.get("dl_valid").scoring_history()
    np.testing.assert_array_equal(view.scoring.source.data["valid"], hist["validation_logloss"].to_numpy(float))
    assert [c.css_classes[0] for c in view.metrics.objects] == ["db-card-training-metrics",
                                                                "db-card-validation-metrics"]


def test_model_view_names_the_backend_and_workers():
    from types import SimpleNamespace
    from deepbrook.app.views.model_view import backend_text

    local = SimpleNamespace(output={"backend": {"backend": "local"}})
    dask = SimpleNamespace(output={"backend": {"backend": "dask", "scheduler": "tcp://127.0.0.1:8786",
                                               "workers": ["tcp://127.0.0.1:1", "tcp://127.0.0.1:2"]}})
    assert backend_text(local).startswith("local")
    assert backend_text(None).startswith("local")
    assert backend_text(dask) == "dask at tcp://127.0.0.1:8786: 2 workers (tcp://127.0.0.1:1, tcp://127.0.0.1:2)"
