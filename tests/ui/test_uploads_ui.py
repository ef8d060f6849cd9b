"""Uploads in a real browser against `deepbrook serve --data-root ... --upload-limit-mb 40` (issue 15 item 10,
issue 18 item 2): a 30 MB file - twice the old websocket limit - streams over HTTP and lands in the upload
folder; the same name again is kept beside it; the file is importable though the data root is elsewhere; the
form states the server's limit."""
import pytest
from playwright.sync_api import expect
from test_flow_e2e import add_cell, cell, click, code_of

pytestmark = pytest.mark.ui
ROW = b"1.5,2.25,abc,42\n"


@pytest.fixture(scope="module")
def upload_server(tmp_path_factory, serve_with):
    base = tmp_path_factory.mktemp("uploads-ui")
    (base / "roots").mkdir()
    (base / "roots" / "elsewhere.csv").write_text("a\n1\n")
    with serve_with(base / "ws", "--data-root", str(base / "roots"), "--upload-limit-mb", "40") as url:
        yield url, base


def test_a_30_mb_upload_streams_and_is_importable(page, upload_server, tmp_path):
    url, base = upload_server
    page.set_default_timeout(60_000)
    expect.set_options(timeout=60_000)
    try:
        page.goto(url)
        expect(page.locator(".db-cell").first).to_be_visible()
        big = tmp_path / "big_upload.csv"
        big.write_bytes(b"a,b,c,d\n" + ROW * (30_000_000 // len(ROW)))
        i = add_cell(page, "importFiles")
        form = cell(page, i).locator(".db-import-view")
        expect(form).to_contain_text("upload (at most 40 MB)")
        upload = form.locator(".db-import-upload input[type=file]")
        upload.set_input_files(str(big))
        expect(form.locator(".db-import-selected")).to_contain_text("big_upload.csv")
        upload.set_input_files(str(big))  # the same name again: kept beside the first
        expect(form.locator(".db-import-selected")).to_contain_text("big_upload_2.csv")
        uploads = base / "ws" / "data" / "uploads"
        assert sorted(p.name for p in uploads.iterdir()) == ["big_upload.csv", "big_upload_2.csv"]
        assert (uploads / "big_upload.csv").stat().st_size == big.stat().st_size
        click(form.locator(".db-import-button"))
        assert code_of(page, i + 1) == 'importFiles ["big_upload.csv", "big_upload_2.csv"]'
        expect(cell(page, i + 1).locator(".db-import-result")).to_contain_text("big_upload_2.csv")
    finally:
        expect.set_options(timeout=5_000)


def test_an_upload_over_the_limit_is_refused_in_the_form(page, upload_server, tmp_path):
    url, base = upload_server
    page.goto(url)
    expect(page.locator(".db-cell").first).to_be_visible(timeout=60_000)
    big = tmp_path / "too_big.csv"
    with open(big, "wb") as f:
        f.truncate(41 << 20)
    i = add_cell(page, "importFiles")
    form = cell(page, i).locator(".db-import-view")
    form.locator(".db-import-upload input[type=file]").set_input_files(str(big))
    expect(form.locator(".db-import-error")).to_contain_text("the upload limit of this server is 40 MB",
                                                            timeout=30_000)
    assert not (base / "ws" / "data" / "uploads" / "too_big.csv").exists()


def test_the_upload_control_has_a_clear_label_and_opens_the_file_chooser(page, upload_server, tmp_path):
    """#18 minor: not the browser's clipped "No ...osen" but a labelled button; its click picks and uploads."""
    url, base = upload_server
    page.goto(url)
    expect(page.locator(".db-cell").first).to_be_visible(timeout=60_000)
    small = tmp_path / "labelled_upload.csv"
    small.write_text("a,b\n1,2\n")
    i = add_cell(page, "importFiles")
    form = cell(page, i).locator(".db-import-view")
    pick = form.locator(".db-upload-button")
    expect(pick).to_have_text("Upload a file...")
    expect(form.locator(".db-upload-status")).to_have_text("no file chosen")
    expect(form.locator(".db-import-upload input[type=file]")).to_be_hidden()
    box = pick.bounding_box()
    assert box and box["width"] > 60  # the label is shown whole, not clipped
    with page.expect_file_chooser() as chooser:
        pick.click()
    chooser.value.set_files(str(small))
    expect(form.locator(".db-import-selected")).to_contain_text("labelled_upload.csv", timeout=30_000)
    expect(form.locator(".db-upload-status")).to_contain_text("uploaded labelled_upload.csv")
    assert (base / "ws" / "data" / "uploads" / "labelled_upload.csv").read_text() == "a,b\n1,2\n"
