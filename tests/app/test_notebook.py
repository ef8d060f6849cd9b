"""The notebook model without a browser: structure edits, running, Run All, JSON format, save/open."""
import json

import pytest

from deepbrook.app.context import AppState
from deepbrook.app.notebook import FORMAT_VERSION, Notebook, cells_from_json
from deepbrook.engine import Workspace


@pytest.fixture
def nb(prostate_path):
    return Notebook(AppState(workspace=Workspace(None), data_roots=[prostate_path.parent]))


def inputs(nb):
    return [c.input for c in nb.cells]


def test_insert_move_delete_and_selection(nb):
    a = nb.append("code", "a")
    nb.select(a)
    b = nb.insert_below(input="b")
    assert nb.selected == b.id and inputs(nb) == ["a", "b"]
    c = nb.insert_above(a, input="c")
    assert inputs(nb) == ["c", "a", "b"] and nb.selected == c.id
    nb.move_down(c)
    assert inputs(nb) == ["a", "c", "b"]
    nb.move_up(a)  # already first: stays
    assert inputs(nb) == ["a", "c", "b"]
    nb.select(b)
    nb.select_next(-1)
    assert nb.selected == c.id
    nb.delete(c)
    assert inputs(nb) == ["a", "b"] and nb.selected == b.id  # the next cell takes the selection
    nb.delete()
    nb.delete()
    assert nb.cells == [] and nb.selected == ""
    with pytest.raises(ValueError, match="cell kind must be one of"):
        nb.append("python", "1")


def test_cut_copy_paste_and_undo_delete_as_flow(nb):
    a, b = nb.append("code", "a"), nb.append("markdown", "*b*")
    nb.copy(b)
    pasted = nb.paste(cell=a, id="0123456789")  # below a, named as the page asked
    assert nb.cells == [a, pasted, b] and pasted.id == "0123456789" and nb.selected == pasted.id
    assert pasted.kind == "markdown" and pasted.status == "ok"  # rendered, like a markdown cell of an opened notebook
    nb.cut(a)
    assert inputs(nb) == ["*b*", "*b*"] and nb.clipboard == ("code", "a")
    above = nb.paste(above=True, cell=b, id=pasted.id)  # an id already taken: the cell gets a fresh one
    assert inputs(nb) == ["*b*", "a", "*b*"] and above.id != pasted.id and nb.selected == above.id
    nb.delete(b)
    nb.delete(pasted)
    assert inputs(nb) == ["a"]
    back = nb.undo_delete()  # the last deleted first, where it was
    assert nb.cells == [back, above] and back.input == "*b*" and nb.selected == back.id
    nb.undo_delete()
    assert inputs(nb) == ["*b*", "a", "*b*"]
    nb.undo_delete()  # the cut cell, at its place
    assert inputs(nb) == ["a", "*b*", "a", "*b*"]
    assert nb.undo_delete() is None


def test_paste_with_nothing_copied_says_so(nb):
    nb.append("code", "a")
    with pytest.raises(ValueError, match="nothing to paste"):
        nb.paste()


def test_run_cell_renders_and_counts(nb):
    md = nb.append("markdown", "Some *text*")
    h = nb.append("heading", "Title")
    code = nb.append("code", 'parseFiles "prostate.csv.gz"')
    assert all(nb.run_cell(c) for c in (md, h, code))
    assert h.output.object.startswith("# Title")
    assert code.status == "ok" and code.execution_count == 1 and code.output is not None and code.elapsed >= 0
    assert "prostate.hex" in nb.app.workspace.names("frame")
    nb.run_cell(code)
    assert code.execution_count == 2


def test_error_stays_in_its_cell(nb):
    good = nb.append("code", "getFrames")
    bad = nb.append("code", 'getFrameSumary "x"')
    assert nb.run_cell(good)
    assert not nb.run_cell(bad)
    assert bad.status == "error" and "Did you mean getFrameSummary" in bad.error and bad.output is None
    assert good.status == "ok" and good.output is not None
    nb.set_kind("markdown", bad)
    assert bad.status == "idle" and bad.error == ""


def test_run_all_stops_at_the_first_failure(nb):
    nb.append("code", 'parseFiles "prostate.csv.gz"')
    nb.append("code", "nonsense")
    last = nb.append("code", "getFrames")
    progress = []
    nb.param.watch(lambda e: progress.append(e.new), "progress")
    assert nb.run_all() is False
    assert progress[:2] == ["Running cell 1 of 3", "Running cell 2 of 3"] and progress[-1] == ""
    assert "Failed running your notebook at cell 2 of 3" in nb.message
    assert last.status == "idle" and not nb.running
    nb.cells[1].input = 'getFrameSummary "prostate.hex"'
    assert nb.run_all() is True and last.status == "ok" and nb.message.startswith("Finished")


def test_json_round_trip_keeps_kinds_and_inputs_only(nb):
    nb.append("heading", "# Title")
    nb.append("markdown", "intro")
    c = nb.append("code", 'getFrameSummary "x"')
    nb.run_cell(c)
    data = nb.to_json()
    assert data["version"] == FORMAT_VERSION
    assert data["cells"] == [{"kind": "heading", "input": "# Title"}, {"kind": "markdown", "input": "intro"},
                             {"kind": "code", "input": 'getFrameSummary "x"'}]
    other = Notebook.from_json(json.dumps(data), nb.app)
    assert [(x.kind, x.input) for x in other.cells] == [(x.kind, x.input) for x in nb.cells]
    # text cells are rendered on load, code cells wait for Run
    assert [x.status for x in other.cells] == ["ok", "ok", "idle"]


def test_reads_flow_files_and_rejects_bad_ones():
    flow = {"version": "1.0.0", "cells": [{"type": "cs", "input": "getFrames"}, {"type": "md", "input": "hi"},
                                          {"type": "h2", "input": "Part"}]}
    assert cells_from_json(flow) == [("code", "getFrames"), ("markdown", "hi"), ("heading", "## Part")]
    with pytest.raises(ValueError, match="invalid JSON at line 1"):
        cells_from_json("{nope")
    with pytest.raises(ValueError, match="'cells' list"):
        cells_from_json({"cells": 3})
    with pytest.raises(ValueError, match="cell 1 has unknown kind 'python'"):
        cells_from_json({"cells": [{"kind": "python", "input": "x"}]})
    with pytest.raises(ValueError, match="newer than this Deepbrook reads"):
        cells_from_json({"version": FORMAT_VERSION + 1, "cells": []})


def test_save_and_open_by_name(nb, tmp_path):
    app = AppState(workspace_dir=tmp_path / "ws", data_roots=nb.app.data_roots)
    nb = Notebook(app)
    nb.append("code", 'parseFiles "prostate.csv.gz"')
    nb.append("markdown", "done")
    nb.save("my flow")
    assert nb.saved_notebooks() == ["my flow"]
    # a new server process on the same folder (another tab sees the same workspace)
    fresh = Notebook(AppState(workspace_dir=tmp_path / "ws", data_roots=nb.app.data_roots))
    fresh.open("my flow")
    assert fresh.title == "my flow" and inputs(fresh) == ['parseFiles "prostate.csv.gz"', "done"]
    assert fresh.run_all() and "prostate.hex" in fresh.app.workspace.names("frame")
    with pytest.raises(ValueError, match="give the notebook a name"):
        fresh.save("  ")


def test_run_routine_inserts_and_runs_below(nb):
    first = nb.append("code", "getFrames")
    nb.append("code", "getJobs")
    nb.run_cell(first)
    new = first.context.run_routine('parseFiles "prostate.csv.gz"')
    assert inputs(nb) == ["getFrames", 'parseFiles "prostate.csv.gz"', "getJobs"]
    assert new.status == "ok" and nb.selected == new.id


def test_cleanups_run_when_output_is_replaced(nb):
    c = nb.append("code", "getFrames")
    nb.run_cell(c)
    calls = []
    c.context.on_cleanup(lambda: calls.append(1))
    nb.run_cell(c)
    assert calls == [1]
    c.context.on_cleanup(lambda: calls.append(2))
    nb.delete(c)
    assert calls == [1, 2]


def test_stop_ends_run_all_after_the_current_cell(nb):
    for text in ("getFrames", "getJobs", "getFrames"):
        nb.append("code", text)
    nb.param.watch(lambda e: nb.stop() if e.new == "Running cell 2 of 3" else None, "progress")
    assert nb.run_all() is False
    assert [c.status for c in nb.cells] == ["ok", "ok", "idle"]
    assert nb.message == "Stopped running your notebook." and not nb.running


def test_clear_outputs_keeps_inputs(nb):
    cells = [nb.append("code", "getFrames"), nb.append("markdown", "x")]
    nb.run_all()
    nb.clear_outputs()
    assert [(c.input, c.output, c.status, c.elapsed) for c in cells] == [("getFrames", None, "idle", None),
                                                                        ("x", None, "idle", None)]
