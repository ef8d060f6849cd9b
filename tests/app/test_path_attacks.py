"""Hostile paths and names in notebook cells (issue 15 items 2 and 7): each attack reproduced through a routine.

The data root holds links that lead out of it; a "victim" folder outside the roots stands for the server's own
files. Every attack must be refused with a clear error, and the victim must be untouched.
"""
import zipfile

import pytest

from deepbrook.app.context import AppState, CellContext
from deepbrook.app.routines import RoutineError, run
from deepbrook.engine import Workspace

TINY = 'hidden: [3], epochs: 1, seed: 1, reproducible: true'


@pytest.fixture
def victim(tmp_path):
    d = tmp_path / "victim"
    d.mkdir()
    (d / "passwd.csv").write_text("user,uid\nroot,0\nalice,1000\n")
    (d / "keep.txt").write_text("precious")
    return d


@pytest.fixture
def app(tmp_path, victim, prostate_path):
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (data / "tiny.csv").write_text("a,b\n1,x\n2,y\n3,x\n")
    (data / "sub" / "users.csv").symlink_to(victim / "passwd.csv")   # a link inside a folder
    (data / "link.csv").symlink_to(victim / "passwd.csv")            # a link named directly
    (data / "linkdir").symlink_to(victim)                            # a linked folder
    (data / "prostate.csv.gz").symlink_to(prostate_path)             # not a root: also outside
    return AppState(workspace_dir=tmp_path / "ws", data_roots=[data])


@pytest.fixture
def ctx(app):
    return CellContext(app)


@pytest.mark.parametrize("cell", [
    'parseFiles ["sub"]',                         # folder import followed the link to /etc/passwd
    'importFiles ["sub"]',
    'parseFiles "link.csv"',
    'parseFiles "linkdir/passwd.csv"',
    'importFiles ["linkdir"]',
    'parseFiles "sub/*.csv"',                     # a glob yields the link too
    'parseFiles "*/users.csv"',
    'parseFiles "../victim/passwd.csv"',
    'setupParse "prostate.csv.gz"',               # a link to a file outside every root
])
def test_links_and_dots_out_of_the_roots_are_refused(ctx, app, cell):
    with pytest.raises(RoutineError, match="outside the allowed data folders"):
        run(ctx, cell)
    assert app.workspace.names("frame") == []


def test_absolute_paths_outside_are_refused(ctx, victim):
    with pytest.raises(RoutineError, match="outside the allowed data folders"):
        run(ctx, f'parseFiles "{victim / "passwd.csv"}"')


@pytest.mark.parametrize("cell, message", [
    ('importFiles [""]', "must not be empty"),     # listed the first root
    ('importFiles "   "', "must not be empty"),
    ('parseFiles "tiny.csv\\0.txt"', "NUL character"),
    ('importFiles [1]', "string or a list of strings"),
])
def test_empty_and_nul_paths_are_refused(ctx, cell, message):
    with pytest.raises(RoutineError, match=message):
        run(ctx, cell)


def test_a_glob_inside_the_roots_still_works(ctx, app, tmp_path):
    (tmp_path / "data" / "more").mkdir()
    for i in range(2):
        (tmp_path / "data" / "more" / f"part{i}.csv").write_text("a,b\n1,2\n3,4\n")
    run(ctx, 'parseFiles "more/*.csv", destination_frame: "parts.hex"')
    assert app.workspace.get("parts.hex").nrows == 4


def test_the_workspace_object_store_is_never_a_path(tmp_path):
    ws = tmp_path / "ws"
    state = AppState(workspace_dir=ws, data_roots=[ws])  # a careless --data-root pointing at the workspace
    ctx = CellContext(state)
    (ws / "data" / "ok.csv").write_text("a,b\n1,2\n")
    run(ctx, 'parseFiles "data/ok.csv", destination_frame: "ok.hex"')
    for private in ("objects", "manifest.json"):
        with pytest.raises(RoutineError, match="outside the allowed data folders"):
            run(ctx, f'importFiles "{private}"')


def test_zip_members_with_unsafe_names_are_refused(ctx, tmp_path):
    with zipfile.ZipFile(tmp_path / "data" / "evil.zip", "w") as z:
        z.writestr("../../escape.csv", "a,b\n1,2\n")
    with pytest.raises(Exception, match=r"unsafe name '\.\./\.\./escape\.csv'"):
        run(ctx, 'parseFiles "evil.zip"')
    with zipfile.ZipFile(tmp_path / "data" / "abs.zip", "w") as z:
        z.writestr("/etc/cron.d/x.csv", "a,b\n1,2\n")
    with pytest.raises(Exception, match="unsafe name"):
        run(ctx, 'parseFiles "abs.zip"')


@pytest.mark.parametrize("cell, message", [
    ('parseFiles "tiny.csv", destination_frame: "../escaped"', "destination_frame '../escaped'"),
    ('parseFiles "tiny.csv", destination_frame: "a/b"', "path separators"),
    ('splitFrame "t.hex", [0.5], ["ok", "../../x"]', "destinations '../../x'"),
    ('predict model: "nope", frame: "t.hex", destination: "../p"', "no model named 'nope'"),
])
def test_names_are_checked_before_any_work(ctx, app, cell, message):
    run(ctx, 'parseFiles "tiny.csv", destination_frame: "t.hex"')
    with pytest.raises(RoutineError, match=message):
        run(ctx, cell)
    assert app.workspace.names("frame") == ["t.hex"]


# ------------------------------------------------------------------------------------- buildModel
@pytest.fixture
def trained_ctx(tmp_path, prostate_path):
    state = AppState(workspace_dir=tmp_path / "ws", data_roots=[prostate_path.parent])
    ctx = CellContext(state)
    run(ctx, 'parseFiles "prostate.csv.gz"')
    return ctx


def _build(ctx, extra):
    return run(ctx, 'buildModel "deeplearning", {training_frame: "prostate.hex", response_column: "CAPSULE", '
                    f'{TINY}, {extra}}}')


@pytest.mark.parametrize("extra, message", [
    ('model_id: "../escaped"', "model_id '../escaped' must not contain path separators"),
    ('model_id: ".."', r"model_id '..' must not be '\.' or contain '\.\.'"),
    ('model_id: "/tmp/x"', "model_id '/tmp/x' must not contain path separators"),
    ('model_id: "a\\nb"', "control characters"),
])
def test_bad_model_ids_are_refused_before_the_job_starts(trained_ctx, extra, message):
    with pytest.raises(RoutineError, match=message):
        _build(trained_ctx, extra)
    assert trained_ctx.jobs.list() == []


def test_checkpoint_export_outside_the_roots_is_refused(trained_ctx, victim):
    """A cell deleted a folder outside the workspace and wrote a model there."""
    with pytest.raises(RoutineError, match="export_checkpoints_dir .* is outside the folders notebooks may write"):
        _build(trained_ctx, f'model_id: "m1", export_checkpoints_dir: "{victim}"')
    with pytest.raises(RoutineError, match="outside the folders notebooks may write"):
        _build(trained_ctx, 'model_id: "m1", export_checkpoints_dir: "../../victim"')
    assert trained_ctx.jobs.list() == []
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt", "passwd.csv"]


def test_checkpoint_export_inside_the_workspace_data_folder(trained_ctx):
    _build(trained_ctx, 'model_id: "m2", export_checkpoints_dir: "checkpoints"')
    trained_ctx.job.result(timeout=120)
    assert trained_ctx.job.wait(10) and trained_ctx.job.status == "DONE"
    assert (trained_ctx.app.data_dir / "checkpoints" / "m2").is_file()        # one saved-model file


def test_engine_validation_refuses_a_path_as_model_id():
    from deepbrook.engine import validate

    errors = [m for m in validate({"model_id": "../escaped", "training_frame": "x", "response_column": "y"})
              if m.level == "error"]
    assert [m.parameter for m in errors] == ["model_id"]


class _FullDisk(Workspace):
    """A workspace whose disk is full: storing a model fails (frames still store)."""

    def put(self, name, obj, replace=True):
        if getattr(obj, "key", None) == name and hasattr(obj, "predict"):
            raise OSError(28, "No space left on device")
        return super().put(name, obj, replace)


def test_a_model_that_cannot_be_stored_fails_its_job(prostate_path):
    state = AppState(workspace=_FullDisk(None), data_roots=[prostate_path.parent])
    ctx = CellContext(state)
    run(ctx, 'parseFiles "prostate.csv.gz"')
    _build(ctx, 'model_id: "lost"')
    ctx.job.wait(120)
    assert ctx.job.status == "FAILED"
    with pytest.raises(Exception, match="trained but could not be stored as 'lost'.*No space left"):
        ctx.job.result()


def test_completion_offers_no_link_out_of_the_roots(app):
    offered = app.complete_path("")
    assert "tiny.csv" in offered and "sub/" in offered
    assert not {"link.csv", "linkdir/", "prostate.csv.gz"} & set(offered)
