"""Which rows of its shard a worker trains in one iteration (H2O semantics doc 4.2, per shard instead of per chunk)."""
import numpy as np


def iteration_seed(seed, iteration, shard):
    """A distinct, reproducible seed per (run seed, iteration, shard), mixed the way H2O mixes its chunk seeds."""
    mixed = (0x8734093502429734 + int(seed) + 7919 * int(shard)) * (int(iteration) + 0x9823423497823423)
    return int(mixed % (2**63 - 1))


def select_rows(n_shard, n_rows, shuffle, seed):
    """Row ids (int64) of a shard of ``n_shard`` rows for one iteration of ``n_rows`` rows.

    A full pass in stored order when the iteration is exactly one pass and shuffling is off; otherwise passes of a
    seeded permutation (one per whole multiple of the shard) plus a random subset for the fractional rest, which is
    H2O's "fraction > 1 means several passes with sampling". Exact counts (not Bernoulli) keep the averaging weights
    and the epoch counter exact.
    """
    if n_shard <= 0 or n_rows <= 0:
        return np.empty(0, dtype=np.int64)
    rng = np.random.default_rng(seed)
    passes, rest = divmod(int(n_rows), int(n_shard))
    parts = [rng.permutation(n_shard) if shuffle else np.arange(n_shard) for _ in range(passes)]
    if rest:
        parts.append(rng.choice(n_shard, size=rest, replace=False))
    return np.concatenate(parts).astype(np.int64, copy=False)
