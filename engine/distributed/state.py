"""Model-state arithmetic for model averaging: the float arrays of a network, their weighted mean, elastic centre.

H2O averages weights, biases, momenta and ADADELTA accumulators alike (semantics doc 2.13), so this module treats
every float array of a network the same way and needs nothing from ``Network`` but picklable numpy attributes.
"""
import copy

import numpy as np


def state_arrays(network):
    """Every float array of ``network`` in a fixed order (sorted attribute names; lists/tuples element-wise).

    Integer arrays and scalars are bookkeeping (counters, shapes), not averaged state, so they are skipped.
    """
    found = []
    for name in sorted(vars(network)):
        value = getattr(network, name)
        items = value if isinstance(value, (list, tuple)) else (value,)
        found.extend(a for a in items if isinstance(a, np.ndarray) and a.dtype.kind == "f")
    return found


def average_into(target, networks, weights):
    """Write the ``weights``-weighted mean of ``networks``' state into ``target``'s arrays, in place.

    Weights are the rows each copy trained (H2O divides by the contributing nodes; weighting by rows is the same
    when every node trains the same count and is right when a re-assigned shard makes them differ).
    """
    weights = np.asarray(weights, dtype=np.float64)
    if len(networks) == 0 or weights.sum() <= 0:
        raise ValueError("model averaging needs at least one copy that trained rows")
    share = weights / weights.sum()
    sources = [state_arrays(n) for n in networks]
    for k, out in enumerate(state_arrays(target)):
        acc = np.zeros(out.shape, dtype=np.float64)
        for s, arrays in zip(share, sources):
            if arrays[k].shape != out.shape:
                raise ValueError(f"state array {k} has shape {arrays[k].shape} on a worker, {out.shape} on the driver")
            acc += s * arrays[k]
        out[...] = acc
    return target


def elastic_update(center, average, moving_rate):
    """Elastic averaging's consensus step ``C <- p*A + (1-p)*C`` (semantics doc 5.10), in place on ``center``."""
    if not 0.0 <= moving_rate <= 1.0:
        raise ValueError(f"elastic_averaging_moving_rate must be between 0 and 1, got {moving_rate}")
    for c, a in zip(state_arrays(center), state_arrays(average)):
        c[...] = moving_rate * a + (1.0 - moving_rate) * c
    return center


def elastic_pull(local, center, factor):
    """Move a worker's local model toward the centre: ``w <- C + factor*(w - C)`` with ``0 <= factor <= 1``."""
    for w, c in zip(state_arrays(local), state_arrays(center)):
        w[...] = c + factor * (w - c)
    return local


def copy_state(source, target):
    """Copy ``source``'s float state into ``target``'s arrays (the trainer keeps its own network object)."""
    for t, s in zip(state_arrays(target), state_arrays(source)):
        t[...] = s
    return target


def clone(network):
    """An independent copy (a worker must not train the broadcast object its neighbours share)."""
    return copy.deepcopy(network)


def state_nbytes(network):
    """Bytes of averaged state, i.e. what one weight transfer moves each way."""
    return int(sum(a.nbytes for a in state_arrays(network)))
