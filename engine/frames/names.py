"""Column and frame naming rules (H2O's: empty or repeated column names become C<i>, files give <stem>.hex)."""
import os
import re

_COMPRESSED = (".gz", ".bz2", ".zip", ".zst", ".zstd", ".lz4")
_BAD_KEY = re.compile(r"[\x00-\x1f/\\]")


def default_column_names(n):
    """C1..Cn, H2O's names for a file without a header."""
    return [f"C{i + 1}" for i in range(n)]


def clean_column_names(names):
    """Names with empty and repeated entries renamed C<i> (1-based position), H2O style; always unique."""
    out, seen = [], set()
    taken = {str(n).strip() for n in names}
    for i, n in enumerate(names):
        n = "" if n is None else str(n).strip()
        if n == "" or n in seen:
            n = f"C{i + 1}"
            k = 1
            while n in seen or (n in taken and n != names[i]):
                k += 1
                n = f"C{i + 1}_{k}"
        seen.add(n)
        out.append(n)
    return out


def renamed_columns(before, after):
    """Human-readable list of the renames clean_column_names made."""
    return [f"column {i + 1} '{b}' -> '{a}'" for i, (b, a) in enumerate(zip(before, after)) if str(b).strip() != a]


def renamed_warning(before, after):
    """The parse warning for renamed header names: duplicates named first (they are easy to miss), then empties."""
    seen, dups = set(), []
    for n in (str(b).strip() for b in before):
        if n and n in seen and n not in dups:
            dups.append(n)
        seen.add(n)
    lead = f"duplicate column names {', '.join(map(repr, dups))} were renamed so that every name is unique; " \
        if dups else ""
    return f"{lead}renamed columns: " + "; ".join(renamed_columns(before, after))


def frame_name_for(path):
    """prostate.csv.gz -> prostate.hex, as H2O names parsed frames."""
    base = os.path.basename(os.fspath(path).rstrip("/\\"))
    for ext in _COMPRESSED:
        if base.lower().endswith(ext):
            base = base[: -len(ext)]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^\w.\-]", "_", stem) or "frame"
    return f"{stem}.hex"


def validate_key(name, what="name"):
    """Return a workspace/frame key or raise ValueError saying what is wrong with it."""
    if not isinstance(name, str):
        raise ValueError(f"{what} must be a string, got {type(name).__name__}")
    if not name.strip():
        raise ValueError(f"{what} must not be empty")
    if name != name.strip():
        raise ValueError(f"{what} {name!r} must not start or end with spaces")
    if _BAD_KEY.search(name):
        raise ValueError(f"{what} {name!r} must not contain path separators or control characters")
    if name in (".", "..") or ".." in name:
        raise ValueError(f"{what} {name!r} must not be '.' or contain '..'")
    if len(name) > 200:
        raise ValueError(f"{what} {name[:30]!r}... is longer than 200 characters")
    return name
