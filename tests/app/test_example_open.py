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


def test_opening_many_pages_parses_and_summarises_once_and_trains_nothing(monkeypatch):
    """The landing page's cost is counted as work done, not time: five pages (five browser tabs) read the example
    once, parse its data once, summarise the frame once and train nothing; every page still shows the results."""
    import deepbrook.engine as engine
    from deepbrook.app import server
    from deepbrook.engine.frames import frame as frame_module

    calls = {"example": 0, "parse_setup": 0, "parse": 0, "summary": 0, "train": 0}

    def counting(name, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)
        return wrapper

    server._parsed_example.cache_clear()  # a fresh server process
    monkeypatch.setattr(server, "json", type("J", (), {"loads": staticmethod(counting("example", server.json.loads))}))
    monkeypatch.setattr(engine, "parse_setup", counting("parse_setup", engine.parse_setup))
    monkeypatch.setattr(engine, "parse", counting("parse", engine.parse))
    monkeypatch.setattr(frame_module, "frame_summary", counting("summary", frame_module.frame_summary))
    monkeypatch.setattr(engine.DeepLearning, "train", counting("train", engine.DeepLearning.train))
    notebooks = []
    monkeypatch.setattr(server, "example_for_page",
                        lambda *a, _open=server.example_for_page, **k: notebooks.append(_open(*a, **k)) or notebooks[-1])
    state = AppState()
    pages = [server.create_app(state) for _ in range(5)]
    assert calls == {"example": 1, "parse_setup": 1, "parse": 1, "summary": 1, "train": 0}
    assert len(pages) == len(notebooks) == 5
    for nb in notebooks:  # each page shows the example's results, computed by the first
        summary = next(c for c in nb.cells if c.input.startswith("getFrameSummary"))
        assert summary.status == "ok" and summary.output is not None
    server._parsed_example.cache_clear()
