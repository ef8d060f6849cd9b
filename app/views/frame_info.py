"""Frame.summary() turned into the tables the views show (column grid, picker tags, histogram, domain)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .columns_picker import column_table

GRID_COLUMNS = ["label", "type", "missing", "zeros", "+inf", "-inf", "min", "max", "mean", "sigma", "cardinality",
                "levels"]
_GRID_KEYS = {"+inf": "pinf", "-inf": "ninf"}
CODE_STATS = ("zeros", "min", "max", "mean", "sigma")  # of an enum column these would describe level codes
LEVELS_SHOWN = 3
HISTOGRAM_BINS = 32  # Flow rebins the column distribution to about 32 bars


def column_stats(frame) -> dict:
    """{column: summary dict} from the frame's cached summary (engine/frames/summary.py)."""
    return frame.summary()["column_summaries"]


def summary_table(frame) -> pd.DataFrame:
    """Flow's Column Summaries grid: one row per column."""
    stats = column_stats(frame)
    rows = []
    for c in frame.names:
        st = stats[c]
        enum = st.get("type") == "enum"
        row = {k: None if enum and k in CODE_STATS else st.get(_GRID_KEYS.get(k, k)) for k in GRID_COLUMNS}
        row["levels"] = level_counts_text(st.get("domain")) if enum else ""
        rows.append(row)
    df = pd.DataFrame(rows, columns=GRID_COLUMNS)
    for c in ("missing", "zeros", "+inf", "-inf", "cardinality"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    for c in ("min", "max", "mean", "sigma"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    return df


def level_counts_text(domain, shown=LEVELS_SHOWN) -> str:
    """The most frequent levels with their counts ("1: 341, 2: 36, 0: 3"), what an enum column's grid row shows."""
    top = sorted(domain or [], key=lambda lc: -lc[1])
    text = ", ".join(f"{level}: {count:,}" for level, count in top[:shown])
    return text + (f", ... ({len(top) - shown} more)" if len(top) > shown else "")


def picker_table(frame) -> pd.DataFrame:
    """The ignored-columns picker's table: name, type tag (ENUM(4)), missing percent."""
    stats = column_stats(frame)
    names = list(frame.names)
    n = max(int(frame.nrows), 1)
    return column_table(names, [stats[c]["type"] for c in names],
                        [stats[c].get("cardinality") for c in names],
                        [100.0 * (stats[c].get("missing") or 0) / n for c in names])


def histogram(frame, col, bins=HISTOGRAM_BINS):
    """(counts, edges) of a numeric column, the summary's fine histogram merged into about `bins` bars."""
    h = column_stats(frame)[col].get("histogram")
    if not h or "breaks" not in h:
        return np.zeros(0), np.zeros(1)
    counts, breaks = np.asarray(h["counts"], float), np.asarray(h["breaks"], float)
    nz = np.flatnonzero(counts)
    if nz.size:  # Flow cuts empty trailing bins
        counts, breaks = counts[: nz[-1] + 1], breaks[: nz[-1] + 2]
    step = max(1, int(np.ceil(len(counts) / bins)))
    if step > 1:
        pad = (-len(counts)) % step
        counts = np.r_[counts, np.zeros(pad)].reshape(-1, step).sum(axis=1)
        breaks = breaks[0] + (breaks[1] - breaks[0]) * step * np.arange(len(counts) + 1)
    return counts, breaks


def domain_counts(frame, col) -> pd.DataFrame:
    """level, count, percent of an enum column, most frequent first (as Flow's Domain table)."""
    dom = column_stats(frame)[col].get("domain") or []
    df = pd.DataFrame(dom, columns=["level", "count"])
    total = max(int(df["count"].sum()), 1)
    df["percent"] = 100.0 * df["count"] / total
    return df.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)
