"""save_model / load_model round trips on real data (prostate, MNIST subset)."""
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from deepbrook.engine import load_model
from deepbrook.engine.estimator import DeepLearning
from deepbrook.engine.frames import Frame, import_file
from deepbrook.engine.model import persist

X = ["AGE", "RACE", "PSA", "GLEASON", "DPROS", "DCAPS", "VOL"]


@pytest.fixture(scope="module")
def prostate(prostate_path):
    return import_file(str(prostate_path)).as_type("CAPSULE", "enum")


@pytest.fixture(scope="module")
def binomial_model(prostate):
    train, valid = prostate.split_frame([0.75], seed=3)
    return DeepLearning(hidden=[8, 8], epochs=3, seed=11, reproducible=True, model_id="pros_bin").train(
        x=X, y="CAPSULE", training_frame=train, validation_frame=valid), valid


def test_binomial_roundtrip_predicts_identically(binomial_model, tmp_path):
    model, valid = binomial_model
    path = model.save(tmp_path / "m")
    assert path == tmp_path / "m" / "pros_bin" and path.is_file()
    with zipfile.ZipFile(path) as z:
        doc = json.loads(z.read("model.json"))
        assert "arrays/network/W.npy" in z.namelist()
    assert doc["format"] == "deepbrook-model" and doc["format_version"] == 2 and doc["key"] == "pros_bin"
    back = load_model(path)
    a, b = model.predict(valid).as_pandas(), back.predict(valid).as_pandas()
    pd.testing.assert_frame_equal(a, b)
    np.testing.assert_array_equal(back.network.W, model.network.W)
    pd.testing.assert_frame_equal(back.scoring_history(), model.scoring_history())
    assert back.output["training_metrics"].auc == model.output["training_metrics"].auc
    pd.testing.assert_frame_equal(back.output["validation_metrics"].confusion_matrix,
                                  model.output["validation_metrics"].confusion_matrix, check_dtype=False)
    pd.testing.assert_frame_equal(back.varimp(), model.varimp(), check_dtype=False)
    pd.testing.assert_frame_equal(back.summary(), model.summary(), check_dtype=False)
    assert back.params.epochs == model.params.epochs and back.problem == "binomial"
    assert back.output["stop_reason"] == model.output["stop_reason"]
    assert back.model_performance(valid).logloss == pytest.approx(model.model_performance(valid).logloss,
                                                                  rel=1e-12)


def test_regression_and_multinomial_roundtrip(prostate, mnist, tmp_path):
    reg = DeepLearning(hidden=[6], epochs=2, seed=2, reproducible=True).train(
        x=["AGE", "RACE", "GLEASON", "CAPSULE"], y="PSA", training_frame=prostate)
    back = load_model(persist.save_model(reg, tmp_path / "reg"))
    np.testing.assert_array_equal(back.predict(prostate).as_pandas().predict, reg.predict(prostate).as_pandas().predict)
    x_train, y_train, _, _ = mnist
    cols = {f"C{i + 1}": x_train[:600, i * 28 + 14].astype(np.float64) for i in range(20)}
    cols["label"] = y_train[:600].astype(str)
    fr = Frame.from_arrays(cols, types={"label": "enum"})
    mn = DeepLearning(hidden=[16], epochs=1, seed=3, reproducible=True).train(y="label", training_frame=fr)
    back = load_model(persist.save_model(mn, tmp_path / "mn"))
    pd.testing.assert_frame_equal(back.predict(fr).as_pandas(), mn.predict(fr).as_pandas())
    assert list(back.output["training_metrics"].hit_ratios.columns) == ["k", "hit_ratio"]


def _rewrite_doc(path, doc):
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["model.json"] = json.dumps(doc).encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)


def test_bad_files_are_refused(tmp_path, binomial_model):
    with pytest.raises(persist.ModelFormatError, match="without model.json"):
        load_model(tmp_path)
    path = persist.save_model(binomial_model[0], tmp_path / "m")
    with zipfile.ZipFile(path) as z:
        doc = json.loads(z.read("model.json"))
    doc["format_version"] = 99
    _rewrite_doc(path, doc)
    with pytest.raises(persist.ModelFormatError, match="newer"):
        load_model(path)
    doc["format_version"] = 2
    doc["model_class"] = "os:system"
    _rewrite_doc(path, doc)
    with pytest.raises(persist.ModelFormatError, match="refusing to load"):
        load_model(path)


def test_export_checkpoint_and_overwrite(binomial_model, tmp_path):
    model = binomial_model[0]
    p1 = persist.export_checkpoint(model, tmp_path)
    assert p1 == tmp_path / "pros_bin"
    p2 = persist.export_checkpoint(model, tmp_path)       # the next export replaces it (atomically)
    assert p2 == p1 and load_model(p2).key == "pros_bin"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["pros_bin"]


def test_export_checkpoints_dir_saves_each_built_model(prostate, tmp_path):
    m = DeepLearning(hidden=[4], epochs=1, seed=1, model_id="exported", export_checkpoints_dir=str(tmp_path)).train(
        x=X, y="CAPSULE", training_frame=prostate)
    back = load_model(tmp_path / "exported")
    pd.testing.assert_frame_equal(back.predict(prostate).as_pandas(), m.predict(prostate).as_pandas())
    assert back.output["epochs"] == m.output["epochs"]
