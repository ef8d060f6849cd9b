"""Workspace: catalog operations, persistence across reopen, names, threads, models, notebooks, crash safety."""
import json
import os
import signal
import subprocess
import sys
import threading
import textwrap

import numpy as np
import pandas as pd
import pytest

from deepbrook.engine import Frame, ParseError, Workspace, WorkspaceError, import_file
from deepbrook.engine.workspace import register_model_loader


def small_frame(name="f.hex", n=5, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"x": rng.normal(size=n), "k": rng.integers(0, 200, n),
                       "c": pd.Categorical(rng.choice(["a", "b", None], n)),
                       "s": [f"t{i}" if i % 3 else None for i in range(n)]})
    f = Frame.from_pandas(df, name=name)
    return f.as_type("s", "string")


def same(a, b):
    assert a.names == b.names and a.types == b.types and a.nrows == b.nrows
    for c in a.names:
        assert a.domain(c) == b.domain(c)
        assert a.values(c).dtype == b.values(c).dtype
        if a.values(c).dtype == object:
            assert a.values(c).tolist() == b.values(c).tolist()
        else:
            np.testing.assert_array_equal(a.values(c), b.values(c))


def snapshot(directory):
    out = {}
    for root, _, files in os.walk(directory):
        for fn in files:
            p = os.path.join(root, fn)
            with open(p, "rb") as f:
                out[os.path.relpath(p, directory)] = f.read()
    return out


class FakeModel:
    """Stands in for a DeepLearningModel: save(path, filename=) writes path/filename; the loader below reads it."""

    def __init__(self, key, weights):
        self.key, self.weights = key, list(weights)

    def save(self, path, force=False, filename=None):
        path = os.path.join(path, filename or self.key)
        os.makedirs(path)
        with open(os.path.join(path, "model.json"), "w") as f:
            json.dump({"key": self.key, "weights": self.weights}, f)


def fake_loader(path):
    with open(os.path.join(path, "model.json")) as f:
        d = json.load(f)
    return FakeModel(d["key"], d["weights"])


@pytest.fixture
def fake_models():
    old = register_model_loader(fake_loader)
    yield
    register_model_loader(old)


@pytest.mark.parametrize("on_disk", [True, False])
def test_put_get_list_delete_rename(tmp_path, on_disk):
    ws = Workspace(tmp_path / "ws" if on_disk else None)
    f = small_frame()
    e = ws.put("train.hex", f)
    assert (e.name, e.kind, e.description) == ("train.hex", "frame", "5 rows x 4 columns")
    ws.put("nb", {"cells": [{"type": "cs", "input": "getFrames"}]})
    g = ws.get("train.hex")
    same(g, f)
    assert g.name == "train.hex"
    assert [x.name for x in ws.list()] == ["train.hex", "nb"]
    assert ws.names("notebook") == ["nb"]
    ws.rename("train.hex", "t2")
    assert "t2" in ws and "train.hex" not in ws and ws.get("t2").name == "t2"
    ws.delete("nb")
    assert ws.names() == ["t2"]
    with pytest.raises(WorkspaceError, match="workspace has no object named 'nb' \\(it holds: t2\\)"):
        ws.get("nb")
    with pytest.raises(WorkspaceError, match="unknown kind 'frames'; use one of frame, model, notebook"):
        ws.list("frames")


def test_reopen_gives_back_everything(tmp_path, prostate_path, fake_models):
    ws = Workspace(tmp_path / "ws")
    prostate = import_file(prostate_path)
    f = small_frame(n=1000)
    ws.put("prostate.hex", prostate)
    ws.put("f", f)
    ws.put("f", small_frame(n=7, seed=3))  # replace: the newest version wins
    ws.put("m1", FakeModel("m1", [1.5, 2.5]))
    nb = {"cells": [{"input": "importFiles"}], "meta": {"title": "t", "n": 1}}
    ws.put("flow", nb)
    again = Workspace(tmp_path / "ws")
    assert [(e.name, e.kind) for e in again.list()] == [("prostate.hex", "frame"), ("f", "frame"), ("m1", "model"),
                                                        ("flow", "notebook")]
    same(again.get("prostate.hex"), prostate)
    assert again.get("prostate.hex").values("AGE").dtype == np.uint8
    same(again.get("f"), small_frame(n=7, seed=3))
    m = again.get("m1")
    assert isinstance(m, FakeModel) and m.weights == [1.5, 2.5]
    assert again.get("flow") == nb
    again.get("flow")["meta"]["title"] = "changed"  # callers get copies of notebooks
    assert again.get("flow")["meta"]["title"] == "t"
    assert len(os.listdir(tmp_path / "ws" / "objects")) == 4  # replaced version's files are gone


def test_model_loader_defaults_to_persist_module(tmp_path, monkeypatch):
    """Without a registered loader, models come back through deepbrook.engine.model.persist.load_model."""
    import types
    calls = []
    persist = types.ModuleType("deepbrook.engine.model.persist")
    persist.load_model = lambda path: calls.append(path) or fake_loader(path)
    monkeypatch.setitem(sys.modules, "deepbrook.engine.model.persist", persist)
    ws = Workspace(tmp_path / "ws")
    ws.put("m", FakeModel("m", [1, 2]))
    m = Workspace(tmp_path / "ws").get("m")
    assert m.weights == [1, 2] and len(calls) == 1 and os.path.isfile(os.path.join(calls[0], "model.json"))
    persist.load_model = lambda path: (_ for _ in ()).throw(ValueError("format version 9 unknown"))
    with pytest.raises(WorkspaceError, match="cannot load model 'm' from .*: format version 9 unknown"):
        Workspace(tmp_path / "ws").get("m")


@pytest.mark.parametrize("bad", ["a/b", "..", "a\\b", "", " x", "x\n", "a..b", "."])
def test_names_are_validated(tmp_path, bad):
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="workspace name"):
        ws.put(bad, small_frame())
    ws.put("ok", small_frame())
    with pytest.raises(WorkspaceError, match="workspace name"):
        ws.rename("ok", bad)
    assert ws.names() == ["ok"]


def test_rename_onto_existing_and_unsupported_objects(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.put("a", small_frame())
    ws.put("b", small_frame())
    with pytest.raises(WorkspaceError, match="cannot rename 'a' to 'b': that name is taken"):
        ws.rename("a", "b")
    with pytest.raises(WorkspaceError, match="cannot store a list: the workspace holds Frames, models"):
        ws.put("c", [1, 2])
    with pytest.raises(WorkspaceError, match="a notebook must be a JSON-able dict"):
        ws.put("c", {"x": object()})
    with pytest.raises(WorkspaceError, match="workspace already has an object named 'a'"):
        ws.put("a", small_frame(), replace=False)


def test_failed_parse_leaves_workspace_as_it_was(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.put("keep", small_frame())
    before = snapshot(tmp_path / "ws")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3\n")
    with pytest.raises(ParseError, match="line 3 has too few fields"):
        ws.put("bad.hex", import_file(bad))
    assert snapshot(tmp_path / "ws") == before and ws.names() == ["keep"]


def test_failed_save_leaves_workspace_as_it_was(tmp_path, fake_models):
    class Broken(FakeModel):
        def save(self, path, force=False, filename=None):
            path = os.path.join(path, filename)
            os.makedirs(path)
            open(os.path.join(path, "half"), "w").write("x")
            raise RuntimeError("disk full")

    ws = Workspace(tmp_path / "ws")
    ws.put("m", FakeModel("m", [1]))
    before = snapshot(tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="cannot store 'm' in the workspace: disk full"):
        ws.put("m", Broken("m", [2]))
    assert snapshot(tmp_path / "ws") == before
    assert Workspace(tmp_path / "ws").get("m").weights == [1]


def test_threads_share_one_workspace(tmp_path):
    ws = Workspace(tmp_path / "ws")
    errors = []

    def work(t):
        try:
            for i in range(5):
                name = f"t{t}_{i}"
                ws.put(name, small_frame(n=20, seed=t * 10 + i))
                same(ws.get(name), small_frame(n=20, seed=t * 10 + i))
                if i % 2:
                    ws.rename(name, name + "r")
            ws.delete(f"t{t}_0")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    expected = sorted(f"t{t}_{i}{'r' if i % 2 else ''}" for t in range(4) for i in range(1, 5))
    assert sorted(ws.names()) == expected
    assert sorted(Workspace(tmp_path / "ws").names()) == expected


def test_unreadable_manifest_is_a_clear_error(tmp_path):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "manifest.json").write_text("{not json")
    with pytest.raises(WorkspaceError, match="workspace manifest .*manifest.json is unreadable"):
        Workspace(tmp_path / "ws")
    (tmp_path / "file").write_text("x")
    with pytest.raises(WorkspaceError, match="is a file, not a directory"):
        Workspace(tmp_path / "file")


# ---------------------------------------------------------------------------------------------- crash safety
CHILD = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    from deepbrook.engine import Frame, Workspace
    import deepbrook.engine.workspace as W

    directory, phase = sys.argv[1], sys.argv[2]
    def frame(v, n=200_000):
        return Frame.from_arrays({"v": np.full(n, v, np.float64), "i": np.arange(n)}, name="f")

    ws = Workspace(directory)
    ws.put("f", frame(1.0))
    ws.put("other", frame(5.0, 10))

    def pause(original):
        def wrapper(*a, **k):
            if phase == "object":  # part of the new object's files written, then killed
                out = original(*a, **k)
            print("PAUSED", flush=True)
            time.sleep(600)
            return original(*a, **k)
        return wrapper

    if phase == "object":
        W._write_frame = pause(W._write_frame)
    elif phase == "manifest":
        W.Workspace._save_manifest = pause(W.Workspace._save_manifest)
    elif phase == "discard":
        W.Workspace._discard = pause(W.Workspace._discard)
    if phase == "loop":
        print("PAUSED", flush=True)
        for k in range(10_000):
            ws.put(f"f{k % 3}", frame(float(k), 50_000))
    else:
        ws.put("f", frame(2.0))
""")


@pytest.mark.parametrize("phase,expected", [("object", 1.0), ("manifest", 1.0), ("discard", 2.0)])
def test_kill_in_the_middle_of_a_write(tmp_path, phase, expected):
    """A process killed while replacing frame 'f' leaves the old or the new 'f', whole, and no leftovers."""
    directory = tmp_path / "ws"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(directory), phase], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "PAUSED", proc.stderr.read()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    ws = Workspace(directory)
    assert sorted(ws.names()) == ["f", "other"]
    f = ws.get("f")
    assert f.nrows == 200_000 and set(np.unique(f.numeric("v"))) == {expected}
    assert ws.get("other").nrows == 10
    live = {e.folder for e in ws.list()}
    assert set(os.listdir(directory / "objects")) == live
    assert not [p for p in os.listdir(directory) if p.startswith(".tmp-")]


def test_kill_at_a_random_moment_while_writing_in_a_loop(tmp_path):
    directory = tmp_path / "ws"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(directory), "loop"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "PAUSED", proc.stderr.read()
        try:
            proc.wait(timeout=1.0 + np.random.default_rng().random())
        except subprocess.TimeoutExpired:
            pass
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    ws = Workspace(directory)
    assert {"f", "other"} <= set(ws.names())
    for name in ws.names():
        fr = ws.get(name)
        assert len(np.unique(fr.numeric("v"))) == 1 and fr.numeric("i")[-1] == fr.nrows - 1
