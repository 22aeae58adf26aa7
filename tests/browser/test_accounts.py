"""Logging in and out as a person would, and what each role gets to see."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, USERS

pytestmark = pytest.mark.browser


def header(page):
    """Return the site header."""
    return page.locator("header.site-header")


def test_login_and_logout_through_the_forms(page):
    """Type name and password, see the name, log out, and the user menu changes back."""
    page.goto("/measures/M07")
    header(page).get_by_role("link", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    page.get_by_label("Benutzername").press_sequentially("editor")
    page.get_by_label("Passwort").press_sequentially(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(re.compile(r"/measures/M07$"))
    expect(page.locator("#live")).to_have_text("Angemeldet als Erik Editor.")
    expect(header(page).locator(".user-name")).to_have_text("Erik Editor")
    expect(header(page).get_by_role("link", name="Anmelden")).to_have_count(0)

    header(page).get_by_role("button", name="Abmelden").click()
    expect(page.locator("#live")).to_have_text("Sie sind abgemeldet.")
    expect(header(page).get_by_role("link", name="Anmelden")).to_be_visible()
    expect(header(page).locator(".user-name")).to_have_count(0)


def test_logout_page_confirms_with_a_post(page, login):
    """The logout page asks first and logs out with its button."""
    login("reader")
    page.goto("/logout")
    expect(page.get_by_text("Möchten Sie sich abmelden, Rita Reader?")).to_be_visible()
    page.locator("main").get_by_role("button", name="Abmelden").click()
    expect(page.locator("#live")).to_have_text("Sie sind abgemeldet.")


def test_wrong_password_shows_the_german_error_and_keeps_the_name(page):
    """A wrong password gives a German error; the typed user name stays in its field."""
    page.goto("/login")
    page.get_by_label("Benutzername").press_sequentially("editor")
    page.get_by_label("Passwort").press_sequentially("falsch-falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("alert")).to_have_text("Benutzername oder Passwort ist falsch.")
    expect(page.get_by_label("Benutzername")).to_have_value("editor")
    expect(page.get_by_label("Passwort")).to_have_value("")
    expect(page.get_by_label("Benutzername")).to_have_attribute("aria-invalid", "true")
    expect(header(page).locator(".user-name")).to_have_count(0)


@pytest.mark.parametrize("url", ["/", "/measures/M07", "/pages/glossar"])
def test_reader_sees_no_editor_actions(page, login, live_app, url):
    """A reader gets no edit action and no form that changes the programme, only logout."""
    login("reader")
    page.goto(url)
    expect(header(page).locator(".user-name")).to_have_text(USERS["reader"][1])
    expect(page.locator(".editor-action")).to_have_count(0)
    expect(page.locator("a[href$='/edit']")).to_have_count(0)
    # Watching changes nothing in the programme: readers may do it.
    forms = page.locator("form[method='post']:not(.watch-form)")
    expect(forms).to_have_count(1)
    expect(forms).to_have_class("logout")


def test_editor_sees_edit_actions_where_they_exist(page, login, live_app):
    """An editor gets the edit action on a measure once the edit view exists."""
    login("editor")
    page.goto("/measures/M07")
    expected = 1 if "measures.edit" in live_app.view_functions else 0
    expect(page.locator(".editor-action[href$='/edit']")).to_have_count(expected)
    expect(page.get_by_role("link", name="Neuer Sachstandsbericht")).to_be_visible()
