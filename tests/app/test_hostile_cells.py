"""Hostile cell text (issue 15 item 11): nesting, size and numbers past their range get a clear error at once."""
import time

import pytest

from deepbrook.app.context import AppState, CellContext
from deepbrook.app.routine_parser import MAX_CELL_CHARS, RoutineSyntaxError, parse_call
from deepbrook.app.routines import RoutineError, run
from deepbrook.engine import Workspace


@pytest.fixture
def ctx(tmp_path, prostate_path):
    (tmp_path / "dup.csv").write_text("a,a,b\n1,2,3\n4,5,6\n")
    app = AppState(workspace=Workspace(None), data_roots=[tmp_path, prostate_path.parent])
    return CellContext(app)


@pytest.mark.parametrize("text", ["getFrames " + "[" * 5000 + "]" * 5000,
                                  "getFrames " + "{a: " * 3000 + "1" + "}" * 3000])
def test_deep_nesting_is_a_syntax_error_not_a_recursion_error(text):
    with pytest.raises(RoutineSyntaxError, match="nested more than 50 levels deep"):
        parse_call(text)


def test_a_huge_cell_is_refused_at_once():
    start = time.perf_counter()
    with pytest.raises(RoutineSyntaxError, match="holds 50,000,014 characters; a routine call may have at most"):
        parse_call('importFiles "' + "x" * 50_000_000 + '"')
    assert time.perf_counter() - start < 1


def test_a_long_string_within_the_limit_parses_fast():
    start = time.perf_counter()
    call = parse_call('importFiles "' + "x" * (MAX_CELL_CHARS - 20) + '"')
    assert len(call.args[0]) == MAX_CELL_CHARS - 20
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("value, message", [
    ("1e999", "epochs must be finite, got inf"),      # OverflowError before
    ("-1e999", "epochs must be finite, got -inf"),
])
def test_infinite_numbers_in_a_build_cell_are_parameter_errors(ctx, value, message):
    run(ctx, 'parseFiles "prostate.csv.gz"')
    with pytest.raises(RoutineError, match=message):
        run(ctx, 'buildModel "deeplearning", {training_frame: "prostate.hex", response_column: "CAPSULE", '
                 f'epochs: {value}}}')
    assert ctx.jobs.list() == []


def test_a_batch_past_a_java_int_is_a_parameter_error(ctx):
    run(ctx, 'parseFiles "prostate.csv.gz"')
    with pytest.raises(RoutineError, match="mini_batch_size = 1000000000000 does not fit a Java int"):
        run(ctx, 'buildModel "deeplearning", {training_frame: "prostate.hex", response_column: "CAPSULE", '
                 'mini_batch_size: 1000000000000}')


def test_parse_warnings_reach_the_cell_output(ctx):
    """Duplicate header names used to be renamed without a word in the notebook."""
    for cell in ('setupParse "dup.csv"', 'parseFiles "dup.csv"'):
        out = run(ctx, cell)
        alerts = [o for o in out.__panel__().objects if "warnings" in " ".join(getattr(o, "css_classes", []))]
        assert len(alerts) == 1 and alerts[0].visible
        assert "duplicate column names &#x27;a&#x27; were renamed" in alerts[0].object
