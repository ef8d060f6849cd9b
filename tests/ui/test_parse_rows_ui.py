"""#18 minor items in a real browser: the parse setup form shows the first rows as Parse reads them, updating with
the edits; a file with both short and long rows gets a hint that fits; the fill_short_rows box fills short rows."""
import pytest
from playwright.sync_api import expect
from test_flow_e2e import add_cell, cell, click, code_of, retry_until

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def rows_server(tmp_path_factory, serve_with):
    base = tmp_path_factory.mktemp("parse-rows-ui")
    (base / "roots").mkdir()
    (base / "roots" / "short.csv").write_text("a,b,c\n1,x,3\n4,y\n7,x,9\n")
    (base / "roots" / "both.csv").write_text("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
    with serve_with(base / "ws", "--data-root", str(base / "roots")) as url:
        yield url


def _setup_form(page, url, name):
    page.set_default_timeout(60_000)
    page.goto(url, timeout=120_000)
    expect(page.locator(".db-cell").first).to_be_visible(timeout=90_000)
    i = add_cell(page, f'setupParse paths: ["{name}"]')
    return i, cell(page, i).locator(".db-parse-setup")


def test_rows_preview_short_rows_and_type_edits(page, rows_server):
    expect.set_options(timeout=30_000)
    try:
        i, form = _setup_form(page, rows_server, "short.csv")
        expect(form.locator(".db-parse-rows-error")).to_contain_text("line 3 has too few fields")
        expect(form.locator(".db-parse-rows-error")).to_contain_text("fill_short_rows=True")
        form.locator(".db-parse-fill-short-rows input").check()
        rows = form.locator(".db-parse-rows")
        expect(rows.locator(".tabulator-row")).to_have_count(3)
        expect(form.locator(".db-parse-rows-error")).to_be_hidden()
        expect(rows.locator('.tabulator-col[tabulator-field="c1"]')).to_contain_text("b")
        expect(rows.locator(".tabulator-row").nth(1)).to_contain_text("4")
        form.locator(".db-parse-type-column select").select_option("a")
        form.locator(".db-parse-type-choice select").select_option("enum")
        retry_until(lambda: click(form.locator(".db-parse-set-type")),
                    expect(form.locator(".db-parse-call")).to_contain_text, 'column_types: {a: "enum"}')
        expect(form.locator(".db-parse-call")).to_contain_text("fill_short_rows: true")
        click(form.locator(".db-parse-button"))
        expect(cell(page, i + 1).locator(".db-frame-summary")).to_contain_text("short.hex")
        assert code_of(page, i + 1).endswith('column_types: {a: "enum"}, fill_short_rows: true')
    finally:
        expect.set_options(timeout=5_000)


def test_short_and_long_rows_hint(page, rows_server):
    expect.set_options(timeout=30_000)
    try:
        _, form = _setup_form(page, rows_server, "both.csv")
        hint = form.locator(".db-parse-rows-error")
        expect(hint).to_contain_text("1 too short, 1 too long")
        form.locator(".db-parse-fill-short-rows input").check()
        expect(hint).to_contain_text("line 4 has too many fields")
    finally:
        expect.set_options(timeout=5_000)
