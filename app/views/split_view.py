"""Flow's split form: a frame, ratios (the last part gets the rest), destination names and a seed."""
from __future__ import annotations

import panel as pn
import param

from ._common import button, error_alert, frame_names, run_routine, test_id, title


def _parse_ratios(text: str) -> list[float]:
    return [float(t) for t in str(text).replace(";", ",").split(",") if t.strip()]


class SplitState(param.Parameterized):
    frame = param.Selector(default=None, objects=[], allow_None=True, doc="Frame to split.")
    ratios = param.String(default="0.75", doc="Comma-separated ratios in (0, 1); the last part gets the rest.")
    destinations = param.String(default="", doc="Comma-separated names of the parts (default <frame>_<ratio>).")
    seed = param.Integer(default=42, doc="Random seed (same seed, same split).")
    error = param.String(default="")

    def parts(self):
        """(ratios, destinations), or raise ValueError with a message for the form."""
        try:
            ratios = _parse_ratios(self.ratios)
        except ValueError:
            raise ValueError(f"ratios must be numbers, got {self.ratios!r}") from None
        if not ratios or any(not 0 < r < 1 for r in ratios) or sum(ratios) >= 1:
            raise ValueError("ratios must be in (0, 1) and sum to less than 1")
        rest = round(1 - sum(ratios), 10)
        names = [d.strip() for d in self.destinations.split(",") if d.strip()]
        if not names:
            names = [f"{self.frame}_{r:g}" for r in [*ratios, rest]]
        if len(names) != len(ratios) + 1:
            raise ValueError(f"{len(ratios)} ratios make {len(ratios) + 1} frames; give as many names")
        return ratios, names

    def call_args(self):
        if self.frame is None:
            raise ValueError("choose a frame to split")
        ratios, names = self.parts()
        return ("splitFrame", self.frame, ratios, names, self.seed)


class SplitView(pn.viewable.Viewer):
    def __init__(self, ctx, frame=None, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.state = s = SplitState()
        s.param.frame.objects = frame_names(ctx)
        s.frame = getattr(frame, "name", None) or (s.param.frame.objects[0] if s.param.frame.objects else None)

    def create(self):
        try:
            args = self.state.call_args()
        except ValueError as e:
            self.state.error = str(e)
            return None
        self.state.error = ""
        return run_routine(self.ctx, *args)

    def __panel__(self):
        s = self.state
        err = error_alert("", "split-error")
        s.param.watch(lambda e: err.param.update(object=e.new, visible=bool(e.new)), "error")
        return pn.Column(
            title("Split Frame", "✂"),
            pn.widgets.Select.from_param(s.param.frame, name="Frame", css_classes=test_id("split-frame")),
            pn.widgets.TextInput.from_param(s.param.ratios, name="Ratios", css_classes=test_id("split-ratios")),
            pn.widgets.TextInput.from_param(s.param.destinations, name="Destination frames",
                                            css_classes=test_id("split-destinations")),
            pn.widgets.IntInput.from_param(s.param.seed, name="Seed", css_classes=test_id("split-seed")),
            err, button("Create", "split-create", self.create, color="primary"),
            css_classes=test_id("split-view"))


def split_frame_view(ctx, frame):
    return SplitView(ctx, frame)
