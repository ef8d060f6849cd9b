"""The Build Model form, generated from the engine's parameter declarations (no browser)."""
import panel as pn
import pytest

from deepbrook.app import views
from deepbrook.app.views.builder_form import BUILD_ERROR, GROUP_ORDER
from deepbrook.engine import DeepLearningParameters, parameter_info
from test_views_support import app, ctx, prostate  # noqa: F401  (fixtures)

DECLARED = [n for n in DeepLearningParameters.param if n != "name"]


@pytest.fixture
def builder(ctx, prostate):
    ctx.execute = False
    view = views.model_builder_view(ctx, "deeplearning", {"training_frame": "prostate.hex"})
    pn.panel(view).get_root()  # builds every widget as a served page would
    return view


def test_form_has_every_declared_parameter_in_its_group(builder):
    form = builder.form
    assert list(form.fields) == DECLARED
    for n in DECLARED:
        assert form.fields[n].group == parameter_info(n).group, n
    for g in GROUP_ORDER:
        builder.show_group(g)
    shown = {g: [r.css_classes[0].removeprefix("db-row-") for r in builder.group(g).objects[1:]]
             for g in GROUP_ORDER}
    assert sum(map(len, shown.values())) == len(DECLARED)
    assert shown["critical"] == [n for n in DECLARED if parameter_info(n).group == "critical"]


def test_widgets_follow_the_declared_types(builder, prostate):
    w = {n: builder.widget(n) for n in DECLARED}
    assert isinstance(w["training_frame"], pn.widgets.Select) and w["training_frame"].value == "prostate.hex"
    assert list(w["response_column"].options.values())[1:] == prostate.names  # columns of the training frame
    assert isinstance(w["epochs"], pn.widgets.FloatInput) and w["epochs"].value == 10
    assert isinstance(w["hidden"], pn.widgets.TextInput) and w["hidden"].value == "200, 200"
    assert isinstance(w["adaptive_rate"], pn.widgets.Checkbox)
    assert isinstance(w["activation"], pn.widgets.Select)
    assert w["activation"].options == list(DeepLearningParameters.param["activation"].objects)
    assert isinstance(w["ignored_columns"], views.builder_view.ColumnsPickerView)
    assert builder.row("epochs").objects[2].object.find(parameter_info("epochs").doc[:20]) > 0  # help text


def test_missing_response_shows_the_error_and_builds_nothing(builder, ctx):
    assert builder.build() is None
    assert ctx.calls == []
    assert builder.form.summary == BUILD_ERROR and builder.summary.visible
    f = builder.form.fields["response_column"]
    assert (f.level, f.message) == ("error", "Response column parameter not set.")
    message = builder.row("response_column").objects[1].objects[1]
    assert message.visible and message.alert_type == "danger"
    builder.widget("response_column").value = "CAPSULE"  # fixing it clears the verdict and the summary
    assert f.level != "error" and builder.form.summary == "" and not builder.summary.visible


def test_fields_that_do_not_apply_are_hidden(builder):
    rows = {n: builder.row(n) for n in DECLARED}
    assert not rows["rate"].visible           # adaptive_rate on: the learning rate does not apply
    builder.widget("adaptive_rate").value = False
    assert rows["rate"].visible and not rows["rho"].visible


def test_bad_value_is_an_inline_error(builder, ctx):
    builder.widget("response_column").value = "CAPSULE"
    builder.widget("epochs").value = -1
    assert builder.build() is None and ctx.calls == []
    assert builder.form.fields["epochs"].level == "error"


def test_build_writes_only_non_default_parameters_with_a_column_ignored_by_search(builder, ctx):
    form = builder.form
    builder.widget("response_column").value = "CAPSULE"
    picker_view = builder.widget("ignored_columns")
    picker_view.search.value_input = "id"          # typing in the search box
    assert list(form.picker.filtered["name"]) == ["ID"]
    picker_view.table.selection = [0]              # ticking the one match
    builder.widget("epochs").value = 2
    builder.widget("hidden").value = "16, 8"
    builder.widget("activation").value = "Tanh"
    builder.build()
    model_id = form.value("model_id")
    assert ctx.calls == [f'buildModel "deeplearning", {{model_id: "{model_id}", training_frame: "prostate.hex", '
                         f'response_column: "CAPSULE", ignored_columns: ["ID"], activation: "Tanh", '
                         f'hidden: [16, 8], epochs: 2}}']
    assert "CAPSULE" not in set(form.picker.filtered["name"])  # the response is not offered for ignoring


def test_training_frame_drives_the_column_choices(builder, app, prostate):
    app.workspace.put("small", prostate[["AGE", "PSA"]])
    builder.form.refresh_workspace()
    builder.widget("response_column").value = "CAPSULE"
    builder.widget("training_frame").value = "small"
    assert list(builder.widget("response_column").options.values())[1:] == ["AGE", "PSA"]
    assert builder.form.value("response_column") is None  # CAPSULE is not in the new frame
    assert list(builder.form.picker.columns["name"]) == ["AGE", "PSA"]


def test_advanced_and_expert_groups_toggle(builder):
    panel = builder.__panel__()
    groups = {c.css_classes[0]: c for c in panel.objects if c.css_classes and c.css_classes[0].startswith("db-group")}
    assert groups["db-group-critical"].visible and not groups["db-group-secondary"].visible
    builder.form.show_advanced = True
    builder.form.show_expert = True
    assert groups["db-group-secondary"].visible and groups["db-group-expert"].visible
    assert len(groups["db-group-expert"].objects) == 1 + sum(parameter_info(n).group == "expert" for n in DECLARED)
