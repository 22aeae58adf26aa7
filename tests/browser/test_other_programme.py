"""A second, invented programme in a real browser: every page type passes axe; screenshots."""
import os

import pytest

from tests.browser.conftest import make_live_app, serving
from tests.test_other_programme import FOLDER

pytestmark = pytest.mark.browser

PAGES = ["/", "/architecture", "/timeline", "/dependencies", "/measures", "/measures/HF2.M4",
         "/reports/2025-h2", "/pages/glossar", "/search?q=W%C3%B6rnitz"]
SHOTS = {"architecture": "/architecture", "timeline": "/timeline", "measure": "/measures/1.2",
         "round": "/reports/2025-h2"}


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """Return an app with Lindenau an der Wörnitz instead of the demo."""
    return make_live_app(tmp_path_factory.mktemp("lindenau"), secret="browser-lindenau",
                         programme=FOLDER)


@pytest.fixture(scope="module")
def live_server(live_app):
    """Serve this module's app on a free port."""
    with serving(live_app) as url:
        yield url


def test_every_page_type_passes_axe_and_is_photographed(page, axe):
    """Each page type once: no axe violation; screenshots at two widths."""
    for url in PAGES:
        page.goto(url)
        assert page.locator("h1").count() >= 1, url
        axe(page)
    folder = os.environ.get("FAHRPLAN_SCREENSHOTS")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name, url in SHOTS.items():
            page.goto(url)
            page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
