"""Crash-safe file publishing: fsync helpers, no-clobber and exchanging renames, and our temp-file names.

Temporary files are named ``.<name>.deepbrook-tmp-<pid>-<16 hex>`` next to their target, so a later save can find
and remove the ones a killed writer left behind (``remove_stale_temps``), and never touches anything else.
"""
from __future__ import annotations

import ctypes
import errno
import os
import re
import secrets
import shutil
import threading

_TEMP = re.compile(r"^\..+\.deepbrook-(?:tmp|old)-(\d+)-[0-9a-f]{16}$")
_MINE = set()              # temp names this process is writing right now
_MINE_LOCK = threading.Lock()
_RENAME_EXCHANGE = 2


def temp_name(target_name, kind="tmp") -> str:
    """A fresh temp name for ``target_name`` (registered as in flight until ``release``)."""
    name = f".{target_name}.deepbrook-{kind}-{os.getpid()}-{secrets.token_hex(8)}"
    with _MINE_LOCK:
        _MINE.add(name)
    return name


def is_temp_name(name) -> bool:
    """Whether ``name`` follows our temp naming pattern (such names are never user files to us)."""
    return bool(_TEMP.match(name))


def release(name):
    with _MINE_LOCK:
        _MINE.discard(name)


def remove_stale_temps(directory) -> list:
    """Delete temps of our naming pattern in ``directory`` whose writer is gone (dead process, or this process
    but not in flight); returns their names. Anything not matching the pattern is never touched."""
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        m = _TEMP.match(name)
        if not m:
            continue
        pid = int(m.group(1))
        with _MINE_LOCK:
            busy = name in _MINE if pid == os.getpid() else _alive(pid)
        if busy:
            continue
        path = os.path.join(directory, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.remove(path)
            except OSError:
                continue
        removed.append(name)
    return removed


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def fsync_file(path):
    """Flush a file's data to disk (best effort: a file that cannot be opened is skipped)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path):
    """Make renames inside ``path`` durable (POSIX; a no-op elsewhere)."""
    if os.name == "posix":
        fsync_file(path)


def link_new(src, dst) -> bool:
    """Publish ``src`` as ``dst`` only if ``dst`` does not exist (hard link, atomic); False where the file
    system has no hard links (the caller falls back to a rename). Raises FileExistsError if ``dst`` appeared."""
    try:
        os.link(src, dst)
    except FileExistsError:
        raise
    except OSError as e:
        if e.errno in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            return False
        raise
    os.remove(src)
    return True


def exchange(a, b) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), b)
