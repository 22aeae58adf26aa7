"""Embeds in a real browser: inside an iframe of another local origin, blocked for others, axe."""
import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORT, Recorder, make_live_app, serving

pytestmark = pytest.mark.browser

EMBEDS = [("/embed/fields", "Stand nach Handlungsfeldern"),
          ("/embed/changes", "Neueste Änderungen"),
          ("/embed/milestones", "Termine bis zum")]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """Return an app of its own for this module: these tests change its frame origins."""
    return make_live_app(tmp_path_factory.mktemp("embed"), secret="browser-embed")


@pytest.fixture(scope="module")
def live_server(live_app):
    """Serve this module's app on a free port."""
    with serving(live_app) as url:
        yield url


@contextmanager
def intranet(app_url, path):
    """Serve a host page (no script) that frames app_url + path on another port; yield its URL."""
    page = (f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Intranet</title>'
            f'</head><body><h1>Intranet der Stadt</h1><iframe title="Fahrplan" width="900" '
            f'height="500" src="{app_url}{path}"></iframe></body></html>').encode()

    class Host(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            """Answer every path with the host page."""
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            """Keep the test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Host)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def host_tab(browser):
    """Return a page without JavaScript, as a plain intranet page would need none."""
    context = browser.new_context(viewport=VIEWPORT, locale="de-DE", java_script_enabled=False)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.recorder = Recorder(tab)
    yield tab
    context.close()


@pytest.fixture
def frame_origins(live_app):
    """Set the app's allowed frame origins for one test, and reset them afterwards."""
    def set_origins(*origins):
        live_app.config["EMBED_FRAME_ORIGINS"] = list(origins)
    yield set_origins
    live_app.config["EMBED_FRAME_ORIGINS"] = []


def test_embed_loads_in_a_frame_of_a_configured_origin(host_tab, live_server, frame_origins):
    """The intranet's page shows the field status inside its iframe; a link opens on top."""
    with intranet(live_server, "/embed/fields") as host:
        frame_origins(host)
        host_tab.goto(host)
        frame = host_tab.frame_locator("iframe")
        expect(frame.get_by_role("heading", name="Stand nach Handlungsfeldern")).to_be_visible()
        expect(frame.locator("#status-all")).to_contain_text("14")
        frame.get_by_role("link", name="HF3", exact=True).click()
        expect(host_tab).to_have_url(f"{live_server}/architecture#field-HF3")
    assert host_tab.recorder.csp == []


def test_embed_is_blocked_in_a_frame_of_another_origin(host_tab, live_server, frame_origins):
    """An origin not configured gets no content in its frame; the browser names the policy."""
    with intranet(live_server, "/embed/fields") as allowed, \
            intranet(live_server, "/embed/fields") as other:
        frame_origins(allowed)
        host_tab.goto(other)
        host_tab.wait_for_load_state("load")
        expect(host_tab.get_by_role("heading", name="Intranet der Stadt")).to_be_visible()
        frame = host_tab.locator("iframe").content_frame
        host_tab.wait_for_timeout(300)
        expect(frame.get_by_role("heading", name="Stand nach Handlungsfeldern")).to_have_count(0)
        assert not host_tab.frames[1].url.startswith(live_server)
        assert any("frame-ancestors" in message for message in host_tab.recorder.csp)


def test_normal_pages_stay_out_of_foreign_frames(host_tab, live_server, frame_origins):
    """Even for a configured origin, the start page itself is not framed (X-Frame-Options)."""
    with intranet(live_server, "/") as host:
        frame_origins(host)
        host_tab.goto(host)
        host_tab.wait_for_load_state("load")
        host_tab.wait_for_timeout(300)
        frame = host_tab.locator("iframe").content_frame
        expect(frame.get_by_role("heading", name="Auf einen Blick")).to_have_count(0)


@pytest.mark.parametrize("path, title", EMBEDS)
def test_embeds_have_no_violations(page, axe, path, title):
    """Each embed page passes axe on its own."""
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    axe(page)


@pytest.mark.parametrize("path, title", EMBEDS)
def test_every_embed_shows_in_a_frame(host_tab, live_server, frame_origins, path, title):
    """Fields, changes and milestones each load inside the intranet's iframe."""
    with intranet(live_server, path) as host:
        frame_origins(host)
        host_tab.goto(host)
        frame = host_tab.frame_locator("iframe")
        expect(frame.get_by_role("heading", level=1)).to_contain_text(title)
        links = frame.get_by_role("link")
        expect(links.first).to_be_visible()
        targets = {links.nth(i).get_attribute("target") for i in range(links.count())}
        assert targets == {"_top"}
        hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
        assert all(re.match(re.escape(live_server) + "/", href) for href in hrefs)
