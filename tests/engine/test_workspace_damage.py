"""A damaged object never takes the workspace down: it is flagged with its reason, deletable, and everything else
stays usable; a manifest entry pointing outside the workspace is refused and never deleted (issue 15 item 4)."""
import json
import os
import shutil

import numpy as np
import pytest

from deepbrook.engine import DeepLearning, Frame, Workspace, WorkspaceError, import_file


def frame(name, seed=0):
    rng = np.random.default_rng(seed)
    return Frame.from_arrays({"x": rng.normal(size=10), "y": rng.integers(0, 3, 10).astype(float)}, name=name)


def manifest(ws_dir):
    return json.loads((ws_dir / "manifest.json").read_text())


def write_manifest(ws_dir, data):
    (ws_dir / "manifest.json").write_text(json.dumps(data))


@pytest.fixture
def ws_dir(tmp_path):
    d = tmp_path / "ws"
    ws = Workspace(d)
    ws.put("a.hex", frame("a.hex", 1))
    ws.put("b.hex", frame("b.hex", 2))
    ws.put("nb", {"cells": []})
    return d


def folder_of(ws_dir, name):
    return next(r["folder"] for r in manifest(ws_dir)["objects"] if r["name"] == name)


def test_a_missing_object_folder_is_flagged_and_the_rest_works(ws_dir):
    shutil.rmtree(ws_dir / "objects" / folder_of(ws_dir, "a.hex"))
    ws = Workspace(ws_dir)                                   # opens (used to raise for the whole workspace)
    a = ws.entry("a.hex")
    assert a.damaged and a.status == "damaged" and "is missing" in a.reason
    assert not ws.entry("b.hex").damaged and ws.entry("b.hex").status == "ok"
    assert [e.name for e in ws.list("frame")] == ["a.hex", "b.hex"]          # still listed, with its reason
    with pytest.raises(WorkspaceError, match="'a.hex' is damaged and cannot be opened: its folder .* is missing"):
        ws.get("a.hex")
    assert ws.get("b.hex").nrows == 10 and ws.get("nb") == {"cells": []}
    ws.put("c.hex", frame("c.hex", 3))
    again = Workspace(ws_dir)                                # the damaged entry survives a save of the manifest
    assert again.entry("a.hex").damaged and again.get("c.hex").nrows == 10
    again.delete("a.hex")
    assert "a.hex" not in Workspace(ws_dir) and Workspace(ws_dir).names("frame") == ["b.hex", "c.hex"]


def test_missing_files_inside_an_object_folder_are_flagged(ws_dir):
    os.remove(ws_dir / "objects" / folder_of(ws_dir, "a.hex") / "data.parquet")
    os.remove(ws_dir / "objects" / folder_of(ws_dir, "nb") / "notebook.json")
    ws = Workspace(ws_dir)
    assert "lacks data.parquet" in ws.entry("a.hex").reason and "lacks notebook.json" in ws.entry("nb").reason
    assert ws.get("b.hex").nrows == 10


def test_unreadable_object_is_flagged_when_opened(ws_dir):
    (ws_dir / "objects" / folder_of(ws_dir, "a.hex") / "data.parquet").write_bytes(b"not parquet at all")
    ws = Workspace(ws_dir)
    with pytest.raises(WorkspaceError, match="cannot load frame 'a.hex'"):
        ws.get("a.hex")
    assert ws.entry("a.hex").damaged and "cannot load frame 'a.hex'" in ws.entry("a.hex").reason
    with pytest.raises(WorkspaceError, match="is damaged"):
        ws.get("a.hex")
    ws.delete("a.hex")
    assert ws.names("frame") == ["b.hex"]


def test_a_damaged_model_file_is_flagged(tmp_path, prostate_path):
    fr = import_file(str(prostate_path)).as_type("CAPSULE", "enum")
    model = DeepLearning(hidden=[3], epochs=1, seed=1, model_id="m").train(x=["AGE", "PSA"], y="CAPSULE",
                                                                            training_frame=fr)
    ws = Workspace(tmp_path / "ws")
    ws.put("m", model)
    ws.put("good", model)
    path = tmp_path / "ws" / "objects" / ws.entry("m").folder / "model"
    path.write_bytes(path.read_bytes()[:1000])              # truncated
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="cannot load model 'm'.*cannot load the model"):
        ws.get("m")
    assert ws.entry("m").damaged and "ModelFormatError" not in ws.entry("m").reason
    assert ws.get("good").key == "m"


@pytest.mark.parametrize("pointer", ["../../victim", "../victim", "{victim}", "objects/../../victim", "link", ".",
                                     ".."])
def test_an_entry_pointing_outside_is_refused_and_never_deleted(ws_dir, tmp_path, pointer):
    victim = tmp_path / "victim"
    (victim / "sub").mkdir(parents=True)
    (victim / "keep.txt").write_text("must survive")
    (victim / "data.parquet").write_text("looks like an object")
    (victim / "meta.json").write_text("{}")
    os.symlink(victim, ws_dir / "objects" / "link")
    data = manifest(ws_dir)
    row = next(r for r in data["objects"] if r["name"] == "a.hex")
    row["folder"] = pointer.format(victim=victim)
    write_manifest(ws_dir, data)
    ws = Workspace(ws_dir)
    entry = ws.entry("a.hex")
    assert entry.damaged and ("outside the workspace" in entry.reason or "missing" in entry.reason)
    with pytest.raises(WorkspaceError, match="is damaged"):
        ws.get("a.hex")
    ws.put("a.hex", frame("a.hex", 8))                        # replacing the damaged entry, deleting it,
    assert not ws.entry("a.hex").damaged and ws.get("a.hex").nrows == 10
    ws.delete("a.hex")
    ws.put("b.hex", frame("b.hex", 9))                        # replacing and reopening touch nothing outside
    Workspace(ws_dir)
    assert (victim / "keep.txt").read_text() == "must survive" and (victim / "sub").is_dir()
    assert sorted(p.name for p in victim.iterdir()) == ["data.parquet", "keep.txt", "meta.json", "sub"]
    assert "a.hex" not in Workspace(ws_dir)


def test_manifest_rows_without_a_usable_name_are_kept_with_their_folder(ws_dir):
    data = manifest(ws_dir)
    keep = data["objects"][0]["folder"]
    data["objects"][0] = {"kind": "frame", "folder": keep, "note": "no name"}
    data["objects"].append(42)
    write_manifest(ws_dir, data)
    ws = Workspace(ws_dir)
    ws.put("c.hex", frame("c.hex", 4))
    assert (ws_dir / "objects" / keep).is_dir()               # not removed as a leftover
    rows = manifest(ws_dir)["objects"]
    assert {"kind": "frame", "folder": keep, "note": "no name"} in rows and 42 in rows


def test_health_reports_a_workspace_that_cannot_serve(ws_dir):
    ws = Workspace(ws_dir)
    assert ws.health() == [] and Workspace(None).health() == []
    shutil.rmtree(ws_dir / "objects")
    assert any("objects folder" in p and "missing" in p for p in ws.health())
    shutil.rmtree(ws_dir)
    assert any("workspace folder" in p for p in ws.health())
