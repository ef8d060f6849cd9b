"""#18 item 3: the predict form and routine offer an autoencoder's reconstruction error and a hidden layer's deep
features (Flow's predict options), write Flow's routine text, and that text reads back to the same call."""
import numpy as np
import panel as pn
import pytest

from deepbrook.app import views
from deepbrook.app.rebuild import rebuild_output
from deepbrook.app.routine_parser import format_call, parse_call
from deepbrook.app.routines import RoutineError
from deepbrook.engine import DeepbrookError, DeepLearning
from test_views_support import app, ctx, prostate  # noqa: F401  (fixtures)

NUMERIC = ["AGE", "PSA", "VOL", "GLEASON"]


@pytest.fixture(scope="module")
def trained(prostate_path):
    """An autoencoder with hidden [6, 3, 6] and a small classifier with hidden [5], trained once."""
    from deepbrook.engine import parse, parse_setup

    frame = parse(parse_setup(str(prostate_path)), destination="prostate.hex")
    ae = DeepLearning(model_id="ae", autoencoder=True, hidden=[6, 3, 6], epochs=2, seed=1,
                      reproducible=True).train(x=NUMERIC, training_frame=frame)
    dl = DeepLearning(model_id="dl", hidden=[5], epochs=1, seed=1,
                      reproducible=True).train(x=NUMERIC, y="CAPSULE", training_frame=frame)
    return ae, dl


@pytest.fixture
def models(app, prostate, trained):
    for m in trained:
        app.workspace.put(m.key, m)
    return trained


@pytest.mark.parametrize("text", [
    'predict model: "m", frame: "f", reconstruction_error: true',
    'predict model: "m", frame: "f", predictions_frame: "p", deep_features_hidden_layer: 0',
    'predict model: "m", frame: "f", reconstruction_error: true, reconstruction_error_per_feature: true',
])
def test_flow_predict_options_round_trip(text):
    call = parse_call(text)
    assert format_call(call.name, *call.args, **call.kwargs) == text
    assert parse_call(format_call(call.name, *call.args, **call.kwargs)) == call


def test_form_offers_reconstruction_error_only_for_autoencoders(ctx, models):
    form = views.predict_view(ctx, model_key="dl", frame_name="prostate.hex")
    pn.panel(form).get_root()
    s = form.state
    assert list(s.param.output.objects) == ["predictions", "deep_features"]
    assert list(s.param.hidden_layer.names) == ["0 (5 units)"]
    s.model = "ae"
    assert list(s.param.output.objects) == ["predictions", "reconstruction_error",
                                                     "reconstruction_error_per_feature", "deep_features"]
    assert list(s.param.hidden_layer.names) == ["0 (6 units)", "1 (3 units)", "2 (6 units)"]


def test_form_writes_flows_routines_and_they_compute_the_outputs(ctx, app, models):
    ae = models[0]
    frame = app.workspace.get("prostate.hex")
    form = views.predict_view(ctx, model_key="ae", frame_name="prostate.hex")
    pn.panel(form).get_root()
    form.state.output = "reconstruction_error"
    form.predict()
    assert ctx.calls[-1] == 'predict model: "ae", frame: "prostate.hex", reconstruction_error: true'
    err = app.workspace.get("reconstruction_error_ae_on_prostate.hex")
    assert err.names == ["Reconstruction.MSE"] and err.nrows == 380
    np.testing.assert_allclose(err.numeric("Reconstruction.MSE"), ae.anomaly(frame).numeric("Reconstruction.MSE"))
    result = ctx.outputs[-1]
    assert result.state.output == "reconstruction_error" and result.metrics is None
    assert [p.css_classes for p in result.__panel__().select(pn.pane.Bokeh)] == [["db-reconstruction-plot"]]

    form.state.output = "deep_features"
    form.state.hidden_layer = 1
    form.predict()
    assert ctx.calls[-1] == 'predict model: "ae", frame: "prostate.hex", deep_features_hidden_layer: 1'
    feats = app.workspace.get("deep_features_L2_ae_on_prostate.hex")
    assert feats.names == ["DF.L2.C1", "DF.L2.C2", "DF.L2.C3"]  # the layer's 3 units
    assert ctx.outputs[-1].state.output == "deep_features" and ctx.outputs[-1].state.hidden_layer == 1

    form.state.output = "reconstruction_error_per_feature"
    form.predict()
    per_feature = app.workspace.get("reconstruction_error_per_feature_ae_on_prostate.hex")
    assert per_feature.names == [f"reconstr_{c}.SE" for c in NUMERIC]
    np.testing.assert_allclose(np.mean([per_feature.numeric(c) for c in per_feature.names], axis=0),
                               err.numeric("Reconstruction.MSE"))
    # each output has its own default frame: the reconstruction error survives the later predictions
    assert "reconstruction_error_ae_on_prostate.hex" in app.workspace.names("frame")


def test_deep_features_layer_zero_of_a_classifier(ctx, app, models):
    ctx.run_routine('predict model: "dl", frame: "prostate.hex", deep_features_hidden_layer: 0')
    assert app.workspace.get("deep_features_L1_dl_on_prostate.hex").names == [f"DF.L1.C{j}" for j in range(1, 6)]


@pytest.mark.parametrize("options, error, message", [
    ("reconstruction_error: true, deep_features_hidden_layer: 0", RoutineError, "either the reconstruction error"),
    ('deep_features_hidden_layer: "abc"', RoutineError, "index of a hidden layer"),
    ("deep_features_hidden_layer: 3", DeepbrookError, "between 0 and 2"),
    ("leaf_node_assignment: true", RoutineError, "unknown predict option"),
])
def test_bad_predict_options_are_clear_errors(ctx, models, options, error, message):
    with pytest.raises(error, match=message):
        ctx.run_routine(f'predict model: "ae", frame: "prostate.hex", {options}')


def test_reconstruction_error_on_a_supervised_model_is_refused(ctx, models):
    with pytest.raises(DeepbrookError, match="only for autoencoder"):
        ctx.run_routine('predict model: "dl", frame: "prostate.hex", reconstruction_error: true')


def test_form_opened_with_options_and_reopened_notebook_show_the_chosen_output(ctx, app, models):
    opened = ctx.run_routine('predict model: "ae", reconstruction_error: true') and ctx.outputs[-1]
    assert opened.predictions is None and opened.state.output == "reconstruction_error"
    code = 'predict model: "ae", frame: "prostate.hex", deep_features_hidden_layer: 2'
    ctx.run_routine(code)
    rebuilt = rebuild_output(ctx, code)
    assert rebuilt.predictions.names == [f"DF.L3.C{j}" for j in range(1, 7)]
    assert rebuilt.state.output == "deep_features" and rebuilt.state.hidden_layer == 2


def test_form_starts_on_a_frame_the_model_can_score(ctx, app, models, prostate):
    """#18 minor: not the first frame, but the validation frame, else a held-out one, else the training frame."""
    app.workspace.delete("prostate.hex")
    app.workspace.put("aaa_other", prostate[["ID", "RACE"]])  # listed first, lacks the model's columns
    app.workspace.put("prostate.hex", prostate)
    app.workspace.put("pr_test", prostate.split_frame([0.75], seed=1)[1])
    frames = app.workspace.names("frame")
    assert frames.index("aaa_other") < frames.index("prostate.hex") < frames.index("pr_test")
    form = views.predict_view(ctx, model_key="ae")  # trained on prostate.hex, no validation frame
    assert form.state.frame == "pr_test"
    app.workspace.delete("pr_test")
    assert views.predict_view(ctx, model_key="ae").state.frame == "prostate.hex"  # its training frame
    app.workspace.put("zz_valid_frame", prostate.split_frame([0.5], seed=2)[1])
    with_valid = DeepLearning(model_id="ae_v", autoencoder=True, hidden=[2], epochs=0.1, seed=1).train(
        x=NUMERIC, training_frame=prostate, validation_frame=app.workspace.get("zz_valid_frame"))
    app.workspace.put("ae_v", with_valid)
    assert views.predict_view(ctx, model_key="ae_v").state.frame == "zz_valid_frame"
    app.workspace.delete("prostate.hex")
    app.workspace.delete("zz_valid_frame")
    assert views.predict_view(ctx, model_key="ae").state.frame == "aaa_other"  # nothing fits: the first frame
    assert views.predict_view(ctx, model_key="ae", frame_name="aaa_other").state.frame == "aaa_other"  # as asked
