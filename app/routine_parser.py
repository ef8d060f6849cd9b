"""A small safe parser for Flow's routine language (never eval/exec: a served notebook must not be a shell).

A cell holds one call: ``name`` then optional arguments separated by commas or new lines, each a value or a
``key: value`` pair. ``name(args)`` is accepted too. Values: strings in '..' or "..", numbers, true/false/null,
lists ``[..]`` and objects ``{key: value, "key": value}``. ``#`` starts a comment.
"""
from __future__ import annotations

import json
import re
from typing import Any, NamedTuple


class RoutineSyntaxError(ValueError):
    """The cell text is not a routine call; names the line and column of the problem."""

    def __init__(self, message, line=None, column=None):
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(message + where)
        self.line = line
        self.column = column


class Name(str):
    """A routine named as an argument without quotes (Flow writes ``assist buildModel``: the routine itself)."""

    def __repr__(self):
        return f"Name({str(self)!r})"


class Call(NamedTuple):
    name: str
    args: list
    kwargs: dict


_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r]+)
  | (?P<comment>\#[^\n]*)
  | (?P<nl>\n)
  | (?P<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![A-Za-z_\d]))
  | (?P<name>[A-Za-z_][A-Za-z_0-9.\-]*)
  | (?P<string>"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*')
  | (?P<punct>[\[\]{}(),:])
""", re.VERBOSE)

MAX_CELL_CHARS = 1_000_000  # a routine call is short; a 50 MB cell took most of a minute to parse
MAX_DEPTH = 50  # lists/objects nested deeper are not routine arguments (and would exhaust Python's stack)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "/": "/", "0": "\0"}
_CONSTANTS = {"true": True, "false": False, "null": None, "True": True, "False": False, "None": None}
_CLOSE = {"[": "]", "{": "}", "(": ")"}


class _Tok(NamedTuple):
    kind: str
    text: str
    line: int
    col: int


def _unquote(text: str, line: int, col: int) -> str:
    out, i, body = [], 0, text[1:-1]
    if "\\" not in body:
        return body
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2:i + 6]):
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
            raise RoutineSyntaxError(f"unknown escape \\{nxt} in string", line, col + i + 1)
        out.append(ch)
        i += 1
    return "".join(out)


def tokenize(text: str) -> list[_Tok]:
    toks, pos, line, line_start = [], 0, 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        col = pos - line_start + 1
        if not m:
            ch = text[pos]
            if ch in "\"'":
                raise RoutineSyntaxError(f"string starting with {ch} is not closed", line, col)
            raise RoutineSyntaxError(f"unexpected character {ch!r}", line, col)
        kind = m.lastgroup
        if kind == "nl":
            toks.append(_Tok("nl", "\n", line, col))
            line, line_start = line + 1, m.end()
        elif kind not in ("ws", "comment"):
            toks.append(_Tok(kind, m.group(), line, col))
        pos = m.end()
    return toks


class _Parser:
    def __init__(self, toks, routine_names=()):
        self.toks, self.i, self.depth = toks, 0, 0
        self.routine_names = frozenset(routine_names)

    def peek(self, skip_nl=None):
        skip = self.depth > 0 if skip_nl is None else skip_nl
        while skip and self.i < len(self.toks) and self.toks[self.i].kind == "nl":
            self.i += 1
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self, skip_nl=None):
        tok = self.peek(skip_nl)
        if tok is None:
            last = self.toks[-1] if self.toks else _Tok("", "", 1, 1)
            raise RoutineSyntaxError("unexpected end of input", last.line, last.col + len(last.text))
        self.i += 1
        return tok

    def expect(self, text):
        tok = self.next()
        if tok.text != text:
            raise RoutineSyntaxError(f"expected {text!r} but found {tok.text!r}", tok.line, tok.col)
        return tok

    # value := string | number | constant | list | object
    def value(self):
        tok = self.next()
        if tok.kind == "string":
            return _unquote(tok.text, tok.line, tok.col)
        if tok.kind == "number":
            return json.loads(tok.text) if re.fullmatch(r"-?\d+", tok.text) else float(tok.text)
        if tok.kind == "name":
            if tok.text in _CONSTANTS:
                return _CONSTANTS[tok.text]
            raise RoutineSyntaxError(f"{tok.text!r} is not a value; put text in quotes: \"{tok.text}\"",
                                     tok.line, tok.col)
        if tok.text == "[":
            return self.sequence("]", self.value)
        if tok.text == "{":
            return dict(self.sequence("}", self.pair))
        raise RoutineSyntaxError(f"expected a value but found {tok.text!r}", tok.line, tok.col)

    def key(self):
        tok = self.next()
        if tok.kind == "string":
            return _unquote(tok.text, tok.line, tok.col)
        if tok.kind == "name":
            return tok.text
        raise RoutineSyntaxError(f"expected a key but found {tok.text!r}", tok.line, tok.col)

    def pair(self):
        k = self.key()
        self.expect(":")
        return k, self.value()

    def sequence(self, close, item):
        """Items separated by commas (trailing comma allowed) up to `close`; new lines are ignored inside."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            tok = self.toks[self.i - 1]
            raise RoutineSyntaxError(f"lists and objects are nested more than {MAX_DEPTH} levels deep", tok.line,
                                     tok.col)
        items = []
        while True:
            tok = self.peek()
            if tok is None:
                last = self.toks[-1]
                raise RoutineSyntaxError(f"missing {close!r}", last.line, last.col + len(last.text))
            if tok.text == close:
                self.next()
                break
            items.append(item())
            tok = self.peek()
            if tok is None:
                last = self.toks[-1]
                raise RoutineSyntaxError(f"missing {close!r}", last.line, last.col + len(last.text))
            self.next()
            if tok.text == close:
                break
            if tok.text != ",":
                raise RoutineSyntaxError(f"expected ',' or {close!r} but found {tok.text!r}", tok.line, tok.col)
        self.depth -= 1
        return items

    def argument(self, args, kwargs):
        start = self.i
        tok = self.peek()
        if tok is not None and tok.kind in ("name", "string"):
            self.next()
            colon = self.peek(skip_nl=False)
            if colon is not None and colon.text == ":":
                self.next()
                k = tok.text if tok.kind == "name" else _unquote(tok.text, tok.line, tok.col)
                if k in kwargs:
                    raise RoutineSyntaxError(f"argument {k!r} given twice", tok.line, tok.col)
                kwargs[k] = self.value()
                return
            self.i = start
        if kwargs:
            raise RoutineSyntaxError("a positional value cannot follow 'key: value' arguments",
                                     tok.line if tok else None, tok.col if tok else None)
        if tok is not None and tok.kind == "name" and tok.text in self.routine_names:
            self.next()
            args.append(Name(tok.text))  # `assist buildModel`: a routine named as an argument
            return
        args.append(self.value())

    def call(self) -> Call:
        tok = self.next(skip_nl=True)
        if tok.kind != "name" or tok.text in _CONSTANTS:
            raise RoutineSyntaxError(f"a cell must start with a routine name, found {tok.text!r}", tok.line, tok.col)
        name, args, kwargs = tok.text, [], {}
        nxt = self.peek(skip_nl=False)
        if nxt is not None and nxt.text == "(":
            self.next()
            self.depth += 1
            while self.peek().text != ")":
                self.argument(args, kwargs)
                sep = self.peek()
                if sep is not None and sep.text == ",":
                    self.next()
                elif sep is None or sep.text != ")":
                    raise RoutineSyntaxError(f"expected ',' or ')' but found {sep.text!r}", sep.line, sep.col)
            self.next()
            self.depth -= 1
        else:
            # Arguments separated by commas or new lines (Flow writes `parseFiles` then one `key: value` a line).
            while self.peek(skip_nl=True) is not None:
                self.argument(args, kwargs)
                sep = self.peek(skip_nl=False)
                if sep is None:
                    break
                if sep.text not in (",", "\n"):
                    raise RoutineSyntaxError(f"expected ',' between arguments but found {sep.text!r}",
                                             sep.line, sep.col)
                self.next(skip_nl=False)
        rest = self.peek(skip_nl=True)
        if rest is not None:
            raise RoutineSyntaxError(f"unexpected {rest.text!r} after the call; one routine per cell",
                                     rest.line, rest.col)
        return Call(name, args, kwargs)


def parse_call(text: str, routine_names=()) -> Call:
    """Parse one routine call; raises RoutineSyntaxError with line/column on anything else.

    A bare word among the arguments is read as a `Name` only when it is one of `routine_names` (Flow's
    ``assist buildModel``); any other bare word is an error asking for quotes."""
    if len(text) > MAX_CELL_CHARS:
        raise RoutineSyntaxError(f"the cell holds {len(text):,} characters; a routine call may have at most "
                                 f"{MAX_CELL_CHARS:,} (import data from a file instead of pasting it)")
    toks = tokenize(text)
    if not any(t.kind != "nl" for t in toks):
        raise RoutineSyntaxError("the cell is empty; type a routine such as: assist")
    return _Parser(toks, routine_names).call()


def format_value(v: Any) -> str:
    """Literal text of a value that parse_call reads back unchanged (JSON with bare identifier keys)."""
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_format_key(k)}: {format_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(format_value(x) for x in v) + "]"
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalars
        v = v.item()
    if isinstance(v, float) and v != v:
        raise ValueError("NaN cannot be written into a routine call")
    return json.dumps(v)


def _format_key(k) -> str:
    k = str(k)
    return k if re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", k) and k not in _CONSTANTS else json.dumps(k)


def format_call(name: str, *args, **kwargs) -> str:
    """`format_call("getFrameSummary", "x.hex")` -> 'getFrameSummary "x.hex"' (what buttons write into cells)."""
    parts = [format_value(a) for a in args] + [f"{_format_key(k)}: {format_value(v)}" for k, v in kwargs.items()]
    return name + (" " + ", ".join(parts) if parts else "")
