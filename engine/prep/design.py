"""The arrays the numba trainer consumes: one fixed layout shared by training, scoring and metrics."""
from typing import NamedTuple, Optional

import numpy as np

ROW_FIELDS = ("num", "cat", "y", "w", "offset", "row_index")


class Design(NamedTuple):
    """Model-ready rows of a frame (see docs/architecture.md, "Data preparation").

    num:       float32[n, p_num], C-contiguous, standardized and imputed numeric inputs; or, in a compact design,
               uint8[n, p_num] codes of integer columns whose values are all in 0..255 (see ``num_scaling``).
    cat:       int32[n, n_cat_cols], the active global one-hot slot per categorical column (-1 = none).
    y:         float32[n], class index (classification) or (standardized) response; NaN where unknown.
    w:         float32[n], observation weights (1 without a weights column, 0 for NA weights).
    offset:    float32[n], offset in the network's output (link, standardized) space; 0 without an offset column.
    row_index: int64[n], the frame row each design row came from (repeats after class balancing).
    num_scaling: None, or (compact design) float64[2, p_num], the rows ``sub`` and ``mul``: input j of a row is
               ``float32((num[row, j] - sub[j]) * mul[j])``, computed as the full design's fill computes it, so a
               compact design holds the very numbers of the full one (``DataInfo.transform(compact=True)``). Why:
               MNIST's 60,000 x 717 pixels fill 172 MB as float32 and 43 MB as codes; the fill and every batch's
               gather read 4x less, and the mini-batch and prediction kernels decode while they gather rows anyway.
    """

    num: np.ndarray
    cat: np.ndarray
    y: np.ndarray
    w: np.ndarray
    offset: np.ndarray
    row_index: np.ndarray
    num_scaling: Optional[np.ndarray] = None

    @property
    def nrows(self):
        return len(self.row_index)

    @property
    def compact(self):
        return self.num_scaling is not None

    def take(self, idx):
        """Rows ``idx`` (int indices into this design) as a new C-contiguous Design."""
        idx = np.asarray(idx, dtype=np.int64)
        return self._replace(**{f: np.ascontiguousarray(getattr(self, f)[idx]) for f in ROW_FIELDS})

    def numeric_inputs(self):
        """float32[n, p_num] numeric inputs (decoded from a compact design: a copy, for the few consumers that
        need the dense values, e.g. the row kernels and the autoencoder's reconstruction target)."""
        if self.num_scaling is None:
            return self.num
        return ((self.num - self.num_scaling[0]) * self.num_scaling[1]).astype(np.float32)


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
