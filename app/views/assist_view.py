"""Flow's assist cell: the common routines as buttons that insert and run them."""
from __future__ import annotations

import panel as pn

from .. import safe_html as safe
from ._common import routine_button, test_id, title

ASSIST = (("importFiles", "Import files from the server's data folders", ()),
          ("getFrames", "List the frames", ()),
          ("splitFrame", "Split a frame at random into parts", ()),
          ("getModels", "List and compare the models", ()),
          ("getGrids", "List the grid searches", ()),
          ("getJobs", "List the jobs", ()),
          ("buildModel", "Build a Deep Learning model", ("deeplearning",)),
          ("predict", "Score a frame with a model", ()))


def assist_view(ctx):
    rows = [pn.Row(routine_button(ctx, name, f"assist-{name}", name, *args),
                   safe.Markdown(text, margin=(8, 5))) for name, text, args in ASSIST]
    return pn.Column(title("Assistance", "✨"), *rows, css_classes=test_id("assist-view"))
