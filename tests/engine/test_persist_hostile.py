"""Hostile, corrupt, truncated and empty model files: each is refused with ModelFormatError naming the file, no code
runs, nothing raw escapes (issue 15 item 1)."""
import io
import json
import shutil
import zipfile

import numpy as np
import pytest

from deepbrook.engine import DeepbrookError, ModelFormatError, load_model
from deepbrook.engine.estimator import DeepLearning
from deepbrook.engine.frames import import_file

X = ["AGE", "RACE", "PSA", "GLEASON"]


@pytest.fixture(scope="module")
def saved(prostate_path, tmp_path_factory):
    fr = import_file(str(prostate_path)).as_type("CAPSULE", "enum")
    model = DeepLearning(hidden=[5, 3], epochs=1, seed=4, reproducible=True, model_id="hostile").train(
        x=X, y="CAPSULE", training_frame=fr)
    return model, model.save(tmp_path_factory.mktemp("saved")), fr


@pytest.fixture(params=["file", "version-1 folder"])
def victim(saved, tmp_path, request):
    """A fresh copy of a good saved model to damage: today's single file, or the folder that version 1 wrote."""
    src = saved[1]
    dst = tmp_path / "victim" / src.name
    dst.parent.mkdir()
    shutil.copy2(src, dst)
    if request.param == "file":
        return dst
    return as_version_1_folder(dst)


def as_version_1_folder(path):
    """Rewrite a saved model file as the version-1 layout (path/model.json + path/arrays.npz)."""
    raw, members = read_raw(path)
    doc = json.loads(raw)
    doc["format_version"] = 1
    path.unlink()
    path.mkdir()
    write_raw(path, json.dumps(doc).encode(), members)
    return path


# ---- raw access to both layouts (one zip file, or a version-1 folder with model.json + arrays.npz) ----------------
def read_raw(path):
    if path.is_dir():
        with zipfile.ZipFile(path / "arrays.npz") as z:
            members = {n[:-4]: z.read(n) for n in z.namelist()}
        return (path / "model.json").read_bytes(), members
    with zipfile.ZipFile(path) as z:
        return z.read("model.json"), {n[len("arrays/"):-4]: z.read(n) for n in z.namelist() if n != "model.json"}


def write_raw(path, doc_bytes, members):
    if path.is_dir():
        (path / "model.json").write_bytes(doc_bytes)
        with zipfile.ZipFile(path / "arrays.npz", "w") as z:
            for n, b in members.items():
                z.writestr(n + ".npy", b)
        return
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("model.json", doc_bytes)
        for n, b in members.items():
            z.writestr(f"arrays/{n}.npy", b)


def edit_doc(path, fn):
    raw, members = read_raw(path)
    doc = json.loads(raw)
    fn(doc)
    write_raw(path, json.dumps(doc).encode(), members)


def edit_array(path, name, array=None, raw=None):
    doc, members = read_raw(path)
    if raw is None:
        buf = io.BytesIO()
        np.lib.format.write_array(buf, array, allow_pickle=True)
        raw = buf.getvalue()
    members[name] = raw
    write_raw(path, doc, members)


def npy(a):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a)
    return buf.getvalue()


def refused(path, *words):
    with pytest.raises(ModelFormatError) as info:
        load_model(path)
    text = str(info.value)
    assert str(path) in text, text
    for w in words:
        assert w in text, text
    return text


# ---- code execution ------------------------------------------------------------------------------------------------
ATTACK = "deepbrook.engine.model.persist:os.system"


def _set_slot(slot, marker):
    def fn(doc):
        if slot == "model_class":
            doc["model_class"] = ATTACK
        elif slot == "output":
            doc["output"]["x"] = {"__object__": ATTACK, "state": {"command": f"touch {marker}"}}
        elif slot == "params":
            doc["params"]["class"] = ATTACK
            doc["params"]["values"] = {"command": f"touch {marker}"}
        else:
            doc[slot]["class"] = ATTACK
    return fn


@pytest.mark.parametrize("slot", ["model_class", "params", "data_info", "network", "output"])
def test_a_class_path_to_os_system_never_runs(victim, tmp_path, slot):
    marker = tmp_path / "pwned"
    edit_doc(victim, _set_slot(slot, marker))
    refused(victim, "refusing to load", ATTACK)
    assert not marker.exists()


@pytest.mark.parametrize("name", ["deepbrook.engine.model.persist:shutil.rmtree", "deepbrook.engine.workspace:Workspace",
                                  "deepbrook.engine.model.model:DeepLearningModel.save", "builtins:eval",
                                  "deepbrook.engine.model.model:np.lib.format.open_memmap"])
def test_only_exact_allow_listed_names_are_built(victim, name):
    edit_doc(victim, lambda d: d.update(model_class=name))
    refused(victim, "refusing to load")


def test_pickled_object_array_is_refused_without_unpickling(victim, tmp_path):
    marker = tmp_path / "unpickled"

    class Boom:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    edit_array(victim, "network/W", np.array([Boom()], dtype=object))
    refused(victim, "network/W", "pickle")
    assert not marker.exists()


# ---- empty, garbage, truncated ----------------------------------------------------------------------------------------
def test_missing_empty_and_garbage_inputs(tmp_path):
    refused(tmp_path / "nothing-here", "no such file")
    (tmp_path / "empty").write_bytes(b"")
    refused(tmp_path / "empty", "empty")
    (tmp_path / "garbage").write_bytes(b"\x00\x01not a model at all" * 50)
    refused(tmp_path / "garbage", "not a Deepbrook model archive")
    (tmp_path / "folder").mkdir()
    refused(tmp_path / "folder", "model.json")
    (tmp_path / "model.csv").write_text("a,b\n1,2\n")
    refused(tmp_path / "model.csv")
    with pytest.raises(ModelFormatError, match="path-like"):
        load_model(12)


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9, 0.999])
def test_truncated_file_is_refused(victim, fraction):
    target = victim / "arrays.npz" if victim.is_dir() else victim
    data = target.read_bytes()
    target.write_bytes(data[:int(len(data) * fraction)])
    refused(victim)


def test_flipped_byte_in_weights_is_caught(victim):
    """Arrays are stored uncompressed: flip one byte of the weights in the file itself; zip's CRC catches it."""
    _, members = read_raw(victim)
    target = victim / "arrays.npz" if victim.is_dir() else victim
    blob = bytearray(target.read_bytes())
    tail = members["network/W"][-32:]
    i = blob.find(tail)
    assert i > 0
    blob[i + 5] ^= 0x55
    target.write_bytes(bytes(blob))
    refused(victim, "CRC")


@pytest.mark.parametrize("doc_bytes,words", [
    (b"", "empty"), (b"   \n", "empty"), (b"{not json", "not valid JSON"), (b"[1, 2]", "not an object"),
    (b"\xff\xfe\x00garbage", "not UTF-8"), (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    (b'{"format": "deepbrook-model", "format_version": 1}', "problem"),
])
def test_bad_model_json(victim, doc_bytes, words):
    _, members = read_raw(victim)
    write_raw(victim, doc_bytes, members)
    refused(victim, words)


@pytest.mark.parametrize("edit,words", [
    (lambda d: d.update(format="something-else"), "format"),
    (lambda d: d.update(format_version=99), "newer"),
    (lambda d: d.update(format_version="1"), "format_version"),
    (lambda d: d.update(problem="clustering"), "problem"),
    (lambda d: d.update(problem="regression"), "problem"),
    (lambda d: d.pop("params"), "params"),
    (lambda d: d.pop("data_info"), "data_info"),
    (lambda d: d.pop("network"), "network"),
    (lambda d: d["data_info"].pop("state"), "data_info"),
    (lambda d: d["data_info"]["state"].pop("cat_inputs"), "damaged"),
    (lambda d: d["params"]["values"].pop("actual"), "damaged"),
    (lambda d: d.update(key=["a"]), "key"),
    (lambda d: d["network"]["arrays"].append("evil"), "network.arrays"),
    (lambda d: d["output"].update(x={"__ndarray__": "nope"}), "nope"),
    (lambda d: d["output"].update(x={"__float__": "__import__('os')"}), "__float__"),
    (lambda d: d["output"].update(x={"__dataframe__": {"columns": ["a"], "index": [0],
                                                       "data": {"a": {"dtype": "V8", "values": [1]}}}}), "dtype"),
    (lambda d: d["output"].update(x={"__dataframe__": {"columns": ["a"], "index": [0, 1, 2],
                                                       "data": {"a": {"dtype": "int64", "values": [1]}}}}), "index"),
    (lambda d: d["output"].update(x={"__metrics__": [1]}), "__metrics__"),
    (lambda d: d.update(output=[]), "output"),
    (lambda d: d["params"]["values"]["actual"].update(hidden=[5, 4]), "hidden"),
])
def test_damaged_document(victim, edit, words):
    edit_doc(victim, edit)
    refused(victim, words)


# ---- arrays against the declared network -------------------------------------------------------------------------
def test_arrays_must_match_the_declared_network(saved, victim):
    model = saved[0]
    W = model.network.W
    cases = [
        ("network/W", npy(W[:-1]), "network/W"),                       # one weight short
        ("network/W", npy(W.astype(np.float64)), "float64"),           # wrong dtype
        ("network/W", npy(np.concatenate([W, W])), "network/W"),       # too many
        ("network/B", npy(model.network.B.reshape(1, -1)), "network/B"),
        ("network/S_w", npy(model.network.S_w[:1]), "network/S_w"),
        ("network/lay", npy(model.network.lay.astype(np.int32)), "int64"),
        ("network/lay", npy(model.network.lay[:1]), "network"),
        ("network/drop", npy(model.network.drop[:-1]), "network/drop"),
        ("network/avg_act", npy(np.zeros(3, np.float32)), "network/avg_act"),
        ("network/W", npy(np.array(["w"] * W.size)), "network/W"),
        ("network/W", npy(W)[:len(npy(W)) // 2], "truncated"),         # header says N, half the bytes
        ("network/W", npy(W) + b"\x00" * 64, "padded"),
        ("network/W", b"\x93NUMPY\x09\x00garbage", "header"),
        ("network/W", b"", "header"),
    ]
    original = read_raw(victim)
    for name, raw, words in cases:
        write_raw(victim, *original)
        edit_array(victim, name, raw=raw)
        refused(victim, words)
    lay = model.network.lay.copy()
    for col, value in ((1, 7), (0, 3), (5, 42), (3, 1), (2, 2)):   # units, fan-in, activation, offset, channels
        bad = lay.copy()
        bad[0, col] = value
        write_raw(victim, *original)
        edit_array(victim, "network/lay", raw=npy(bad))
        refused(victim, "network")
    write_raw(victim, *original)
    _, members = read_raw(victim)
    del members["network/S_b"]
    write_raw(victim, original[0], members)
    refused(victim, "network/S_b")
    assert len(cases) + 5 + 1 == 20


def test_huge_declared_array_is_refused_before_allocating(victim):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (1 << 40,)})
    edit_array(victim, "network/W", raw=header.getvalue() + b"\x00" * 64)
    refused(victim, "network/W")


def test_every_refusal_is_a_deepbrook_error_and_the_good_copies_still_load(saved, victim):
    model, path, frame = saved
    assert issubclass(ModelFormatError, DeepbrookError)
    for p in (path, victim):    # the file, and the same model as a version-1 folder (still read)
        back = load_model(p)
        np.testing.assert_array_equal(back.predict(frame).as_pandas()["p1"], model.predict(frame).as_pandas()["p1"])
