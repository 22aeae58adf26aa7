"""Wiki links: missing targets offer to create them, wanted pages, backlinks everywhere."""
import pytest
from bs4 import BeautifulSoup

from wiki.domain import revisions

pytestmark = pytest.mark.postgres


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
def linked(client, demo, login):
    """Log in as an editor and save a page with two missing links and one existing."""
    login("editor")
    client.post("/pages/new", data={
        "title": "Ausblick", "body": "[[Open Data]], [[M42]] und [[Glossar]]."})
    client.post("/pages/new", data={"title": "Rückblick", "body": "Auch [[Open Data]]."})


@pytest.mark.parametrize(("target", "url", "exists"), [
    ("Glossar", "/pages/glossar", True),
    ("M07", "/measures/M07", True),
    ("m07", "/measures/M07", True),
    ("Open Data", "/pages/new?title=Open+Data", False),
    ("M42", "/pages/new?title=M42", False),  # no measure M42: a page of that name is missing
])
def test_resolve_link_points_missing_targets_to_their_form(demo, ctx, target, url, exists):
    """A measure is found by lookup; a missing target links to the page form, prefilled."""
    assert revisions.resolve_link(target) == (url, exists)


def test_missing_links_are_marked_and_offer_creation(client, linked):
    """A link to a missing page has the class missing and goes to the new-page form."""
    links = {a.get_text(): a for a in soup(client.get("/pages/ausblick")).select("a.wikilink")}
    assert links["Open Data"]["class"] == ["wikilink", "missing"]
    assert links["Open Data"]["href"] == "/pages/new?title=Open+Data"
    assert links["Glossar"]["class"] == ["wikilink"]
    form = soup(client.get(links["Open Data"]["href"]))
    assert form.find("input", attrs={"name": "title"})["value"] == "Open Data"


def test_wanted_pages_list_missing_targets_with_their_sources(client, linked):
    """/pages/wanted lists each missing target, who links to it, and how to create it."""
    rows = soup(client.get("/pages/wanted")).find("table", class_="wanted").find("tbody")("tr")
    found = {row.th.get_text(): row for row in rows}
    assert set(found) == {"M42", "Open Data"}
    sources = [a.get_text() for a in found["Open Data"].find_all("a")[:-1]]
    assert sources == ["Ausblick", "Rückblick"]
    create = found["Open Data"].find_all("a")[-1]
    assert create["href"] == "/pages/new?title=Open+Data"
    assert create.get_text().startswith("Seite anlegen")
    assert found["M42"].find_all("a")[-1]["href"] == "/pages/new?title=M42"


def test_wanted_page_disappears_once_created(client, linked):
    """Creating a wanted page removes it from the list."""
    client.post("/pages/new", data={"title": "Open Data", "body": "Offene Daten."})
    rows = soup(client.get("/pages/wanted")).find("tbody")("tr")
    assert [row.th.get_text() for row in rows] == ["M42"]


def test_readers_see_wanted_pages_without_create_links(client, linked, login):
    """Readers see the list but no create buttons."""
    login("reader")
    page = soup(client.get("/pages/wanted"))
    assert page.find("a", string=lambda s: s and "Seite anlegen" in s) is None


@pytest.mark.parametrize(("url", "source"), [
    ("/pages/glossar", "Ausblick"),
    ("/measures/M07", "Glossar"),
])
def test_backlinks_on_pages_and_measures(client, linked, url, source):
    """Every page and measure lists the pages linking to it."""
    section = soup(client.get(url)).find("section", class_="backlinks")
    assert section.h2.get_text() == "Was verweist hierher?"
    assert source in [a.get_text() for a in section.find_all("a")]


def test_backlinks_say_when_nothing_links(client, linked):
    """A page nobody links to says so."""
    section = soup(client.get("/pages/rueckblick")).find("section", class_="backlinks")
    assert section.find("a") is None
    assert section.find(class_="none").get_text() == "Keine Seite verweist hierher."
