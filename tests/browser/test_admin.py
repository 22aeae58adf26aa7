"""Administration in a real browser: an account's life from creation to the audit log; axe."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORT, make_live_app, serving
from wiki.models import User

pytestmark = pytest.mark.browser

PAGES = ["/admin/", "/admin/users", "/admin/users/new", "/admin/users/{editor}",
         "/admin/users/{admin}", "/admin/fields", "/admin/fields/new", "/admin/fields/HF1/edit",
         "/admin/fields/HF1/delete", "/admin/rounds", "/admin/settings", "/admin/audit"]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """Return an app of its own for this module: these tests create and disable accounts."""
    return make_live_app(tmp_path_factory.mktemp("admin"), secret="browser-admin")


@pytest.fixture(scope="module")
def live_server(live_app):
    """Serve this module's app on a free port."""
    with serving(live_app) as url:
        yield url


@pytest.fixture
def second_browser(browser, live_server):
    """Return a new, separate browser context's page: another person at another desk."""
    context = browser.new_context(base_url=live_server, viewport=VIEWPORT, locale="de-DE")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def nav(page):
    """Return the main navigation."""
    return page.get_by_role("navigation", name="Hauptnavigation")


def ids():
    """Return the ids of the demo's admin and editor accounts, for the URLs."""
    return {name: User.by_name(name).id for name in ("admin", "editor")}


def test_admin_creates_a_user_who_logs_in_and_is_disabled(page, login, axe, second_browser):
    """Create an account, see its password once, the person logs in, disable it, read the log."""
    login("admin")
    nav(page).get_by_role("link", name="Verwaltung", exact=True).click()
    page.get_by_role("link", name="Benutzerkonten").click()
    page.get_by_role("link", name="Neues Benutzerkonto").click()
    page.get_by_label("Benutzername").fill("lneu")
    page.get_by_label("Angezeigter Name").fill("Lena Neu")
    page.get_by_label("E-Mail-Adresse").fill("l.neu@example.org")
    page.get_by_label("Rolle").select_option(label="Lesen")
    page.get_by_role("button", name="Benutzerkonto anlegen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Benutzerkonto angelegt")
    password = page.locator(".admin-password-value").inner_text()
    assert re.fullmatch(r"(\w{4}-){3}\w{4}", password)
    expect(page.get_by_text("Geben Sie es auf sicherem Weg weiter", exact=False)).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Zum Benutzerkonto").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Benutzerkonto lneu")
    assert password not in page.content()

    other = second_browser
    other.goto("/login")
    other.get_by_label("Benutzername").fill("lneu")
    other.get_by_label("Passwort").fill(password)
    other.get_by_role("button", name="Anmelden").click()
    expect(other.locator("header .user-name")).to_have_text("Lena Neu")
    expect(nav(other).get_by_role("link", name="Verwaltung", exact=True)).to_have_count(0)

    page.get_by_role("button", name="Benutzerkonto deaktivieren").click()
    expect(page.locator("#live")).to_have_text("„Lena Neu“ ist deaktiviert; alle Sitzungen sind "
                                               "beendet.")
    expect(page.get_by_role("button", name="Benutzerkonto wieder aktivieren")).to_be_visible()
    other.reload()
    expect(other.locator("header .user-name")).to_have_count(0)
    expect(other.locator("header").get_by_role("link", name="Anmelden")).to_be_visible()

    nav(page).get_by_role("link", name="Verwaltung", exact=True).click()
    page.get_by_role("link", name="Protokoll").click()
    rows = page.locator("table.admin-audit tbody tr")
    expect(rows.nth(0).locator("th")).to_have_text("Benutzerkonto deaktiviert")
    expect(rows.nth(1).locator("th")).to_have_text("Benutzerkonto angelegt")
    expect(rows.nth(1)).to_contain_text("Anna Admin")
    expect(rows.nth(1)).to_contain_text("Rolle: Lesen")
    rows.nth(1).get_by_role("link", name="Lena Neu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Benutzerkonto lneu")
    page.go_back()
    page.get_by_label("Aktion").select_option(label="Benutzerkonto angelegt")
    page.get_by_role("button", name="Anzeigen").click()
    expect(rows).to_have_count(1)
    axe(page)


@pytest.mark.parametrize("url", PAGES)
def test_every_admin_page_passes_axe(page, login, axe, url):
    """Each admin page has no WCAG 2.1 A/AA violations (the delete page shows its refusal)."""
    login("admin")
    page.goto(url.format(**ids()))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe(page)


def test_bad_new_user_shows_errors_that_pass_axe(page, login, axe):
    """An empty form comes back with the summary and field errors, focus on the first one."""
    login("admin")
    page.goto("/admin/users/new")
    page.get_by_label("E-Mail-Adresse").fill("ohne-at")
    page.get_by_role("button", name="Benutzerkonto anlegen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Benutzername: Bitte geben Sie einen Benutzernamen an")
    expect(summary).to_contain_text("„ohne-at“ ist keine E-Mail-Adresse")
    expect(page.get_by_label("Benutzername")).to_be_focused()
    expect(page.get_by_label("E-Mail-Adresse")).to_have_attribute("aria-invalid", "true")
    axe(page)


def test_refusals_on_the_own_account_pass_axe(page, login, axe):
    """Taking one's own admin role away is refused on the page, accessibly."""
    login("admin")
    page.goto(f"/admin/users/{ids()['admin']}")
    page.get_by_label("Rolle", exact=True).select_option(label="Bearbeiten")
    page.get_by_role("button", name="Rolle speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("nicht selbst die Rolle „Verwaltung“")
    expect(page.get_by_label("Rolle", exact=True)).to_have_attribute("aria-invalid", "true")
    axe(page)


@pytest.mark.parametrize("url, fills, invalid", [
    ("/admin/fields/new", {"Kürzel": "H F", "Titel": "", "Position": "vorne"},
     ["f-code", "f-title", "f-position"]),
    ("/admin/settings", {"Beginn der Laufzeit": "2026-01-01", "Ende der Laufzeit": "2020-Q1"},
     ["f-period_end"]),
])
def test_form_errors_pass_axe(page, login, axe, url, fills, invalid):
    """The field and settings forms with errors: summary, marked fields, no violations."""
    login("admin")
    page.goto(url)
    for label, value in fills.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert")).to_be_visible()
    marked = page.locator("[aria-invalid=true]")
    expect(marked).to_have_count(len(invalid))
    assert [marked.nth(n).get_attribute("id") for n in range(len(invalid))] == invalid
    axe(page)
