"""Language: German by default, English by the browser's wish or the switch; a full catalogue."""
import datetime
import os

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from tests.test_editing_measures import form_values
from wiki import ROOT
from wiki.models import ActionField, Measure, Page, Revision

CATALOG = os.path.join(ROOT, "wiki", "translations", "en", "LC_MESSAGES", "messages")
METHODS = [("wiki/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def skip_link(response):
    """Return the skip link's text."""
    return soup(response).find("a", class_="skip-link").get_text(strip=True)


@pytest.fixture
def measure(app):
    """Create one measure with a planned start."""
    field = ActionField.create(code="HF3", title="Akten", position=1)
    page = Page.create(slug="m07", kind="measure", title="E-Akte", revision_count=1)
    Revision.create(page=page, number=1, title="E-Akte", body="", html="")
    return Measure.create(code="M07", page=page, field=field, status="active",
                          obligation="legal", planned_start=datetime.date(2023, 1, 1))


def test_german_is_the_default(client):
    """Without any wish the pages are German."""
    response = client.get("/")
    assert soup(response).html["lang"] == "de"
    assert skip_link(response) == "Zum Inhalt springen"


@pytest.mark.parametrize("header, lang", [
    ("en-GB,en;q=0.9", "en"),
    ("en-US", "en"),
    ("de-DE,de;q=0.9,en;q=0.8", "de"),
    ("fr-FR,fr;q=0.9", "de"),
])
def test_browser_preference_picks_the_language(client, header, lang):
    """The Accept-Language header chooses English or German; others fall back to German."""
    response = client.get("/", headers={"Accept-Language": header})
    assert soup(response).html["lang"] == lang
    assert skip_link(response) == {"de": "Zum Inhalt springen", "en": "Skip to content"}[lang]


def test_english_error_page(client):
    """Error pages are translated too."""
    response = client.get("/nirgendwo", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert soup(response).find("h1").get_text(strip=True) == "This page does not exist."


def test_switch_to_english_is_remembered_and_can_be_undone(client):
    """?lang=en switches to English for the following pages; ?lang=de switches back."""
    assert soup(client.get("/?lang=en")).html["lang"] == "en"
    assert skip_link(client.get("/accessibility")) == "Skip to content"
    assert soup(client.get("/accessibility?lang=de")).html["lang"] == "de"
    assert skip_link(client.get("/")) == "Zum Inhalt springen"


def test_switch_beats_the_browser_preference(client):
    """The switch wins over the browser's Accept-Language."""
    response = client.get("/?lang=de", headers={"Accept-Language": "en"})
    assert soup(response).html["lang"] == "de"


def test_language_links_keep_the_page_and_its_query(client):
    """The switch links lead to the same page and query in the other language (the query as far
    as the page reads it: a kept page echoes no other parameter, wiki/caching/pagecache.py)."""
    page = soup(client.get("/measures?sort=title&x=1"))
    switch = page.find("nav", attrs={"aria-label": "Sprache"})
    links = {a["hreflang"]: a for a in switch.find_all("a")}
    assert links["en"]["href"] == "/measures?sort=title&lang=en"
    assert links["en"]["lang"] == "en" and links["en"].get_text(strip=True) == "English"
    assert links["de"]["aria-current"] == "true"
    assert "aria-current" not in links["en"].attrs


def test_measure_in_english_has_english_labels_and_dates(client, measure):
    """Labels, statuses, markings, dates and quarters follow the language."""
    page = soup(client.get("/measures/M07?lang=en"))
    facts = {div.dt.get_text(strip=True): div.dd for div in page.select(".facts dl > div")}
    assert " ".join(facts["Planned start"].get_text().split()) == "Jan 1, 2023 (Q1 2023)"
    assert facts["Status"].get_text(strip=True) == "in progress"
    assert "required by law" in facts["Marking"].get_text()


def test_measure_in_german_has_german_dates(client, measure):
    """German dates read 01.01.2023 and quarters "1. Quartal 2023"."""
    page = soup(client.get("/measures/M07"))
    facts = {div.dt.get_text(strip=True): div.dd for div in page.select(".facts dl > div")}
    assert " ".join(facts["Geplanter Beginn"].get_text().split()) == (
        "01.01.2023 (1. Quartal 2023)")


def test_every_message_has_an_english_translation():
    """Each German msgid in code and templates is translated in the English catalogue."""
    found = {message[2] if isinstance(message[2], str) else message[2][0]
             for message in extract_from_dir(ROOT, METHODS, keywords=KEYWORDS)}
    assert "Zum Inhalt springen" in found  # the templates were read too
    with open(f"{CATALOG}.po", "rb") as fh:
        catalog = read_po(fh)
    translated = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog
                  if m.id and all(m.string if isinstance(m.string, tuple) else [m.string])
                  and not m.fuzzy}
    missing = sorted(found - translated)
    assert not missing, "untranslated (run the catalogue update in the README):\n" + "\n".join(
        missing)


def _plain(value):
    """Return a message id or string hashable: plural forms as a tuple."""
    return value if isinstance(value, str) else tuple(value)


def test_compiled_catalogue_matches_the_po_file():
    """The .mo file holds exactly the translations of the .po file (it was compiled)."""
    with open(f"{CATALOG}.po", "rb") as fh:
        source = {_plain(m.id): _plain(m.string) for m in read_po(fh)
                  if m.id and m.string and not m.fuzzy}
    with open(f"{CATALOG}.mo", "rb") as fh:
        compiled = {_plain(m.id): _plain(m.string) for m in read_mo(fh) if m.id}
    assert compiled == source


def field_labels(page):
    """Return {field id: label text without the required mark} of a form page."""
    for mark in page.select("label .required"):
        mark.decompose()
    return {label["for"]: label.get_text(strip=True) for label in page.find_all("label")}


@pytest.mark.parametrize(("query", "labels", "errors"), [
    ("", {"f-planned_start": "Geplanter Beginn", "f-actual_end": "Tatsächliches Ende",
          "f-tags": "Schlagwörter", "f-title": "Titel"},
     {"progress": "Fortschritt muss eine ganze Zahl von 0 bis 100 sein.",
      "planned_end": "Geplantes Ende liegt vor dem geplanten Beginn.",
      "title": "Titel fehlt."}),
    ("?lang=en", {"f-planned_start": "Planned start", "f-actual_end": "Actual end",
                  "f-tags": "Tags", "f-title": "Title"},
     {"progress": "Progress must be a whole number from 0 to 100.",
      "planned_end": "The planned end lies before the planned start.",
      "title": "Title is missing."}),
])
def test_measure_editor_speaks_the_language(client, demo, login, query, labels, errors):
    """The measure editor's labels and its errors are German by default, English on request."""
    login("editor")
    response = client.get(f"/measures/M07/edit{query}")
    shown = field_labels(soup(response))
    assert {key: shown[key] for key in labels} == labels
    form = dict(form_values(response), progress="abc", title="", planned_start="2024-06-01",
                planned_end="2023-Q4")
    page = soup(client.post("/measures/M07/edit", data=form))
    assert {name: page.find(id=f"f-{name}-error").get_text(strip=True)
            for name in errors} == errors
