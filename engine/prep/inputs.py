"""The model's input columns: a one-hot block (CatInput) or one number (NumInput), each read from a source column."""
from dataclasses import dataclass

import numpy as np

from .sources import codes_in_domain, stored_numbers


@dataclass
class CatInput:
    """One categorical input: a one-hot block over ``domain``; ``level_of`` maps source levels to block levels."""
    name: str
    source: str
    source_domain: list
    domain: list
    level_of: np.ndarray


@dataclass
class NumInput:
    """One numeric input: the source column itself, or ``table[level]`` of an enum source (pre-encoding)."""
    name: str
    source: str
    source_domain: list = None
    table: np.ndarray = None


def source_codes(frame, source, domain, cache=None):
    """Codes of ``source`` in the training ``domain``, computed once per source when a ``cache`` dict is given
    (binary encoding reads one source for several inputs)."""
    if cache is None:
        return codes_in_domain(frame, source, domain)
    if source not in cache:
        cache[source] = codes_in_domain(frame, source, domain)
    return cache[source]


def raw_numeric(frame, ni, cache=None):
    """Untransformed values of a numeric input: float64 with NaN for NA, or a source column's compact ints."""
    if ni.table is None:
        return stored_numbers(frame, ni.source)
    return ni.table[source_codes(frame, ni.source, ni.source_domain, cache)]

