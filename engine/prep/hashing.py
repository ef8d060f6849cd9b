"""H2O's ``max_categorical_features`` hash trick: one-hot slot c -> |murmur2(int c, seed) mod M|.

H2O (Neurons.Input.setInput) hashes the 4 big-endian bytes of the global one-hot index with the 32-bit
MurmurHash2 of water.util.MurmurHash (Hadoop's port) and the seed ``(int) params._seed``, then adds 1 to input
``Math.abs(hash % M)``; collisions therefore sum, which the sparse first layer reproduces naturally.
"""
import numpy as np

_M = np.uint32(0x5BD1E995)


def murmur2_int32(values, seed):
    """Vectorised MurmurHash2 of each value's 4 big-endian bytes; returns int32 (Java's signed int)."""
    with np.errstate(over="ignore"):
        v = np.asarray(values, dtype=np.int64).astype(np.uint32)
        # Java reads the 4 bytes little-endian while ByteBuffer.putInt wrote them big-endian: a byte swap.
        k = v.byteswap()
        k = k * _M
        k ^= k >> np.uint32(24)
        k = k * _M
        h0 = np.uint32((int(seed) ^ 4) & 0xFFFFFFFF)
        h = np.full(k.shape, h0, dtype=np.uint32) * _M
        h ^= k
        h ^= h >> np.uint32(13)
        h = h * _M
        h ^= h >> np.uint32(15)
    return h.view(np.int32)


def hash_slots(slots, n_buckets, seed):
    """Map global one-hot slots (int array, -1 = none) to hashed buckets in [0, n_buckets); -1 stays -1."""
    slots = np.asarray(slots)
    h = murmur2_int32(slots, seed).astype(np.int64)
    bucket = np.abs(np.fmod(h, int(n_buckets)))  # Java's % truncates toward zero, then Math.abs
    return np.where(slots >= 0, bucket, -1).astype(slots.dtype)
