"""Counter-based random streams for dropout: every row's stream is a pure function of (seed, sample index).

A stream is a one-element uint64 state array advanced by SplitMix64. Because a row's mask depends only on the
seed and the global sample index (not on the thread that trains it), dropout masks are identical in the serial
and the Hogwild kernels; only the order of weight updates differs between them.
"""
import numpy as np
from numba import njit

from .. import config

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0


@njit(**config.JIT_INLINE)  # a few instructions: inlined rather than a kernel of its own (cold start)
def seed_stream(state, seed, index):
    """Start ``state`` (uint64[1]) for sample ``index`` of a run seeded with ``seed``."""
    s = np.uint64(seed) ^ (np.uint64(index) * _GOLDEN)
    state[0] = s
    next_u01(state)  # one mixing round so neighbouring indices decorrelate


@njit(**config.JIT_INLINE)
def next_u01(state):
    """Uniform double in [0, 1) from 53 random bits; advances ``state``."""
    state[0] = state[0] + _GOLDEN
    z = state[0]
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return np.float64(z >> _S11) * _INV53
