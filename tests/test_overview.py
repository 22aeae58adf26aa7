"""The start page shows schedule warnings in words: delayed, at risk (with the chain), conflicts."""
from datetime import date

import pytest
from bs4 import BeautifulSoup

from tests.conftest import make_user, restart
from wiki.domain.metadata import clean_measure, from_snapshot
from wiki.domain.revisions import save_measure
from wiki.models import Measure

pytestmark = pytest.mark.postgres


def warnings(client, code):
    """Return the warning texts on a measure's card on the start page."""
    page = BeautifulSoup(client.get("/").text, "html.parser")
    card = page.find(id=f"card-{code}").find_parent("article")
    return [li.get_text(" ", strip=True) for li in card.select("ul.warnings li")]


def test_demo_shows_delay_and_risk(demo, client):
    """M07 overran its plan; M05 and M08 depend on it and are at risk."""
    days = (date.today() - Measure.by_code("M07").planned_end).days
    assert f"◔ verzögert ({days} Tage)" in warnings(client, "M07")
    assert "⚠ gefährdet durch M07 → M05" in warnings(client, "M05")
    assert "⚠ gefährdet durch M07 → M08" in warnings(client, "M08")
    assert warnings(client, "M06") == []


def values_of(measure):
    """Return a measure's current typed values, ready to save again."""
    values, errors = clean_measure(from_snapshot(measure.page.latest().meta))
    assert not errors
    return values


def test_moving_m07_into_the_future_clears_the_risk(demo, client):
    """Re-planning M07 to end later (and M05, M08 after it) removes the warnings."""
    m07 = Measure.by_code("M07")
    values = values_of(m07)
    values["planned_end"] = values["planned_end"].replace(year=2030)
    save_measure(m07, values=values, body=m07.page.latest().body, author=make_user("k.becker"),
                 summary="Neuplanung")
    for code in ("M05", "M08"):
        measure = Measure.by_code(code)
        values = values_of(measure)
        values["planned_start"] = values["planned_start"].replace(year=2031)
        values["planned_end"] = values["planned_end"].replace(year=2032)
        save_measure(measure, values=values, body=measure.page.latest().body,
                     author=make_user("k.becker"), summary="Neuplanung")
    assert warnings(client, "M07") == []
    assert warnings(client, "M05") == []


def test_architecture_shows_six_columns_and_fourteen_cards(demo, client):
    """The architecture has a column per action field, a card per measure, and the counts."""
    page = BeautifulSoup(client.get("/architecture").text, "html.parser")
    assert page.find("h1").get_text() == "Architektur der Strategie"  # any programme's
    assert len(page.select(".field-grid > section.action-field")) == 6
    assert len(page.select("article.measure-card")) == 14
    table = page.find("table", class_="counts-table")
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    assert headers[:3] == ["Handlungsfeld", "geplant", "in Vorbereitung"]
    total = table.select_one("tfoot tr").find_all("td")
    assert total[headers.index("Summe") - 1].get_text() == "14"
    rows = {tr.th.a.get_text(): tr for tr in table.select("tbody tr")}
    assert list(rows) == ["HF1", "HF2", "HF3", "HF4", "HF5", "HF6"]
    assert rows["HF3"].find_all("td")[headers.index("gefährdet") - 1].get_text() == "1"


def test_architecture_flags_stale_measures(demo, client, app):
    """An open measure without a recent report says so in words."""
    app.config["STALE_REPORT_DAYS"] = 300
    assert any("kein Bericht seit" in w for w in warnings(client, "M14"))
    app.config["STALE_REPORT_DAYS"] = 100000
    restart(app)  # a changed setting applies after a restart, which drops kept pages
    assert not any("Bericht" in w for w in warnings(client, "M14"))


def test_architecture_without_a_programme(client):
    """An empty instance explains itself instead of failing."""
    response = client.get("/architecture")
    assert response.status_code == 200
    assert "noch keine Strategie" in response.text


def at_risk_on_every_overview(client, code):
    """Return, per overview, whether a measure is shown as at risk there."""
    shown = {}
    for url, selector in (("/architecture", f"#card-{code}"),
                          ("/timeline", "#timeline-table tbody tr"),
                          ("/dependencies", ".dependency-list tbody tr")):
        page = BeautifulSoup(client.get(url).text, "html.parser")
        if url == "/architecture":
            scope = page.select_one(selector).find_parent("article")
        else:
            scope = next(tr for tr in page.select(selector)
                         if tr.th and tr.th.get_text(strip=True).startswith(code))
        shown[url] = any("gefährdet durch M07" in li.get_text()
                         for li in scope.select("ul.warnings li"))
    return shown


def test_making_m07_late_puts_m05_and_m08_at_risk_everywhere(demo, client):
    """With M07 on time nothing hangs on it; once its dates make it late, M05 and M08 are at
    risk on the architecture, the timeline and the dependency graph."""
    author = make_user("k.becker")
    m07 = Measure.by_code("M07")
    on_time = dict(values_of(m07), planned_end=date(2030, 6, 30))
    save_measure(m07, values=on_time, body=m07.page.latest().body, author=author,
                 summary="Neuplanung")
    for code in ("M05", "M08"):
        assert not any(at_risk_on_every_overview(client, code).values())
    late = dict(on_time, planned_end=date(2026, 6, 30))
    save_measure(Measure.by_code("M07"), values=late, body=m07.page.latest().body,
                 author=author, summary="Ende nicht zu halten")
    for code in ("M05", "M08"):
        assert all(at_risk_on_every_overview(client, code).values())


def verdicts(client, code):
    """Return the verdicts near a measure's title, as text."""
    page = BeautifulSoup(client.get(f"/measures/{code}").text, "html.parser")
    found = page.select_one("header.page-header ul.verdicts")
    return [li.get_text(" ", strip=True) for li in found.select("li.verdict-item")] if found else []


def test_a_measure_page_says_what_the_overviews_say(demo, client):
    """M07's page says it is delayed and by how much; M05 and M08 name the chain and its cause;
    M03 finished late and says so, never "verzögert"; a legal deadline gets its verdict."""
    today = date.today()
    m07 = Measure.by_code("M07")
    days = (today - m07.planned_end).days
    assert any(v.startswith("◔ verzögert") and f"seit {days} Tagen überschritten" in v
               and "30.06.2026" in v for v in verdicts(client, "M07"))
    for code in ("M05", "M08"):
        said = [v for v in verdicts(client, code) if "gefährdet durch" in v]
        assert said and f"M07 → {code}" in said[0]
        assert f"M07 ist um {days} Tage verzögert" in said[0]
    m03 = verdicts(client, "M03")
    assert not any("verzögert" in v for v in m03)
    late = (Measure.by_code("M03").actual_end - Measure.by_code("M03").planned_end).days
    assert any(f"abgeschlossen ({late} Tage später als geplant)" in v for v in m03)
    m01 = verdicts(client, "M01")
    assert any(v.startswith("§ Gesetzliche Frist 31.12.2022") for v in m01)
    assert not any("verzögert" in v for v in verdicts(client, "M06"))


def test_every_page_counts_the_same_delayed_measures(demo, client):
    """The start page, the architecture, the API, the status filter and the cards agree on
    "verzögert": open measures past their planned end, not those that finished late."""
    api = client.get("/api/measures?status=delayed").get_json()["items"]
    codes = sorted(m["code"] for m in api)
    assert "M03" not in codes and "M07" in codes
    listed = BeautifulSoup(client.get("/measures?status=delayed").text, "html.parser")
    assert sorted(a.get_text(strip=True).split()[0] for a in listed.select("table tbody a")) \
        == codes
    cards = [m.code for m in Measure.select()
             if any(w.startswith("◔ verzögert") for w in warnings(client, m.code))]
    assert sorted(cards) == codes
    start = BeautifulSoup(client.get("/").text, "html.parser")
    assert start.select("#status-all td.number")[1].get_text(strip=True) == str(len(codes))
    architecture = BeautifulSoup(client.get("/architecture").text, "html.parser")
    footer = [td.get_text(strip=True) for td in architecture.select("tfoot tr td")]
    assert footer[-2] == str(len(codes))
