"""Flow's routine calls exactly as H2O Flow writes them, on H2O's own test files (../shared/h2o-flows/data):
parse options, assist forms, buildModel JSON, predict and getPredictions; what cannot be honoured is an error
naming the option, what has no effect is a note."""
import json
from pathlib import Path

import pytest

from deepbrook.app.context import AppState, CellContext
from deepbrook.app.routines import RoutineError, RoutineSyntaxError, run
from deepbrook.engine import ParseError, Workspace

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "h2o-flows" / "data"
IRIS = "../smalldata/iris/iris_wheader.csv"


@pytest.fixture
def ctx(tmp_path):
    assert DATA.is_dir(), f"the shared H2O test data is missing: {DATA}"
    (tmp_path / "mine").mkdir()
    return CellContext(AppState(workspace=Workspace(None), data_roots=[DATA, tmp_path / "mine"]))


def parse(ctx, path, **options):
    lines = [f"  {k}: {json.dumps(v)}" for k, v in {"paths": [path], **options}.items()]
    run(ctx, "parseFiles\n" + "\n".join(lines))


def test_check_header_separator_code_and_h2o_column_types(ctx):
    parse(ctx, IRIS, destination_frame="a.hex", parse_type="CSV", separator=44, check_header=1, number_columns=5,
          column_types=["Numeric", "Numeric", "Numeric", "Enum", "String"], delete_on_done=True, chunk_size=4194304)
    f = ctx.workspace.get("a.hex")
    assert f.nrows == 150 and f.types == {"sepal_len": "real", "sepal_wid": "real", "petal_len": "real",
                                          "petal_wid": "enum", "class": "string"}
    assert any("delete_on_done" in n and "chunk_size" in n for n in ctx.notes)  # listed, not dropped
    parse(ctx, IRIS, destination_frame="b.hex", check_header=-1)  # -1: the header line is data
    assert ctx.workspace.get("b.hex").nrows == 151 and ctx.workspace.get("b.hex").names[0] == "C1"
    parse(ctx, IRIS, destination_frame="c.hex", check_header=0, column_types=["Unknown"] * 4 + ["Enum"])
    assert ctx.workspace.get("c.hex").names[0] == "sepal_len"  # 0 guesses the header


def test_number_columns_must_match_the_file(ctx):
    with pytest.raises(ParseError, match=r"number_columns is 6 but .*iris_wheader.csv has 5 columns"):
        parse(ctx, IRIS, number_columns=6)


@pytest.mark.parametrize("options, message", [
    ({"parse_type": "ORC"}, "parse_type 'ORC' is not supported"),
    ({"check_header": 2}, "check_header must be 1"),
    ({"column_types": ["Numeric", "Numeric", "Numeric", "Numeric", "Banana"]}, "unknown type 'Banana' for column"),
    ({"column_types": ["Numeric"]}, "column_types has 1 types but .* has 5 columns"),
    ({"escapechar": 92}, "escapechar"),
])
def test_options_that_cannot_be_honoured_are_named(ctx, options, message):
    with pytest.raises((RoutineError, ParseError), match=message):
        parse(ctx, IRIS, **options)


def test_single_quotes_and_other_parse_types(ctx, tmp_path):
    parse(ctx, "../smalldata/junit/arff/iris.arff", parse_type="ARFF", separator=44, destination_frame="arff.hex")
    parse(ctx, "../smalldata/junit/benign.xls", parse_type="XLS", separator=-1, check_header=1,
          destination_frame="xls.hex")
    assert ctx.workspace.get("arff.hex").nrows == 150 and ctx.workspace.get("xls.hex").ncols == 14
    (tmp_path / "mine" / "q.csv").write_text("name,n\n'Smith, J',1\n'Doe',2\n")
    parse(ctx, "q.csv", single_quotes=True, check_header=1, destination_frame="q.hex")
    q = ctx.workspace.get("q.hex")
    assert q.ncols == 2 and [q.domain("name")[c] for c in q.codes("name")] == ["Smith, J", "Doe"]


def test_assist_forms_as_flow_calls_them(ctx):
    parse(ctx, IRIS, destination_frame="iris.hex")
    assert run(ctx, 'assist splitFrame, "iris.hex"').state.frame == "iris.hex"
    assert run(ctx, 'assist splitFrame, "iris.hex", 123456').state.seed == 123456
    assert run(ctx, "assist buildModel, null, training_frame: \"iris.hex\"") is not None
    assert run(ctx, "assist importFiles") is not None and run(ctx, "assist") is not None
    with pytest.raises(RoutineSyntaxError, match="put text in quotes"):
        run(ctx, "assist splitFrame, iris")  # only a routine may be named without quotes


def test_build_predict_and_list_predictions(ctx):
    parse(ctx, IRIS, destination_frame="iris.hex")
    run(ctx, 'splitFrame "iris.hex", [0.25], ["iris_test","iris_train"], 123456')
    params = {"model_id": "dl", "training_frame": "iris_train", "validation_frame": "iris_test",
              "response_column": "class", "hidden": [8], "epochs": "0.5", "checkpoint": "", "max_w2": "Infinity",
              "seed": -1944908901591224000, "l1": "1e-5", "single_node_mode": False, "col_major": False,
              "not_a_parameter": 3}
    run(ctx, f"buildModel 'deeplearning', {json.dumps(params)}")
    ctx.job.result(timeout=600)
    assert any("not_a_parameter" in n for n in ctx.notes)
    assert any("single_node_mode" in n for n in ctx.notes) and any("col_major" in n for n in ctx.notes)
    m = ctx.workspace.get("dl")
    assert (m.params.epochs, m.params.l1, m.params.max_w2) == (0.5, 1e-5, float("inf"))
    assert m.params.input["seed"] == -1944908901591224000 and m.params.checkpoint is None
    run(ctx, 'predict model: "dl", frame: "iris_test", predictions_frame: "p"')
    assert ctx.workspace.get("p").names[0] == "predict"
    listing = run(ctx, "getPredictions")
    assert listing.rows == [("p", "dl", "iris_test")]
    assert run(ctx, 'getPrediction model: "dl", frame: "iris_test"').predictions.name == "p"
    with pytest.raises(RoutineError, match="no prediction of model 'dl' on frame 'iris_train'; run predict"):
        run(ctx, 'getPrediction model: "dl", frame: "iris_train"')


@pytest.mark.parametrize("path, name, ncols", [("../smalldata/junit/benign.xls", "benign.hex", 14),
                                               ("../smalldata/junit/arff/iris_weirdsep.arff", "iris_weirdsep.hex", 5)])
def test_setup_parse_form_of_other_formats_writes_a_call_that_parses(ctx, path, name, ncols):
    view = run(ctx, f'setupParse paths: ["{path}"]')
    assert view.state.destination_frame == name  # H2O's key: the file name without its extension
    view.__panel__()
    run(ctx, view.state.call())  # what the form's Parse button runs
    assert ctx.workspace.get(name).ncols == ncols
