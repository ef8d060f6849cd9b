"""H2OFrame and the module's frame functions, on H2O's own pyunit data (prostate, iris)."""
import math

import numpy as np
import pandas as pd
import pytest

from deepbrook.h2o import H2OFrame
from deepbrook.h2o.exceptions import H2OResponseError, H2OValueError

PROSTATE_NAMES = ["ID", "CAPSULE", "AGE", "RACE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]


def test_import_file_shape_names_types_and_id(prostate):
    assert prostate.shape == (380, 9) and prostate.nrow == 380 and prostate.ncol == 9 and prostate.dim == [380, 9]
    assert prostate.names == PROSTATE_NAMES == prostate.columns == prostate.col_names
    assert prostate.types["PSA"] == "real" and prostate.types["AGE"] == "int"
    assert prostate.frame_id == "prostate.hex"
    assert len(prostate) == 380


def test_import_file_options(h2o, smalldata):
    path = str(smalldata / "iris" / "iris.csv")
    names = ["sl", "sw", "pl", "pw", "cls"]
    by_list = h2o.import_file(path, destination_frame="iris_a", header=-1, col_names=names,
                              col_types=["numeric"] * 4 + ["enum"])
    assert by_list.names == names and by_list.types["cls"] == "enum" and by_list.nrow == 150
    by_dict = h2o.import_file(path, destination_frame="iris_b", col_names=names, col_types={"cls": "string"})
    assert by_dict.types["cls"] == "string"
    assert h2o.get_frame("iris_a") is by_list
    with pytest.raises(H2OValueError, match="does not exist"):
        h2o.import_file(str(smalldata / "nope.csv"))
    with pytest.raises(H2OValueError, match="col_names has 2 names"):
        h2o.import_file(path, col_names=["a", "b"])
    up = h2o.upload_file(path, destination_frame="iris_c", sep=",")
    assert up.shape == (150, 5)


def test_frames_from_python_objects(h2o):
    assert H2OFrame([1, 2, 3]).shape == (3, 1)                       # a flat list is one column
    assert H2OFrame((4.5, 5.5)).as_data_frame()["C1"].tolist() == [4.5, 5.5]
    assert H2OFrame(np.arange(6).reshape(3, 2)).shape == (3, 2)
    rows = H2OFrame([[1, "a"], [2, "b"], (3, "a")])
    assert rows.shape == (3, 2) and rows.names == ["C1", "C2"] and rows.types["C2"] == "enum"
    assert rows.levels() == [[], ["a", "b"]]
    with_header = H2OFrame([["x", "y"], [1, 2], [3, 4]], header=1)
    assert with_header.names == ["x", "y"] and with_header.nrow == 2
    d = H2OFrame({"a": [1.5, 2.5], "b": ["u", "v"]}, column_types={"b": "string"})
    assert d.types == {"a": "real", "b": "string"}
    p = H2OFrame(pd.DataFrame({"n": [1, 2, None], "c": pd.Categorical(["x", "y", "x"])}),
                 column_names=["num", "cat"], destination_frame="from_pandas")
    assert p.names == ["num", "cat"] and p.types["cat"] == "enum" and h2o.get_frame("from_pandas") is p
    assert math.isnan(p[2, "num"])
    with pytest.raises(H2OValueError, match="not a list of flat lists"):
        H2OFrame([[1, [2]]])


def test_indexing_by_name_number_list_slice_and_scalars(prostate):
    assert prostate["AGE"].names == ["AGE"] and prostate[2].names == ["AGE"]
    assert prostate[["AGE", "PSA"]].names == ["AGE", "PSA"] and prostate[[0, 1]].names == ["ID", "CAPSULE"]
    assert prostate[1:3].names == ["CAPSULE", "AGE"]
    assert prostate[:, ["VOL"]].shape == (380, 1)
    assert prostate[0, "AGE"] == 65 and prostate[1, 2] == 72
    assert prostate[0:5, :].shape == (5, 9) and prostate[[0, 2], "ID"].as_data_frame()["ID"].tolist() == [1, 3]
    with pytest.raises(H2OValueError, match="'nope' does not exist"):
        prostate["nope"]
    with pytest.raises(H2OValueError, match="out of range"):
        prostate[20]


def test_boolean_masks_comparisons_and_logic(prostate):
    old = prostate[prostate["AGE"] > 70]
    ages = prostate["AGE"].as_data_frame()["AGE"]
    assert old.nrow == int((ages > 70).sum()) and old.ncol == 9
    both = prostate[(prostate["AGE"] > 60) & (prostate["RACE"] == 2)]
    df = prostate.as_data_frame()
    assert both.nrow == int(((df.AGE > 60) & (df.RACE == 2)).sum())
    either = prostate[(prostate["AGE"] < 50) | (prostate["AGE"] >= 75)]
    assert either.nrow == int(((df.AGE < 50) | (df.AGE >= 75)).sum())
    assert prostate[prostate["AGE"] != 65].nrow == int((df.AGE != 65).sum())
    assert prostate[prostate["AGE"] <= 50].nrow == int((df.AGE <= 50).sum())
    assert prostate[~(prostate["AGE"] > 70)].nrow == 380 - old.nrow
    r = prostate["VOL"].runif(seed=42)
    train, test = prostate[r < 0.8], prostate[r >= 0.8]
    assert train.nrow + test.nrow == 380 and 250 < train.nrow < 350


def test_categorical_comparison_uses_level_names(iris):
    setosa = iris[iris["class"] == "Iris-setosa"]
    assert setosa.nrow == 50
    assert iris[iris["class"] != "Iris-setosa"].nrow == 100


def test_assignment_and_types(prostate):
    prostate["CAPSULE"] = prostate["CAPSULE"].asfactor()
    assert prostate.types["CAPSULE"] == "enum" and prostate["CAPSULE"].isfactor() == [True]
    assert prostate["CAPSULE"].levels() == [["0", "1"]] and prostate["CAPSULE"].nlevels() == [2]
    prostate[3] = prostate[3].asfactor()
    assert prostate.types["RACE"] == "enum"
    prostate["AGE2"] = prostate["AGE"] * 2
    assert prostate.ncol == 10 and prostate[0, "AGE2"] == 130
    vol = prostate["VOL"]
    zeros = int((vol.as_data_frame()["VOL"] == 0).sum())
    vol[vol == 0] = float("nan")
    assert vol.isna().sum() == zeros and prostate["VOL"].isna().sum() == 0  # vol is its own frame
    prostate[prostate["AGE"] > 70, "PSA"] = 0
    assert prostate[prostate["AGE"] > 70]["PSA"].max() == 0
    assert prostate["CAPSULE"].asnumeric().types["CAPSULE"] == "int"
    assert prostate["ID"].ascharacter().types["ID"] == "string"


def test_arithmetic(prostate):
    df = prostate.as_data_frame().astype(float)
    assert np.allclose((prostate["PSA"] + 1).as_data_frame().iloc[:, 0], df.PSA + 1)
    assert np.allclose((2 * prostate["PSA"] - prostate["VOL"]).as_data_frame().iloc[:, 0], 2 * df.PSA - df.VOL)
    assert np.allclose((prostate["AGE"] / 10).as_data_frame().iloc[:, 0], df.AGE / 10)
    assert np.allclose((prostate["AGE"] ** 2).as_data_frame().iloc[:, 0], df.AGE ** 2)
    assert np.allclose((prostate["AGE"] % 7).as_data_frame().iloc[:, 0], df.AGE % 7)
    assert np.allclose((-prostate["AGE"]).as_data_frame().iloc[:, 0], -df.AGE)
    with pytest.raises(H2OValueError, match="arithmetic with text"):
        prostate["AGE"] + "x"


def test_aggregates(prostate):
    df = prostate.as_data_frame()
    assert prostate["AGE"].mean() == pytest.approx([df.AGE.mean()])
    assert prostate[["AGE", "PSA"]].mean() == pytest.approx([df.AGE.mean(), df.PSA.mean()])
    assert prostate["AGE"].min() == df.AGE.min() and prostate["AGE"].max() == df.AGE.max()
    assert prostate["PSA"].sum() == pytest.approx(df.PSA.sum())
    assert prostate["PSA"].sd() == pytest.approx([df.PSA.std()])
    assert prostate["AGE"].median() == [df.AGE.median()]


def test_split_cbind_rbind_drop_names(prostate):
    a, b = prostate.split_frame(ratios=[0.75], seed=1)
    assert a.nrow + b.nrow == 380 and 250 < a.nrow < 320 and a.names == prostate.names
    parts = prostate.split_frame(ratios=[0.5, 0.25], destination_frames=["p1", "p2", "p3"], seed=3)
    assert [p.frame_id for p in parts] == ["p1", "p2", "p3"] and sum(p.nrow for p in parts) == 380
    both = prostate[["AGE"]].cbind(prostate[["AGE", "PSA"]])
    assert both.names == ["AGE", "AGE0", "PSA"]
    stacked = a.rbind(b)
    assert stacked.nrow == 380 and stacked.names == prostate.names
    dropped = prostate.drop("ID")
    assert "ID" not in dropped.names and "ID" in prostate.names      # drop returns a new frame
    assert prostate.drop([0, 1]).ncol == 7 and prostate.drop([0, 1], axis=0).nrow == 378
    small = prostate[["AGE", "PSA"]]
    small.set_names(["age", "psa"])
    assert small.names == ["age", "psa"]
    small.set_name(col=1, name="PSA")
    assert small.names == ["age", "PSA"]


def test_display_and_conversion(prostate, capsys):
    prostate.describe()
    out = capsys.readouterr().out
    assert "Rows:380" in out and "Cols:9" in out and "GLEASON" in out and "mean" in out
    prostate.summary()
    assert "sigma" in capsys.readouterr().out
    stats = prostate.summary(return_data=True)
    assert stats["AGE"]["mins"] == [43] and stats["AGE"]["maxs"] == [79]
    assert prostate.head().shape == (10, 9) and prostate.tail(5).shape == (5, 9)
    assert prostate.tail(1)[0, "ID"] == 380
    prostate.show()
    assert "[380 rows x 9 columns]" in capsys.readouterr().out
    df = prostate.as_data_frame()
    assert isinstance(df, pd.DataFrame) and df.shape == (380, 9)
    rows = prostate[["ID", "AGE"]].head(2).as_data_frame(use_pandas=False)
    assert rows == [["ID", "AGE"], ["1", "65"], ["2", "72"]]


def test_missing_values(prostate):
    assert prostate.isna().sum() == 0
    prostate.insert_missing_values(fraction=0.2, seed=7)
    missing = prostate.isna()
    assert missing.names[0] == "isNA(ID)"
    assert 0.15 < missing.sum() / (380 * 9) < 0.25
    assert prostate["AGE"].mean(skipna=True)[0] == pytest.approx(prostate.as_data_frame().AGE.mean())
    assert math.isnan(prostate["AGE"].mean(skipna=False)[0])


def test_registry_export_and_download(h2o, prostate, tmp_path):
    assert "prostate.hex" in h2o.ls()["key"].tolist()
    assert h2o.get_frame("prostate.hex") is prostate
    target = tmp_path / "out.csv"
    h2o.export_file(prostate, str(target))
    assert pd.read_csv(target).shape == (380, 9)
    with pytest.raises(H2OResponseError, match="already exists"):
        h2o.export_file(prostate, str(target))
    h2o.export_file(prostate[["AGE"]], str(target), force=True)
    assert pd.read_csv(target).columns.tolist() == ["AGE"]
    path = h2o.download_csv(prostate[0:3, :], str(tmp_path / "d.csv"))
    assert pd.read_csv(path).shape == (3, 9)
    h2o.remove(prostate)
    with pytest.raises(H2OResponseError, match="not found"):
        h2o.get_frame("prostate.hex")


def test_create_frame(h2o):
    df = h2o.create_frame(rows=500, cols=10, real_fraction=0.3, categorical_fraction=0.4, integer_fraction=0.3,
                          binary_fraction=0, time_fraction=0, string_fraction=0, factors=5, missing_fraction=0.1,
                          has_response=True, response_factors=3, seed=12, seed_for_column_types=5)
    assert df.shape == (500, 11) and df.names[0] == "response" and df.types["response"] == "enum"
    kinds = list(df.types.values())[1:]
    assert kinds.count("enum") == 4 and kinds.count("int") == 3 and kinds.count("real") == 3
    assert 0.05 < df[1:].isna().sum() / 5000 < 0.15
    again = h2o.create_frame(rows=500, cols=10, real_fraction=0.3, categorical_fraction=0.4, integer_fraction=0.3,
                             binary_fraction=0, time_fraction=0, string_fraction=0, factors=5,
                             missing_fraction=0.1, has_response=True, response_factors=3, seed=12,
                             seed_for_column_types=5)
    assert df.as_data_frame().equals(again.as_data_frame())


def test_rapids_setproperty_only(h2o):
    from deepbrook.h2o import session
    h2o.rapids('(setproperty "sys.ai.h2o.algos.evaluate_auto_model_parameters" "false")')
    try:
        assert session.evaluate_auto_parameters() is False
    finally:
        h2o.rapids('(setproperty "sys.ai.h2o.algos.evaluate_auto_model_parameters" "true")')
    with pytest.raises(H2OValueError, match="not supported in-process"):
        h2o.rapids("(tmp= py_1 (cols py_2 [0]))")


def test_table_and_sort(prostate):
    counts = prostate["RACE"].table().as_data_frame()
    df = prostate.as_data_frame()
    assert counts["RACE"].tolist() == sorted(df.RACE.unique().tolist())
    assert counts["Count"].tolist() == df.RACE.value_counts().sort_index().tolist()
    pairs = prostate[["RACE", "CAPSULE"]].table().as_data_frame()
    assert pairs["Count"].sum() == 380 and list(pairs.columns) == ["RACE", "CAPSULE", "Count"]
    by_age = prostate.sort("AGE").as_data_frame()
    assert by_age.AGE.is_monotonic_increasing and by_age.shape == (380, 9)
    two = prostate.sort(["RACE", "AGE"], ascending=[True, False]).as_data_frame()
    expected = df.sort_values(["RACE", "AGE"], ascending=[True, False], kind="stable")
    assert two.ID.tolist() == expected.ID.tolist()
