"""A destructive action that asks first, as Flow's Delete does: the button shows a question with Yes and Cancel,
and only Yes runs the action (which writes the routine call into a cell, like every button)."""
from __future__ import annotations

import html

import panel as pn

from .. import safe_html as safe
from ._common import test_id


class ConfirmButton(pn.Row):
    """`label` button; a click shows `question()` (plain text, shown escaped) with Yes / Cancel; Yes calls `on_yes()`.

    `question` returns None when there is nothing to ask about (no rows selected): then nothing is shown."""

    def __init__(self, label: str, tid: str, question, on_yes, **params):
        button = pn.widgets.Button(label=label, button_type="danger", css_classes=test_id(tid))
        text = safe.HTML("", margin=(0, 5), css_classes=test_id(f"{tid}-question"))
        yes = pn.widgets.Button(label=f"Yes, {label.lower()}", button_type="danger", css_classes=test_id(f"{tid}-yes"))
        no = pn.widgets.Button(label="Cancel", css_classes=test_id(f"{tid}-cancel"))
        box = pn.Row(text, yes, no, visible=False, css_classes=test_id(f"{tid}-confirm"))
        super().__init__(button, box, **params)
        self.question, self.on_yes = question, on_yes
        self.button, self.text, self.yes, self.no, self.box = button, text, yes, no, box
        self.button.on_click(lambda _e: self.ask())
        self.yes.on_click(lambda _e: self.confirm())
        self.no.on_click(lambda _e: self.box.param.update(visible=False))

    def ask(self):
        q = self.question()
        if q:
            self.text.object = html.escape(q)
            self.box.visible = True

    def confirm(self):
        self.box.visible = False
        self.on_yes()
