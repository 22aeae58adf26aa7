"""Browser fixtures: a live server on the demo strategy, Debian's Chromium through Playwright."""
import json
import os
import threading
from contextlib import contextmanager

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from wiki import create_app
from wiki.db import db, migrate
from wiki.models import User
from wiki.security import hash_password

CHROMIUM = "/usr/bin/chromium"
# Without the networking flags Chromium keeps calling home, which this closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VIEWPORT = {"width": 1366, "height": 768}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
PASSWORD = "browser-geheim-42"
# The accounts the tests log in with: user name -> (role, display name).
USERS = {
    "admin": ("admin", "Anna Admin"),
    "editor": ("editor", "Erik Editor"),
    "reader": ("reader", "Rita Reader"),
}


def make_live_app(folder, users=USERS, secret="browser-tests", programme=None):
    """Build an app as production runs it (CSRF on) on a SQLite file with a programme and users.

    programme: the exchange folder to import (the demo unless given).
    """
    from wiki import exchange
    from wiki.cli import DEMO

    app = create_app({
        "DATABASE_URL": f"sqlite:///{folder / 'live.db'}",
        "SECRET_KEY": secret,
        "WTF_CSRF_ENABLED": True,
        "LOGIN_MAX_FAILURES": 50,
    }, instance_path=str(folder / "instance"))
    app.config["LIVE_DATABASE"] = db.obj
    with app.app_context():
        db.connect(reuse_if_open=True)
        migrate()
        errors = exchange.import_folder(programme or DEMO)
        assert not errors, errors
        for username, (role, name) in users.items():
            User.create(username=username, role=role, name=name,
                        password_hash=hash_password(PASSWORD))
        db.close()
    return app


@contextmanager
def serving(app):
    """Serve an app on a free port of 127.0.0.1 in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """Return the app behind the live server: CSRF on, a SQLite file with the demo loaded."""
    return make_live_app(tmp_path_factory.mktemp("live"))


@pytest.fixture(autouse=True)
def _live_database(live_app):
    """Point the database proxy at the live server's database (other tests rebind it)."""
    db.initialize(live_app.config["LIVE_DATABASE"])
    yield
    if not db.is_closed():
        db.close()


@pytest.fixture(scope="session")
def live_server(live_app):
    """Serve the app on a free port of 127.0.0.1 in a thread; return its base URL."""
    with serving(live_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Launch Debian's headless Chromium once for the whole run."""
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} fehlt: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser tests, never skip them silently
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              headless=True)
        yield chromium
        chromium.close()


class Recorder:
    """What a page said on the side: dialogs it opened and CSP violations it reported."""

    def __init__(self, page):
        self.dialogs = []
        self.csp = []
        page.on("dialog", self._dialog)
        page.on("console", self._console)

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.csp.append(message.text)


@pytest.fixture
def page(browser, live_server):
    """Return a fresh page (new context: no cookies) at 1366×768 speaking German."""
    context = browser.new_context(base_url=live_server, viewport=VIEWPORT, locale="de-DE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.recorder = Recorder(page)
    yield page
    context.close()
    # No page may ever trip the Content Security Policy: no inline script or style anywhere.
    assert page.recorder.csp == [], page.recorder.csp


@pytest.fixture
def open_as(browser, live_server):
    """Return a function that opens a new browser context logged in as someone.

    Each context is a person of its own (two editors at once); none may trip the CSP.
    """
    tabs = []

    def opener(username, javascript=True):
        context = browser.new_context(base_url=live_server, viewport=VIEWPORT, locale="de-DE",
                                      java_script_enabled=javascript)
        context.set_default_timeout(10_000)
        tab = context.new_page()
        tab.recorder = Recorder(tab)
        tabs.append(tab)
        tab.goto("/login")
        tab.get_by_label("Benutzername").fill(username)
        tab.get_by_label("Passwort").fill(PASSWORD)
        tab.get_by_role("button", name="Anmelden").click()
        tab.wait_for_load_state()
        return tab

    yield opener
    for tab in tabs:
        tab.context.close()
    assert [tab.recorder.csp for tab in tabs if tab.recorder.csp] == []


@pytest.fixture
def login(page):
    """Return a function that logs in through the form as one of USERS."""
    def do_login(username):
        page.goto("/login")
        page.get_by_label("Benutzername").fill(username)
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_load_state()
        return USERS[username][1]
    return do_login


@pytest.fixture(scope="session")
def axe_runner():
    """Return the axe-core runner."""
    return Axe()


@pytest.fixture
def axe(axe_runner):
    """Return a function that asserts a page has no WCAG 2.1 A/AA violations."""
    def check(page):
        results = axe_runner.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, (
            f"{page.url}\n{results.generate_report()}\n"
            + json.dumps([v["id"] for v in results.response["violations"]]))
    return check
