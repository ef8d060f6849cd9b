"""save_model with H2O's meaning: the model goes into a folder under its own name, replaced only with force=True,
nothing else touched, atomic replace, no temps left after a kill -9 (issue 15 item 3); a saved model's pathlib.Path
is a valid checkpoint= (issue 19 item 3)."""
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from deepbrook.engine import DeepbrookError, ParameterError, load_model, save_model
from deepbrook.engine import atomic
from deepbrook.engine.estimator import DeepLearning
from deepbrook.engine.frames import import_file

X = ["AGE", "RACE", "PSA", "GLEASON"]


@pytest.fixture(scope="module")
def prostate(prostate_path):
    return import_file(str(prostate_path)).as_type("CAPSULE", "enum")


@pytest.fixture(scope="module")
def models(prostate):
    a = DeepLearning(hidden=[6], epochs=1, seed=1, reproducible=True, model_id="pros").train(
        x=X, y="CAPSULE", training_frame=prostate)
    b = DeepLearning(hidden=[6], epochs=1, seed=2, reproducible=True, model_id="pros").train(
        x=X, y="CAPSULE", training_frame=prostate)
    return a, b


def tree(folder):
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(Path(folder).rglob("*"))}


def p1(model, frame):
    return model.predict(frame).as_pandas()["p1"].to_numpy()


def test_model_goes_into_the_folder_under_its_name_and_nothing_else_is_touched(models, prostate, tmp_path):
    results = tmp_path / "results"
    (results / "sub").mkdir(parents=True)
    (results / "notes.txt").write_text("my notes")
    (results / "sub" / "data.csv").write_text("a,b\n1,2\n")
    (results / ".pros.backup").write_text("a hidden file of the user")
    before = tree(results)
    path = save_model(models[0], results)
    assert path == results / "pros" and path.is_file()
    after = tree(results)
    del after["pros"]
    assert after == before                                   # the user's files are exactly as they were
    np.testing.assert_array_equal(p1(load_model(path), prostate), p1(models[0], prostate))
    path2 = models[0].save(str(results), filename="renamed")   # model.save is the same function
    assert path2 == results / "renamed" and load_model(path2).key == "pros"


def test_existing_model_is_replaced_only_with_force(models, prostate, tmp_path):
    a, b = models
    path = save_model(a, tmp_path)
    with pytest.raises(ParameterError, match="already exists; pass force=True"):
        save_model(b, tmp_path)
    np.testing.assert_array_equal(p1(load_model(path), prostate), p1(a, prostate))
    assert save_model(b, tmp_path, force=True) == path
    np.testing.assert_array_equal(p1(load_model(path), prostate), p1(b, prostate))
    assert sorted(os.listdir(tmp_path)) == ["pros"]          # no temp left behind


def test_force_never_replaces_what_is_not_a_saved_model(models, tmp_path):
    (tmp_path / "pros").write_text("the user's own file called pros")
    with pytest.raises(ParameterError, match="not a saved Deepbrook model; not replaced"):
        save_model(models[0], tmp_path, force=True)
    assert (tmp_path / "pros").read_text() == "the user's own file called pros"
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "pros").mkdir()
    (tmp_path / "d" / "pros" / "keep.txt").write_text("x")
    with pytest.raises(ParameterError, match="not replaced"):
        save_model(models[0], tmp_path / "d", force=True)
    assert (tmp_path / "d" / "pros" / "keep.txt").read_text() == "x"
    (tmp_path / "l").mkdir()
    good = save_model(models[0], tmp_path / "elsewhere")
    (tmp_path / "l" / "pros").symlink_to(good)
    with pytest.raises(ParameterError, match="symbolic link"):
        save_model(models[1], tmp_path / "l", force=True)
    assert (tmp_path / "l" / "pros").is_symlink() and load_model(good).key == "pros"
    (tmp_path / "f").write_text("a file, not a folder")
    with pytest.raises((ParameterError, DeepbrookError)):
        save_model(models[0], tmp_path / "f")
    assert (tmp_path / "f").read_text() == "a file, not a folder"


@pytest.mark.parametrize("name", ["../escaped", "a/b", "", " ", ".", "..", "x\0y", "a\\b",
                                  ".pros.deepbrook-tmp-1-0123456789abcdef"])
def test_filenames_that_are_not_plain_names_are_refused(models, tmp_path, name):
    with pytest.raises(ParameterError, match="filename|no key"):
        save_model(models[0], tmp_path / "in", filename=name)
    assert not (tmp_path / "escaped").exists()


def test_empty_path_means_the_current_folder(models, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = save_model(models[0])
    assert path == tmp_path / "pros" and path.is_absolute() and load_model("pros").key == "pros"


def test_a_version_1_model_folder_is_replaced_with_force(models, prostate, tmp_path):
    """An old export (folder with model.json + arrays.npz) is swapped for the new file in one step."""
    a, b = models
    path = save_model(a, tmp_path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    path.unlink()
    path.mkdir()
    (path / "model.json").write_bytes(members.pop("model.json").replace(b'"format_version": 2',
                                                                        b'"format_version": 1'))
    with zipfile.ZipFile(path / "arrays.npz", "w") as z:
        for n, raw in members.items():
            z.writestr(n[len("arrays/"):], raw)
    np.testing.assert_array_equal(p1(load_model(path), prostate), p1(a, prostate))
    with pytest.raises(ParameterError, match="already exists"):
        save_model(b, tmp_path)
    assert save_model(b, tmp_path, force=True) == path and path.is_file()
    np.testing.assert_array_equal(p1(load_model(path), prostate), p1(b, prostate))
    assert sorted(os.listdir(tmp_path)) == ["pros"]


def test_checkpoint_accepts_the_path_save_model_returns(models, prostate, tmp_path):
    path = models[0].save(tmp_path)
    assert isinstance(path, Path)
    more = DeepLearning(hidden=[6], epochs=2, seed=1, reproducible=True, checkpoint=path).train(
        x=X, y="CAPSULE", training_frame=prostate)
    assert more.output["epochs"] > models[0].output["epochs"]

    class MyPath(os.PathLike):               # any os.PathLike, not only pathlib
        def __fspath__(self):
            return str(path)

    again = DeepLearning(hidden=[6], epochs=2, seed=1, reproducible=True, checkpoint=MyPath()).train(
        x=X, y="CAPSULE", training_frame=prostate)
    assert again.output["epochs"] == more.output["epochs"]
    with pytest.raises(ParameterError, match="checkpoint: no saved model at"):
        DeepLearning(hidden=[6], epochs=2, checkpoint=tmp_path / "nope").train(x=X, y="CAPSULE",
                                                                               training_frame=prostate)


def test_stale_temps_of_our_pattern_only_are_removed(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = tmp_path / f".m.deepbrook-tmp-{sleeper.pid}-0123456789abcdef"
        dead = tmp_path / ".m.deepbrook-tmp-999999999-0123456789abcdef"
        mine_stale = tmp_path / f".m.deepbrook-tmp-{os.getpid()}-fedcba9876543210"
        others = [tmp_path / n for n in ("m", ".m.deepbrook-tmp-x", "notes.deepbrook-tmp-1-0123456789abcdef",
                                         ".m.deepbrook-tmp-1-0123")]
        for p in [live, dead, mine_stale, *others]:
            p.write_text("x")
        in_flight = tmp_path / atomic.temp_name("n")
        in_flight.write_text("being written by this process")
        assert sorted(atomic.remove_stale_temps(tmp_path)) == sorted([dead.name, mine_stale.name])
        assert live.exists() and in_flight.exists() and all(p.exists() for p in others)
    finally:
        sleeper.kill()
        sleeper.wait()
        atomic.release(in_flight.name)
    assert sorted(atomic.remove_stale_temps(tmp_path)) == sorted([live.name, in_flight.name])   # writers gone


WRITER = textwrap.dedent("""
    import sys
    from deepbrook.engine import load_model, save_model
    model = load_model(sys.argv[1])
    print("ready", flush=True)
    while True:
        save_model(model, sys.argv[2], force=True)
""")


def test_kill_9_mid_write_keeps_a_loadable_model_and_the_next_save_removes_the_temp(prostate, tmp_path):
    big = DeepLearning(hidden=[600, 600], epochs=0.05, seed=3, model_id="pros").train(
        x=X, y="CAPSULE", training_frame=prostate)
    small = DeepLearning(hidden=[6], epochs=1, seed=1, model_id="pros").train(x=X, y="CAPSULE",
                                                                            training_frame=prostate)
    source = save_model(big, tmp_path / "source")
    out = tmp_path / "out"
    target = save_model(small, out)
    (out / "keep.txt").write_text("the user's file")
    expected = {"small": p1(small, prostate), "big": p1(big, prostate)}
    kills_mid_write = 0
    for _ in range(4):
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(source), str(out)], stdout=subprocess.PIPE,
                                 text=True)
        try:
            assert child.stdout.readline().strip() == "ready"
            deadline = time.monotonic() + 60
            while not any(atomic.is_temp_name(n) for n in os.listdir(out)):   # wait until it is writing
                assert time.monotonic() < deadline, "the writer never started a temp file"
                time.sleep(0.001)                                            # poll interval
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait()
        kills_mid_write += any(atomic.is_temp_name(n) for n in os.listdir(out))
        back = p1(load_model(target), prostate)                      # the old model or the new one, whole
        assert any(np.array_equal(back, e) for e in expected.values())
    assert kills_mid_write >= 1                                      # at least one kill left a temp behind
    save_model(small, out, force=True)                               # the next save cleans up after the dead
    assert sorted(os.listdir(out)) == ["keep.txt", "pros"]
    assert (out / "keep.txt").read_text() == "the user's file"
    np.testing.assert_array_equal(p1(load_model(target), prostate), expected["small"])
