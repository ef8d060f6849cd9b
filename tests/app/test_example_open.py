"""Opening a page runs the bundled example, but never replaces a frame already in the shared workspace."""
import panel as pn

from deepbrook.app.context import AppState
from deepbrook.app.notebook import Notebook
from deepbrook.app.server import (
    example_for_page,
    example_notebook,
    keeps_existing_frames,
)


def test_first_page_parses_then_a_second_page_keeps_the_edited_frame():
    state = AppState()
    first = example_for_page(state)
    assert [c.status for c in first.cells if c.kind == "code"] == ["ok"] * 4
    frame = state.workspace.get("prostate.hex")
    assert frame.types["CAPSULE"] == "int"
    first.append("code", 'changeColumnType "prostate.hex", "CAPSULE", "enum"')
    assert first.run_cell(first.cells[-1])
    edited = state.workspace.get("prostate.hex")
    assert edited.types["CAPSULE"] == "enum"

    second = example_for_page(state)
    parse = next(c for c in second.cells if c.input.startswith("parseFiles"))
    assert parse.status == "idle" and parse.execution_count is None
    assert isinstance(parse.output, pn.pane.Alert) and "already in the workspace" in parse.output.object
    assert state.workspace.get("prostate.hex") is edited  # same object: not re-parsed
    summary = next(c for c in second.cells if c.input.startswith("getFrameSummary"))
    build = next(c for c in second.cells if c.input.startswith("buildModel"))
    assert summary.status == build.status == "ok"  # the rest of the example still runs, on the kept frame

    # running the skipped cell on purpose parses again and replaces the frame, as the note says
    assert second.run_cell(parse)
    assert state.workspace.get("prostate.hex").types["CAPSULE"] == "int"


def test_the_rule_only_skips_parses_into_existing_frames():
    state = AppState()
    skip = keeps_existing_frames(state)
    nb = Notebook(state).load_json(example_notebook())
    assert all(skip(c) is None for c in nb.cells)  # empty workspace: the whole example runs
    nb.run_all(timeout=60)
    reasons = {c.input.split()[0]: skip(c) for c in nb.cells if c.kind == "code"}
    assert reasons["parseFiles"] and "'prostate.hex'" in reasons["parseFiles"]
    assert [k for k, r in reasons.items() if r] == ["parseFiles"]
    nb.append("code", 'parseFiles paths: ["prostate.csv.gz"], destination_frame: "other.hex"')
    nb.append("code", 'parseFiles paths: [')  # a syntax error is the cell's own business, not the rule's
    assert skip(nb.cells[-2]) is None and skip(nb.cells[-1]) is None
