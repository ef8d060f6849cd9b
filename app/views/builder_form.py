"""The model-builder form's state, generated from the engine's parameter declarations (never a hand list).

`ModelBuilderForm` owns a `DeepLearningParameters` instance, the chosen training frame, the engine's validation
verdicts per field and the ignored-columns picker. Field kinds are derived from each declaration (param type and
H2O type in its metadata), so a parameter added to the engine appears in the form by itself.
"""
from __future__ import annotations

import uuid

import param

from .columns_picker import ColumnsPicker
from .frame_info import picker_table
from .grid_settings import CHOICE_KINDS, GRIDDABLE_KINDS, GridSettings, parse_grid_values
from .model_params import _same

CHOOSE = "(Choose...)"
GROUP_ORDER = ("critical", "secondary", "expert")
GROUP_TITLES = {"critical": "Parameters", "secondary": "Advanced", "expert": "Expert"}
BUILD_ERROR = "Your model parameters have one or more errors. Please fix them and try again."


def _engine():
    from deepbrook import engine

    return engine


def field_kind(name: str, p: param.Parameter, info) -> str:
    """Which editor a declaration gets: frame, model, column, columns, enum, bool, int, float, list, text."""
    h2o = str(getattr(info, "h2o_type", "") or "")
    cls = type(p).__name__
    if h2o.endswith("[]") and name.endswith("_columns") and isinstance(p, param.List):
        return "columns"
    if h2o.endswith("[]") or isinstance(p, param.List):
        return "list"
    if cls == "FrameRef" or h2o == "Key<Frame>":
        return "frame"
    if cls == "ModelRef":
        return "model"
    if h2o == "VecSpecifier" or (name.endswith("_column") and isinstance(p, param.String)):
        return "column"
    if isinstance(p, param.Selector):
        return "enum"
    if isinstance(p, param.Boolean):
        return "bool"
    if isinstance(p, param.Integer):
        return "int"
    if isinstance(p, param.Number):
        return "float"
    return "text"


class Field(param.Parameterized):
    """One row of the form: what it edits, its group, and its current verdict."""

    pname = param.String()
    label = param.String()
    kind = param.String()
    group = param.String()
    doc = param.String()
    required = param.Boolean(False)
    hidden = param.Boolean(False, doc="The engine says this field does not apply now (Flow's TRACE).")
    level = param.String(default="", doc="'' or info / warning / error after Build was pressed.")
    message = param.String(default="")
    gridable = param.Boolean(False, doc="The field may take several values (Flow's GRID? box).")
    gridded = param.Boolean(False, doc="The GRID? box is ticked: the grid goes over `grid_values`.")
    grid_values = param.List(default=[], doc="The values a gridded field takes, one model per combination.")
    grid_error = param.String(default="", doc="Why the gridded values cannot be read.")


class ModelBuilderForm(param.Parameterized):
    """State of the Build Model form; `build()` writes the buildModel call or refuses with the errors."""

    show_advanced = param.Boolean(default=False, doc="Show the Advanced group.")
    show_expert = param.Boolean(default=False, doc="Show the Expert group.")
    frames = param.List(default=[], doc="Frame names in the workspace.")
    models = param.List(default=[], doc="Model keys in the workspace.")
    columns = param.List(default=[], doc="Columns of the chosen training frame.")
    attempted = param.Boolean(default=False, doc="Build was pressed once: verdicts are shown from now on.")
    summary = param.String(default="", doc="Error summary shown at the top after a refused build.")
    revision = param.Integer(default=0, doc="Bumped whenever a value changed (views re-read values).")
    is_grid = param.Boolean(default=False, doc="Some field is gridded: Build writes a grid search.")

    def __init__(self, workspace, initial=None, **params):
        super().__init__(**params)
        eng = _engine()
        self.workspace = workspace
        self.values = eng.DeepLearningParameters()
        self._scratch = eng.DeepLearningParameters()  # checks gridded values one at a time
        self.grid = GridSettings()
        self.grid.param.watch(lambda *_: self._bump(), [n for n in GridSettings.param if n != "name"])
        self.info = {n: eng.parameter_info(n) for n in self.values.param if n != "name"}
        self.fields = {n: Field(pname=n, label=getattr(i, "label", n) or n, group=i.group,
                                kind=field_kind(n, self.values.param[n], i),
                                doc=(getattr(i, "doc", None) or self.values.param[n].doc or "").strip(),
                                required=bool(getattr(i, "required", False)),
                                gridable=bool(getattr(i, "gridable", False)))
                       for n, i in self.info.items()}
        for f in self.fields.values():
            f.gridable = f.gridable and f.kind in GRIDDABLE_KINDS
        self.conversion_errors: dict[str, str] = {}
        self.picker = ColumnsPicker()
        self.picker.param.watch(lambda e: self.set_value("ignored_columns", list(e.new)), "value")
        self.refresh_workspace()
        initial = dict(initial or {})
        hyper = initial.pop("hyper_parameters", None) or {}
        self.grid.apply(initial.pop("grid_id", None), initial.pop("search_criteria", None))
        initial.setdefault("model_id", f"deeplearning-{uuid.uuid4().hex[:8]}")
        for n, v in initial.items():
            self.set_value(n, v, revalidate=False)
        for n, values in hyper.items():
            self.set_grid(n, True, values)
        self.revalidate()

    # ------------------------------------------------------------------ structure
    def names(self, group=None) -> list[str]:
        """Parameter names in declaration order, optionally of one group."""
        return [n for n, f in self.fields.items() if group is None or f.group == group]

    def value(self, name):
        v = getattr(self.values, name)
        if self.fields[name].kind in ("frame", "model"):
            return getattr(v, "name", None) or getattr(v, "key", None) or v
        return v

    # ------------------------------------------------------------------ editing
    def refresh_workspace(self):
        self.frames = [e.name for e in self.workspace.list("frame") if not e.damaged]
        self.models = [e.name for e in self.workspace.list("model") if not e.damaged]

    def training_frame(self):
        name = self.value("training_frame")
        return self.workspace.get(name) if name in self.frames else None

    def set_value(self, name, value, revalidate=True):
        """Set one parameter from the form; conversion errors become that field's error message."""
        if name not in self.fields:
            raise KeyError(f"unknown Deep Learning parameter {name!r}")
        if value == CHOOSE or (value == "" and self.fields[name].kind in ("frame", "model", "column")):
            value = None
        try:
            setattr(self.values, name, value)
            self.conversion_errors.pop(name, None)
        except (ValueError, TypeError) as e:
            self.conversion_errors[name] = str(e)
        if name == "training_frame":
            self._training_frame_changed()
        if name == "response_column":
            self.picker.excluded = [] if value is None else [value]
        if name == "ignored_columns" and list(self.picker.value) != list(self.values.ignored_columns or []):
            self.picker.value = list(self.values.ignored_columns or [])
        self.revision += 1
        if revalidate:
            self.revalidate()

    def _training_frame_changed(self):
        """The training frame drives the response and column choices (Flow re-fetches its columns)."""
        frame = self.training_frame()
        self.columns = list(frame.names) if frame is not None else []
        self.picker.columns = picker_table(frame) if frame is not None else None
        for n, f in self.fields.items():
            if f.kind == "column" and self.value(n) not in self.columns and self.value(n) is not None:
                setattr(self.values, n, None)
        keep = [c for c in (self.values.ignored_columns or []) if c in self.columns]
        if keep != list(self.values.ignored_columns or []):
            self.values.ignored_columns = keep
        self.picker.value = keep

    # ------------------------------------------------------------------ grid search
    def _bump(self):
        self.revision += 1

    def convert(self, name, part):
        """One gridded value read like the field's single value (ValueError naming the problem)."""
        kind = self.fields[name].kind
        if kind == "int":
            number = float(part)
            if not number.is_integer():
                raise ValueError(f"{part!r} is not a whole number")
            part = int(number)
        elif kind == "float":
            part = float(part)
        setattr(self._scratch, name, part)
        v = getattr(self._scratch, name)
        return list(v) if isinstance(v, tuple) else v

    def set_grid(self, name, gridded=True, values=None):
        """Tick or untick a field's GRID? box; `values` (text, ticked choices, or typed values) sets what it takes.
        Ticking a field with no values yet starts from its current single value."""
        f = self.fields[name]
        if gridded and not f.gridable:
            raise ValueError(f"{name} cannot be gridded")
        f.gridded = bool(gridded)
        if values is None and gridded and not f.grid_values:
            values = [self.value(name)]
        if values is not None:
            self.set_grid_values(name, values)
        self.is_grid = any(x.gridded for x in self.fields.values())
        self._bump()
        if self.attempted:
            self.revalidate()

    def set_grid_values(self, name, values):
        f = self.fields[name]
        try:
            if isinstance(values, list) and f.kind not in CHOICE_KINDS:
                parsed = [self.convert(name, v) for v in values]
                if not parsed:
                    raise ValueError("give at least one value to grid over")
            else:
                parsed = parse_grid_values(f.kind, values, lambda part: self.convert(name, part))
            f.param.update(grid_values=parsed, grid_error="")
        except (ValueError, TypeError) as e:
            f.grid_error = f"grid values: {e}"
        self._bump()
        if self.attempted:
            self.revalidate()

    def gridded(self) -> dict:
        return {n: list(f.grid_values) for n, f in self.fields.items() if f.gridded}

    # ------------------------------------------------------------------ validation and build
    def messages(self):
        frames = {}
        for key in ("training_frame", "validation_frame"):
            name = self.value(key)
            if name is not None and name in self.frames:
                frames[key] = self.workspace.get(name)
        return list(_engine().validate(self.values, **frames))

    def revalidate(self):
        """Ask the engine for verdicts: hide fields that do not apply; show levels once Build was pressed."""
        verdicts = {n: ("", "") for n in self.fields}
        hidden = set()
        for m in self.messages():
            if m.level == "hide":
                hidden.add(m.parameter)
            elif m.parameter in verdicts and _rank(m.level) > _rank(verdicts[m.parameter][0]):
                verdicts[m.parameter] = (m.level, m.message)
        for n, msg in self.conversion_errors.items():
            verdicts[n] = ("error", msg)
        for n, f in self.fields.items():
            if f.gridded and f.grid_error:
                verdicts[n] = ("error", f.grid_error)
        for n, f in self.fields.items():
            level, message = verdicts[n] if self.attempted else ("", "")
            f.param.update(hidden=n in hidden and n not in self.conversion_errors, level=level, message=message)
        if self.attempted and not self.errors():
            self.summary = ""
        return verdicts

    def errors(self) -> dict[str, str]:
        """{parameter: message} of every error verdict (hidden fields never block)."""
        out = {m.parameter: m.message for m in self.messages() if m.level == "error"}
        out.update(self.conversion_errors)
        out.update({n: f.grid_error for n, f in self.fields.items() if f.gridded and f.grid_error})
        if self.is_grid and not self.grid.grid_id.strip():
            out["grid_id"] = "a grid needs a Grid ID"
        return out

    def build_params(self) -> dict:
        """Only what differs from the declared defaults (plus required ones), as Flow writes it."""
        out = {}
        for n, f in self.fields.items():
            v = self.value(n)
            if (f.required and v is not None) or not _same(v, self.values.param[n].default):
                out[n] = list(v) if isinstance(v, tuple) else v
        hyper = self.gridded()
        if hyper:  # Flow's grid call: gridded fields only in hyper_parameters; models are named by the grid
            for n in [*hyper, "model_id"]:
                out.pop(n, None)
            out.update(grid_id=self.grid.grid_id.strip(), hyper_parameters=hyper,
                       search_criteria=self.grid.criteria())
        return out

    def build(self, run):
        """Validate; with errors show them and return None, else call `run(params)` and return its result."""
        self.attempted = True
        self.revalidate()
        errors = self.errors()
        if errors:
            self.summary = BUILD_ERROR
            return None
        self.summary = ""
        return run(self.build_params())


def _rank(level: str) -> int:
    return {"": 0, "info": 1, "warning": 2, "warn": 2, "error": 3}.get(level, 0)
