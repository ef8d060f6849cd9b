"""``H2OGridSearch``: H2O's grid over the engine's ``GridSearch`` (which trains the combinations and ranks them)."""
from __future__ import annotations

from deepbrook.engine import DeepLearning, GridSearch, ParameterError

from .. import session
from ..estimators.estimator_base import H2OEstimator, _column_name
from ..exceptions import H2OResponseError, H2OValueError
from ..two_dim_table import H2OTwoDimTable


class H2OGridSearch:
    """Train one model per hyper-parameter combination; iterate, index and sort the models."""

    def __init__(self, model, hyper_params, grid_id=None, search_criteria=None, export_checkpoints_dir=None,
                 recovery_dir=None, parallelism=1):
        template = model() if isinstance(model, type) else model
        if not isinstance(template, H2OEstimator):
            raise H2OValueError("model must be an H2O estimator class or instance", var_name="model")
        if not isinstance(hyper_params, dict) or not hyper_params:
            raise H2OValueError("hyper_params must be a non-empty dict of lists", var_name="hyper_params")
        self.model = template
        self.hyper_params = dict(hyper_params)
        self.search_criteria = search_criteria
        self.grid_id = grid_id
        self._grid = None
        self._models = []
        self._sort = (None, None)

    def train(self, x=None, y=None, training_frame=None, offset_column=None, fold_column=None,
              weights_column=None, validation_frame=None, **params):
        """Train the grid; models are kept under ``<grid_id>_model_<n>``."""
        tf = H2OEstimator._frame(training_frame, "training_frame")
        vf = H2OEstimator._frame(validation_frame, "validation_frame")
        if tf is None:
            raise H2OValueError("training_frame is required", var_name="training_frame")
        names = tf.names
        fixed = {k: v for k, v in {**self.model._parms, **params}.items() if k not in self.hyper_params}
        for k, v in (("weights_column", weights_column), ("offset_column", offset_column),
                     ("fold_column", fold_column)):
            if v is not None:
                fixed[k] = _column_name(names, v, k)
        y_name = None if y is None else _column_name(names, y, "y")
        skip = {y_name, *[fixed.get(k) for k in ("weights_column", "offset_column", "fold_column")]}
        x_names = [c for c in names if c not in skip] if x is None else \
            [c for c in dict.fromkeys(_column_name(names, c, "x") for c in x) if c not in skip]
        try:
            grid = GridSearch(DeepLearning, self.hyper_params, grid_id=self.grid_id,
                              search_criteria=self.search_criteria, **fixed)
            grid.train(x=x_names, y=y_name, training_frame=tf._fr, validation_frame=vf._fr if vf else None)
        except ParameterError as e:
            raise H2OResponseError(f"Illegal argument(s) for grid {self.grid_id}: {e}") from e
        self._grid = grid
        self.grid_id = grid.grid_id
        evaluated = session.evaluate_auto_parameters()
        self._models = []
        for m in grid.models:
            est = type(self.model)._from_engine(m)
            object.__setattr__(est, "_evaluated_auto", evaluated)
            self._models.append(est)
        session.keep(self.grid_id, self)
        return self

    # ------------------------------------------------------------------ the models
    @property
    def models(self):
        return list(self._ordered())

    @property
    def model_ids(self):
        return [m.model_id for m in self._ordered()]

    def _ordered(self):
        if self._grid is None:
            return []
        sort_by, decreasing = self._sort
        if sort_by is None:
            return self._models
        by_key = {m.model_id: m for m in self._models}
        return [by_key[m.key] for m in self._grid.sorted_models(sort_by, decreasing)]

    def __len__(self):
        return len(self._models)

    def __iter__(self):
        return iter(self.models)

    def __getitem__(self, i):
        return self.models[i]

    @property
    def failed_params(self):
        return [f.params for f in self._grid.failures] if self._grid else []

    @property
    def failure_details(self):
        return [f.message for f in self._grid.failures] if self._grid else []

    def get_grid(self, sort_by=None, decreasing=None):
        """This grid with its models sorted by ``sort_by`` (H2O's metric names; best first by default)."""
        if self._grid is None:
            raise H2OValueError("the grid has not been trained yet")
        try:
            self._grid.get_grid(sort_by, decreasing)
        except ParameterError as e:
            raise H2OValueError(str(e), var_name="sort_by") from e
        out = H2OGridSearch.__new__(H2OGridSearch)
        out.__dict__.update(self.__dict__)
        out._sort = (sort_by, decreasing)
        return out

    def sorted_metric_table(self):
        """The leaderboard as a pandas DataFrame (hyper-parameters, model_ids, the sort metric)."""
        if self._grid is None:
            raise H2OValueError("the grid has not been trained yet")
        return self._grid.get_grid(*self._sort)

    @property
    def summary_table(self):
        return H2OTwoDimTable.from_pandas(self.sorted_metric_table(), "Hyper-Parameter Search Summary")

    def show(self):
        print(repr(self))

    def __repr__(self):
        if self._grid is None:
            return f"H2OGridSearch (not trained) hyper_params={self.hyper_params}"
        board = self.sorted_metric_table()
        return f"Hyper-Parameter Search Summary: grid {self.grid_id}\n{board.to_string(index=False)}"
