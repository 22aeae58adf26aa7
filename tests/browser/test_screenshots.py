"""Screenshots of the main page types at 1366×768, on screen and in print, for people to look at."""
import os

import pytest

pytestmark = pytest.mark.browser

PAGES = [("start", "/"), ("measure-M07", "/measures/M07"), ("login", "/login")]


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    """Return the folder for screenshots: $FAHRPLAN_SCREENSHOTS, else a temporary one."""
    folder = os.environ.get("FAHRPLAN_SCREENSHOTS") or str(tmp_path_factory.mktemp("shots"))
    os.makedirs(folder, exist_ok=True)
    return folder


@pytest.mark.parametrize("name, url", PAGES)
def test_screenshot(page, shots, name, url):
    """Each main page type renders at 1366×768 without horizontal scrolling."""
    page.goto(url)
    page.screenshot(path=os.path.join(shots, f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def test_print_screenshot_of_the_start_page(page, shots):
    """In print, navigation and forms disappear and the action fields stay."""
    page.goto("/")
    page.emulate_media(media="print")
    page.screenshot(path=os.path.join(shots, "start-print.png"), full_page=True)
    assert not page.locator("nav.main-nav").is_visible()
    assert not page.locator("form.logout, .login-link").first.is_visible()
    assert page.locator(".action-field").first.is_visible()
    page.pdf(path=os.path.join(shots, "start.pdf"), format="A4")


NARROW = ["/", "/measures/M07", "/measures/M03", "/measures/M07/history",
          "/measures/M07/diff?from=1&to=2", "/architecture", "/timeline", "/dependencies",
          "/measures", "/measures?sort=planned_end&status=active", "/reports", "/reports/2024-q2",
          "/reports/2024-q2/council", "/pages/leitbild", "/search?q=Akte",
          "/measures/M07/files", "/measures/M07/reports/1/history"]


@pytest.mark.parametrize("url", NARROW)
def test_no_page_is_wider_than_a_phone(page, login, url):
    """At 390 px no page scrolls sideways: tables scroll inside their box (their visually
    hidden texts too), long badges wrap, selects shrink."""
    login("editor")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
