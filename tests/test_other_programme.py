"""A second, invented programme (tests/programmes/lindenau/): every page speaks its words.

Lindenau an der Wörnitz has its own statuses and markings, half-year report periods and codes
like 1.2, 1.10, D-03 and HF2.M4; nothing of the demo's vocabulary may show through.
"""
import csv
import datetime as dt
import filecmp
import io
import json
import re
import shutil
import warnings
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from werkzeug.security import generate_password_hash

from tests.conftest import PASSWORD, _test_app
from wiki import exchange
from wiki.db import disconnect
from wiki.domain import programme
from wiki.models import Measure, User

FOLDER = Path(__file__).parent / "programmes" / "lindenau"
DAY = dt.date(2026, 1, 20)  # 1.2 ended 2025-06-30 (delayed); SM01 starts before D-03 ends
STATUSES = {"planung": "in Planung", "umsetzung": "in Umsetzung", "betrieb": "im Regelbetrieb",
            "umgesetzt": "umgesetzt", "ruht": "zurückgestellt"}
MARKINGS = {"pflicht": "Pflichtaufgabe", "foerder": "Förderprojekt", "quickwin": "Quick Win",
            "ohne": "ohne Kennzeichnung"}
# Planned dates may still be quarters ("1. Quartal 2024"): the schedule's grid is quarters.
DEMO_WORDS = ("gesetzlich erforderlich", "verwaltungsintern", "Standard, künftig",
              "in Betrieb / Roll-out")


@pytest.fixture(scope="module")
def lindenau(sqlite_template, tmp_path_factory):
    """Return an app with Lindenau imported, on a fixed day."""
    folder = tmp_path_factory.mktemp("lindenau")
    shutil.copy(sqlite_template, folder / "test.db")
    app = _test_app(f"sqlite:///{folder / 'test.db'}", folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(programme, "today", lambda: DAY)
        with app.app_context():
            assert exchange.import_folder(FOLDER) == []
            editor = User.by_name("ü.müller")  # export never writes a password
            editor.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
            editor.save()
        yield app
    disconnect()


@pytest.fixture(scope="module")
def browse(lindenau):
    """Return a client logged in as an editor."""
    client = lindenau.test_client()
    response = client.post("/login", data={"username": "ü.müller", "password": PASSWORD})
    assert response.status_code == 302
    return client


def page(client, url):
    """Return the parsed page at url (which must answer 200)."""
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.text, "html.parser")


def words(soup):
    """Return the visible text of a page's main part, spaces normalised."""
    main = soup.find("main") or soup
    return " ".join(main.get_text(" ").split())


def no_demo_words(soup):
    """Assert that none of the demo's words show on a page."""
    text = words(soup)
    assert not [word for word in DEMO_WORDS if word in text], text[:2000]


def test_round_trip_is_byte_identical(lindenau, tmp_path):
    """Export writes the folder exactly as it was imported."""
    with lindenau.app_context():
        exchange.export_folder(tmp_path / "out")
    source = sorted(p.relative_to(FOLDER) for p in FOLDER.rglob("*") if p.is_file())
    written = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*")
                     if p.is_file())
    assert written == source
    for path in source:
        assert filecmp.cmp(FOLDER / path, tmp_path / "out" / path, shallow=False), path


@pytest.mark.parametrize("url", ["/", "/architecture", "/timeline", "/timeline?view=table",
                                 "/dependencies", "/measures", "/measures/1.2", "/measures/d-03",
                                 "/measures/HF2.M4", "/measures/1.2/reports",
                                 "/measures/1.2/history", "/reports", "/reports/2025-h2",
                                 "/reports/2025-h2/council", "/pages/glossar"])
def test_page_speaks_the_programmes_words(browse, url):
    """Every page type shows, and none of the demo's words."""
    no_demo_words(page(browse, url))


def test_architecture(browse):
    """Columns are its fields; cards carry its status names and markings; legend has all four."""
    soup = page(browse, "/architecture")
    text = words(soup)
    for title in ("Bürgerservice und Öffentlichkeit", "Digitale Infrastruktur und Schulen",
                  "Verwaltung von übermorgen"):
        assert title in text
    for code in ("1.2", "1.10", "D-03", "HF2.M4", "SM01", "A7"):
        assert soup.find("a", href=f"/measures/{code}"), code
    assert "in Umsetzung" in text and "im Regelbetrieb" in text
    for name in MARKINGS.values():
        assert name in text, name
    first = soup.select("section.action-field")[0]
    codes = [a["href"].rsplit("/", 1)[1] for a in first.select("article.measure-card h4 a")]
    assert codes == ["1.2", "1.3", "1.10"]  # counted as people count, not as text sorts


def test_timeline_filters_list_its_words(browse):
    """The timeline's filters offer its statuses and markings."""
    soup = page(browse, "/timeline")
    options = " ".join(o.get_text(" ", strip=True) for o in soup.find_all(["option", "label"]))
    for name in list(STATUSES.values()) + list(MARKINGS.values())[:3]:
        assert name in options, name


def test_measure_table_filter_and_csv(browse):
    """?status= filters by its key; the CSV carries its keys, none of the demo's."""
    soup = page(browse, "/measures?status=planung")
    rows = soup.select("tbody tr")
    assert rows and all("in Planung" in row.get_text() for row in rows)
    assert {row.find(["th", "td"]).get_text(" ", strip=True).split()[0] for row in rows} == {
        "SM01", "1.3"}
    response = browse.get("/measures?format=csv")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                            delimiter=";"))
    assert table[0][:5] == ["code", "title", "field", "obligation", "status"]
    assert {(row[0], row[3], row[4]) for row in table[1:]} >= {
        ("1.2", "pflicht", "umsetzung"), ("HF2.M4", "foerder", "umsetzung")}
    assert not {"planned", "active", "legal", "internal"} & {cell for row in table for cell in row}


def test_measure_page(browse):
    """The measure page: its status, marking, delay; codes in any case."""
    soup = page(browse, "/measures/d-03")
    assert "Einführung der E-Akte in allen Ämtern" in soup.find("h1").get_text()
    text = words(page(browse, "/measures/1.2"))
    assert "in Umsetzung" in text and "Pflichtaufgabe" in text


def test_history_and_diff(browse):
    """History lists both revisions; the diff shows the status change in its words."""
    text = words(page(browse, "/measures/1.2/history"))
    assert "Erstanlage nach Ratsbeschluss" in text
    diff = words(page(browse, "/measures/1.2/diff?from=1&to=2"))
    assert "in Planung" in diff and "in Umsetzung" in diff


def test_report_form_offers_half_years(browse):
    """The report form pre-fills a half-year and refuses a quarter."""
    soup = page(browse, "/measures/1.2/reports/new")
    field = soup.find(attrs={"name": "period"})
    value = field.get("value") or (field.find("option", selected=True) or {}).get("value")
    assert value == "2026-H1"  # the half-year of DAY
    assert "Halbjahr, z. B. 1. Halbjahr 2024, H1/2024 oder 2024-H1" in words(soup)
    no_demo_words(soup)
    response = browse.post("/measures/1.2/reports/new", data={
        "period": "2025-Q4", "status": "umsetzung", "progress": "61", "traffic_light": "green",
        "body": "Quartal statt Halbjahr"})
    assert response.status_code == 400
    error = BeautifulSoup(response.text, "html.parser").find(id="f-period-error")
    assert "2027-H2" in error.get_text(), error


def test_new_measure_form_names_its_code_pattern(browse):
    """The code hint is the programme's pattern in words, not the demo's M-numbers."""
    text = words(page(browse, "/measures/new"))
    assert "bis zu zehn Großbuchstaben, Ziffern, Punkte, Binde- oder Unterstriche" in text
    assert "M und zwei" not in text


def test_round_and_council(browse):
    """The round compiles the half-year's reports; its council view names its statuses."""
    text = words(page(browse, "/reports/2025-h2"))
    assert "Sachstandsbericht 2025/II" in text and "HF2.M4" in text
    council = words(page(browse, "/reports/2025-h2/council"))
    assert "Förderaufruf" in council and "in Umsetzung" in council


def test_search_finds_umlauts(browse):
    """Searching an umlaut word finds the measure."""
    text = words(page(browse, "/search?q=Wörnitz"))
    assert "WLAN für Grund- und Mittelschulen an der Wörnitz" in text


@pytest.mark.parametrize("url", ["/feeds/reports.atom", "/feeds/changes.atom",
                                 "/feeds/measures/1.2/changes.atom"])
def test_feeds(browse, url):
    """The feeds answer and carry its words."""
    response = browse.get(url)
    assert response.status_code == 200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no XML parser installed; the HTML one reads Atom
        soup = BeautifulSoup(response.data, "html.parser")
    assert soup.find("entry") is not None
    text = soup.get_text(" ")
    assert not [word for word in DEMO_WORDS if word in text]


def test_api(browse):
    """The API names statuses in its words; the OpenAPI enums are its keys."""
    found = browse.get("/api/measures").get_json()
    items = found["items"]
    labels = {item["code"]: item["status_label"] for item in items}
    assert labels["1.2"] == "in Umsetzung" and labels["SM01"] == "in Planung"
    one = browse.get("/api/measures/1.2").get_json()
    assert one["status_label"] == "in Umsetzung"
    spec = browse.get("/api/openapi.json").get_json()
    text = json.dumps(spec, ensure_ascii=False)
    assert '"planung"' in text and "in Planung" in text
    assert '"planned"' not in text and "gesetzlich" not in text
    pattern = re.compile(spec["components"]["parameters"]["code"]["schema"]["pattern"])
    assert all(pattern.match(code) for code in ("1.2", "1.10", "D-03", "HF2.M4", "d-03"))


@pytest.mark.parametrize("url", ["/architecture?as_of=2025-01-01",
                                 "/timeline?baseline=2024-06-01"])
def test_as_of_and_baseline(browse, url):
    """Looking back works with its words."""
    no_demo_words(page(browse, url))


def test_dependencies_caption_names_its_markings(browse):
    """The graph's caption explains its four markings' symbols."""
    caption = page(browse, "/dependencies").find("figcaption").get_text(" ", strip=True)
    assert caption.startswith("§ Pflichtaufgabe, € Förderprojekt, ⚡ Quick Win, "
                              "○ ohne Kennzeichnung; ◔ verzögert")


def test_wiki_link_to_a_measure(browse):
    """[[1.2]] in a page links to the measure, not to a missing page."""
    soup = page(browse, "/pages/statusdefinitionen")
    link = soup.find("a", href="/measures/1.2")
    assert link is not None and "wikilink" in link["class"] and "missing" not in link["class"]


def test_dashboard_lists_duties(browse):
    """The legal-duties panel lists the Pflichtaufgabe measures."""
    soup = page(browse, "/")
    rows = soup.select("table.dashboard-obligations tbody tr")
    assert {row.find("a")["href"] for row in rows} == {"/measures/1.2", "/measures/A7"}


def test_markings_stylesheet(browse):
    """/markings.css carries its four markings' colours."""
    css = browse.get("/markings.css").get_data(as_text=True)
    for colour in ("#8b1a1a", "#1e5631", "#5b2a86"):
        assert colour in css
    assert "#b42318" not in css


def test_empty_duties_panel_names_the_duty_markings(demo, client):
    """With no duty yet, the panel names the duty markings (the demo's words, as before)."""
    with demo.app_context():
        Measure.update(obligation="internal", legal_deadline=None).execute()
    soup = BeautifulSoup(client.get("/").text, "html.parser")
    texts = [p.get_text(" ", strip=True) for p in soup.select("p.none")]
    assert ("Keine Maßnahme ist als gesetzlich erforderlich gekennzeichnet oder hat eine "
            "gesetzliche Frist.") in texts, texts
