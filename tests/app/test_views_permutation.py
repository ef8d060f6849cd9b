"""The model view's permutation importance panel (issue 19 item 4), against a real model trained on prostate."""
import panel as pn
import pytest

from deepbrook.app import views
from deepbrook.engine import DeepLearning
from test_views_support import app, ctx, prostate  # noqa: F401  (fixtures)


@pytest.fixture
def model(app, prostate):
    frame = prostate.as_type("CAPSULE", "enum")
    app.workspace.put("prostate.hex", frame)
    app.workspace.put("no_psa.hex", frame.drop("PSA"))
    m = DeepLearning(model_id="dl_perm", hidden=[8], epochs=5, seed=1, reproducible=True,
                     ignored_columns=["ID"]).train(y="CAPSULE", training_frame=frame)
    app.workspace.put("dl_perm", m)
    return app.workspace.get("dl_perm")


def test_panel_computes_per_column_importance_with_a_bar_plot(ctx, model):
    view = views.model_view(ctx, model)
    pn.panel(view).get_root()
    panel = view.permutation
    s = panel.state
    assert s.frame == "prostate.hex"                          # the model's training frame by default
    s.n_repeats = 2
    table = panel.compute()
    assert s.error == "" and set(table.variable) == set(model.data_info.sources)   # original columns, not slots
    assert table.attrs["metric"] == "AUC"
    data = panel.plot.source.data
    assert list(data["variable"]) == list(table.variable)
    assert list(panel.plot.figure.y_range.factors) == list(table.variable)[::-1]  # most important on top
    assert list(data["upper"] - data["lower"]) == pytest.approx(list(2 * table["std"]))
    root = pn.panel(panel).get_root()
    assert root is not None


def test_panel_shows_the_engine_error_for_a_frame_without_the_columns(ctx, model):
    view = views.model_view(ctx, model)
    panel = view.permutation
    panel.state.frame = "no_psa.hex"
    assert panel.compute() is None
    assert "lacks column 'PSA'" in panel.state.error
