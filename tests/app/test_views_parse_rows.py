"""#18: the parse setup form's per-row preview (Flow's first rows, as parsed with the current edits) and its
fill_short_rows option, at model level (no browser)."""
import panel as pn

from test_views_support import app, ctx  # noqa: F401  (fixtures)


def _setup_view(ctx, app, name, text):
    (app.data_roots[0] / name).write_text(text)
    ctx.run_routine(f'setupParse paths: ["{name}"]')
    view = ctx.outputs[-1]
    pn.panel(view).get_root()  # builds the served page's models (catches widget errors)
    return view


def test_rows_preview_follows_types_skips_and_header(ctx, app):
    view = _setup_view(ctx, app, "r.csv", "a.b,kind,n\n1,x,2.5\n2,y,NA\n3,x,4\n")
    s = view.state
    assert s.rows_error == "" and list(s.rows.columns) == ["a.b", "kind", "n"]
    assert s.rows["a.b"].tolist() == [1, 2, 3] and s.rows["n"].tolist() == [2.5, "", 4.0]
    assert view.rows.titles == {"c0": "a.b", "c1": "kind", "c2": "n"}  # fields by position, names as titles
    assert view.rows.value["c1"].tolist() == ["x", "y", "x"]
    s.set_type("a.b", "enum")
    s.set_cell(1, "skip", True)  # skip 'kind'
    assert list(s.rows.columns) == ["a.b", "n"] and s.rows["a.b"].tolist() == ["1", "2", "3"]
    assert list(view.rows.titles.values()) == ["a.b", "n"]
    s.header = False  # the header line becomes the first row
    assert s.rows["C2"].tolist() == ["kind", "x", "y", "x"] and s.rows["C1"].tolist()[1:] == [1, 2, 3]


def test_short_and_long_rows_hint_and_fill_short_rows(ctx, app):
    view = _setup_view(ctx, app, "short.csv", "a,b,c\n1,2,3\n4,5\n7,8,9\n")
    s = view.state
    assert "line 3 has too few fields" in s.rows_error and "fill_short_rows=True" in s.rows_error
    assert s.rows_error.startswith("short.csv: ")  # the path as written, not the server's folder
    assert s.rows.empty and not view.rows.visible  # the reason, not an empty table
    s.fill_short_rows = True
    assert view.rows.visible and s.rows_error == "" and s.rows["a"].tolist() == [1, 4, 7] and s.rows["c"].tolist() == [3, "", 9]
    assert "fill_short_rows: true" in view.preview.object  # the call shown updates with the box
    view.parse()
    assert ctx.calls[-1].endswith("fill_short_rows: true")
    assert app.workspace.get("short.hex").nrows == 3
    # both short and long rows: the hint must not fail, and names the long row once short rows are filled
    view = _setup_view(ctx, app, "both.csv", "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
    s = view.state
    assert "line 3 has too few fields" in s.rows_error and "1 too short, 1 too long" in s.rows_error
    s.fill_short_rows = True
    assert "line 4 has too many fields" in s.rows_error and s.rows.empty
