"""SVMLight / LibSVM files: ``target index:value ...`` per line (``# comment`` allowed), read as H2O does into a
dense frame: C1 is the target, feature ``i`` (1-based) is column C(i+1); features not listed are 0."""
import numpy as np
import pyarrow as pa

from ..errors import ParseError
from .names import default_column_names
from .table_formats import TableRead


def read_svmlight(source, encoding="utf-8"):
    label = source.label
    targets, entries = [], []  # entries: (row, column, value)
    for no, raw in enumerate(source.text(encoding).splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        try:
            targets.append(float(parts[0]))
        except ValueError:
            raise ParseError(f"{label}, line {no}: the target {parts[0]!r} is not a number", line=no,
                             path=label) from None
        row = len(targets) - 1
        for p in parts[1:]:
            idx, sep, value = p.partition(":")
            if idx == "qid":
                continue
            try:
                col, v = int(idx), float(value)
            except ValueError:
                col, v, sep = -1, 0.0, ""
            if not sep or col < 1:
                raise ParseError(f"{label}, line {no}: expected index:value with an index >= 1, found {p!r}",
                                 line=no, path=label)
            entries.append((row, col, v))
    if not targets:
        raise ParseError(f"{label} holds no data rows", path=label)
    width = 1 + max((c for _, c, _ in entries), default=0)
    data = np.zeros((len(targets), width))
    data[:, 0] = targets
    for r, c, v in entries:
        data[r, c] = v
    names = default_column_names(width)
    table = pa.table([pa.array(data[:, i]) for i in range(width)], names=[str(i) for i in range(width)])
    return TableRead(names, table, {n: "int" for n in names})
