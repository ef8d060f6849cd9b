"""Import, parse setup, frame summary, frames list and split views at model level (no browser)."""
import gzip
import time

import numpy as np
import pandas as pd
import panel as pn
import pytest

from deepbrook.app import views
from deepbrook.app.views.confirm import ConfirmButton
from deepbrook.app.views.columns_picker import ColumnsPicker, ColumnsPickerView
from deepbrook.app.views.frame_info import picker_table
from deepbrook.engine import Frame
from test_views_support import app, ctx, prostate  # noqa: F401  (fixtures)


def _render(view):
    """Build the Bokeh models as a served page would (catches layout/widget errors)."""
    return pn.panel(view).get_root()


def test_import_completes_within_data_roots_and_writes_importFiles(ctx, app):
    view = views.import_files_view(ctx, [])
    _render(view)
    s = view.state
    s.path = "pro"
    assert s.suggestions == ["prostate.csv.gz"]
    s.path = "/etc/pa"
    assert s.suggestions == []  # never outside the data roots
    assert not s.add("/etc/passwd") and "outside" in s.error
    assert s.add("prostate.csv.gz") and s.error == ""
    view.import_files()
    assert ctx.calls == ['importFiles ["prostate.csv.gz"]']
    result = ctx.outputs[-1]
    assert result.imported and result.imported[0].endswith("prostate.csv.gz")
    result.parse_files()
    assert ctx.calls[-1] == 'setupParse paths: ["prostate.csv.gz"]'
    assert isinstance(ctx.outputs[-1], views.parse_setup_view.__globals__["ParseSetupView"])


def test_upload_respects_the_size_limit(ctx, app):
    app.upload_limit_mb = 0.001
    s = views.import_files_view(ctx, []).state
    assert s.save_upload("big.csv", b"x" * 5000) == "" and "limit" in s.error
    app.upload_limit_mb = 1
    rel = s.save_upload("small.csv", b"a,b\n1,2\n")
    assert rel in s.selected and app.resolve_path(rel).read_bytes() == b"a,b\n1,2\n"


def test_parse_setup_edits_become_a_replayable_parseFiles(ctx, app):
    ctx.run_routine('setupParse paths: ["prostate.csv.gz"]')
    view = ctx.outputs[-1]
    _render(view)
    s = view.state
    assert s.destination_frame == "prostate.hex" and s.separator == "," and s.header
    assert list(s.columns["name"][:3]) == ["ID", "CAPSULE", "AGE"]
    assert list(s.columns.columns[:4]) == ["#", "name", "type", "skip"]
    assert view.table.pagination == "local" and view.table.page_size == 15 and "name" in view.table.header_filters
    view.type_column.value = "CAPSULE"
    view.type_choice.value = "enum"
    view.set_type()                                  # the Column / Type / Set type row
    assert view.table.value is s.columns  # the table shows the edited state
    assert s.columns.set_index("name").loc["CAPSULE", "type"] == "enum"
    s.set_cell(2, "type", "real")                    # an inline edit of the table (row AGE)
    assert s.columns.set_index("name").loc["AGE", "type"] == "real"
    s.set_cell(2, "type", "int")
    assert "CAPSULE: \"enum\"" in view.preview.object
    view.parse()
    assert ctx.calls[-1] == ('parseFiles paths: ["prostate.csv.gz"], destination_frame: "prostate.hex", '
                             'separator: ",", header: true, column_types: {CAPSULE: "enum"}')
    frame = app.workspace.get("prostate.hex")
    assert frame.types["CAPSULE"] == "enum" and frame.nrows == 380


def test_parse_setup_default_frame_name_is_the_engines(ctx, app):
    """#18: the form proposes the name parseFiles gives without destination_frame (one rule, the engine's)."""
    (app.data_roots[0] / "my data (v2).tsv.gz").write_bytes(gzip.compress(b"a\tb\n1\t2\n"))
    ctx.run_routine('setupParse paths: ["my data (v2).tsv.gz"]')
    proposed = ctx.outputs[-1].state.destination_frame
    ctx.run_routine('parseFiles paths: ["my data (v2).tsv.gz"]')
    assert proposed == "my_data__v2_.hex" and app.workspace.names("frame") == [proposed]


def test_parse_setup_separator_change_refreshes_the_preview_and_keeps_type_edits(ctx, app):
    ctx.run_routine('setupParse paths: ["tiny.csv"]')
    s = ctx.outputs[-1].state
    assert s.separator == ";" and list(s.columns["name"]) == ["a", "b", "c"]
    s.set_type("a", "enum")
    s.separator = ","               # the engine rejects it (one column): the form says why, keeps the table
    assert "separator" in s.error and list(s.columns["name"]) == ["a", "b", "c"]
    s.separator = ";"
    assert s.error == "" and s.columns["type"].iloc[0] == "enum"  # a fresh preview keeps the type edit
    s.header = False                # the header line becomes data
    assert s.columns["v1"].tolist() == ["a", "b", "c"] and "a" not in set(s.columns["name"])
    with pytest.raises(ValueError, match="column 'a'"):
        s.set_type("a", "complex")


def test_frame_summary_grid_search_histogram_domain_and_actions(ctx, app, prostate):
    view = views.frame_summary_view(ctx, prostate)
    _render(view)
    s = view.state
    assert len(s.grid) == 9 and list(s.grid.columns) == ["label", "type", "missing", "zeros", "+inf", "-inf",
                                                          "min", "max", "mean", "sigma", "cardinality", "levels"]
    age = s.grid.set_index("label").loc["AGE"]
    assert age["min"] == prostate.numeric("AGE").min() and age["missing"] == 0 and age["levels"] == ""
    assert view.table.pagination == "remote" and view.table.page_size == 20
    view.search.value_input = "ps"  # typed, before any Enter: the grid filters already (#18)
    assert list(s.grid["label"]) == ["CAPSULE", "DCAPS", "PSA"] and view.table.value is s.grid
    s.column = "AGE"
    hist = view.detail.objects[0].object.renderers[0].data_source.data
    assert sum(hist["top"]) == 380 and len(hist["top"]) <= 32
    view.change_type()  # AGE is int: converts to enum
    assert ctx.calls[-1] == 'changeColumnType frame: "prostate.hex", column: "AGE", type: "enum"'
    assert app.workspace.get("prostate.hex").types["AGE"] == "enum"
    enum_view = ctx.outputs[-1]
    enum_view.state.column = "AGE"
    domain = enum_view.detail.objects[1].value
    assert domain["count"].sum() == 380 and domain["count"].is_monotonic_decreasing


def test_enum_columns_show_level_counts_not_code_statistics(ctx, prostate):
    """#18 minor: min/max/mean/sigma/zeros of level codes mean nothing; the grid shows the levels' counts."""
    race = views.frame_summary_view(ctx, prostate.as_type("RACE", "enum")).state.grid.set_index("label").loc["RACE"]
    assert race[["zeros", "min", "max", "mean", "sigma"]].isna().all()
    assert race["cardinality"] == 3 and race["levels"] == "1: 341, 2: 36, 0: 3"
    many = Frame.from_arrays({"g": np.array(list("aabbbcd"), dtype=object)}, types={"g": "enum"})
    assert views.frame_summary_view(ctx, many).state.grid.loc[0, "levels"] == "b: 3, a: 2, c: 1, ... (1 more)"


def test_frame_actions_write_routines(ctx, prostate):
    view = views.frame_summary_view(ctx, prostate)
    ctx.execute = False
    *buttons, delete = view.actions().objects
    for b in buttons:
        b.clicks += 1
    delete.button.clicks += 1  # Delete asks first (#18): the question names the frame, only Yes writes the call
    assert delete.box.visible and "Delete frame &#x27;prostate.hex&#x27;?" in delete.text.object
    assert ctx.calls == ['getFrameData "prostate.hex"', 'splitFrame "prostate.hex"',
                         'buildModel "deeplearning", {training_frame: "prostate.hex"}',
                         'predict frame: "prostate.hex"', 'exportFrame "prostate.hex"']
    delete.yes.clicks += 1
    assert ctx.calls[-1] == 'deleteFrame "prostate.hex"' and not delete.box.visible


def test_frames_delete_selected_asks_with_the_names(ctx, app, prostate):
    app.workspace.put("other.hex", prostate)
    view = views.frames_view(ctx)
    delete = next(o for o in pn.panel(view).select(ConfirmButton))
    delete.button.clicks += 1
    assert not delete.box.visible  # nothing selected: nothing to ask
    view.table.selection = [0, 1]
    delete.button.clicks += 1
    assert "Delete 2 frame(s): prostate.hex, other.hex?" in delete.text.object
    delete.no.clicks += 1
    assert app.workspace.names("frame") == ["prostate.hex", "other.hex"]
    delete.button.clicks += 1
    delete.yes.clicks += 1
    assert app.workspace.names("frame") == []


def test_split_form_validates_and_splits(ctx, app, prostate):
    view = views.split_frame_view(ctx, prostate)
    _render(view)
    s = view.state
    s.ratios = "0.8, 0.3"
    assert view.create() is None and "sum to less than 1" in s.error and not ctx.calls
    s.ratios, s.destinations, s.seed = "0.75", "train, test", 7
    view.create()
    assert ctx.calls == ['splitFrame "prostate.hex", [0.75], ["train", "test"], 7']
    train, test = app.workspace.get("train"), app.workspace.get("test")
    assert train.nrows + test.nrows == 380 and 0.6 < train.nrows / 380 < 0.9
    frames = ctx.outputs[-1]
    assert set(frames.table.value["name"]) == {"prostate.hex", "train", "test"}
    frames.table.selection = [list(frames.table.value["name"]).index("test")]
    assert frames.selected() == ["test"]


def _wide_frame(ncols=5000, nrows=20):
    rng = np.random.default_rng(0)
    cols = {}
    for j in range(ncols):
        x = rng.normal(size=nrows)
        x[: j % 10] = np.nan  # column j has (j % 10) * 5 % missing
        cols[f"c{j:04d}"] = x
    return Frame.from_arrays(cols, name="wide")


def test_columns_picker_on_5000_columns_is_fast_and_flow_like():
    frame = _wide_frame()
    picker = ColumnsPicker(columns=picker_table(frame))
    view = ColumnsPickerView(picker)
    _render(view)
    t0 = time.perf_counter()
    picker.search = "c00"          # c0000..c0099
    assert len(picker.filtered) == 100
    picker.min_missing = 30        # more than 30 % missing: j % 10 in {7, 8, 9}
    assert len(picker.filtered) == 30
    picker.select_all()            # every filtered column, not only the visible page
    assert len(picker.value) == 30 and view.table.selection == list(range(30))
    picker.min_missing = None
    assert picker.caption == "Showing 100 of 5,000 columns, 30 ignored"
    picker.select_none()
    assert picker.value == []
    picker.search = ""
    picker.select_all()
    assert len(picker.value) == 5000
    elapsed = time.perf_counter() - t0
    assert elapsed < 1.0, f"picker operations on 5,000 columns took {elapsed:.2f} s"
    assert view.table.pagination == "remote" and view.table.page_size == 10


def test_columns_picker_tags_and_table_selection_round_trip(prostate):
    table = picker_table(prostate.as_type("RACE", "enum"))
    row = table.set_index("name").loc["RACE"]
    assert row["type"] == "ENUM(3)" and table.set_index("name").loc["PSA", "type"] == "REAL"
    picker = ColumnsPicker(columns=table)
    view = ColumnsPickerView(picker)
    picker.search = "a"            # CAPSULE, AGE, RACE, DCAPS, PSA, GLEASON
    view.table.selection = [0, 2]  # the user ticks two rows of the filtered table
    assert picker.value == ["CAPSULE", "RACE"]
    picker.search = "ID"
    view.table.selection = [0]
    assert picker.value == ["ID", "CAPSULE", "RACE"]  # choices outside the filter are kept
    picker.excluded = ["RACE"]                        # e.g. chosen as the response
    assert "RACE" not in picker.value


def test_na_tag_shows_missing_percent():
    frame = Frame.from_pandas(pd.DataFrame({"x": [1.0, None, None, 4.0], "y": [1, 2, 3, 4]}), name="na")
    table = picker_table(frame).set_index("name")
    assert table.loc["x", "missing"] == "50% NA" and table.loc["y", "missing"] == ""
