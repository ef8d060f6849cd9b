"""Grid search in the app (#18 item 6): the builder's GRID? fields and settings, Flow's grid buildModel call read
back, the grid job and its sorted table, getGrid (also rebuilt from the workspace), without a browser."""
import math

import numpy as np
import panel as pn
import pytest

from deepbrook.app import views
from deepbrook.app.flow_options import h2o_grid_parameters
from deepbrook.app.rebuild import rebuild_output
from deepbrook.app.routines import RoutineError, parse_call
from deepbrook.app.views.grid_view import GridView
from test_views_model import enum_prostate, poll  # noqa: F401  (fixture)
from test_views_support import app, ctx, prostate  # noqa: F401  (fixtures)

GRID = ('buildModel "deeplearning", {training_frame: "prostate.hex", response_column: "CAPSULE", '
        'ignored_columns: ["ID"], seed: 1, reproducible: true, grid_id: "g1", '
        'hyper_parameters: {hidden: [[4], [8, 8]], epochs: ["1", 2]}, search_criteria: {strategy: "Cartesian"}}')


@pytest.fixture
def builder(ctx, enum_prostate):
    ctx.execute = False
    view = views.model_builder_view(ctx, "deeplearning", {"training_frame": "prostate.hex"})
    pn.panel(view).get_root()
    view.widget("response_column").value = "CAPSULE"
    return view


@pytest.fixture
def grid_view(ctx, enum_prostate):
    ctx.run_routine(GRID)
    view = ctx.outputs[-1]
    pn.panel(view).get_root()
    view.job.result(300)
    poll(lambda: view.tick() is False and view.job_view.tick() is False)
    return view


def test_flow_grid_parameters_are_read_like_single_values():
    fixed, grid_id, hyper, criteria, notes = h2o_grid_parameters({
        "training_frame": "f", "response_column": "y", "model_id": "m", "epochs": 5, "grid_id": "g",
        "hyper_parameters": {"epochs": ["0.5", 2], "hidden": [[10, 10], "20, 20"], "activation": ["Tanh"]},
        "search_criteria": {"strategy": "randomdiscrete", "max_models": "3", "seed": 42}})
    assert grid_id == "g" and notes == []
    assert hyper == {"epochs": [0.5, 2.0], "hidden": [[10, 10], [20, 20]], "activation": ["Tanh"]}
    assert criteria == {"strategy": "RandomDiscrete", "max_models": 3, "seed": 42}
    assert "epochs" not in fixed and "model_id" not in fixed and fixed["response_column"] == "y"


@pytest.mark.parametrize("hyper, criteria, message", [
    ({"nope": [1]}, {}, "'nope' is not a Deep Learning parameter"),
    ({"epochs": 3}, {}, "must be a non-empty list"),
    ({"epochs": [1]}, {"strategy": "Bayes"}, "not Cartesian or RandomDiscrete"),
    ({"epochs": [1]}, {"max_modls": 2}, "unknown search_criteria key(s) max_modls"),
    ({"ignored_columns": [["a"]]}, {}, "cannot be gridded"),
])
def test_bad_grid_calls_name_the_problem(hyper, criteria, message):
    with pytest.raises(RoutineError, match=message.replace("(", r"\(").replace(")", r"\)")):
        h2o_grid_parameters({"hyper_parameters": hyper, "search_criteria": criteria})


def test_builder_grid_fields_write_a_grid_call_that_reads_back(builder, ctx):
    form = builder.form
    assert form.fields["hidden"].gridable and not form.fields["training_frame"].gridable
    settings = builder.grid_settings()
    assert not settings.visible
    row = builder.row("hidden")
    row.objects[-1].value = True                       # GRID? ticked: the textbox takes ;-separated values
    assert settings.visible and form.fields["hidden"].grid_values == [[200, 200]]
    row.objects[1].objects[1].value = "4; 8, 8"
    builder.row("activation").objects[-1].value = True
    builder.row("activation").objects[1].objects[1].value = ["Tanh", "Rectifier"]  # a dropdown becomes choices
    form.grid.param.update(grid_id="g7", strategy="RandomDiscrete", max_models=3, seed=5)
    builder.build()
    call = parse_call(ctx.calls[-1])
    assert call.name == "buildModel" and call.args[0] == "deeplearning"
    params = call.args[1]
    assert params["grid_id"] == "g7" and "hidden" not in params and "model_id" not in params
    assert params["hyper_parameters"] == {"activation": ["Tanh", "Rectifier"], "hidden": [[4], [8, 8]]}
    assert params["search_criteria"] == {"strategy": "RandomDiscrete", "max_models": 3, "seed": 5,
                                         "stopping_metric": "AUTO"}
    again = views.model_builder_view(ctx, "deeplearning", params).form  # the cell's call opens the same form
    assert again.build_params() == form.build_params()
    assert again.fields["hidden"].gridded and again.grid.strategy == "RandomDiscrete"


def test_bad_grid_values_block_the_build(builder, ctx):
    builder.row("epochs").objects[-1].value = True
    builder.row("epochs").objects[1].objects[1].value = "1; x"
    assert builder.build() is None and ctx.calls == []
    f = builder.form.fields["epochs"]
    assert f.level == "error" and "grid values" in f.message
    builder.row("epochs").objects[1].objects[1].value = ""
    assert builder.build() is None and "at least one value" in f.message


def test_grid_job_trains_every_combination_and_shows_them_sorted(grid_view, ctx, app):
    view = grid_view
    assert isinstance(view, GridView) and view.job.status == "DONE"
    assert "Models: 4 of 4 built." in view.job_view.state.message
    table = view.table.value
    assert sorted(table["model_id"]) == [f"g1_model_{i}" for i in range(1, 5)]
    assert {"hidden", "epochs", "logloss", "auc"} <= set(table.columns)
    assert view.state.sort_by == "logloss" and list(table["logloss"]) == sorted(table["logloss"])
    assert set(app.workspace.names("model")) >= set(table["model_id"])
    for _, row in table.iterrows():  # every metric is the model's own (validation absent: training metrics)
        m = app.workspace.get(row["model_id"])
        assert math.isclose(row["auc"], m.output["training_metrics"]["auc"])
    view.state.sort_by = "auc"                                  # AUC sorts best (largest) first
    assert list(view.table.value["auc"]) == sorted(table["auc"], reverse=True)
    view._open(type("E", (), {"column": "model_id", "row": 0})())
    assert ctx.calls[-1] == f'getModel "{view.table.value["model_id"][0]}"'
    view.table.selection = [0, 1]
    ctx.execute = False
    next(b for b in view.__panel__().select(pn.widgets.Button) if "db-grid-compare" in b.css_classes).clicks += 1
    assert ctx.calls[-1].startswith("getModels [")


def test_get_grid_reproduces_the_grid_even_after_a_restart(grid_view, ctx, app):
    ctx.run_routine('getGrid "g1", sort_by: "rmse"')
    again = ctx.outputs[-1]
    assert again.state.sort_by == "rmse" and list(again.table.value["rmse"]) == sorted(again.table.value["rmse"])
    app.grids.clear()  # a new server knows the grid only by its models <grid_id>_model_<n>
    ctx.run_routine('getGrid "g1"')
    stored = ctx.outputs[-1].table.value
    assert sorted(stored["model_id"]) == sorted(grid_view.table.value["model_id"])
    assert {"hidden", "epochs"} <= set(stored.columns) and "hidden_dropout_ratios" not in stored.columns
    assert isinstance(rebuild_output(ctx, GRID), GridView)  # a reopened notebook shows the grid again
    with pytest.raises(RoutineError, match="no grid named 'g2'"):
        ctx.run_routine('getGrid "g2"')
    with pytest.raises(RoutineError, match="sort_by 'rmsee' is not a metric .* Did you mean 'rmse'"):
        ctx.run_routine('getGrid "g1", sort_by: "rmsee"')


def test_a_bad_combination_refuses_the_whole_grid(ctx, app, enum_prostate):
    bad = GRID.replace('hidden: [[4], [8, 8]]', 'hidden: [[4], [0]]')
    with pytest.raises(RoutineError, match="grid values"):
        ctx.run_routine(bad)
    assert app.grids == {} and len(app.jobs) == 0


def test_get_models_is_a_comparison_table_and_compares_the_checked_models(grid_view, ctx, app):
    ctx.run_routine("getModels")
    listing = ctx.outputs[-1]
    table = listing.table.value.set_index("key")
    assert {"training_frame", "response_column", "logloss", "auc", "rmse", "created"} <= set(table.columns)
    assert set(table.loc[[f"g1_model_{i}" for i in range(1, 5)], "training_frame"]) == {"prostate.hex"}
    assert set(table.loc[[f"g1_model_{i}" for i in range(1, 5)], "response_column"]) == {"CAPSULE"}
    m = app.workspace.get("g1_model_2")
    assert math.isclose(table.loc["g1_model_2", "logloss"], m.output["training_metrics"]["logloss"])
    listing.table.selection = [0, 2]
    keys = listing.selected()
    next(b for b in listing.__panel__().select(pn.widgets.Button) if "db-models-compare" in b.css_classes).clicks += 1
    assert ctx.calls[-1] == f'getModels ["{keys[0]}", "{keys[1]}"]'
    compare = ctx.outputs[-1]
    pn.panel(compare).get_root()
    side = compare.table.value.set_index("")
    assert list(side.columns) == keys                           # one column per model, metrics side by side
    for k in keys:
        assert float(side.loc["logloss", k]) == pytest.approx(app.workspace.get(k).output["training_metrics"]
                                                              ["logloss"], rel=1e-5)
    assert set(compare.sources) == set(keys) and compare.state.metric == "logloss"
    for k in keys:                                              # every history overlaid on the one plot
        hist = app.workspace.get(k).scoring_history()
        np.testing.assert_allclose(compare.sources[k].data["train"], hist["training_logloss"].to_numpy(float))
    compare.state.metric = "auc"
    k = keys[0]
    np.testing.assert_allclose(compare.sources[k].data["train"],
                               app.workspace.get(k).scoring_history()["training_auc"].to_numpy(float))
    with pytest.raises(RoutineError, match="no model named 'nope'"):
        ctx.run_routine('getModels ["nope"]')


def test_cross_validated_model_shows_its_fold_summary_and_fold_models(ctx, app, enum_prostate):
    ctx.run_routine('buildModel "deeplearning", {model_id: "cv3", training_frame: "prostate.hex", '
                    'response_column: "CAPSULE", ignored_columns: ["ID"], hidden: [4], epochs: 1, nfolds: 3, '
                    'seed: 1, reproducible: true}')
    ctx.outputs[-1].state.job.result(300)
    poll(lambda: "cv3" in app.workspace.names("model"))
    model = app.workspace.get("cv3")
    assert {"cv3_cv_1", "cv3_cv_2", "cv3_cv_3"} <= set(app.workspace.names("model"))  # kept as models of their own
    view = views.model_view(ctx, model)
    pn.panel(view).get_root()
    card = next(o for o in view.metrics.objects if "db-card-cv-summary" in o.css_classes)
    table = next(o for o in card.select(pn.widgets.Tabulator) if "db-cv-summary" in o.css_classes).value
    assert list(table.columns) == ["metric", "mean", "sd", "cv_1_valid", "cv_2_valid", "cv_3_valid"]
    auc = table.set_index("metric").loc["auc"]
    folds = [auc[f"cv_{i}_valid"] for i in (1, 2, 3)]
    assert auc["mean"] == pytest.approx(np.mean(folds)) and auc["sd"] == pytest.approx(np.std(folds, ddof=1))
    for i in (1, 2, 3):  # each fold's value is that fold model's holdout AUC
        fold = app.workspace.get(f"cv3_cv_{i}")
        assert auc[f"cv_{i}_valid"] == pytest.approx(fold.output["validation_metrics"]["auc"])
    buttons = [b for b in card.select(pn.widgets.Button) if any(c.startswith("db-cv-fold-") for c in b.css_classes)]
    assert [b.label for b in buttons] == ["cv3_cv_1", "cv3_cv_2", "cv3_cv_3"]
    buttons[1].clicks += 1
    assert ctx.calls[-1] == 'getModel "cv3_cv_2"'
    assert views.model_view(ctx, app.workspace.get("cv3_cv_2")).metrics.objects  # the fold model opens


def test_grid_job_view_names_a_grid_and_opens_it(grid_view, ctx):
    assert not grid_view.job_view.view.visible  # the grid view shows the grid already
    ctx.execute = False
    job = views.job_view(ctx, grid_view.job)     # getJob of a grid job: View opens the grid
    assert "<td class='db-job-type'>Grid</td>" in job.fields.object and job.view.visible
    job.view.clicks += 1
    assert ctx.calls[-1] == 'getGrid "g1"'
    ctx.execute = True
    ctx.run_routine("getGrids")
    grids = ctx.outputs[-1].table.value
    assert list(grids["grid_id"]) == ["g1"] and list(grids["models"]) == [4] and list(grids["status"]) == ["DONE"]


def test_random_discrete_grid_trains_at_most_max_models(ctx, app, enum_prostate):
    ctx.run_routine(GRID.replace('grid_id: "g1"', 'grid_id: "r1"').replace(
        '{strategy: "Cartesian"}', '{strategy: "RandomDiscrete", max_models: 2, seed: 3}'))
    view = ctx.outputs[-1]
    grid = view.job.result(300)
    assert len(grid.models) == 2 and view.tick() is False
    combos = [{"hidden": h, "epochs": e} for h in ([4], [8, 8]) for e in (1.0, 2.0)]
    assert all(p in combos for p in grid.model_params)
    assert sorted(view.table.value["model_id"]) == ["r1_model_1", "r1_model_2"]


def test_cancelling_a_grid_keeps_the_models_built_so_far(ctx, app, enum_prostate):
    ctx.run_routine(GRID.replace('grid_id: "g1"', 'grid_id: "c1"').replace('epochs: ["1", 2]',
                                                                            'epochs: [1, 100000]'))
    view = ctx.outputs[-1]
    poll(lambda: len(view.state.grid.models) >= 1)
    next(b for b in view.__panel__().select(pn.widgets.Button) if "db-job-cancel" in b.css_classes).clicks += 1
    assert ctx.calls[-1] == f'cancelJob "{view.job.key}"'
    view.job.wait(120)
    assert view.job.status == "CANCELLED"
    poll(lambda: view.tick() is False)
    built = list(view.table.value["model_id"])
    assert "c1_model_1" in built and len(built) < 4 and set(built) <= set(app.workspace.names("model"))


def test_compare_draws_validation_lines_only_for_models_that_have_them(ctx, app, enum_prostate):
    train, valid = enum_prostate.split_frame([0.7], seed=1, destinations=["tr.hex", "va.hex"])
    for f in (train, valid):
        app.workspace.put(f.name, f)
    for key, extra in (("with_valid", ', validation_frame: "va.hex"'), ("no_valid", "")):
        ctx.run_routine(f'buildModel "deeplearning", {{model_id: "{key}", training_frame: "tr.hex", '
                        f'response_column: "CAPSULE", hidden: [4], epochs: 1, seed: 1{extra}}}')
        ctx.outputs[-1].state.job.result(120)
    poll(lambda: {"with_valid", "no_valid"} <= set(app.workspace.names("model")))
    ctx.run_routine('getModels ["with_valid", "no_valid"]')
    compare = ctx.outputs[-1]
    assert compare._valid["with_valid"].visible and not compare._valid["no_valid"].visible
    shown = {item.label.value: item.visible for item in compare.figure.legend.items}
    assert shown["with_valid validation"] and not shown["no_valid validation"] and shown["no_valid training"]
    side = compare.table.value.set_index("")
    assert side.loc["metrics from", "with_valid"] == "validation" and side.loc["metrics from", "no_valid"] == "training"
