"""Renders a ModelBuilderForm as Flow's Build a Model form: grouped rows of label | widget | help, inline verdicts.

Widgets are derived from each field's kind (see builder_form.field_kind); nothing here names a parameter except
the ignored-columns picker slot, which any "*_columns" list parameter gets.
"""
from __future__ import annotations

import panel as pn
import param

from .. import safe_html as safe
from ._common import action_bar, button, format_call, test_id, title
from .builder_form import CHOOSE, GROUP_ORDER, GROUP_TITLES, ModelBuilderForm
from .columns_picker import ColumnsPickerView
from .grid_settings import CHOICE_KINDS, GridSettings, grid_text

ALERT = {"error": "danger", "warning": "warning", "warn": "warning", "info": "info"}


def _list_text(v) -> str:
    return "" if v is None else ", ".join(str(x) for x in v)


class ModelBuilderView(pn.viewable.Viewer):
    def __init__(self, ctx, form: ModelBuilderForm, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.form = form
        self.widgets = {}  # built on first use: Advanced/Expert rows only once their group is shown
        self.rows = {}
        self._groups = {}
        form.param.watch(self._choices_changed, ["frames", "models", "columns"])
        self.summary = safe.Alert(form.summary, alert_type="danger", visible=bool(form.summary),
                                     css_classes=test_id("build-summary"))
        form.param.watch(lambda e: self.summary.param.update(object=e.new, visible=bool(e.new)), "summary")
        self.preview = safe.Markdown(self._preview_text(), css_classes=test_id("build-call"), margin=(0, 5))
        form.param.watch(lambda e: setattr(self.preview, "object", self._preview_text()), "revision")

    def _preview_text(self):
        """The call Build Model will write (only non-default parameters), kept current as fields change."""
        return f"`{format_call('buildModel', 'deeplearning', self.form.build_params())}`"

    # ------------------------------------------------------------------ widgets
    def _options(self, kind):
        f = self.form
        items = {"frame": f.frames, "model": f.models, "column": f.columns}[kind]
        return {CHOOSE: None, **{str(x): x for x in items}}

    def widget(self, name):
        if name not in self.widgets:
            self.widgets[name] = self._widget(name)
        return self.widgets[name]

    def row(self, name):
        if name not in self.rows:
            self.rows[name] = self._row(name)
        return self.rows[name]

    def _widget(self, name):
        f, field = self.form, self.form.fields[name]
        kind, value = field.kind, self.form.value(name)
        common = dict(name="", css_classes=test_id(f"param-{name}"), width=300, margin=(2, 5))
        if kind == "columns":
            return ColumnsPickerView(f.picker)
        if kind in ("frame", "model", "column"):
            opts = self._options(kind)
            w = pn.widgets.Select(options=opts, value=value if value in opts.values() else None, **common)
        elif kind == "enum":
            w = pn.widgets.Select(options=list(f.values.param[name].objects), value=value, **common)
        elif kind == "bool":
            w = pn.widgets.Checkbox(value=bool(value), **{**common, "width": 30})
        elif kind == "int":
            w = pn.widgets.IntInput(value=value, **common)
        elif kind == "float":
            w = pn.widgets.FloatInput(value=value, **common)
        elif kind == "list":
            w = pn.widgets.TextInput(value=_list_text(value), placeholder="comma-separated", **common)
        else:
            w = pn.widgets.TextInput(value="" if value is None else str(value), **common)
        w.param.watch(lambda e, n=name: self._edited(n, e.new), "value")
        return w

    def _edited(self, name, value):
        kind = self.form.fields[name].kind
        if kind in ("list", "text") and value == "":
            value = None if self.form.values.param[name].allow_None else ([] if kind == "list" else "")
        self.form.set_value(name, value)

    def _choices_changed(self, event):
        kind = {"frames": "frame", "models": "model", "columns": "column"}[event.name]
        for name, w in list(self.widgets.items()):
            if self.form.fields[name].kind == kind:
                opts = self._options(kind)
                current = self.form.value(name)
                w.options = opts
                w.value = current if current in opts.values() else None

    def _row(self, name):
        field = self.form.fields[name]
        label = safe.HTML(f"<div style='text-align:right;font-style:italic'>{field.label}"
                             f"{' *' if field.required else ''}</div>", width=200, margin=(6, 5))
        help_text = safe.HTML(f"<div style='color:#555;font-size:90%'>{field.doc}</div>", width=360,
                                 margin=(2, 5))
        message = safe.Alert(field.message, alert_type=ALERT.get(field.level, "light"),
                                visible=bool(field.message), css_classes=test_id(f"message-{name}"),
                                margin=(0, 5), width=300)
        editor = pn.Column(self.widget(name), message, width=310)  # help and GRID? line up whatever the widget
        row = action_bar(label, editor, help_text, css_classes=test_id(f"row-{name}"), visible=not field.hidden)
        if field.gridable:
            row.append(self._grid_box(name, editor))

        def update(*_):
            message.param.update(object=field.message, alert_type=ALERT.get(field.level, "light"),
                                 visible=bool(field.message))
            row.visible = not field.hidden

        field.param.watch(update, ["message", "level", "hidden"])
        return row

    # ------------------------------------------------------------------ grid search
    def _grid_box(self, name, editor):
        """Flow's GRID? checkbox; ticked, the field's editor takes several values (a `;`-separated textbox, or
        ticked choices for a dropdown or checkbox) in place of one."""
        field = self.form.fields[name]
        box = pn.widgets.Checkbox(name="Grid?", value=field.gridded, css_classes=test_id(f"grid-{name}"),
                                  width=70, margin=(6, 5))
        single = editor.objects[0]
        values = self._grid_widget(name)
        editor.insert(1, values)

        def show(*_):
            single.visible, values.visible = not field.gridded, field.gridded
            if box.value != field.gridded:
                box.value = field.gridded
        box.param.watch(lambda e: self.form.set_grid(name, e.new), "value")
        field.param.watch(show, "gridded")
        show()
        return box

    def _grid_widget(self, name):
        field = self.form.fields[name]
        common = dict(css_classes=test_id(f"grid-values-{name}"), width=300, margin=(2, 5))
        if field.kind == "bool":
            w = pn.widgets.CheckBoxGroup(options={"true": True, "false": False}, value=list(field.grid_values),
                                         inline=True, **common)
        elif field.kind in CHOICE_KINDS:
            w = pn.widgets.MultiChoice(options=list(self.form.values.param[name].objects),
                                       value=list(field.grid_values), **common)
        else:
            w = pn.widgets.TextInput(value=grid_text(field.kind, field.grid_values),
                                     placeholder="values separated by ;", **common)
        w.param.watch(lambda e: self.form.set_grid_values(name, e.new), "value")
        field.param.watch(lambda e: setattr(w, "value", grid_text(field.kind, e.new) if field.kind not in
                                            CHOICE_KINDS else list(e.new)) if not field.grid_error else None,
                          "grid_values")
        return w

    def grid_settings(self):
        """Flow's Grid Settings block, shown while any field is gridded; the RandomDiscrete settings only for it."""
        g = self.form.grid
        widgets = {n: _setting_widget(g, n) for n in GridSettings.param if n != "name"}
        for n, w in widgets.items():
            w.css_classes = test_id(f"grid-setting-{n}")

        def random_only(*_):
            for n in GridSettings.RANDOM_ONLY:
                widgets[n].visible = g.strategy == "RandomDiscrete"
        g.param.watch(random_only, "strategy")
        random_only()
        block = pn.Column(safe.Markdown("#### Grid Settings", margin=(10, 5, 0, 5)),
                          pn.FlexBox(*widgets.values()), css_classes=test_id("grid-settings"),
                          visible=self.form.is_grid, sizing_mode="stretch_width")
        self.form.param.watch(lambda e: setattr(block, "visible", e.new), "is_grid")
        return block

    # ------------------------------------------------------------------ build
    def build(self):
        return self.form.build(lambda p: self.ctx.run_routine(format_call("buildModel", "deeplearning", p)))

    def group(self, group):
        """The group's column; its rows are built the first time it is shown (91 rows cost seconds to render)."""
        if group not in self._groups:
            self._groups[group] = pn.Column(safe.Markdown(f"#### {GROUP_TITLES[group]}", margin=(10, 5, 0, 5)),
                                            css_classes=test_id(f"group-{group}"), sizing_mode="stretch_width",
                                            visible=False)
        col = self._groups[group]
        return col

    def show_group(self, group, visible=True):
        col = self.group(group)
        if visible and len(col.objects) == 1:
            col.extend([self.row(n) for n in self.form.names(group)])
        col.visible = visible

    def __panel__(self):
        f = self.form
        self.show_group("critical")
        self.show_group("secondary", f.show_advanced)
        self.show_group("expert", f.show_expert)
        f.param.watch(lambda e: self.show_group("secondary", e.new), "show_advanced")
        f.param.watch(lambda e: self.show_group("expert", e.new), "show_expert")
        toggles = pn.Row(
            pn.widgets.Checkbox.from_param(f.param.show_advanced, name="Show advanced",
                                           css_classes=test_id("show-advanced")),
            pn.widgets.Checkbox.from_param(f.param.show_expert, name="Show expert",
                                           css_classes=test_id("show-expert")))
        build = button("Build Model", "build-button", self.build, color="primary")
        return pn.Column(title("Build a Model: Deep Learning", "🧊"), self.summary, toggles,
                         *(self.group(g) for g in GROUP_ORDER), self.grid_settings(),
                         self.preview, pn.Row(build), css_classes=test_id("model-builder"),
                         sizing_mode="stretch_width")


def _setting_widget(settings, name):
    p = settings.param[name]
    kind = (pn.widgets.Select if isinstance(p, param.Selector) else pn.widgets.IntInput
            if isinstance(p, param.Integer) else pn.widgets.FloatInput if isinstance(p, param.Number)
            else pn.widgets.TextInput)
    return kind.from_param(p, name=p.label, width=220)


def model_builder_view(ctx, algo="deeplearning", params=None):
    if algo != "deeplearning":
        raise ValueError(f"unknown algorithm {algo!r}; Deepbrook builds \"deeplearning\" models")
    return ModelBuilderView(ctx, ModelBuilderForm(ctx.app.workspace, initial=params))
