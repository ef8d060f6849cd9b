"""Issue 15: model files are bounded in size (item 8's limits, for models) and read from the very file that was
checked (no check-then-read race): opened once without following a final symbolic link, fstat-ed, matched against
the caller's check, read through that descriptor."""
import os
import shutil
import zipfile

import pytest

from deepbrook.engine import ModelFormatError, load_model
from deepbrook.engine.estimator import DeepLearning
from deepbrook.engine.frames import import_file
from test_persist_hostile import as_version_1_folder

MB = 1 << 20


@pytest.fixture(scope="module")
def saved(prostate_path, tmp_path_factory):
    fr = import_file(str(prostate_path)).as_type("CAPSULE", "enum")
    model = DeepLearning(hidden=[4], epochs=1, seed=2, reproducible=True, model_id="guarded").train(
        x=["AGE", "PSA"], y="CAPSULE", training_frame=fr)
    return model.save(tmp_path_factory.mktemp("saved"))


@pytest.fixture(params=["file", "version-1 folder"])
def good(saved, tmp_path, request):
    dst = tmp_path / "models" / saved.name
    dst.parent.mkdir()
    shutil.copy2(saved, dst)
    return dst if request.param == "file" else as_version_1_folder(dst)


def test_a_model_file_over_the_limit_is_refused_naming_the_file_and_the_limit(good):
    assert load_model(good, max_bytes=10 * MB).key == "guarded"
    with pytest.raises(ModelFormatError, match=rf"{good.name}: the (file|model folder) is [\d,]+ bytes, more than the "
                                               r"1,024 bytes a model file may have here"):
        load_model(good, max_bytes=1024)


def test_a_model_that_decompresses_beyond_the_limit_is_refused_before_inflating(saved, tmp_path):
    bomb = tmp_path / "bomb.model"
    shutil.copy2(saved, bomb)
    with zipfile.ZipFile(bomb, "a") as zf:  # 64 MB of zeros deflate to ~64 KB
        zf.writestr("arrays/padding.npy", b"\0" * (64 * MB), zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 2 * MB
    with pytest.raises(ModelFormatError, match=r"bomb.model: its contents once decompressed is 64.\d MB, more than "
                                               r"the 8.0 MB"):
        load_model(bomb, max_bytes=8 * MB)


def test_a_symbolic_link_is_not_followed(saved, tmp_path):
    link = tmp_path / "link.model"
    link.symlink_to(saved)
    with pytest.raises(ModelFormatError, match="link.model is a symbolic link"):
        load_model(link)


def test_a_file_swapped_after_the_check_is_not_read(saved, tmp_path):
    path = tmp_path / "checked.model"
    shutil.copy2(saved, path)
    checked = os.stat(path)  # what the server's path check looked at
    other = tmp_path / "other.model"
    shutil.copy2(saved, other)
    os.replace(other, path)  # another file takes its name before the load opens it
    with pytest.raises(ModelFormatError, match="replaced between the check of its path and its opening"):
        load_model(path, expect=checked)
    assert load_model(path, expect=os.stat(path)).key == "guarded"


def test_a_symlink_swapped_in_after_the_check_is_not_followed(saved, tmp_path):
    inside, outside = tmp_path / "root", tmp_path / "elsewhere"
    inside.mkdir(), outside.mkdir()
    path = inside / "m.model"
    shutil.copy2(saved, path)
    checked = os.stat(path)
    shutil.copy2(saved, outside / "secret.model")
    path.unlink()
    path.symlink_to(outside / "secret.model")  # the swap: the checked name now leads out of the root
    with pytest.raises(ModelFormatError, match="m.model is a symbolic link"):
        load_model(path, expect=checked)


def test_a_folder_swapped_for_a_link_is_caught_by_where_the_opened_file_is(saved, tmp_path):
    root, outside = tmp_path / "root", tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy2(saved, outside / "m.model")
    root.mkdir()
    (root / "sub").symlink_to(outside)  # an inner folder of the path swapped for a link after the check
    inside_root = lambda real: real.is_relative_to(root)  # noqa: E731  the server's gate
    with pytest.raises(ModelFormatError, match=r"it leads to .*elsewhere/m.model, outside the folders"):
        load_model(root / "sub" / "m.model", allow=inside_root)


def test_a_fifo_or_a_device_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.model"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    with pytest.raises(ModelFormatError, match="pipe.model is not a regular file"):
        load_model(fifo)
    with pytest.raises(ModelFormatError, match="null is not a regular file"):
        load_model("/dev/null")


def test_version_1_folder_members_are_not_read_through_links(saved, tmp_path):
    good = tmp_path / "v1" / saved.name
    good.parent.mkdir()
    shutil.copy2(saved, good)
    good = as_version_1_folder(good)
    (good / "model.json").rename(tmp_path / "elsewhere.json")
    (good / "model.json").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(ModelFormatError, match="model.json is a symbolic link"):
        load_model(good)
