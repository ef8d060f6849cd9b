"""``param`` parameter types that accept what users type at the API edge and store one canonical value.

Enums match H2O's spellings in any case/style ("rectifier_with_dropout" -> "RectifierWithDropout"); lists accept
tuples, NumPy arrays and "200, 200" strings; numbers accept NumPy scalars; frames and models accept the object or
its name. Range checks are not enforced on assignment: ``validate`` reports them with H2O's messages, so the form
can show every problem at once.
"""
import numbers
import os

import numpy as np
import param
from param.parameterized import instance_descriptor

from .h2o_names import canonical, did_you_mean


def _plain(val):
    """NumPy scalars -> Python scalars."""
    if isinstance(val, np.generic):
        return val.item()
    return val


class _Coercing:
    """Mixin: ``_coerce`` runs on every assignment (constructor, attribute, class attribute)."""

    def _coerce(self, val):
        return _plain(val)

    @instance_descriptor
    def __set__(self, obj, val):
        super().__set__(obj, self._coerce(val))


class Enum(_Coercing, param.Selector):
    """A choice among H2O's enum spellings, matched case- and style-insensitively."""

    def _coerce(self, val):
        return canonical(_plain(val), self.objects)

    def _validate_value(self, val, allow_None=None):
        if allow_None is None:
            allow_None = self.allow_None
        if (val is None and allow_None) or val in self.objects:
            return
        raise ValueError(f"Parameter {self.name!r} does not accept {val!r}; choose one of "
                         f"{', '.join(map(str, self.objects))}.{did_you_mean(val, self.objects)}")


class Boolean(_Coercing, param.Boolean):
    pass


class Number(_Coercing, param.Number):
    pass


class Integer(_Coercing, param.Integer):
    def _coerce(self, val):
        val = _plain(val)
        if isinstance(val, float) and val.is_integer():
            return int(val)
        return val


class String(_Coercing, param.String):
    pass


def _split_text(text):
    return [t for t in (s.strip() for s in text.replace(";", ",").split(",")) if t]


class List(_Coercing, param.List):
    """A list; tuples, arrays and "a, b" strings are accepted, items converted with ``convert`` when given."""

    __slots__ = ["convert", "split_text"]

    def __init__(self, default=None, *, convert=None, split_text=True, **kw):
        super().__init__(default, **kw)
        self.convert = convert
        self.split_text = split_text

    def _coerce(self, val):
        if val is None:
            return None
        if isinstance(val, str):
            val = _split_text(val) if self.split_text else [val]
        elif isinstance(val, (numbers.Number, np.generic)):
            val = [val]
        elif isinstance(val, (tuple, np.ndarray, range)):
            val = list(val.tolist() if isinstance(val, np.ndarray) else val)
        if isinstance(val, list) and self.convert is not None:
            out = []
            for item in val:
                try:
                    out.append(self.convert(_plain(item)))
                except (TypeError, ValueError):
                    out.append(item)  # left as is: the item_type check names the bad entry
            val = out
        return val


    _ITEM_WORDS = {int: "whole numbers", float: "numbers", str: "names"}

    def _validate_item_type(self, val, item_type, is_instance):
        """A bad entry is named in words a user can act on ("hidden takes whole numbers ...; 'abc' is not one"),
        not param's "items must be instances of <class 'int'>"."""
        if val is None or item_type is None:
            return
        for item in val:
            ok = isinstance(item, item_type) and not (item_type in (int, float) and isinstance(item, bool))
            if not ok:
                words = self._ITEM_WORDS.get(item_type, f"{item_type.__name__} values")
                example = {int: " (for example: 200, 200)", float: " (for example: 0.5, 0.5)"}.get(item_type, "")
                raise ValueError(f"{self.name} takes a list of {words}{example}; {item!r} is not one")


def _to_int(v):
    if isinstance(v, str):
        v = float(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, bool):
        raise TypeError("bool is not a layer size")
    return v


def _to_float(v):
    if isinstance(v, bool):
        raise TypeError("bool is not a number")
    return float(v)


def is_frame_like(obj):
    """Duck-typed Frame check (names + types), so params never import frames."""
    return hasattr(obj, "names") and hasattr(obj, "types") and hasattr(obj, "domain")


def is_model_like(obj):
    return hasattr(obj, "params") and hasattr(obj, "key")


class FrameRef(_Coercing, param.Parameter):
    """A training/validation frame: the Frame object itself or its name in the workspace."""

    def _validate_value(self, val, allow_None):
        if val is None and allow_None:
            return
        if not (isinstance(val, str) or is_frame_like(val)):
            raise ValueError(f"Parameter {self.name!r} takes a Frame or a frame name, not {type(val).__name__}.")


class ModelRef(_Coercing, param.Parameter):
    """A model (checkpoint, pretrained autoencoder): the model object itself, its key, or the path (str or any
    os.PathLike, such as the pathlib.Path that save_model returns) of a saved model."""

    def _coerce(self, val):
        return os.fspath(val) if isinstance(val, os.PathLike) else _plain(val)

    def _validate_value(self, val, allow_None):
        if val is None and allow_None:
            return
        if not (isinstance(val, str) or is_model_like(val)):
            raise ValueError(f"Parameter {self.name!r} takes a model or a model key, not {type(val).__name__}.")


def frame_name(val):
    """A frame parameter's value as plain text (its name), None stays None."""
    if val is None or isinstance(val, str):
        return val
    return getattr(val, "name", None) or f"<unnamed frame {id(val):x}>"


def model_key(val):
    if val is None or isinstance(val, str):
        return val
    if isinstance(val, os.PathLike):
        return os.fspath(val)
    return getattr(val, "key", None)


to_int = _to_int
to_float = _to_float
