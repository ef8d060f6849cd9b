"""Compact designs (issue 20): integer inputs in 0..255 kept as uint8 codes, decoded by the mini-batch and
prediction kernels. The contract is exactness: a compact design decodes to the very float32 numbers of the full
design, so a model trains and predicts bit for bit as it would from the full design."""
import numpy as np
import pytest

from deepbrook.engine import DeepLearning, Frame
from deepbrook.engine.model.optimizer import input_scaling
from deepbrook.engine.params.resolve import resolve
from deepbrook.engine.prep import DataInfo
from deepbrook.engine.prep import datainfo as datainfo_module


def _pixels_frame(x, y, name, extra=None):
    cols = {f"C{i + 1}": x[:, i] for i in range(x.shape[1])}
    cols.update(extra or {})
    cols["label"] = y.astype(np.int32)
    return Frame.from_arrays(cols, types={"label": "enum"}, name=name)


@pytest.fixture(scope="module")
def pixels(mnist):
    x_train, y_train, x_test, y_test = mnist
    return (_pixels_frame(x_train[:3000], y_train[:3000], "px_train"),
            _pixels_frame(x_test[:700], y_test[:700], "px_test"))


def _fit(frame, **params):
    base = dict(response_column="label", hidden=[8], epochs=1, seed=1, mini_batch_size=32)
    return DataInfo.fit(frame, resolve({**base, **params}, frame, None))


def test_compact_design_decodes_to_the_full_design_bit_for_bit(pixels):
    train, test = pixels
    info = _fit(train)
    for frame in (train, test):
        full, compact = info.transform(frame), info.transform(frame, compact=True)
        assert not full.compact and full.num.dtype == np.float32
        assert compact.compact and compact.num.dtype == np.uint8 and compact.num.shape == full.num.shape
        assert compact.num.nbytes * 4 == full.num.nbytes
        assert np.array_equal(compact.numeric_inputs(), full.num)  # same bits, not just close
        for a, b in zip(compact[1:6], full[1:6]):
            assert np.array_equal(a, b, equal_nan=True)
        picked = compact.take([5, 0, 5, 42])  # class balancing / Dask shards: rows keep their scaling
        assert picked.compact and np.array_equal(picked.numeric_inputs(), full.num[[5, 0, 5, 42]])


def test_integer_columns_of_any_width_in_0_255_are_compact_others_are_not():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    wide = Frame.from_arrays({"a": rng.integers(0, 256, 300).astype(np.int64), "b": rng.integers(3, 9, 300),
                              "label": y}, types={"label": "enum"}, name="wide_ints")
    info = _fit(wide)
    d = info.transform(wide, compact=True)
    assert d.compact
    assert np.array_equal(d.numeric_inputs(), info.transform(wide).num)
    # a value past 255, a negative value, a real column, a missing value: the full float32 design
    for name, extra in (("big", np.append(rng.integers(0, 256, 299), 256)),
                        ("negative", np.append(rng.integers(0, 256, 299), -1)),
                        ("real", rng.random(300) * 255),
                        ("missing", np.append(rng.integers(0, 256, 299).astype(np.float64), np.nan))):
        frame = Frame.from_arrays({"a": extra, "b": rng.integers(3, 9, 300), "label": y}, types={"label": "enum"},
                                  name=f"f_{name}")
        assert not info.compact_inputs(frame), name
        d = info.transform(frame, compact=True)
        assert not d.compact and d.num.dtype == np.float32, name


def test_the_kernels_refuse_a_scaling_that_does_not_match_the_codes(pixels):
    train, _ = pixels
    d = _fit(train).transform(train, compact=True)
    with pytest.raises(ValueError, match="uint8 codes"):
        input_scaling(d._replace(num_scaling=d.num_scaling[:, :10]))
    with pytest.raises(ValueError, match="uint8 codes"):
        input_scaling(d._replace(num=d.numeric_inputs()))


@pytest.mark.parametrize("extra", [{}, {"input_dropout_ratio": 0.2, "hidden_dropout_ratios": [0.1, 0.1],
                                        "activation": "RectifierWithDropout"}])
def test_a_mini_batch_model_trains_and_predicts_the_same_bits_from_a_compact_design(mnist, monkeypatch, extra):
    x_train, y_train, x_test, y_test = mnist
    rng = np.random.default_rng(1)
    colours = ["red", "green", "blue"]  # a categorical input beside the compact numerics
    train = _pixels_frame(x_train[:3000], y_train[:3000], "px_mixed", extra={"colour": rng.choice(colours, 3000)})
    test = _pixels_frame(x_test[:700], y_test[:700], "px_mixed_test", extra={"colour": rng.choice(colours, 700)})
    params = dict(hidden=[32, 16], epochs=2, seed=7, mini_batch_size=64, reproducible=True, **extra)

    def build():
        model = DeepLearning(**params).train(y="label", training_frame=train, validation_frame=test)
        return model, model.predict(test).as_pandas()

    compact_model, compact_pred = build()
    assert compact_model._design(test).compact  # predictions of this model decode codes too
    monkeypatch.setattr(datainfo_module, "COMPACT_INPUTS", False)
    full_model, full_pred = build()
    assert not full_model._design(test).compact
    for a, b in zip(compact_model.network.net, full_model.network.net):
        assert np.array_equal(a, b)
    assert compact_pred.equals(full_pred)
    for key in ("training_metrics", "validation_metrics"):
        assert compact_model.output[key]["logloss"] == full_model.output[key]["logloss"]


def test_row_mode_and_autoencoder_models_keep_full_designs(pixels):
    train, test = pixels
    row_mode = DeepLearning(hidden=[8], epochs=0.1, seed=1).train(y="label", training_frame=train)
    assert not row_mode._design(test).compact
    auto = DeepLearning(hidden=[8], epochs=0.1, seed=1, autoencoder=True, mini_batch_size=16).train(
        x=[f"C{i}" for i in range(300, 320)], training_frame=train)
    assert not auto._design(test).compact
    assert np.isfinite(auto.anomaly(test).as_pandas().to_numpy()).all()


def test_the_data_parallel_mini_batch_kernel_reads_compact_codes_like_the_full_design(pixels):
    from deepbrook.engine.kernels import hyper as H
    from deepbrook.engine.kernels import minibatch
    from deepbrook.engine.model.network import Network
    from deepbrook.engine.model.optimizer import Hyper, design_arrays
    train, _ = pixels
    info = _fit(train)
    hyp, opt = Hyper(loss=H.CROSSENTROPY, mini_batch_size=32).arrays(0.0, 5)
    nets = []
    for d in (info.transform(train), info.transform(train, compact=True)):
        net = Network.build(info.n_inputs, [24, 12], 10, input_dropout=0.1, hidden_dropout=[0.2, 0.0], seed=3)
        n, status = minibatch.minibatch_rows_parallel(net.net, (net.lay, net.drop, hyp, opt),
                                                      design_arrays(d, codes=True), np.arange(1000), 32, 2,
                                                      input_scaling(d))
        assert (n, status) == (1000, H.OK)
        nets.append(net)
    for a, b in zip(nets[0].net, nets[1].net):
        assert np.array_equal(a, b)
    # the row kernels never see codes: design_arrays decodes a compact design for them
    assert design_arrays(info.transform(train, compact=True))[0].dtype == np.float32
