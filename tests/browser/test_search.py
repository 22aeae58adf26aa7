"""Searching as a person would: the header box as you type, the search page with filters."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_header_search_shows_results_while_typing(page):
    """Typing into the header box lists hits below the header and announces their count."""
    page.goto("/")
    page.get_by_role("searchbox", name="Suchbegriff").press_sequentially("Wohngeld", delay=30)
    results = page.locator("#header-results")
    expect(results.get_by_role("link").first).to_be_visible()
    expect(results).to_contain_text("Treffer")
    expect(page.locator("#live")).to_contain_text("Treffer")
    results.get_by_role("link", name=re.compile("M07")).first.click()
    expect(page).to_have_url(re.compile(r"/measures/M07"))


def test_search_page_filters_without_reload_and_keeps_the_url(page, axe):
    """The kind filter narrows the hits in place; the URL can be bookmarked."""
    page.goto("/search?q=Akte")
    expect(page.locator("#search-count")).to_contain_text("Treffer")
    page.get_by_label("Art").select_option("page")
    expect(page).to_have_url(re.compile(r"kind=page"))
    hits = page.locator("ol.search-hits > li")
    expect(hits.first).to_be_visible()
    for kind in hits.locator(".badge").all_inner_texts():
        assert kind.startswith("Seite")
    axe(page)


def test_search_works_without_javascript(browser, live_server):
    """With JavaScript off the search form still posts normally."""
    context = browser.new_context(java_script_enabled=False, base_url=live_server,
                                  locale="de-DE")
    page = context.new_page()
    page.goto("/search")
    page.get_by_role("main").get_by_label("Suchbegriff").fill("Serviceportal")
    page.get_by_role("main").get_by_role("button", name="Suchen").click()
    expect(page.locator("ol.search-hits a").first).to_be_visible()
    context.close()
