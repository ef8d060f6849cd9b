"""Routines against a real in-memory workspace: what they change, what they render, how they fail."""
import pytest

from deepbrook.app.context import AppState, CellContext, PathNotAllowed
from deepbrook.app.routines import ROUTINES, RoutineError, help_table, run
from deepbrook.engine import Workspace


@pytest.fixture
def app(tmp_path, prostate_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "tiny.csv").write_text("a,b,c\n1,x,2.5\n2,y,3.5\n3,x,\n4,z,1.0\n")
    return AppState(workspace=Workspace(None), data_roots=[tmp_path / "data", prostate_path.parent])


@pytest.fixture
def ctx(app):
    return CellContext(app)


def test_whitelist_holds_the_flow_routines():
    expected = {"importFiles", "setupParse", "parseFiles", "getFrames", "getFrameSummary", "splitFrame",
                "deleteFrame", "changeColumnType", "buildModel", "getModels", "getModel", "deleteModel", "predict",
                "getJobs", "getJob", "cancelJob", "assist"}
    assert expected <= set(ROUTINES)
    assert all(doc for _g, _u, doc in help_table())


def test_unknown_routine_suggests_close_names(ctx):
    with pytest.raises(RoutineError, match="Did you mean getFrames"):
        run(ctx, "getFrams")
    with pytest.raises(RoutineError, match="Did you mean getFrameSummary"):
        run(ctx, 'getframesummary "x"')
    with pytest.raises(RoutineError, match="unknown routine 'exec'"):
        run(ctx, 'exec "import os"')


def test_bad_arguments_show_usage(ctx):
    with pytest.raises(RoutineError, match=r"Usage: getFrameSummary frame"):
        run(ctx, "getFrameSummary")
    with pytest.raises(RoutineError, match="unexpected keyword argument 'colour'"):
        run(ctx, 'getFrameSummary "x", colour: 1')


def test_parse_then_summary_and_type_change(ctx, app):
    out = run(ctx, 'parseFiles paths: ["tiny.csv"], destination_frame: "tiny.hex"')
    assert out is not None
    frame = app.workspace.get("tiny.hex")
    assert (frame.nrows, frame.names) == (4, ["a", "b", "c"])
    assert frame.types["b"] == "enum"
    run(ctx, 'changeColumnType "tiny.hex", "a", "enum"')
    assert app.workspace.get("tiny.hex").types["a"] == "enum"
    assert app.workspace.get("tiny.hex").domain("a") == ["1", "2", "3", "4"]
    with pytest.raises(RoutineError, match="no column 'B'.*Did you mean 'b'"):
        run(ctx, 'changeColumnType "tiny.hex", "B", "enum"')
    with pytest.raises(RoutineError, match="no frame named 'tiny'.*'tiny.hex'"):
        run(ctx, 'getFrameSummary "tiny"')


def test_parse_options_reach_the_engine(ctx, app):
    run(ctx, 'parseFiles paths: "tiny.csv", column_types: {c: "string"}')
    assert app.workspace.get("tiny.hex").types["c"] == "string"


def test_import_resolves_inside_data_roots_only(ctx, tmp_path):
    run(ctx, 'importFiles ["tiny.csv", "prostate.csv.gz"]')
    with pytest.raises(RoutineError, match="outside the allowed data folders"):
        run(ctx, 'importFiles ["/etc/passwd"]')
    # Flow's "../smalldata/x" paths are also looked up below each root; what leads out stays refused
    with pytest.raises(RoutineError, match="outside the allowed data folders"):
        run(ctx, 'importFiles ["../../../../etc/passwd"]')
    with pytest.raises(RoutineError, match="outside the allowed data folders"):
        run(ctx, 'importFiles ["sub/../../../../etc/passwd"]')
    with pytest.raises(RoutineError, match="no file 'nope.csv'"):
        run(ctx, 'importFiles "nope.csv"')


def test_path_helpers_stay_in_roots(app, tmp_path):
    assert app.resolve_path("tiny.csv") == (tmp_path / "data" / "tiny.csv").resolve()
    assert "tiny.csv" in app.complete_path("ti")
    assert "prostate.csv.gz" in app.complete_path("pro")
    assert app.complete_path("/etc/") == []
    assert app.complete_path("../") == []
    with pytest.raises(PathNotAllowed):
        app.resolve_path("/etc/hostname")


def test_split_and_delete_frame(ctx, app):
    run(ctx, 'parseFiles "prostate.csv.gz"')
    run(ctx, 'splitFrame "prostate.hex", [0.75], destinations: ["train", "test"], seed: 1')
    train, test = app.workspace.get("train"), app.workspace.get("test")
    assert train.nrows + test.nrows == 380 and 0.6 < train.nrows / 380 < 0.9
    with pytest.raises(RoutineError, match="ratios must be numbers in"):
        run(ctx, 'splitFrame "prostate.hex", [1.5]')
    with pytest.raises(RoutineError, match="1 ratios make 2 frames, but 3 destinations"):
        run(ctx, 'splitFrame "prostate.hex", [0.5], destinations: ["a", "b", "c"]')
    run(ctx, 'deleteFrame "test"')
    assert "test" not in app.workspace.names("frame")


def test_build_model_without_response_shows_the_form(ctx, app):
    run(ctx, 'parseFiles "prostate.csv.gz"')
    out = run(ctx, 'buildModel "deeplearning", {training_frame: "prostate.hex"}')
    assert out is not None and ctx.job is None
    with pytest.raises(RoutineError, match="unknown algorithm 'gbm'"):
        run(ctx, 'buildModel "gbm"')


def test_assist_lists_and_opens_forms(ctx):
    assert run(ctx, "assist") is not None
    assert run(ctx, 'assist "importFiles"') is not None
    with pytest.raises(RoutineError, match="unknown routine 'importFile'.*importFiles"):
        run(ctx, 'assist "importFile"')
