"""ARFF (Weka's attribute-relation files): a header declares each column's type, the data follows as delimited
rows or sparse ``{index value, ...}`` rows. As H2O reads them: numeric/real/integer -> numeric, nominal -> enum,
string -> string, date -> time; ``?`` is missing."""
import re
from datetime import datetime

from ..errors import ParseError
from .table_formats import TableRead, string_table

_ATTRIBUTE = re.compile(r"@attribute\s+('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\S+)\s+(.*)$", re.IGNORECASE)
_FIELD = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^'"]+""")
_NUMERIC = {"numeric", "real", "integer"}
# Java SimpleDateFormat letters ARFF date formats use -> strptime
_JAVA_DATE = [("yyyy", "%Y"), ("yy", "%y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S"),
              ("SSS", "%f"), ("Z", "%z"), ("'T'", "T")]
_ISO = "yyyy-MM-dd'T'HH:mm:ss"
_SEPARATORS = [",", None, "\t", ";", "|"]  # None: runs of white space


def _unquote(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def _split(line, sep):
    """Fields of one data line split on `sep` (None = white space) outside quotes."""
    fields, cur, quoted = [], [], False
    for tok in _FIELD.findall(line):
        if tok[0] in "'\"" and len(tok) > 1 and tok[-1] == tok[0]:
            cur.append(tok)
            quoted = True
            continue
        parts = tok.split() if sep is None else tok.split(sep)
        if sep is None and tok[:1].isspace():
            parts = [""] + parts
        if sep is None and tok[-1:].isspace():
            parts = parts + [""]
        for i, p in enumerate(parts):
            if i:
                fields.append("".join(cur))
                cur, quoted = [], False
            cur.append(p)
    fields.append("".join(cur))
    if sep is None:
        fields = [f for f in fields if f != ""] or [""]
    return [_unquote(f) for f in fields]


def _java_to_strptime(fmt):
    out = fmt
    for java, py in _JAVA_DATE:
        out = out.replace(java, py)
    return out.replace("'", "")


def read_arff(source, separator=None, encoding="utf-8"):
    """A TableRead of an ARFF source; errors name the file and line."""
    label = source.label
    lines = source.text(encoding).splitlines()
    names, types, domains, formats = [], {}, {}, {}
    data_at = None
    for no, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        low = line.lower()
        if low.startswith("@relation"):
            continue
        if low.startswith("@data"):
            data_at = no
            break
        m = _ATTRIBUTE.match(line)
        if not m:
            raise ParseError(f"{label}, line {no}: expected @relation, @attribute or @data, found {line[:60]!r}",
                             line=no, path=label)
        name, spec = _unquote(m.group(1)), m.group(2).strip()
        kind = spec.split()[0].lower() if spec else ""
        if spec.startswith("{"):
            if not spec.endswith("}"):
                raise ParseError(f"{label}, line {no}: the levels of nominal attribute '{name}' are not closed "
                                 f"with '}}'", line=no, path=label, column=name)
            types[name], domains[name] = "enum", [v for v in _split(spec[1:-1], ",") if v != ""]
        elif kind in _NUMERIC:
            types[name] = "int"  # numeric: int or real is decided on the data, as for CSV
        elif kind == "string":
            types[name] = "string"
        elif kind == "date":
            fmt = _unquote(spec[4:]) or _ISO
            types[name], formats[name] = "time", _java_to_strptime(fmt)
        else:
            raise ParseError(f"{label}, line {no}: attribute '{name}' has type {spec.split()[0] if spec else '?'!r}"
                             f", which is not supported (numeric, real, integer, string, date or {{levels}})",
                             line=no, path=label, column=name)
        if name in types and name in names:
            raise ParseError(f"{label}, line {no}: attribute '{name}' is declared twice", line=no, path=label)
        names.append(name)
    if data_at is None:
        raise ParseError(f"{label} has no @data line; it is not an ARFF file", path=label)
    if not names:
        raise ParseError(f"{label} declares no @attribute before @data", line=data_at, path=label)
    rows, numbers = [], []
    first = None if separator == " " else separator or ","  # a space: any run of white space separates
    seps = [first] + [s for s in _SEPARATORS if s != first]
    sep = None
    for no in range(data_at + 1, len(lines) + 1):
        line = lines[no - 1].strip()
        if not line or line.startswith("%"):
            continue
        if line.startswith("{"):
            rows.append(_sparse_row(line, names, types, domains, label, no))
        else:
            if sep is None or sep == "unset":
                sep = next((s for s in seps if len(_split(line, s)) == len(names)), seps[0])
            fields = _split(line, sep)
            if len(fields) != len(names):
                raise ParseError(f"{label}, line {no}: {len(fields)} values but {len(names)} attributes are "
                                 f"declared: {line[:80]!r}", line=no, path=label)
            rows.append([None if f == "?" else f for f in fields])
        numbers.append(no)
    columns = {n: [r[i] for r in rows] for i, n in enumerate(names)}
    for n, levels in domains.items():
        allowed = set(levels)
        for no, v in zip(numbers, columns[n]):
            if v is not None and v not in allowed:
                raise ParseError(f"{label}, line {no}: value {v!r} is not a declared level of attribute '{n}' "
                                 f"({', '.join(levels[:10])})", line=no, path=label, column=n)
    for n, fmt in formats.items():
        columns[n] = [_iso(v, fmt, label, no, n) for no, v in zip(numbers, columns[n])]
    return TableRead(names, string_table(names, columns), types)


def _sparse_row(line, names, types, domains, label, no):
    """A sparse row: listed `index value` pairs, every other value 0 (the first level for nominal attributes)."""
    if not line.endswith("}"):
        raise ParseError(f"{label}, line {no}: a sparse row must end with '}}'", line=no, path=label)
    row = [(domains[n][0] if domains.get(n) else "0") if types[n] in ("int", "enum") else None for n in names]
    for pair in _split(line[1:-1], ","):
        if not pair:
            continue
        idx, _, value = pair.strip().partition(" ")
        if not idx.isdigit() or int(idx) >= len(names):
            raise ParseError(f"{label}, line {no}: bad sparse entry {pair!r} (index 0..{len(names) - 1} then a "
                             f"value)", line=no, path=label)
        value = _unquote(value)
        row[int(idx)] = None if value == "?" else value
    return row


def _iso(value, fmt, label, no, name):
    if value is None:
        return None
    try:
        return datetime.strptime(value, fmt).isoformat()
    except ValueError:
        raise ParseError(f"{label}, line {no}: {value!r} does not match the date format of attribute '{name}'",
                         line=no, path=label, column=name) from None
