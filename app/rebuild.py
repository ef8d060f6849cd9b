"""Outputs of a reopened notebook, rebuilt from the workspace: nothing is parsed, trained or written again.

A routine that only shows something (a view or a form) is simply run. A routine that changed the workspace (parse,
build, split, predict...) gets the view of what it made, when that is still in the workspace; otherwise its cell
stays without output until the user runs it. Flow keeps outputs in its notebooks; we keep the objects, so the
outputs are rebuilt from them.
"""
from __future__ import annotations

from .routine_parser import parse_call
from .routines import invoke, lookup

# Routines without side effects: rebuilding their output is running them.
SHOW_ONLY = {"assist", "importFiles", "setupParse", "getFrames", "getFrameSummary", "getFrameData", "getModels",
             "getModel", "getJobs", "getJob", "getGrids", "getGrid"}


def _views():
    from . import views

    return views


def _has(ctx, name, kind):
    return isinstance(name, str) and name in ctx.workspace.names(kind)


def _parse_files(ctx, paths=None, destination_frame=None, **_options):
    if _has(ctx, destination_frame, "frame"):
        return _views().frame_summary_view(ctx, ctx.workspace.get(destination_frame))
    return None


def _build_model(ctx, algo="deeplearning", params=None):
    params = params if isinstance(params, dict) else {}
    if params.get("hyper_parameters") is not None:  # a grid: its view, from the grid or its stored models
        from .routines import getGrid

        return getGrid(ctx, params.get("grid_id")) if params.get("grid_id") else None
    if params.get("response_column") is None and not params.get("autoencoder"):
        return "run"  # the form
    key = params.get("model_id")
    if _has(ctx, key, "model"):
        return _views().model_view(ctx, ctx.workspace.get(key))
    for job in ctx.jobs.list():  # still training (started in another tab, or before a reload)
        if isinstance(key, str) and getattr(job, "dest", None) == key:
            return _views().job_view(ctx, job)
    return None


def _change_column_type(ctx, frame=None, column=None, type=None):
    return _views().frame_summary_view(ctx, ctx.workspace.get(frame)) if _has(ctx, frame, "frame") else None


def _split_frame(ctx, frame=None, ratios=None, destinations=None, seed=None):
    return "run" if ratios is None else _views().frames_view(ctx)


def _predict(ctx, model=None, frame=None, destination=None, predictions_frame=None, **options):
    from .flow_options import prediction_name

    if model is None or frame is None:
        return "run"  # the form
    name = destination or predictions_frame or prediction_name(model, frame, options)
    if not (_has(ctx, name, "frame") and _has(ctx, model, "model") and _has(ctx, frame, "frame")):
        return None
    return _views().predict_view(ctx, model_key=model, frame_name=frame, predictions=ctx.workspace.get(name),
                                 options=options)


def _form_without(arg):
    """Routines whose call without `arg` opens a form (run it), and with it wrote something (no output)."""
    def rebuild(ctx, *args, **kwargs):
        return "run" if len(args) < 2 and kwargs.get(arg) is None else None
    return rebuild


REBUILD = {
    "parseFiles": _parse_files,
    "buildModel": _build_model,
    "changeColumnType": _change_column_type,
    "splitFrame": _split_frame,
    "deleteFrame": lambda ctx, *a, **k: _views().frames_view(ctx),
    "deleteModel": lambda ctx, *a, **k: _views().models_view(ctx),
    "predict": _predict,
    "exportFrame": _form_without("path"),
    "importModel": lambda ctx, path=None: "run" if path is None else None,
}


def rebuild_output(ctx, text: str):
    """The output of code cell `text` rebuilt from the workspace, or None where only running the cell can make it.

    Never raises: a cell that cannot be rebuilt (deleted objects, a syntax error) simply has no output yet.
    """
    try:
        call = parse_call(text)
        routine = lookup(call.name)
        rebuild = REBUILD.get(routine.name)
        out = "run" if routine.name in SHOW_ONLY else rebuild(ctx, *call.args, **call.kwargs) if rebuild else None
        return invoke(ctx, call) if isinstance(out, str) and out == "run" else out
    except Exception:  # syntax and engine errors too: a cell that cannot be rebuilt keeps no output
        return None
