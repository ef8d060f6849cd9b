"""parse_preview: the first rows of a file parsed exactly as parse() would with the setup's current settings
(Flow's preview grid refreshes after every edit), so a wrong separator, type or short row shows before Parse."""
import copy

from .reader import read_csv_table, table_to_frame
from .setup import PREVIEW_ROWS
from .source import SAMPLE_BYTES


def parse_preview(setup, rows=PREVIEW_ROWS):
    """A pandas DataFrame of the first ``rows`` rows as parse() reads them (types, skipped columns, names,
    fill_short_rows). Raises the ParseError parse() would give for those rows (e.g. a short row, by line)."""
    if setup.stale:
        setup = setup.refresh()
    if setup.file_type != "csv":  # whole-table formats: the setup's own preview of the stored values
        keep = [(i, n) for i, n, _, k in setup.resolved_columns() if k and i < setup.preview.shape[1]]
        return setup.preview.iloc[:rows, [i for i, _ in keep]].set_axis([n for _, n in keep], axis=1)
    setup = copy.copy(setup)
    setup.warnings = []  # the caller's setup collects no warnings from a preview
    src = setup.sources[0]
    raw = src.sample(SAMPLE_BYTES)
    if len(raw) >= SAMPLE_BYTES:
        raw = raw[:raw.rfind(b"\n") + 1]  # the last line of a cut sample is partial
    if not setup.newlines_in_values and not setup.encoding.startswith("utf-16"):
        raw = _first_lines(raw, rows + (1 if setup.header else 0))
    table = read_csv_table(setup, raw, label=src.label)
    return table_to_frame(table.slice(0, rows), setup, name="preview").head(rows)


def _first_lines(raw, n):
    """The bytes up to the end of the n-th non-blank line (blank lines kept, so line numbers stay the file's)."""
    seen, at = 0, 0
    while seen < n:
        end = raw.find(b"\n", at)
        if end < 0:
            return raw
        seen += bool(raw[at:end].strip())
        at = end + 1
    return raw[:at]
