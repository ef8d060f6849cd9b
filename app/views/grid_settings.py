"""The builder form's grid search part (Flow's "Grid?" boxes and Grid Settings block): state and value parsing.

`GridSettings` holds the search criteria Flow's form offers (strategy; for RandomDiscrete max models, max runtime,
seed and the grid's early stopping). `parse_grid_values` reads one gridded field's values as Flow takes them: a
textbox holds `;`-separated values (each read like the field's single value, so `10, 10; 20, 20` is two layer
lists) and a dropdown or checkbox becomes a set of ticked choices.
"""
from __future__ import annotations

import uuid

import param

GRIDDABLE_KINDS = ("int", "float", "list", "enum", "bool", "text")
CHOICE_KINDS = ("enum", "bool")


def _engine():
    from deepbrook import engine

    return engine


def _stopping_metrics():
    return list(_engine().DeepLearningParameters.param["stopping_metric"].objects)


class GridSettings(param.Parameterized):
    """Flow's Grid Settings: what goes into `grid_id` and `search_criteria` of the grid's buildModel call."""

    grid_id = param.String(default="", doc="Name of the grid; its models are <grid_id>_model_<n>.")
    strategy = param.Selector(default="Cartesian", objects=["Cartesian", "RandomDiscrete"],
                              doc="Cartesian trains every combination; RandomDiscrete a random sample of them.")
    max_models = param.Integer(default=0, bounds=(0, None), doc="RandomDiscrete: at most this many models (0: all).")
    max_runtime_secs = param.Number(default=0.0, bounds=(0, None), doc="RandomDiscrete: time budget (0: none).")
    seed = param.Integer(default=-1, doc="RandomDiscrete: seed of the random order (-1: random).")
    stopping_rounds = param.Integer(default=0, bounds=(0, None),
                                    doc="RandomDiscrete: stop when the best of the last k models stops improving.")
    stopping_metric = param.Selector(default="AUTO", objects=["AUTO"], doc="RandomDiscrete: metric for stopping.")
    stopping_tolerance = param.Number(default=0.001, bounds=(0, None), doc="RandomDiscrete: relative improvement.")

    RANDOM_ONLY = ("max_models", "max_runtime_secs", "seed", "stopping_rounds", "stopping_metric",
                   "stopping_tolerance")

    def __init__(self, **params):
        super().__init__(**params)
        self.param.stopping_metric.objects = _stopping_metrics()
        if not self.grid_id:
            self.grid_id = f"grid-{uuid.uuid4().hex[:8]}"

    def criteria(self) -> dict:
        """search_criteria as Flow writes it: the strategy, and for RandomDiscrete the settings given."""
        out = {"strategy": self.strategy}
        if self.strategy == "RandomDiscrete":
            for name in self.RANDOM_ONLY:
                value = getattr(self, name)
                if value != self.param[name].default or name in ("max_models", "stopping_metric"):
                    out[name] = value
        return out

    def apply(self, grid_id=None, criteria=None):
        """Fill the settings from a grid call's grid_id and search_criteria (unknown keys are the routine's job)."""
        if grid_id:
            self.grid_id = str(grid_id)
        for name, value in (criteria or {}).items():
            if name in self.param and name != "name":
                setattr(self, name, value)


def parse_grid_values(kind: str, value, convert) -> list:
    """The values of one gridded field: a list of choices (enum, bool) or `;`-separated text, each part passed
    through `convert(part)` (the field's own conversion, which raises ValueError on a bad part)."""
    if kind in CHOICE_KINDS:
        values = list(value or [])
    else:
        values = [convert(part.strip()) for part in str(value or "").split(";") if part.strip()]
    if not values:
        raise ValueError("give at least one value to grid over" + ("" if kind in CHOICE_KINDS else
                                                                    ", separated by ;"))
    return values


def grid_text(kind: str, values) -> str:
    """The text a gridded textbox shows for `values` (the inverse of parse_grid_values)."""
    if kind in CHOICE_KINDS:
        return ""
    return "; ".join(", ".join(str(x) for x in v) if isinstance(v, (list, tuple)) else str(v) for v in values)
