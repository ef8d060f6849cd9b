"""Flow's Setup Parse: the engine's guesses (separator, header, names, types) editable over a preview.

`ParseSetupState` holds the edits over an engine `ParseSetup` (a changed separator or header re-asks the engine
for a fresh preview, keeping type edits); the view shows one row per column (index, name, type selector, skip,
the first preview values across, as Flow transposes it) in a paged Tabulator with a name search in its header,
and below it the first rows as Parse would read them with the current edits (the engine's parse_preview), or the
engine's reason why they cannot be read (a short row: the fill_short_rows option). Parse writes a parseFiles
call with the options that differ from a fresh guess.
"""
from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import panel as pn
import param

from .. import safe_html as safe
from ._common import button, error_alert, format_call, test_id, title, warning_alert

TYPES = ["int", "real", "enum", "string", "time", "uuid"]
SEPARATORS = {",": "comma ','", "\t": "tab '\\t'", ";": "semicolon ';'", "|": "pipe '|'", " ": "space ' '",
              ":": "colon ':'"}
PREVIEW_VALUES = 9  # preview values shown across, as in Flow
PREVIEW_ROWS = 10  # rows of the per-row preview


def _engine():
    from deepbrook import engine

    return engine


def display_paths(ctx, paths) -> list[str]:
    """Paths as written in routine calls: relative to the data root that holds them (replayable elsewhere)."""
    out = []
    roots = list(getattr(ctx.app, "allowed_roots", None) or getattr(ctx.app, "data_roots", []) or [])
    for p in map(Path, paths):
        rel = next((p.resolve().relative_to(r) for r in roots if p.resolve().is_relative_to(r)), None)
        out.append(str(rel) if rel is not None else str(p))
    return out


def default_destination(paths) -> str:
    """The name parseFiles gives without destination_frame (the engine's rule: prostate.csv.gz -> prostate.hex)."""
    return _engine().frame_name_for(str(paths[0]))


class ParseSetupState(param.Parameterized):
    """The user's edits over the engine's guesses."""

    destination_frame = param.String(doc="Name of the frame to create.")
    separator = param.Selector(default=",", objects=list(SEPARATORS), doc="Field separator.")
    header = param.Boolean(default=True, doc="First row contains column names.")
    fill_short_rows = param.Boolean(default=False, doc="Fill rows with too few fields with NA (H2O's option).")
    columns = param.DataFrame(doc="One row per column: index, name, type, skip, then preview values.")
    rows = param.DataFrame(doc="The first rows as Parse would read them with the current edits.")
    rows_error = param.String(default="", doc="Why the first rows cannot be read with the current edits.")
    error = param.String(default="")

    def __init__(self, setup, paths_text=None, **params):
        self.setup = setup
        self.paths_text = list(paths_text or [str(p) for p in setup.paths])
        self._guess = setup  # what a fresh parseFiles would guess: only differences are written
        objects = list(SEPARATORS) + ([setup.separator] if setup.separator not in SEPARATORS else [])
        self.param.separator.objects = objects
        super().__init__(destination_frame=default_destination(self.paths_text), separator=setup.separator,
                         header=bool(setup.header), fill_short_rows=bool(setup.fill_short_rows),
                         columns=self._table(setup), **params)
        self.update_rows()

    @staticmethod
    def _table(setup, types=None) -> pd.DataFrame:
        preview = setup.preview if setup.preview is not None else pd.DataFrame()
        names = list(setup.column_names)
        rows = []
        for i, n in enumerate(names):
            t = (types or {}).get(n) or setup.column_types.get(n, "string")
            vals = preview.iloc[:PREVIEW_VALUES, i].tolist() if i < preview.shape[1] else []
            row = {"#": i + 1, "name": n, "type": t, "skip": n in (setup.skip_columns or [])}
            row.update({f"v{j + 1}": ("" if v is None or v != v else str(v)) for j, v in enumerate(vals)})
            rows.append(row)
        cols = ["#", "name", "type", "skip"] + [f"v{j + 1}" for j in range(min(PREVIEW_VALUES, len(preview)))]
        return pd.DataFrame(rows, columns=cols)

    @param.depends("separator", "header", watch=True)
    def refresh(self):
        """A new engine guess for the changed separator/header; type edits are kept by column name."""
        edited = dict(zip(self.columns["name"], self.columns["type"]))
        try:
            setup = _engine().parse_setup(list(self.setup.paths), separator=self.separator, header=self.header,
                                          fill_short_rows=self.fill_short_rows, limits=self.setup.limits)
        except Exception as e:  # shown in the form: a bad separator must not break the cell
            self.error = str(e)
            return
        self.error = ""
        self.setup = setup
        self.columns = self._table(setup, types={n: t for n, t in edited.items() if n in setup.column_names})

    @param.depends("columns", "fill_short_rows", watch=True)
    def update_rows(self):
        """The per-row preview for the current edits (names, types, skips, fill_short_rows)."""
        df = self.columns
        setup = copy.copy(self.setup)
        setup.column_names = df["name"].tolist()
        setup.column_types = dict(zip(setup.column_names, df["type"]))
        setup.skip_columns = [n for n, skip in zip(setup.column_names, df["skip"]) if skip]
        setup.fill_short_rows = self.fill_short_rows
        try:
            rows = _engine().parse_preview(setup, rows=PREVIEW_ROWS)
        except _engine().DeepbrookError as e:  # the engine's reason, shown in the form (e.g. a short row)
            text = str(e)
            for path, shown in zip(map(str, self.setup.paths), self.paths_text):
                text = text.replace(path, shown)  # as the user wrote it, not the server's folders
            self.param.update(rows=pd.DataFrame(), rows_error=text)
            return
        shown = rows.astype(object).where(rows.notna(), "")
        self.param.update(rows=shown.map(lambda v: v if isinstance(v, (int, float)) else str(v)), rows_error="")

    def set_type(self, column, t):
        if t not in TYPES and t != "numeric":
            raise ValueError(f"unknown type {t!r} for column {column!r}; use one of {', '.join(TYPES)}")
        df = self.columns.copy()
        df.loc[df["name"] == column, "type"] = t
        self.columns = df

    def set_cell(self, row: int, column: str, value):
        """An edit from the table (row position, column name, new value)."""
        df = self.columns.copy()
        df.at[row, column] = value
        self.columns = df

    def options(self) -> dict:
        """The parseFiles options: separator and header always, names/types/skips only where edited."""
        df, guess = self.columns, self.setup
        opts = {"paths": self.paths_text, "destination_frame": self.destination_frame,
                "separator": self.separator, "header": self.header}
        names = df["name"].tolist()
        if names != list(guess.column_names):
            opts["column_names"] = names
        types = {n: t for n, t, g in zip(names, df["type"], guess.column_names)
                 if t != guess.column_types.get(g)}
        if types:
            opts["column_types"] = types
        skip = [n for n, s in zip(names, df["skip"]) if s]
        if skip:
            opts["skip_columns"] = skip
        if self.fill_short_rows:
            opts["fill_short_rows"] = True
        return opts

    def call(self) -> str:
        return format_call("parseFiles", **self.options())


class ParseSetupView(pn.viewable.Viewer):
    def __init__(self, ctx, setup, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.state = s = ParseSetupState(setup, paths_text=display_paths(ctx, setup.paths))
        self.table = pn.widgets.Tabulator(
            s.columns, show_index=False, pagination="local", page_size=15, sizing_mode="stretch_width",
            selectable=False,
            layout="fit_data_table", css_classes=test_id("parse-columns"),
            editors=self._editors(s.columns),
            header_filters={"name": {"type": "input", "func": "like", "placeholder": "Search by column name..."}})
        self.table.on_edit(lambda e: s.set_cell(e.row, e.column, e.value))
        # the same edit without the table's inline editor (keyboard friendly, and robust for very wide files)
        self.type_column = pn.widgets.Select(name="Column", options=list(s.columns["name"]), width=200,
                                             css_classes=test_id("parse-type-column"))
        self.type_choice = pn.widgets.Select(name="Type", options=TYPES, width=120,
                                             css_classes=test_id("parse-type-choice"))

        s.param.watch(self._columns_changed, "columns")
        # Flow's preview rows: fields by position (a column name may hold a '.', which Tabulator reads as a path)
        value, titles = self._rows_value(s.rows)
        self.rows = pn.widgets.Tabulator(value, titles=titles, show_index=False, disabled=True,
                                         selectable=False, sizing_mode="stretch_width", layout="fit_data_table",
                                         css_classes=test_id("parse-rows"))
        s.param.watch(self._rows_changed, "rows")
        self.preview = safe.Markdown(self._preview_text(), css_classes=test_id("parse-call"), margin=(0, 5))
        s.param.watch(lambda e: setattr(self.preview, "object", self._preview_text()),
                      ["columns", "destination_frame", "separator", "header", "fill_short_rows"])

    @staticmethod
    def _rows_value(df):
        """(value, titles) for the rows table: fields c0, c1, ... titled with the column names."""
        fields = [f"c{i}" for i in range(df.shape[1])]
        return df.set_axis(fields, axis=1), dict(zip(fields, map(str, df.columns)))

    def _rows_changed(self, event):
        value, titles = self._rows_value(event.new)
        self.rows.param.update(value=value, titles=titles)

    def _preview_text(self):
        """The call Parse will write, kept current so users (and tests) see what the edits amount to."""
        return f"`{self.state.call()}`"

    @staticmethod
    def _editors(df):
        eds = {c: None for c in df.columns}
        eds.update({"name": {"type": "input"}, "type": {"type": "list", "values": TYPES}, "skip": "tickCross"})
        return eds

    def _columns_changed(self, event):
        if self.table.value is not event.new:
            self.table.value = event.new
        names = list(event.new["name"])
        if list(self.type_column.options) != names:
            self.type_column.options = names

    def set_type(self):
        if self.type_column.value is not None:
            self.state.set_type(self.type_column.value, self.type_choice.value)

    def parse(self):
        return self.ctx.run_routine(self.state.call())

    def __panel__(self):
        s = self.state
        err = error_alert(s.error, "parse-error")
        s.param.watch(lambda e: err.param.update(object=e.new, visible=bool(e.new)), "error")
        rows_err = error_alert(s.rows_error, "parse-rows-error")
        s.param.watch(lambda e: rows_err.param.update(object=e.new, visible=bool(e.new)), "rows_error")
        self.rows.visible = not s.rows_error
        s.param.watch(lambda e: setattr(self.rows, "visible", not e.new), "rows_error")
        sources = safe.Markdown("**Sources:** " + ", ".join(f"`{p}`" for p in s.paths_text), margin=(0, 5))
        return pn.Column(
            title("Setup Parse", "⚙"), sources, warning_alert(s.setup.warnings, "parse-warnings"),
            pn.widgets.TextInput.from_param(s.param.destination_frame, name="ID", css_classes=test_id("parse-id")),
            pn.Row(pn.widgets.Select.from_param(s.param.separator, name="Separator", options={
                       SEPARATORS.get(k, repr(k)): k for k in s.param.separator.objects},
                       css_classes=test_id("parse-separator")),
                   pn.widgets.Checkbox.from_param(s.param.header, name="First row contains column names",
                                                  css_classes=test_id("parse-header")),
                   pn.widgets.Checkbox.from_param(s.param.fill_short_rows, name="Fill short rows with NA",
                                                  css_classes=test_id("parse-fill-short-rows"))),
            err, safe.Markdown("**Edit column names and types**", margin=(0, 5)), self.table,
            pn.Row(self.type_column, self.type_choice, button("Set type", "parse-set-type", self.set_type),
                   align="end"),
            safe.Markdown(f"**Preview: the first {PREVIEW_ROWS} rows as Parse reads them**", margin=(0, 5)),
            rows_err, self.rows,
            self.preview, button("Parse", "parse-button", self.parse, color="primary"),
            css_classes=test_id("parse-setup"), sizing_mode="stretch_width")


def parse_setup_view(ctx, setup):
    return ParseSetupView(ctx, setup)
