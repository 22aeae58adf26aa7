"""Zero axe-core violations (WCAG 2.1 A and AA) on every page type."""
import pytest

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/architecture",
    "/timeline",
    "/dependencies",
    "/measures",
    "/measures?baseline=2022-06-01&sort=progress",
    "/timeline?as_of=2023-06-30&baseline=2022-06-01",
    "/architecture?as_of=kaputt",
    "/search?q=Akte",
    "/measures/M07",
    "/measures/M01",
    "/pages/leitbild",
    "/pages/glossar",
    "/pages/",
    "/login",
    "/logout",
    "/accessibility",
    "/nirgendwo",
    "/?lang=en",
    "/measures/M07?lang=en",
]


@pytest.mark.parametrize("url", PAGES)
def test_page_has_no_violations(page, axe, url):
    """An anonymous visitor's view of each page type passes axe."""
    page.goto(url)
    axe(page)


@pytest.mark.parametrize("url", ["/measures/M07", "/logout"])
def test_logged_in_views_have_no_violations(page, axe, login, url):
    """The pages as a logged-in editor sees them pass axe."""
    login("editor")
    page.goto(url)
    axe(page)


def test_login_error_has_no_violations(page, axe):
    """The login form showing an error passes axe."""
    page.goto("/login")
    page.get_by_label("Benutzername").fill("editor")
    page.get_by_label("Passwort").fill("falsch-falsch")
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("alert").wait_for()
    axe(page)
