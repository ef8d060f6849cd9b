"""Flow's whitelisted routines: each turns a parsed call into engine calls and a view.

Only functions registered with ``@routine`` can run; arguments are bound to the Python signature so a wrong name
or a missing argument gives a usage message. Routines reach the engine only through ``deepbrook.engine``.
"""
from __future__ import annotations

import difflib
import inspect
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .routine_parser import Call, RoutineSyntaxError, format_call, parse_call

__all__ = ["ROUTINES", "RoutineError", "RoutineSyntaxError", "Routine", "run", "parse_call", "format_call",
           "usage", "help_table"]


class RoutineError(ValueError):
    """A routine call that cannot run (unknown name, bad arguments, missing object); shown red in its cell."""


@dataclass(frozen=True)
class Routine:
    name: str
    fn: Callable
    doc: str
    group: str
    aliases: tuple = ()

    @property
    def signature(self) -> inspect.Signature:
        params = list(inspect.signature(self.fn).parameters.values())[1:]  # drop ctx
        return inspect.Signature(params)

    def usage(self) -> str:
        parts = []
        for p in self.signature.parameters.values():
            if p.kind is p.VAR_KEYWORD:
                parts.append("key: value ...")
            elif p.default is p.empty:
                parts.append(p.name)
            else:
                parts.append(f"[{p.name}]")
        return self.name + (" " + ", ".join(parts) if parts else "")


ROUTINES: dict[str, Routine] = {}
_ALIASES: dict[str, str] = {}


def routine(group: str, aliases=()):
    """Register a routine under its function name; its docstring's first line is the help text."""
    def deco(fn):
        r = Routine(fn.__name__, fn, inspect.getdoc(fn).splitlines()[0], group, tuple(aliases))
        ROUTINES[r.name] = r
        for a in aliases:
            _ALIASES[a] = r.name
        return fn
    return deco


def suggest(name, options, quote=repr) -> str:
    """' Did you mean X or Y?' for near misses (case-insensitive), '' when nothing is close."""
    name, options = str(name), [str(o) for o in options]
    same_case = [o for o in options if o.lower() == name.lower()]
    lowered = {o.lower(): o for o in options}
    close = same_case + [lowered[c] for c in difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.6)]
    close = list(dict.fromkeys(close))[:3]
    return f" Did you mean {' or '.join(map(quote, close))}?" if close else ""


def lookup(name: str) -> Routine:
    name = _ALIASES.get(name, name)
    if name in ROUTINES:
        return ROUTINES[name]
    hint = suggest(name, [*ROUTINES, *_ALIASES], quote=str) or " Type `assist` to list the routines."
    raise RoutineError(f"unknown routine {name!r}.{hint}")


def usage(name: str) -> str:
    return lookup(name).usage()


def run(ctx, text: str):
    """Parse `text` and run its routine with `ctx`; returns the routine's output (a Panel object)."""
    call = parse_call(text, routine_names=[*ROUTINES, *_ALIASES])
    return invoke(ctx, call)


def invoke(ctx, call: Call):
    r = lookup(call.name)
    try:
        bound = r.signature.bind(*call.args, **call.kwargs)
    except TypeError as e:
        raise RoutineError(f"{r.name}: {e}. Usage: {r.usage()}") from None
    return r.fn(ctx, *bound.args, **bound.kwargs)


def help_table() -> list[tuple[str, str, str]]:
    """(group, usage, doc) for every routine, for the assist view and the help sidebar."""
    return [(r.group, r.usage(), r.doc) for r in ROUTINES.values()]


# ----------------------------------------------------------------------------------------------------------- helpers
def _views():
    from . import views

    return views


def _engine():
    from deepbrook import engine

    return engine


def _get(ctx, name, kind):
    """The workspace object `name`, checked to be a frame/model, with a clear error otherwise."""
    _entry(ctx, name, kind)
    return ctx.workspace.get(name)


def _entry(ctx, name, kind):
    """The workspace entry `name` (damaged ones too), checked to be a frame/model, with a clear error otherwise."""
    if not isinstance(name, str):
        raise RoutineError(f"expected the name of a {kind} in quotes, got {format_call('', name).strip()}")
    entries = {e.name: e for e in ctx.workspace.list(kind)}
    if kind == "model" and name not in entries and _store_finished_model(ctx, name):
        entries = {e.name: e for e in ctx.workspace.list(kind)}
    if name not in entries:
        names = sorted(entries)
        hint = suggest(name, names) or (
            f" Known {kind}s: {', '.join(map(repr, names[:10]))}." if names else f" There are no {kind}s yet.")
        raise RoutineError(f"no {kind} named {name!r}.{hint}")
    return entries[name]


def _delete(ctx, name, kind):
    """Delete the workspace object `name` after checking it is a `kind` (a clear error otherwise); a damaged
    entry is deletable without being opened."""
    _entry(ctx, name, kind)
    ctx.workspace.delete(name)


KEPT = ("DONE", "CANCELLED")  # job states whose model is stored: H2O keeps a cancelled build's model so far


def _store_finished_model(ctx, name) -> bool:
    """Store the model of a finished job now if its "done" event has not stored it yet (that runs just after)."""
    for job in ctx.jobs.list():
        if getattr(job, "dest", None) == name and getattr(job, "status", None) in KEPT:
            ctx.workspace.put(name, job.result())
            return True
    return False


def _str_list(value, what):
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RoutineError(f"{what} must be a string or a list of strings")
    return value


def _resolve_paths(ctx, paths):
    """Every file the cell's paths name (files, folders, globs), each checked by the app's path gate."""
    out = []
    for p in _str_list(paths, "paths"):
        try:
            files = ctx.app.resolve_files(p)
        except (ValueError, FileNotFoundError) as e:
            raise RoutineError(str(e)) from None
        if not files:
            raise RoutineError(f"{p!r} holds no files to import")
        out.extend(f for f in files if f not in out)
    return [str(p) for p in out]


def _name(value, what):
    """A workspace name given by a cell (frame, model or destination), checked before any work starts."""
    try:
        return _engine().validate_key(value, what)
    except ValueError as e:
        raise RoutineError(str(e)) from None


# ---------------------------------------------------------------------------------------------------------- routines
@routine("Help")
def assist(ctx, routine=None, *args, **kwargs):
    """List the routines, or open the input form of one (`assist splitFrame, "f"`, `assist buildModel`)."""
    if routine is None:
        return _views().assist_view(ctx)
    name = _ALIASES.get(routine, routine)
    forms = {"importFiles": lambda: importFiles(ctx), "getFrames": lambda: getFrames(ctx),
             "getModels": lambda: getModels(ctx), "getJobs": lambda: getJobs(ctx), "assist": lambda: assist(ctx),
             "getPredictions": lambda: getPredictions(ctx), "importModel": lambda: importModel(ctx),
             # Flow: `assist splitFrame, frame[, seed]`, `assist buildModel, algo, training_frame: f`,
             # `assist predict, model: m, frame: f`
             "splitFrame": lambda frame=None, seed=None: _split_form(ctx, frame, seed),
             "buildModel": lambda algo=None, **params: _views().model_builder_view(
                 ctx, algo or "deeplearning", params),
             "predict": lambda model=None, frame=None, **_: predict(ctx, model=model, frame=None) if frame is None
             else _views().predict_view(ctx, model_key=model, frame_name=frame)}
    if name not in forms:
        lookup(name)  # unknown names get the "did you mean" error
        raise RoutineError(f"{name} has no input form; run it with arguments: {usage(name)}")
    try:
        return forms[name](*args, **kwargs)
    except TypeError:
        raise RoutineError(f"assist {name}: unexpected arguments {format_call('', *args, **kwargs).strip()}; "
                           f"the form takes: {usage(name)}") from None


def _split_form(ctx, frame, seed):
    view = _views().split_frame_view(ctx, None if frame is None else _get(ctx, frame, "frame"))
    if seed is not None:
        view.state.seed = int(seed)
    return view


@routine("Data")
def importFiles(ctx, paths=None):
    """Import files from the server's data folders (no paths: open the import form)."""
    return _views().import_files_view(ctx, [] if paths is None else _resolve_paths(ctx, paths))


@routine("Data")
def setupParse(ctx, paths=None, source_frames=None, **options):
    """Guess how to parse files and open the editable parse setup (H2O's parse options accepted)."""
    setup = _parse_setup(ctx, paths if paths is not None else source_frames, options)
    return _views().parse_setup_view(ctx, setup)


@routine("Data")
def parseFiles(ctx, paths=None, destination_frame=None, source_frames=None, **options):
    """Parse files into a frame (H2O's options: parse_type, separator, check_header, column_types, ...)."""
    eng = _engine()
    if destination_frame is not None:
        _name(destination_frame, "destination_frame")
    setup = _parse_setup(ctx, paths if paths is not None else source_frames, options)
    frame = eng.parse(setup, destination=destination_frame)
    ctx.workspace.put(frame.name, frame)
    return _views().frame_summary_view(ctx, frame, warnings=setup.warnings)


def _parse_setup(ctx, paths, options):
    """The engine's parse setup for Flow's/H2O's parse options (translated by flow_options), notes for the rest,
    under this server's read limits (a cell cannot raise them)."""
    from .flow_options import h2o_parse_options

    if paths is None:
        raise RoutineError("parseFiles: paths is required (the files to parse)")
    files = _resolve_paths(ctx, paths)
    if "limits" in options:
        raise RoutineError("'limits' is not a parse option: the server sets the read limits")
    overrides, after, notes = h2o_parse_options(options)
    for n in notes:
        ctx.note(n)
    try:
        setup = _engine().parse_setup(files, limits=ctx.app.read_limits, **overrides)
    except TypeError as e:  # an option neither H2O's nor the engine's
        raise RoutineError(f"parseFiles: {e}; H2O's options: parse_type, separator, check_header, single_quotes, "
                           f"column_names, column_types, number_columns, skipped_columns, na_strings") from None
    after(setup)
    return setup


@routine("Data")
def getFrames(ctx):
    """List the frames in the workspace."""
    return _views().frames_view(ctx)


@routine("Data", aliases=("getFrame",))
def getFrameSummary(ctx, frame):
    """Show a frame: size and a summary of every column."""
    return _views().frame_summary_view(ctx, _get(ctx, frame, "frame"))


@routine("Data")
def changeColumnType(ctx, frame, column, type):
    """Convert a column of a frame to another type (enum, numeric, string, ...) in place."""
    f = _get(ctx, frame, "frame")
    if column not in f.names:
        raise RoutineError(f"frame {frame!r} has no column {column!r}.{suggest(column, f.names)}")
    new = f.as_type(column, type)
    ctx.workspace.put(frame, new)
    return _views().frame_summary_view(ctx, new)


@routine("Data")
def splitFrame(ctx, frame=None, ratios=None, destinations=None, seed=None):
    """Split a frame at random into parts (no ratios: open the split form)."""
    if ratios is None:
        return _views().split_frame_view(ctx, None if frame is None else _get(ctx, frame, "frame"))
    f = _get(ctx, frame, "frame")
    ratios = ratios if isinstance(ratios, list) else [ratios]
    if not ratios or not all(isinstance(r, (int, float)) and not isinstance(r, bool) and 0 < r < 1 for r in ratios) \
            or sum(ratios) >= 1:
        raise RoutineError(f"splitFrame: ratios must be numbers in (0, 1) summing to less than 1, got {ratios}")
    if destinations is not None:
        destinations = [_name(d, "destinations") for d in _str_list(destinations, "destinations")]
        if len(destinations) != len(ratios) + 1:
            raise RoutineError(f"splitFrame: {len(ratios)} ratios make {len(ratios) + 1} frames, "
                               f"but {len(destinations)} destinations were given")
    parts = f.split_frame(ratios, seed=seed, destinations=destinations)
    for p in parts:
        ctx.workspace.put(p.name, p)
    return _views().frames_view(ctx)


@routine("Data")
def deleteFrame(ctx, frame):
    """Delete a frame from the workspace."""
    _delete(ctx, frame, "frame")
    return _views().frames_view(ctx)


@routine("Data")
def getFrameData(ctx, frame):
    """Show a frame's rows, paged and sortable (Flow's View Data)."""
    return _views().frame_data_view(ctx, _get(ctx, frame, "frame"))


EXPORT_SUFFIXES = (".csv", ".csv.gz")


@routine("Data")
def exportFrame(ctx, frame, path=None):
    """Write a frame as CSV into the data folder (no path: open the export form); an existing file is never replaced."""
    f = _get(ctx, frame, "frame")
    if path is None:
        return _views().export_frame_view(ctx, frame)
    try:
        target = ctx.app.resolve_output(path, "export file")
    except ValueError as e:
        raise RoutineError(f"exportFrame: {e}") from None
    if not target.name.lower().endswith(EXPORT_SUFFIXES):
        raise RoutineError(f"exportFrame: the file name must end in .csv or .csv.gz, got {target.name!r}")
    if target.exists():
        raise RoutineError(f"exportFrame: {path!r} already exists and is never replaced; choose another name")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        f.as_pandas().to_csv(tmp, index=False, compression="gzip" if target.name.lower().endswith(".gz") else None)
        os.link(tmp, target)  # publishes only if no file appeared meanwhile (never replaces one)
    except FileExistsError:
        raise RoutineError(f"exportFrame: {path!r} already exists and is never replaced; choose another name") \
            from None
    finally:
        tmp.unlink(missing_ok=True)
    return _views().export_done_view(ctx, frame, _views().display_paths(ctx, [target])[0], f.nrows)


@routine("Model")
def buildModel(ctx, algo="deeplearning", params=None):
    """Open the model form, or (with training_frame and response_column) start training in the background; with
    hyper_parameters (and grid_id, search_criteria, as Flow's form writes them) run a grid search."""
    from .flow_options import h2o_model_parameters, is_grid_call

    if algo != "deeplearning":
        raise RoutineError(f"unknown algorithm {algo!r}; Deepbrook builds \"deeplearning\" models")
    if params is not None and not isinstance(params, dict):
        raise RoutineError("buildModel: the parameters must be an object such as {training_frame: \"f.hex\", ...}")
    if is_grid_call(params):
        return _build_grid(ctx, algo, params)
    params, notes = h2o_model_parameters(params or {})
    if params.get("response_column") is None and not params.get("autoencoder"):
        return _views().model_builder_view(ctx, algo, params)
    for n in notes:
        ctx.note(n)
    ctx.job = start_training(ctx, params)
    for n in _inapplicable(ctx, params):
        ctx.note(n)
    return _views().job_view(ctx, ctx.job)


def _inapplicable(ctx, params):
    """Notes on options set in the call that have no effect here: the engine hides them for this model (Flow greys
    those fields out) or declares them deprecated; its warnings on given options too."""
    eng = _engine()
    frames = {k: _get(ctx, params[k], "frame") for k in ("training_frame", "validation_frame") if params.get(k)}
    try:
        messages = eng.validate(params, **frames)
    except (eng.ParameterError, ValueError, TypeError):
        return []
    hidden = [m.parameter for m in messages if m.level == "hide" and m.parameter in params]
    deprecated = [k for k in params if k not in hidden and k in eng.DeepLearningParameters.param
                  and eng.parameter_info(k).doc.startswith("[Deprecated]")]
    out = [f"ignored, not used for this model: {', '.join(hidden)}"] if hidden else []
    out += [f"ignored, deprecated in H2O and without effect: {', '.join(deprecated)}"] if deprecated else []
    return out + [f"{m.parameter}: {m.message}" for m in messages if m.level == "warning" and m.parameter in params]


def _frames(ctx, params):
    """Pop training/validation frame names from `params` and return the frames (a clear error when missing)."""
    frames = {}
    for key in ("training_frame", "validation_frame"):
        if params.get(key) is not None:
            frames[key] = _get(ctx, params.pop(key), "frame")
        else:
            params.pop(key, None)
    if "training_frame" not in frames:
        raise RoutineError("buildModel: training_frame is required")
    return frames


def _checked(ctx, params, frames, what="buildModel"):
    """Validate `params` with the engine (RoutineError listing every error), then resolve paths and model names."""
    eng = _engine()
    if params.get("export_checkpoints_dir") is not None:
        try:
            params["export_checkpoints_dir"] = str(ctx.app.resolve_output(params["export_checkpoints_dir"],
                                                                          "export_checkpoints_dir"))
        except ValueError as e:
            raise RoutineError(f"buildModel: {e}") from None
    try:
        messages = eng.validate(params, **frames)
    except (eng.ParameterError, ValueError, TypeError) as e:
        raise RoutineError(f"{what}: {e}") from None
    errors = [m for m in messages if m.level == "error"]
    if errors:
        raise RoutineError(f"{what}: your model parameters have errors:\n" +
                           "\n".join(f"- {m.parameter}: {m.message}" for m in errors))
    for key in ("checkpoint", "pretrained_autoencoder"):  # model names -> the stored models
        if isinstance(params.get(key), str) and params[key]:
            params[key] = _get(ctx, params[key], "model")
    return params


def _runtime(ctx):
    return {"backend": "dask", "scheduler": ctx.app.dask_scheduler} if ctx.app.dask_scheduler else {}


def store_model(workspace, model):
    """Keep a trained model under its key, and its kept cross-validation fold models under theirs (H2O keeps
    them as models of their own, which the main model's view links to)."""
    workspace.put(model.key, model)
    for fold in (getattr(model, "output", None) or {}).get("cross_validation_models") or []:
        if not isinstance(fold, str) and getattr(fold, "key", None):
            workspace.put(fold.key, fold)


def start_training(ctx, params: dict):
    """Validate `params` (frame names resolved from the workspace) and start a job; the model lands in the workspace.

    Raises RoutineError listing every validation error (nothing is built then).
    """
    eng = _engine()
    params = dict(params)
    frames = _frames(ctx, params)
    if not params.get("model_id"):
        params["model_id"] = f"deeplearning-{uuid.uuid4().hex[:8]}"
    _name(params["model_id"], "model_id")
    params = _checked(ctx, params, frames)
    try:
        job = eng.DeepLearning(**params, **_runtime(ctx)).train_async(**frames)
    except eng.ParameterError as e:
        raise RoutineError(f"buildModel: {e}") from None
    ctx.jobs.add(job)
    model_id, workspace = params["model_id"], ctx.workspace

    def store(event):
        """Keep the finished model (a cancelled one too: its stop reason says so); a model that cannot be stored
        fails the job with the reason (never DONE with the result lost)."""
        if event.get("type") == "done" and getattr(job, "status", None) in KEPT and job.result() is not None:
            try:
                store_model(workspace, job.result())
            except Exception as e:  # noqa: BLE001 - any storage failure is reported through the job
                job.fail(eng.WorkspaceError(f"the model was trained but could not be stored as {model_id!r}: {e}"))

    job.subscribe(store)
    if getattr(job, "status", None) in KEPT:  # finished before we subscribed
        store({"type": "done"})
    return job


def _build_grid(ctx, algo, params):
    """Flow's grid buildModel: start the grid job and show the grid view (live while its models train)."""
    from .flow_options import h2o_grid_parameters

    fixed, grid_id, hyper, criteria, notes = h2o_grid_parameters(params)
    for n in notes:
        ctx.note(n)
    ctx.job = start_grid(ctx, fixed, hyper, criteria, grid_id)
    return _views().grid_view(ctx, ctx.job.grid, ctx.job)


def start_grid(ctx, fixed: dict, hyper: dict, criteria: dict, grid_id=None):
    """Validate every combination of the grid (RoutineError listing the errors; nothing trains then), start the
    grid job, and store each model in the workspace as it finishes; the grid is kept in `ctx.app.grids`."""
    eng = _engine()
    fixed = dict(fixed)
    frames = _frames(ctx, fixed)
    grid_id = _name(grid_id or f"grid-{uuid.uuid4().hex[:8]}", "grid_id")
    running = ctx.app.grids.get(grid_id)
    if running is not None and getattr(running, "job", None) is not None and running.job.status == "RUNNING":
        raise RoutineError(f"buildModel: grid {grid_id!r} is still running; cancel it or choose another grid_id")
    try:
        grid = eng.GridSearch(eng.DeepLearning, hyper, grid_id=grid_id, search_criteria=criteria, **fixed,
                              **_runtime(ctx))
    except (eng.ParameterError, ValueError) as e:
        raise RoutineError(f"buildModel: {e}") from None
    for combo in grid.combinations:
        _checked(ctx, {**fixed, **combo, "model_id": f"{grid_id}_model_1"}, frames,
                 what=f"buildModel (grid values {format_call('', combo).strip()})")
    for key in ("checkpoint", "pretrained_autoencoder"):
        if isinstance(fixed.get(key), str) and fixed[key]:
            grid.fixed_params[key] = _get(ctx, fixed[key], "model")
    workspace, problems = ctx.workspace, []

    def store(event):
        """Each finished model goes to the workspace at once (viewable while the grid goes on)."""
        if event.get("type") == "model":
            model = next((m for m in list(grid.models) if m.key == event.get("key")), None)
            try:
                if model is not None:
                    store_model(workspace, model)
            except Exception as e:  # noqa: BLE001 - reported through the job once the grid ends
                problems.append(f"model {event.get('key')!r} was trained but could not be stored: {e}")

    grid.subscribe(store)
    job = grid.train_async(**frames)
    ctx.jobs.add(job)
    with ctx.app.lock:
        ctx.app.grids[grid_id] = grid
    grid.job = job
    job.subscribe(lambda e: job.fail(eng.WorkspaceError("; ".join(problems)))
                  if e.get("type") == "done" and problems else None)
    return job


@routine("Model")
def getGrids(ctx):
    """List the grid searches of this server."""
    return _views().grids_view(ctx)


@routine("Model")
def getGrid(ctx, grid_id, sort_by=None, decreasing=None):
    """Show a grid search: its models sorted by a metric (sort_by: logloss, auc, rmse, ...)."""
    grid = ctx.app.grids.get(grid_id) if isinstance(grid_id, str) else None
    if grid is None:
        models = [e.name for e in ctx.workspace.list("model")
                  if isinstance(grid_id, str) and e.name.startswith(f"{grid_id}_model_") and not e.damaged]
        if not models:
            known = sorted(ctx.app.grids)
            hint = suggest(grid_id, known) or (f" Known grids: {', '.join(map(repr, known[:10]))}." if known
                                               else " There are no grids yet.")
            raise RoutineError(f"no grid named {grid_id!r}.{hint}")
        grid = _views().StoredGrid(grid_id, [ctx.workspace.get(m) for m in models])
    if sort_by is not None:
        metrics = _engine().main_metrics(grid.problem) if grid.models else ()
        if metrics and str(sort_by).lower() not in metrics:
            raise RoutineError(f"getGrid: sort_by {sort_by!r} is not a metric of this grid's models; use one of "
                               f"{', '.join(metrics)}.{suggest(str(sort_by), metrics)}")
    return _views().grid_view(ctx, grid, getattr(grid, "job", None), sort_by=sort_by, decreasing=decreasing)


@routine("Model")
def getModels(ctx, models=None):
    """List the models with their main metrics; with a list of model keys, compare those models."""
    if models is None:
        return _views().models_view(ctx)
    keys = _str_list(models, "getModels: models")
    if not keys:
        raise RoutineError("getModels: give the models to compare, e.g. getModels [\"m1\", \"m2\"]")
    return _views().compare_view(ctx, [_get(ctx, k, "model") for k in dict.fromkeys(keys)])


@routine("Model")
def getModel(ctx, model):
    """Show a model: parameters, scoring history, variable importances, metrics (live while it trains)."""
    if isinstance(model, str) and model not in ctx.workspace.names("model"):
        for job in ctx.jobs.list():  # a model still training is viewable, as in Flow
            if getattr(job, "dest", None) == model:
                return _views().model_view(ctx, job)
    return _views().model_view(ctx, _get(ctx, model, "model"))


@routine("Model")
def deleteModel(ctx, model):
    """Delete a model from the workspace."""
    _delete(ctx, model, "model")
    return _views().models_view(ctx)


@routine("Model")
def importModel(ctx, path=None):
    """Load a saved model file (what a model view's Download gives) into the workspace (no path: open the import
    form); a model of the same name is never replaced."""
    if path is None:
        return _views().import_model_view(ctx)
    eng = _engine()
    try:
        source = ctx.resolve_path(path)
        checked = os.stat(source)
    except (ValueError, OSError) as e:
        raise RoutineError(f"importModel: {e}") from None
    try:  # the engine refuses damaged, foreign, hostile and oversized files, and a file swapped since the check
        model = eng.load_model(source, max_bytes=ctx.app.max_model_bytes, expect=checked, allow=ctx.app.gate.allowed)
    except eng.DeepbrookError as e:
        raise RoutineError(f"importModel: {e}") from None
    name = _name(getattr(model, "key", None) or source.stem, "model key")
    if name in ctx.workspace:
        raise RoutineError(f"importModel: the workspace already has an object named {name!r}; delete it first "
                           f"(a stored object is never replaced by an import)")
    ctx.workspace.put(name, model, replace=False)
    return _views().model_view(ctx, ctx.workspace.get(name))


@routine("Score")
def predict(ctx, model=None, frame=None, destination=None, predictions_frame=None, **options):
    """Score a frame with a model (missing model or frame: open the predict form)."""
    from .flow_options import h2o_predict_options, prediction_name

    destination = destination or predictions_frame
    kind, _prefix, notes = h2o_predict_options(options)
    for n in notes:
        ctx.note(n)
    if model is None or frame is None:
        if isinstance(model, str) and model not in ctx.workspace.names("model"):
            _store_finished_model(ctx, model)  # a model whose job just finished is offered in the form
        return _views().predict_view(ctx, model_key=model, frame_name=frame, options=options)
    m, f = _get(ctx, model, "model"), _get(ctx, frame, "frame")
    name = _name(destination or prediction_name(model, frame, options), "destination")
    preds = kind(m, f) if kind is not None else m.predict(f)
    ctx.workspace.put(name, preds)
    preds = ctx.workspace.get(name)  # stored under `name` (the workspace renames frames to their key)
    _remember_prediction(ctx, name, model, frame)
    return _views().predict_view(ctx, model_key=model, frame_name=frame, predictions=preds, options=options)


def _remember_prediction(ctx, name, model, frame):
    """Which model scored which frame into `name`, for getPredictions (kept with the app state)."""
    with ctx.app.lock:
        ctx.app.predictions[name] = (model, frame)


@routine("Score")
def getPredictions(ctx, model=None, frame=None):
    """List the predictions made on this server (optionally of one model or on one frame), each with View."""
    registry = dict(ctx.app.predictions)
    names = set(ctx.workspace.names("frame"))
    rows = [(name, m, f) for name, (m, f) in registry.items() if name in names
            and (model is None or m == model) and (frame is None or f == frame)]
    return _views().predictions_view(ctx, rows)


@routine("Score")
def getPrediction(ctx, model, frame):
    """Show the latest prediction of a model on a frame (the predictions and, with the response, their metrics)."""
    names = set(ctx.workspace.names("frame"))
    made = [name for name, (m, f) in dict(ctx.app.predictions).items() if (m, f) == (model, frame) and name in names]
    if not made:
        raise RoutineError(f"no prediction of model {model!r} on frame {frame!r}; run "
                           f"{format_call('predict', model=model, frame=frame)} first")
    return _views().predict_view(ctx, model_key=model, frame_name=frame, predictions=ctx.workspace.get(made[-1]))


@routine("Admin")
def getJobs(ctx):
    """List the jobs of this server (running and finished)."""
    return _views().jobs_view(ctx)


def _job(ctx, key):
    try:
        return ctx.jobs.get(key)
    except KeyError:
        raise RoutineError(f"no job {key!r}.{suggest(key, [j.key for j in ctx.jobs.list()])}") from None


@routine("Admin")
def getJob(ctx, key):
    """Show one job: progress, times, status."""
    return _views().job_view(ctx, _job(ctx, key))


@routine("Admin")
def cancelJob(ctx, key):
    """Cancel a running job."""
    job = _job(ctx, key)
    job.cancel()
    return _views().job_view(ctx, job)
