"""A spin barrier for threads that step through the same rows together (``partitioned.py``).

numba has no atomics, so two tiny intrinsics emit LLVM's acquire load and release store on an int64 array slot:
a plain load in a spin loop may be hoisted out of the loop by the optimizer and spin forever, and a plain store
gives no ordering. Each thread owns one slot (one cache line apart) holding the number of the last barrier it
reached; a thread passes barrier ``gen`` when every slot is >= ``gen``. No read-modify-write is needed.

Waiting spins for a while and then yields the CPU (``sched_yield``), so a thread whose partner was descheduled on
a busy machine does not burn its time slice. Slot ``ABORT`` lets a thread that fails tell the others to stop;
a wait that never ends (a bug, never expected) gives up after ``MAX_YIELDS`` yields and reports failure.
"""
import platform

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba import njit
from numba.extending import intrinsic

from .. import config

STRIDE = 16            # int64 slots per thread: one 128-byte block each, so threads never share a cache line
ABORT = 0              # slot 0: set to 1 by a thread that stops early; threads use slots (t + 1) * STRIDE
SPINS_BEFORE_YIELD = 2000
MAX_YIELDS = 50_000_000
_X86 = platform.machine().lower() in ("x86_64", "amd64", "i686", "x86")


def _slot_pointer(context, builder, signature, args):
    aryty, idxty = signature.args[0], signature.args[1]
    ary = context.make_array(aryty)(context, builder, args[0])
    idx = context.cast(builder, args[1], idxty, types.intp)
    return cgutils.get_item_pointer(context, builder, aryty, ary, [idx], wraparound=False)


def _int64_array(arr):
    return isinstance(arr, types.Array) and arr.dtype == types.int64 and arr.ndim == 1


@intrinsic
def load_acquire(typingctx, arr, idx):
    """arr[idx] read with acquire ordering (never cached in a register)."""
    if not (_int64_array(arr) and isinstance(idx, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        return builder.load_atomic(_slot_pointer(context, builder, signature, args), "acquire", 8)
    return types.int64(arr, idx), codegen


@intrinsic
def store_release(typingctx, arr, idx, value):
    """arr[idx] = value with release ordering (every earlier write is visible to an acquiring reader)."""
    if not (_int64_array(arr) and isinstance(idx, types.Integer) and isinstance(value, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        val = context.cast(builder, args[2], signature.args[2], types.int64)
        builder.store_atomic(val, _slot_pointer(context, builder, signature, args), "release", 8)
        return context.get_dummy_value()
    return types.none(arr, idx, value), codegen


@intrinsic
def spin_pause(typingctx):
    """x86 ``pause``: tells the core this is a spin-wait loop (saves power, frees the sibling hyperthread and avoids
    the memory-order flush on leaving the loop)."""
    def codegen(context, builder, signature, args):
        if _X86:  # elsewhere a plain spin
            fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), []),
                                                "llvm.x86.sse2.pause")
            builder.call(fn, [])
        return context.get_dummy_value()
    return types.none(), codegen


@intrinsic
def yield_cpu(typingctx):
    """sched_yield(2): give the core to another runnable thread."""
    def codegen(context, builder, signature, args):
        fnty = ir.FunctionType(ir.IntType(32), [])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "sched_yield")
        builder.call(fn, [])
        return context.get_dummy_value()
    return types.none(), codegen


@njit(**config.JIT)
def barrier(sync, t, n, gen):
    """Wait until all ``n`` threads reached barrier number ``gen``; False if a thread aborted (or a wait hung)."""
    store_release(sync, (t + 1) * STRIDE, gen)
    for s in range(n):
        if s == t:
            continue
        spins = 0
        yields = 0
        while load_acquire(sync, (s + 1) * STRIDE) < gen:
            if load_acquire(sync, ABORT) != 0:
                return False
            spins += 1
            spin_pause()
            if spins > SPINS_BEFORE_YIELD:
                yield_cpu()
                yields += 1
                if yields > MAX_YIELDS:
                    store_release(sync, ABORT, 1)
                    return False
    return True


@njit(**config.JIT)
def abort(sync):
    """Tell every other thread to stop at its next barrier."""
    store_release(sync, ABORT, 1)


def sync_slots(n_threads):
    """Length of the int64 sync array for ``n_threads`` threads."""
    return (n_threads + 1) * STRIDE
