"""Flow's "View Data" (getFrameData): a frame's rows, paged and sortable, read a page at a time by the browser.

The table uses Tabulator's remote pagination: the server holds the rows and sorts them, the browser receives one
page, so a 44k-row frame opens as fast as a 100-row one.
"""
from __future__ import annotations

import pandas as pd
import panel as pn
import param

from .. import safe_html as safe
from ._common import test_id, title

PAGE_SIZE = 20


def frame_rows(frame) -> pd.DataFrame:
    """The frame as a display table: a 1-based `Row` column first, enum levels as text (missing as empty)."""
    df = frame.as_pandas()
    for c in df.columns:
        if isinstance(df[c].dtype, pd.CategoricalDtype):
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    label = "Row" if "Row" not in df.columns else "Row #"
    df.insert(0, label, range(1, len(df) + 1))
    return df


class FrameDataState(param.Parameterized):
    """The rows on show (the whole frame; the table pages and sorts it)."""

    frame_name = param.String(doc="Key of the frame shown.")
    rows = param.DataFrame(doc="The frame's rows with a Row column.")
    page_size = param.Integer(default=PAGE_SIZE, bounds=(5, 200), doc="Rows per page.")

    def __init__(self, frame, **params):
        super().__init__(frame_name=frame.name, rows=frame_rows(frame), **params)


class FrameDataView(pn.viewable.Viewer):
    def __init__(self, ctx, frame, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.state = s = FrameDataState(frame)
        self.table = pn.widgets.Tabulator(s.rows, show_index=False, disabled=True, pagination="remote",
                                          page_size=s.page_size, sizing_mode="stretch_width",
                                          layout="fit_data_table", frozen_columns=[s.rows.columns[0]],
                                          css_classes=test_id("frame-data-table"))
        s.param.watch(lambda e: setattr(self.table, "page_size", e.new), "page_size")

    def __panel__(self):
        s = self.state
        return pn.Column(title(f"Data of {s.frame_name}"),
                         safe.Markdown(f"{len(s.rows):,} rows, {len(s.rows.columns) - 1:,} columns; "
                                          f"click a column header to sort.", css_classes=test_id("frame-data-size"),
                                          margin=(0, 5)),
                         self.table, css_classes=test_id("frame-data"), sizing_mode="stretch_width")


def frame_data_view(ctx, frame):
    return FrameDataView(ctx, frame)
