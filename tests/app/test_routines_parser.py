"""The routine language: values, arguments, errors with positions, and round trips through format_call."""
import pytest

from deepbrook.app.routine_parser import Call, RoutineSyntaxError, format_call, parse_call


@pytest.mark.parametrize("text, expected", [
    ("assist", Call("assist", [], {})),
    ('importFiles ["prostate.csv.gz"]', Call("importFiles", [["prostate.csv.gz"]], {})),
    ("getFrameSummary 'a b.hex'", Call("getFrameSummary", ["a b.hex"], {})),
    ('buildModel "deeplearning", {training_frame: "p.hex", "hidden": [10, 20], epochs: 1.5e1, x: null, t: true}',
     Call("buildModel", ["deeplearning", {"training_frame": "p.hex", "hidden": [10, 20], "epochs": 15.0,
                                          "x": None, "t": True}], {})),
    ('predict model: "m", frame: "f"', Call("predict", [], {"model": "m", "frame": "f"})),
    ('splitFrame "f", [0.75], seed: -42', Call("splitFrame", ["f", [0.75]], {"seed": -42})),
    ('getFrame("x", n: 3)', Call("getFrame", ["x"], {"n": 3})),
    # Flow's multi-line style: one `key: value` per line, lists spanning lines, comments
    ('parseFiles\n  paths: ["a",\n    "b",]\n  destination_frame: "x.hex"  # the frame\n',
     Call("parseFiles", [], {"paths": ["a", "b"], "destination_frame": "x.hex"})),
    (r'f "tab\there \"q\" \u00e9"', Call("f", ['tab\there "q" é'], {})),
    ("f {}, []", Call("f", [{}, []], {})),
])
def test_parses_calls(text, expected):
    assert parse_call(text) == expected


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("   # only a comment", "empty"),
    ("getFrameSummary prostate", "put text in quotes"),
    ('getFrame "x', "not closed"),
    ("getFrame [1, 2", "missing ']'"),
    ("a 1 2", "expected ','"),
    ("a k: 1, 2", "positional value cannot follow"),
    ("a; b", "unexpected character ';'"),
    ("1", "must start with a routine name"),
    ("a k: 1, k: 2", "given twice"),
    ('a "\\q"', "unknown escape"),
    ("a\nb", "'b'"),
    ("a {x 1}", "expected ':'"),
])
def test_rejects_bad_text_with_a_position(text, message):
    with pytest.raises(RoutineSyntaxError, match=message) as err:
        parse_call(text)
    if text.strip() and not text.strip().startswith("#"):
        assert err.value.line is not None


def test_python_syntax_is_not_evaluated():
    # Python expressions are not values: nothing is called, attribute access or arithmetic is a syntax error.
    for text in ['f __import__("os").system("x")', "f 1+1", "f [x for x in y]", "f {1: 2}", "f x.y()"]:
        with pytest.raises(RoutineSyntaxError):
            parse_call(text)
    # words that mean something in Python are only keys or names here
    assert parse_call("f lambda: 1") == Call("f", [], {"lambda": 1})


@pytest.mark.parametrize("args, kwargs", [
    (["prostate.hex"], {}),
    (["deeplearning", {"training_frame": "t", "hidden": [200, 200], "l1": 1e-05, "x y": "a'b\"c\n"}], {}),
    ([], {"model": "m", "frame": "f", "destination": None}),
    (["f", [0.25, 0.5]], {"seed": 7, "destinations": ["a", "b", "c"]}),
])
def test_format_call_round_trips(args, kwargs):
    text = format_call("r", *args, **kwargs)
    assert parse_call(text) == Call("r", args, kwargs)


def test_format_call_rejects_nan():
    with pytest.raises(ValueError, match="NaN"):
        format_call("r", float("nan"))
