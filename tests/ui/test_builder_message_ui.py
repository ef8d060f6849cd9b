"""#18 minor in a real browser: a bad `hidden` in the Build Model form gets a message naming the parameter and what
it takes, not param's developer text."""
import pytest
from playwright.sync_api import expect

from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions)
from ui_helpers import click, open_app

pytestmark = pytest.mark.ui


def test_hidden_abc_gets_a_clear_message(page, server):
    open_app(page, server)
    builder = page.locator(".db-model-builder").first
    box = builder.locator(".db-param-hidden input")
    box.fill("abc")
    box.press("Enter")
    click(builder.locator(".db-build-button"))  # verdicts show once Build is pressed, as in Flow
    expect(builder.locator(".db-build-summary")).to_contain_text("one or more errors")
    message = builder.locator(".db-message-hidden")
    expect(message).to_contain_text("hidden takes a list of whole numbers (for example: 200, 200); 'abc' is not one")
    expect(message).not_to_contain_text("<class")
    box.fill("64, 32")
    box.press("Enter")
    expect(message).to_be_hidden()
    expect(builder.locator(".db-build-call")).to_contain_text("hidden: [64, 32]")
