"""Data preparation: a Frame -> the arrays the numba engine trains on (see docs/architecture.md).

``DataInfo.fit(frame, resolved_params)`` learns layout, encodings and statistics from the training frame;
``info.transform(frame, with_response=True, training=False)`` returns a ``Design``.
"""
from .balance import balance_rows, correct_probabilities, sampling_factors
from .datainfo import CatInput, DataInfo, NumInput
from .design import Design

__all__ = ["CatInput", "DataInfo", "Design", "NumInput", "balance_rows", "correct_probabilities",
           "sampling_factors"]
