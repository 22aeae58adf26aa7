"""Screenshots of every page type for review: `make screenshots` (or this script with a folder).

A fresh demo in a temporary folder, served on a free port of 127.0.0.1; Debian's Chromium
(Playwright, never a downloaded browser) opens each page type at 1366 and 390 px wide, in German
and English, as an admin, and saves full-page PNGs into the folder (default `screenshots/`),
named `<page>-<language>-<width>.png`; the council report is printed to PDF and its pages
turned into PNGs (pdftoppm). A page wider than the screen is named at the end: look at them.
"""
import secrets
import shutil
import subprocess  # nosec B404 - pdftoppm, with fixed arguments
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wiki import create_app, exchange  # noqa: E402
from wiki.cli import DEMO  # noqa: E402
from wiki.db import db, migrate  # noqa: E402
from wiki.models import User  # noqa: E402
from wiki.security import hash_password  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
WIDTHS = ((1366, 900), (390, 844))
LANGUAGES = ("de", "en")
PASSWORD = secrets.token_urlsafe(12)  # a throwaway account of a throwaway database
# (name, path): every page type staff and management see.
PAGES = [
    ("start", "/"), ("measure", "/measures/M07"), ("measure-finished", "/measures/M03"),
    ("measure-edit", "/measures/M07/edit"), ("page", "/pages/leitbild"),
    ("history", "/measures/M07/history"), ("diff", "/measures/M07/diff?from=1&to=2"),
    ("architecture", "/architecture"), ("timeline", "/timeline"),
    ("dependencies", "/dependencies"), ("measures", "/measures"),
    ("reports", "/reports"), ("round", "/reports/2024-q2"),
    ("report-form", "/measures/M07/reports/new"), ("files", "/measures/M07/files"),
    ("search", "/search?q=Akte"), ("notifications", "/notifications"),
    ("admin", "/admin/"), ("admin-files", "/admin/files"), ("setup", "/admin/setup"),
    ("not-found", "/measures/GIBTESNICHT"),
]
COUNCIL = "/reports/2024-q2/council"


def demo_app(folder):
    """Return an app on a fresh SQLite file with the demo and an admin to look with."""
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'demo.db'}",
                      "SECRET_KEY": secrets.token_hex(16), "LOGIN_MAX_FAILURES": 50},
                     instance_path=str(folder / "instance"))
    with app.app_context():
        db.connect(reuse_if_open=True)
        migrate()
        problems = exchange.import_folder(DEMO)
        if problems:
            raise SystemExit("\n".join(str(p) for p in problems))
        User.create(username="ansicht", role="admin", name="Anna Ansicht",
                    password_hash=hash_password(PASSWORD))
        db.close()
    return app


def shoot(folder, base):
    """Take every screenshot; return the pages that were wider than the screen."""
    too_wide = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        for language in LANGUAGES:
            for width, height in WIDTHS:
                context = browser.new_context(base_url=base, locale=f"{language}-DE",
                                              viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto("/login")
                page.locator("input[name=username]").fill("ansicht")
                page.locator("input[name=password]").fill(PASSWORD)
                page.locator("main form button[type=submit]").first.click()
                page.wait_for_load_state()
                page.goto(f"/?lang={language}")
                for name, path in PAGES:
                    page.goto(path)
                    _save(page, folder, f"{name}-{language}-{width}", width, too_wide)
                page.goto("/measures/M07/edit")
                page.locator("input[name=base_revision]").evaluate("field => field.value = '1'")
                body = page.locator("#f-body")
                body.fill(body.input_value().replace("E-Akte", "E-Akte (geändert)", 1))
                page.locator("button[name=action][value=save]").click()
                page.wait_for_load_state()
                _save(page, folder, f"conflict-{language}-{width}", width, too_wide)
                context.close()
        _council(browser, base, folder)
        browser.close()
    return too_wide


def _save(page, folder, name, width, too_wide):
    """Save a full-page screenshot; note the page when it scrolls sideways."""
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    if page.evaluate("document.documentElement.scrollWidth") > width:
        too_wide.append(name)


def _council(browser, base, folder):
    """Print the council report to PDF and turn its pages into PNGs."""
    context = browser.new_context(base_url=base, locale="de-DE")
    page = context.new_page()
    page.goto(COUNCIL)
    pdf = folder / "council.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    context.close()
    if shutil.which("pdftoppm"):
        command = ["pdftoppm", "-png", "-r", "60", str(pdf), str(folder / "council-page")]
        subprocess.run(command, check=True)  # noqa: S603  # nosec B603 - fixed arguments


def main():
    """Serve a fresh demo and take the screenshots into the folder given (or screenshots/)."""
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        app = demo_app(Path(scratch))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            too_wide = shoot(folder, f"http://127.0.0.1:{server.server_port}")
        finally:
            server.shutdown()
    count = len(list(folder.glob("*.png")))
    print(f"{count} Bildschirmfotos in {folder}")
    if too_wide:
        print("Breiter als der Bildschirm: " + ", ".join(too_wide))


if __name__ == "__main__":
    main()
