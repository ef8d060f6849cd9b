"""#18 item 7 without a browser: getFrameData's rows, exportFrame (confined, never replaces), importModel (the
file Download model gives; other files refused)."""
import pandas as pd
import pytest

from deepbrook.app.context import AppState, CellContext
from deepbrook.app.routines import RoutineError, run
from deepbrook.app.views.frame_data_view import frame_rows
from deepbrook.app.views.model_view import ModelView
from deepbrook.engine import DeepLearning, Workspace, parse, parse_setup


@pytest.fixture
def ctx(tmp_path, prostate_path):
    app = AppState(workspace_dir=tmp_path / "ws", data_roots=[tmp_path / "ws" / "data", prostate_path.parent])
    frame = parse(parse_setup([str(prostate_path)]), destination="prostate.hex")
    app.workspace.put("prostate.hex", frame)
    return CellContext(app)


def test_frame_data_has_every_row_numbered_and_enum_levels_as_text(ctx):
    f = ctx.workspace.get("prostate.hex").as_type("RACE", "enum")
    rows = frame_rows(f)
    assert list(rows.columns) == ["Row", *f.names]
    assert rows["Row"].tolist() == list(range(1, 381))
    assert set(rows["RACE"].dropna()) == set(f.domain("RACE"))
    view = run(ctx, 'getFrameData "prostate.hex"')
    assert view.table.pagination == "remote" and len(view.table.value) == 380


def test_export_frame_writes_csv_inside_the_data_folder_and_never_replaces(ctx):
    run(ctx, 'exportFrame "prostate.hex", "exports/p.csv"')
    written = ctx.app.data_dir / "exports" / "p.csv"
    back = pd.read_csv(written)
    assert back.shape == (380, 9) and back["AGE"].tolist() == ctx.workspace.get("prostate.hex").as_pandas()["AGE"].tolist()
    before = written.read_bytes()
    with pytest.raises(RoutineError, match="already exists and is never replaced"):
        run(ctx, 'exportFrame "prostate.hex", "exports/p.csv"')
    assert written.read_bytes() == before
    with pytest.raises(RoutineError, match="outside the folders notebooks may write to"):
        run(ctx, 'exportFrame "prostate.hex", "../../escape.csv"')
    with pytest.raises(RoutineError, match="must end in .csv"):
        run(ctx, 'exportFrame "prostate.hex", "exports/p.py"')
    assert not list(written.parent.glob(".*tmp"))


def _model(ctx):
    frame = ctx.workspace.get("prostate.hex")
    return DeepLearning(hidden=[4], epochs=1, seed=3, model_id="dl_io").train(y="CAPSULE", training_frame=frame)


def test_import_model_from_the_download_zip_predicts_the_same(ctx):
    model = _model(ctx)
    ctx.workspace.put("dl_io", model)
    zipped = ModelView(ctx, model=model)._download().getvalue()
    (ctx.app.data_dir / "dl_io").write_bytes(zipped)
    with pytest.raises(RoutineError, match="already has an object named 'dl_io'"):
        run(ctx, 'importModel "dl_io"')
    frame = ctx.workspace.get("prostate.hex")
    expected = model.predict(frame).as_pandas()
    run(ctx, 'deleteModel "dl_io"')
    view = run(ctx, 'importModel "dl_io"')
    assert view.state.model_key == "dl_io"
    pd.testing.assert_frame_equal(ctx.workspace.get("dl_io").predict(frame).as_pandas(), expected)


def test_import_model_refuses_wrong_files_and_paths(ctx):
    (ctx.app.data_dir / "notes.zip").write_text("not a model")
    with pytest.raises(RoutineError, match=r"importModel: cannot load the model .*notes.zip"):
        run(ctx, 'importModel "notes.zip"')
    with pytest.raises(RoutineError, match="outside the allowed data folders"):
        run(ctx, 'importModel "/etc/passwd"')
    assert ctx.workspace.names("model") == []


def test_import_model_applies_the_servers_model_size_limit(tmp_path, prostate_path, monkeypatch):
    """#15: `deepbrook serve --max-model-mb` bounds what importModel reads; the error names the file and the limit."""
    from deepbrook.app.cli import build_parser, serve_command
    from deepbrook.app.context import ENV_MODEL_LIMIT

    args = build_parser().parse_args(["serve", "--workspace", str(tmp_path / "ws"), "--max-model-mb", "0.05"])
    env = serve_command(args)[1]
    assert env[ENV_MODEL_LIMIT] == "0.05"
    for name, value in env.items():
        if name.startswith("DEEPBROOK_"):
            monkeypatch.setenv(name, value)
    app = AppState.from_env()  # what the server process builds from that environment
    assert app.max_model_bytes == int(0.05 * (1 << 20))
    ctx = CellContext(app)
    frame = parse(parse_setup([str(prostate_path)]), destination="prostate.hex")
    model = DeepLearning(hidden=[64, 64], epochs=1, seed=1, model_id="big").train(y="CAPSULE", training_frame=frame)
    (app.data_dir / "big.model").write_bytes(ModelView(ctx, model=model)._download().getvalue())
    with pytest.raises(RoutineError, match=r"importModel: cannot load the model .*big.model: the file is [\d,]+ "
                                           r"bytes, more than the 52,428 bytes a model file may have here"):
        run(ctx, 'importModel "big.model"')
    assert app.workspace.names("model") == []


def test_import_model_reads_the_file_the_gate_checked(ctx, monkeypatch):
    """#15: a model swapped for a link out of the data folders between the path check and the read is refused."""
    import os
    import shutil

    model = _model(ctx)
    good = ctx.app.data_dir / "m.model"
    good.write_bytes(ModelView(ctx, model=model)._download().getvalue())
    outside = ctx.app.workspace_dir.parent / "outside.model"
    shutil.copy2(good, outside)
    real_stat = os.stat

    def stat_then_swap(path, *a, **k):  # the attacker wins the race right after the server's check
        st = real_stat(path, *a, **k)
        if str(path) == str(good):
            good.unlink()
            good.symlink_to(outside)
        return st

    monkeypatch.setattr("deepbrook.app.routines.os.stat", stat_then_swap)
    with pytest.raises(RoutineError, match=r"importModel: cannot load the model .*m.model: m.model is a symbolic "
                                           r"link"):
        run(ctx, 'importModel "m.model"')
    assert ctx.workspace.names("model") == []
