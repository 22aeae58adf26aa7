"""static/app.js: announcements in the live region and focus after htmx swaps."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_announce_event_writes_into_the_live_region(page):
    """An "announce" event (sent by the server via HX-Trigger) replaces the live region's text."""
    page.goto("/")
    page.evaluate("""() => document.body.dispatchEvent(new CustomEvent('announce',
        {bubbles: true, detail: {value: 'Kommentar gespeichert.'}}))""")
    expect(page.locator("#live")).to_have_text("Kommentar gespeichert.")
    expect(page.locator("#live")).to_have_attribute("role", "status")


def test_focus_moves_to_the_marked_element_after_a_swap(page):
    """After htmx settles a swap, focus goes to the element marked data-focus in it."""
    page.goto("/measures/M07")
    page.evaluate("""() => {
      const target = document.getElementById('comments');
      target.insertAdjacentHTML('beforeend',
        '<p id="saved" data-focus data-announce="Gespeichert.">Gespeichert</p>');
      target.dispatchEvent(new CustomEvent('htmx:afterSettle', {bubbles: true,
        detail: {target: target}}));
    }""")
    expect(page.locator("#saved")).to_be_focused()
    expect(page.locator("#live")).to_have_text("Gespeichert.")


def test_htmx_runs_under_the_content_security_policy(page):
    """htmx loads from static and swaps a fragment without reloading the page or a CSP error."""
    page.goto("/search")
    assert page.evaluate("typeof htmx") == "object"
    page.evaluate("window.notReloaded = true")
    main = page.get_by_role("main")
    main.get_by_label("Suchbegriff").fill("Aktenplan")
    main.get_by_role("button", name="Suchen").click()
    expect(page.locator("#search-results h2")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
