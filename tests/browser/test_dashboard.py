"""The start page's dashboard in a real browser: axe, its links, the day picker."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from wiki.domain import programme

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Fix the day the live server (a thread of this process) counts from."""
    monkeypatch.setattr(programme, "today", lambda: date(2026, 12, 1))


@pytest.mark.parametrize("url", ["/", "/?as_of=2023-06-30", "/?as_of=kaputt"])
def test_start_page_has_no_violations(page, axe, url):
    """The dashboard, also for a past day and with a bad date, passes axe."""
    page.goto(url)
    expect(page.get_by_role("heading", name="Auf einen Blick")).to_be_visible()
    axe(page)


def test_start_page_has_no_violations_for_an_editor(page, axe, login):
    """As an editor sees it, with the editor actions, the page passes axe."""
    login("editor")
    page.goto("/")
    axe(page)


def test_the_dashboard_panels_are_there_in_order(page):
    """The panels follow the title, before the action fields' cards."""
    page.goto("/")
    headings = page.locator(".dashboard h3").all_inner_texts()
    assert headings == ["Stand nach Handlungsfeldern", "Gesetzliche Pflichten und Fristen",
                        "Verzögert und gefährdet", "Termine bis zum 31.03.2027",
                        "Aktuelle Berichtsrunde", "Neueste Sachstandsberichte",
                        "Neueste Kommentare"]
    dashboard = page.locator(".dashboard").bounding_box()
    cards = page.locator(".architecture").bounding_box()
    assert dashboard["y"] + dashboard["height"] <= cards["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def test_from_a_risk_to_its_measure_and_on_to_the_cause(page):
    """M05 is endangered by M07: its code leads to M05, the chain names M07."""
    page.goto("/")
    risk = page.locator("#risk-M05")
    expect(risk).to_contain_text("gefährdet durch M07 → M05")
    risk.get_by_role("link", name="M05", exact=True).click()
    expect(page).to_have_url(re.compile(r"/measures/M05$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("M05 Digitale Poststelle")


def test_a_latest_report_opens_on_its_measure_page(page):
    """The newest report's link jumps to that report on its measure's page."""
    page.goto("/")
    link = page.locator("#dashboard-reports li").first.get_by_role("link")
    href = link.get_attribute("href")
    link.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    anchor = href.split("#")[1]
    expect(page.locator(f"#{anchor}")).to_be_visible()


def test_a_missing_report_leads_to_the_round(page):
    """The current round's title opens the round page, where M14 is missing."""
    page.goto("/")
    page.locator("#dashboard-round").get_by_role("link", name="Sachstandsbericht 2026/III").click()
    expect(page).to_have_url(re.compile(r"/reports/2026-q3$"))
    expect(page.locator("#entry-M14")).to_contain_text("Bericht fehlt")


def test_the_day_picker_shows_the_programme_as_it_was(page):
    """Choosing a past day reloads the start page for that day, with the note."""
    page.goto("/")
    page.get_by_label("Stand am").fill("2023-06-30")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page).to_have_url(re.compile(r"\?as_of=2023-06-30$"))
    expect(page.locator(".as-of-note")).to_contain_text("Sie sehen den Stand vom 30.06.2023")
    expect(page.locator("#dashboard-round")).to_contain_text("nicht verfügbar")


def test_the_calendar_link_serves_icalendar(page):
    """The subscribe link points at the iCalendar feed."""
    page.goto("/")
    link = page.get_by_role("link", name=re.compile("Kalender abonnieren"))
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.text().startswith("BEGIN:VCALENDAR\r\n")
