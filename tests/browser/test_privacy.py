"""Privacy as people use it: a colleague downloads their data; an admin pseudonymises them."""
import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, make_live_app, serving
from wiki.db import db
from wiki.models import User
from wiki.security import hash_password

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """Serve a database of this module's own: pseudonymising changes it for good."""
    app = make_live_app(tmp_path_factory.mktemp("privacy"), secret="browser-privacy")
    with app.app_context():
        db.connect(reuse_if_open=True)
        User.update(password_hash=hash_password(PASSWORD)).where(
            User.username == "t.schmitz").execute()
        db.close()
    return app


@pytest.fixture(scope="module")
def live_server(live_app):
    """Serve this module's app on a free local port."""
    with serving(live_app) as url:
        yield url


def log_in(page, username):
    """Log in through the form."""
    page.goto("/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.locator("#live")).to_contain_text("Angemeldet als")


def test_a_colleague_downloads_their_data(page, axe, tmp_path):
    """From the user menu to "Meine Daten" and the JSON file with his own comments in it."""
    log_in(page, "t.schmitz")
    page.locator("header.site-header").get_by_role("link", name="Meine Daten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Daten")
    expect(page.locator(".account-facts")).to_contain_text("t.schmitz@example.org")
    expect(page.locator(".account-sessions tbody tr")).to_have_count(1)
    expect(page.locator(".account-sessions")).to_contain_text("diese Sitzung")
    page.screenshot(path="/tmp/privacy-account.png", full_page=True)
    axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Meine Daten herunterladen (JSON)").click()
    assert download.value.suggested_filename.startswith("fahrplan-meine-daten-")
    path = tmp_path / "daten.json"
    download.value.save_as(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["profile"]["name"] == "Thomas Schmitz"
    assert any("Doppelablagen" in comment["body"] for comment in data["comments"])
    assert {report["measure"] for report in data["status_reports"]} >= {"M07"}
    assert "password_hash" not in path.read_text(encoding="utf-8")


def test_an_admin_pseudonymises_a_departed_colleague(page, axe):
    """The admin confirms by typing the name, fixes a slip first, and his texts stay."""
    log_in(page, "admin")
    page.goto("/admin/users/t.schmitz/pseudonymise")
    expect(page.get_by_role("heading", level=1)).to_contain_text("t.schmitz")
    axe(page)
    page.get_by_label("Bestätigung: Benutzername eingeben").fill("t.schmidt")
    page.get_by_role("button", name="Endgültig pseudonymisieren").click()
    expect(page.get_by_role("alert")).to_contain_text("Bestätigung")
    field = page.get_by_label("Bestätigung: Benutzername eingeben")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    page.screenshot(path="/tmp/privacy-pseudonymise-error.png", full_page=True)
    axe(page)

    field.fill("t.schmitz")
    page.get_by_role("button", name="Endgültig pseudonymisieren").click()
    expect(page.locator("#live")).to_contain_text("Das Benutzerkonto heißt jetzt „ehemalig-1“")
    page.screenshot(path="/tmp/privacy-pseudonymised.png", full_page=True)
    page.goto("/measures/M07")
    main = page.locator("main")
    expect(main).to_contain_text("Ehemalige Person 1")
    expect(main).not_to_contain_text("Thomas Schmitz")
    page.goto("/admin/users/ehemalig-1/pseudonymise")
    expect(page.locator("#f-account")).to_have_text(
        "Dieses Benutzerkonto ist bereits pseudonymisiert.")
    axe(page)
