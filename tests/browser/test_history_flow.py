"""History in the browser: from a measure to its versions, compare two, restore an old one."""
import os
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_history_compare_and_restore(page, login, axe):
    """An editor opens M07's versions, compares two, restores an old one, sees it on top."""
    login("editor")
    page.goto("/measures/M07")
    page.locator(".page-header").get_by_role("link", name="Versionen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Versionen von M07"))
    expect(page.locator(".slip")).to_contain_text("+6 Monate")
    axe(page)
    newest = int(page.locator(".history-table tbody th").first.inner_text())
    page.get_by_label("Ältere Version").fill("2")
    page.get_by_label("Neuere Version").fill("3")
    page.get_by_role("button", name="Vergleichen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Version 2 und 3 vergleichen")
    row = page.locator(".diff-fields tr", has_text="Geplantes Ende")
    expect(row.locator("del")).to_have_text("entfernt: 31.12.2025 (4. Quartal 2025)")
    expect(row.locator("ins")).to_have_text("eingefügt: 30.06.2026 (2. Quartal 2026)")
    axe(page)
    page.get_by_role("link", name="Version 2 ansehen").click()
    expect(page.locator(".old-revision-note")).to_contain_text(
        "Sie sehen eine ältere Version (Version 2 vom")
    axe(page)
    page.get_by_role("button", name="Version 2 wiederherstellen").click()
    expect(page.locator("#live")).to_contain_text("Version 2 wurde als neue Version")
    first = page.locator(".history-table tbody tr").first
    expect(first.locator("th")).to_have_text(str(newest + 1))
    expect(first).to_contain_text("Version 2 wiederhergestellt")
    # Put M07 back as it was, for the other tests on this shared database.
    page.goto(f"/measures/M07/revisions/{newest}")
    page.get_by_role("button", name=f"Version {newest} wiederherstellen").click()
    expect(page.locator(".history-table tbody th").first).to_have_text(str(newest + 2))


def test_history_pages_of_a_wiki_page_have_no_axe_violations(page, axe):
    """The history, an old revision and a diff of a plain page pass axe, read anonymously."""
    for url in ("/pages/glossar/history", "/pages/glossar/revisions/1",
                "/pages/glossar/diff?from=1&to=1"):
        page.goto(url)
        expect(page.locator("main h1")).to_be_visible()
        axe(page)


@pytest.mark.parametrize("name, url", [
    ("history", "/measures/M07/history"),
    ("diff", "/measures/M07/diff?from=1&to=4"),
    ("revision", "/measures/M07/revisions/2"),
])
def test_history_screenshots(page, name, url, tmp_path_factory):
    """History pages render at 1366×768 without horizontal scrolling."""
    folder = os.environ.get("FAHRPLAN_SCREENSHOTS") or str(tmp_path_factory.mktemp("shots"))
    page.goto(url)
    page.screenshot(path=os.path.join(folder, f"history-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
