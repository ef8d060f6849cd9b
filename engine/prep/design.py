"""The arrays the numba trainer consumes: one fixed layout shared by training, scoring and metrics."""
from typing import NamedTuple

import numpy as np


class Design(NamedTuple):
    """Model-ready rows of a frame (see docs/architecture.md, "Data preparation").

    num:       float32[n, p_num], C-contiguous, standardized and imputed numeric inputs.
    cat:       int32[n, n_cat_cols], the active global one-hot slot per categorical column (-1 = none).
    y:         float32[n], class index (classification) or (standardized) response; NaN where unknown.
    w:         float32[n], observation weights (1 without a weights column, 0 for NA weights).
    offset:    float32[n], offset in the network's output (link, standardized) space; 0 without an offset column.
    row_index: int64[n], the frame row each design row came from (repeats after class balancing).
    """

    num: np.ndarray
    cat: np.ndarray
    y: np.ndarray
    w: np.ndarray
    offset: np.ndarray
    row_index: np.ndarray

    @property
    def nrows(self):
        return len(self.row_index)

    def take(self, idx):
        """Rows ``idx`` (int indices into this design) as a new C-contiguous Design."""
        idx = np.asarray(idx, dtype=np.int64)
        return Design(*(np.ascontiguousarray(a[idx]) for a in self))


class SampledRows(NamedTuple):
    """Rows ``rows`` of ``design`` for scoring, without copying its inputs: the Scorer's 10,000-row training sample
    of a design that can hold gigabytes (a copy cost MNIST 29 MB and 5-40 ms per model). ``y``, ``w`` and
    ``offset`` are the sampled rows' own (small) copies; predictions read the inputs in place."""

    design: Design
    rows: np.ndarray
    y: np.ndarray
    w: np.ndarray
    offset: np.ndarray

    @classmethod
    def of(cls, design, rows):
        rows = np.asarray(rows, dtype=np.int64)
        return cls(design, rows, design.y[rows], design.w[rows], design.offset[rows])

    @property
    def nrows(self):
        return len(self.rows)

    @property
    def row_index(self):
        return self.design.row_index[self.rows]

    def copy(self):
        """The sampled rows as a Design of their own."""
        return self.design.take(self.rows)
