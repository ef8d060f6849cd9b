"""#18 minor polish of the frame summary in a real browser: the column search filters as you type, enum columns
show their levels' counts (not statistics of level codes), and Delete asks before it writes deleteFrame."""
import re

import pytest
from playwright.sync_api import expect

from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions)
from ui_helpers import add_cell, cell, cells, click, code_of, open_app

pytestmark = pytest.mark.ui


def test_frame_summary_search_levels_and_delete_confirmation(page, server):
    open_app(page, server)
    add_cell(page, 'parseFiles paths: ["prostate.csv.gz"], destination_frame: "pf_enum.hex", '
                   'column_types: {RACE: "enum"}')
    j = add_cell(page, 'getFrameSummary "pf_enum.hex"')
    summary = cell(page, j).locator(".db-frame-summary")
    rows = summary.locator(".db-frame-columns .tabulator-row")
    expect(rows).to_have_count(9)

    search = summary.locator(".db-frame-search input")
    search.click()
    page.keyboard.type("ps")  # no Enter, and the box keeps the focus
    expect(rows).to_have_count(3)
    expect(search).to_be_focused()
    assert [t.strip() for t in rows.locator('.tabulator-cell[tabulator-field="label"]').all_inner_texts()] == \
        ["CAPSULE", "DCAPS", "PSA"]

    search.fill("")
    page.keyboard.type("race")
    expect(rows).to_have_count(1)
    race = rows.first
    expect(race.locator('.tabulator-cell[tabulator-field="levels"]')).to_have_text("1: 341, 2: 36, 0: 3")
    for stat in ("min", "max", "mean", "sigma", "zeros"):
        expect(race.locator(f'.tabulator-cell[tabulator-field="{stat}"]')).to_have_text(re.compile(r"^\s*(-|NaN)?\s*$"))

    # Delete asks first; Cancel writes nothing; Yes writes and runs deleteFrame
    n = cells(page).count()
    click(summary.locator(".db-frame-delete"))
    question = summary.locator(".db-frame-delete-question")
    expect(question).to_contain_text("Delete frame 'pf_enum.hex'?")
    click(summary.locator(".db-frame-delete-cancel"))
    expect(question).to_be_hidden()
    click(summary.locator(".db-frame-delete"))
    click(summary.locator(".db-frame-delete-yes"))
    expect(cells(page)).to_have_count(n + 1)
    assert code_of(page, j + 1) == 'deleteFrame "pf_enum.hex"'
    frames = cell(page, j + 1).locator(".db-frames-table")
    expect(frames).to_contain_text("prostate.hex")
    expect(frames).not_to_contain_text("pf_enum.hex")
