"""The ignored_columns picker: Flow's list control for frames with thousands of columns.

`ColumnsPicker` is the state (no Panel): the column table, a search text, the "more than N % missing" filter and
the chosen names; filtering happens here in pandas, so 5,000 columns cost a few milliseconds and never 5,000
widgets. `ColumnsPickerView` renders one page at a time in a Tabulator with checkbox selection.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import panel as pn
import param

from .. import safe_html as safe
from ._common import action_bar, button, test_id

COLUMNS = ["name", "type", "missing"]


def type_tag(t: str, cardinality=None) -> str:
    """Flow's column tag: INT, REAL, ENUM(4)..."""
    tag = str(t).upper()
    return f"{tag}({int(cardinality)})" if t == "enum" and cardinality is not None else tag


def column_table(names, types, cardinalities, missing_pct) -> pd.DataFrame:
    """The picker's input table: name, type tag, missing tag and the numeric missing percent."""
    pct = np.asarray(missing_pct, dtype=float)
    return pd.DataFrame({
        "name": list(names),
        "type": [type_tag(t, c) for t, c in zip(types, cardinalities)],
        "missing": [f"{p:.0f}% NA" if p > 0 else "" for p in pct],
        "missing_pct": pct,
    })


class ColumnsPicker(param.Parameterized):
    """State of a searchable, filterable multi-column choice (the value is the list of chosen names)."""

    columns = param.DataFrame(default=None, allow_None=True, doc="Table of name, type, missing, missing_pct.")
    search = param.String(default="", doc="Case-insensitive substring of the column name.")
    min_missing = param.Number(default=None, allow_None=True, bounds=(0, 100),
                               doc="Only show columns with more than this percentage of missing values.")
    excluded = param.List(default=[], doc="Names never offered (e.g. the response column).")
    value = param.List(default=[], doc="The chosen (ignored) column names.")
    filtered = param.DataFrame(default=None, allow_None=True, doc="The columns passing search and filters.")
    caption = param.String(default="")

    @param.depends("columns", "search", "min_missing", "excluded", watch=True, on_init=True)
    def _refilter(self):
        df = self.columns if self.columns is not None else column_table([], [], [], [])
        keep = np.ones(len(df), dtype=bool)
        if self.excluded:
            keep &= ~df["name"].isin(self.excluded).to_numpy()
        if self.search:
            keep &= df["name"].str.contains(self.search, case=False, regex=False).to_numpy()
        if self.min_missing is not None:
            keep &= df["missing_pct"].to_numpy() > self.min_missing
        self.filtered = df[keep].reset_index(drop=True)
        if self.excluded and set(self.value) & set(self.excluded):
            self.value = [v for v in self.value if v not in set(self.excluded)]

    @param.depends("filtered", "value", watch=True, on_init=True)
    def _recaption(self):
        n = 0 if self.columns is None else len(self.columns) - len(self.excluded)
        self.caption = f"Showing {len(self.filtered):,} of {n:,} columns, {len(self.value):,} ignored"

    def filtered_names(self) -> list[str]:
        return self.filtered["name"].tolist()

    def select_all(self):
        """Choose every filtered column (all pages, not only the visible one), as Flow's All does."""
        chosen = set(self.value)
        self.value = self.value + [n for n in self.filtered_names() if n not in chosen]

    def select_none(self):
        """Un-choose every filtered column; chosen columns hidden by the filter stay chosen."""
        drop = set(self.filtered_names())
        self.value = [v for v in self.value if v not in drop]

    def set_filtered_choice(self, names):
        """Replace the choice among the filtered columns by `names`, keeping choices outside the filter."""
        visible = set(self.filtered_names())
        keep = [v for v in self.value if v not in visible]
        order = {n: i for i, n in enumerate(self.columns["name"])}
        self.value = sorted(set(keep) | set(names), key=lambda n: order.get(n, len(order)))


class ColumnsPickerView(pn.viewable.Viewer):
    """Search box, NA filter, All / None, a paged checkbox table and the caption, bound to a ColumnsPicker."""

    def __init__(self, picker: ColumnsPicker, page_size=10, **params):
        super().__init__(**params)
        self.picker = picker
        self._syncing = False
        self._last_filtered = picker.filtered
        self.search = pn.widgets.TextInput(placeholder="Search...", value=picker.search,
                                           css_classes=test_id("columns-search"), sizing_mode="stretch_width")
        self.min_missing = pn.widgets.FloatInput(name="Only show columns with more than N % missing values",
                                                 value=picker.min_missing, start=0, end=100,
                                                 css_classes=test_id("columns-min-missing"), width=260)
        self.search.param.watch(lambda e: setattr(picker, "search", e.new or ""), "value_input")
        self.search.param.watch(lambda e: setattr(picker, "search", e.new or ""), "value")
        self.min_missing.param.watch(lambda e: setattr(picker, "min_missing", e.new), "value")
        self.table = pn.widgets.Tabulator(
            self._shown(), pagination="remote", page_size=page_size, selectable="checkbox", show_index=False,
            disabled=True, sizing_mode="stretch_width", css_classes=test_id("columns-table"),
            hidden_columns=["missing_pct"], header_align="left")
        self.table.param.watch(self._on_selection, "selection")
        self.caption = safe.Markdown(picker.param.caption, css_classes=test_id("columns-caption"), margin=(0, 5))
        picker.param.watch(self._refresh, ["filtered", "value"])
        self._refresh()

    def _shown(self) -> pd.DataFrame:
        return self.picker.filtered[COLUMNS + ["missing_pct"]]

    def _refresh(self, *_):
        """Push the model's filtered rows and choice into the table (one message, no per-column widgets)."""
        if self._syncing:
            return
        self._syncing = True
        try:
            if self._last_filtered is not self.picker.filtered:  # re-send rows only when the filter changed
                self._last_filtered = self.picker.filtered
                self.table.value = self._shown()
            names = self.picker.filtered["name"]
            chosen = np.flatnonzero(names.isin(self.picker.value).to_numpy()).tolist()
            self.table.selection = chosen
        finally:
            self._syncing = False

    def _on_selection(self, event):
        if self._syncing:
            return
        names = self.picker.filtered["name"].to_numpy()
        self.picker.set_filtered_choice([names[i] for i in event.new if 0 <= i < len(names)])

    def __panel__(self):
        buttons = pn.Row(button("All", "columns-all", self.picker.select_all, width=70),
                         button("None", "columns-none", self.picker.select_none, width=70))
        return pn.Column(self.search, self.table, action_bar(buttons, self.min_missing), self.caption,
                         css_classes=test_id("columns-picker"), sizing_mode="stretch_width")
