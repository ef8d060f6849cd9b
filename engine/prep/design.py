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
