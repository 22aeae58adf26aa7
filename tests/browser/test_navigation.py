"""Getting around: links, the skip link with the keyboard, the language switch."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_start_page_to_measure_to_prerequisite_to_page(page):
    """From the start page to M07, on to its prerequisite M06, then to a wiki page."""
    page.goto("/")
    page.get_by_role("link", name=re.compile(r"^M07 Zentrales")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "M07 Zentrales Dokumentenmanagementsystem und E-Akte")
    page.locator(".dependencies").get_by_role("link", name=re.compile("^M06")).click()
    expect(page).to_have_url(re.compile(r"/measures/M06$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("M06 Einheitlicher Aktenplan")
    page.locator("footer").get_by_role("link", name="Alle Seiten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Seiten")
    page.locator("main").get_by_role("link", name="Glossar").click()
    expect(page).to_have_url(re.compile(r"/pages/glossar$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Glossar")


def test_skip_link_moves_focus_to_main_with_the_keyboard(page):
    """Tab shows the skip link first; Enter moves the focus to the main content."""
    page.goto("/measures/M07")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0  # visible on focus, not off screen
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside main, past header and navigation
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_language_switch_to_english_and_back(page):
    """The switch turns the pages English, keeps it while browsing, and turns them back."""
    page.goto("/measures/M07")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/measures/M07\?lang=en$"))
    expect(page.get_by_role("heading", name="Key facts")).to_be_visible()
    expect(page.locator("a.skip-link")).to_have_text("Skip to content")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Home").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Action fields and measures")).to_be_visible()
    page.get_by_role("link", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Handlungsfelder und Maßnahmen")).to_be_visible()


def test_unknown_page_shows_the_error_page_with_a_way_back(page):
    """A mistyped address shows the German 404 page, which links back to the start page."""
    response = page.goto("/measures/M99")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Diese Seite gibt es nicht.")
    page.locator("main").get_by_role("link", name="Zur Startseite").click()
    expect(page.locator(".action-field")).to_have_count(6)
