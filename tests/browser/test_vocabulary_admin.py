"""The programme's words in a real browser: edit a status and a marking, see them; axe."""
import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import make_live_app, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """Return an app of its own for this module: these tests change the vocabulary."""
    return make_live_app(tmp_path_factory.mktemp("vocabulary"), secret="browser-vocabulary")


@pytest.fixture(scope="module")
def live_server(live_app):
    """Serve this module's app on a free port."""
    with serving(live_app) as url:
        yield url


@pytest.mark.parametrize("url", ["/admin/vocabulary", "/admin/setup"])
@pytest.mark.parametrize("width", [1366, 390])
def test_admin_pages_pass_axe(page, login, axe, url, width):
    """The vocabulary and setup pages pass axe, wide and narrow, without sideways scrolling."""
    login("admin")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url)
    expect(page.locator("h1")).to_be_visible()
    axe(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    folder = os.environ.get("FAHRPLAN_SCREENSHOTS")
    if folder:
        name = url.strip("/").replace("/", "-")
        page.screenshot(path=os.path.join(folder, f"{name}-{width}.png"), full_page=True)


def test_rename_status_and_recolour_marking(page, login):
    """A renamed status and a recoloured marking show on /architecture right after saving."""
    login("admin")
    page.goto("/admin/vocabulary")
    page.locator("#status-2-name").fill("Läuft gerade")
    page.locator("#marking-1-colour").fill("#0b5d1e")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto("/architecture")
    expect(page.get_by_text("Läuft gerade").first).to_be_visible()
    badge = page.locator(".marking-standard").first
    expect(badge).to_have_css("background-color", "rgb(11, 93, 30)")
