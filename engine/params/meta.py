"""Per-parameter metadata carried on each ``param`` declaration (``metadata=``) and read back as ``ParamInfo``.

Each declaration states its Flow group, whether a checkpoint restart may change it, when it does not apply
(hide rules) and its single-value checks. ``rules.validate`` and ``rules.check_checkpoint_compatible`` derive
their verdicts from this, so nothing about a parameter is written twice.
"""
from dataclasses import dataclass, field
from typing import Any, Callable

GROUPS = ("critical", "secondary", "expert")
# Flow's headings for the groups (model-input: "Parameters", "Advanced", "Expert").
GROUP_TITLES = {"critical": "Parameters", "secondary": "Advanced", "expert": "Expert"}


@dataclass(frozen=True)
class HideRule:
    """The field does not apply while ``when(ctx)`` is true; ``message`` says why (Flow greys it out)."""
    when: Callable[[Any], bool]
    message: str


@dataclass(frozen=True)
class Check:
    """A verdict on the field's own value: ``when(value, ctx)`` true means ``message`` at ``level``."""
    when: Callable[[Any, Any], bool]
    message: str
    level: str = "error"


def hide_if(when, message):
    return HideRule(when, message)


def bad_if(when, message, level="error"):
    return Check(when, message, level)


def meta(group, *, h2o_type, checkpoint=True, hide=(), check=(), values=None, grid=False, required=False,
         infinite=False):
    """The ``metadata=`` dict of one declaration.

    ``checkpoint``: True if a checkpoint restart may change the value; False if not (H2O's generic "Cannot change
    parameter" error); a message (may use ``{old}``/``{new}``) for a parameter with its own error text; or
    ``(message, differs)`` where ``differs(old, new)`` decides what counts as a forbidden change.
    ``infinite``: +inf is a meaningful value (H2O's own default is infinity, e.g. ``max_w2``); otherwise a
    number must be finite, and NaN is never a value.
    """
    assert group in GROUPS, group
    if isinstance(hide, HideRule):
        hide = (hide,)
    if isinstance(check, Check):
        check = (check,)
    return {"group": group, "h2o_type": h2o_type, "checkpoint": checkpoint, "hide": tuple(hide),
            "check": tuple(check), "values": tuple(values) if values else None, "grid": grid,
            "required": required, "infinite": infinite}


@dataclass(frozen=True)
class ParamInfo:
    """Everything known about one parameter, read from its declaration."""
    name: str
    label: str
    doc: str
    group: str
    precedence: float
    default: Any
    h2o_type: str
    values: tuple | None
    checkpoint_modifiable: bool
    checkpoint_message: str | None
    checkpoint_differs: Callable | None = None  # None: any change of value is forbidden when not modifiable
    applies: tuple = field(default=())  # HideRule objects: the field applies unless one of them fires
    checks: tuple = field(default=())
    gridable: bool = False
    required: bool = False
    infinite: bool = False  # +inf accepted (H2O's Java default is infinity)

    def hide_reason(self, ctx):
        """The first hide message that fires for ``ctx`` (a ``rules.Context``), or None when the field applies."""
        for rule in self.applies:
            if rule.when(ctx):
                return rule.message
        return None

    def applies_to(self, ctx):
        return self.hide_reason(ctx) is None

    @property
    def group_title(self):
        return GROUP_TITLES[self.group]
