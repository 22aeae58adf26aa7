"""The timeline: bars in date order, prerequisite arrows, filters, the table view."""
import re
from datetime import date

import pytest
from bs4 import BeautifulSoup

from wiki.domain.timeline import LABEL_WIDTH, period, x_of

pytestmark = pytest.mark.postgres


def soup(response):
    """Parse HTML."""
    return BeautifulSoup(response.text, "html.parser")


def planned_x(page, code):
    """Return the x of a measure's planned bar in the SVG."""
    link = page.find("a", class_="bar-link", href=f"/measures/{code}")
    return int(link.find("rect", class_="bar-planned")["x"])


def test_bars_follow_the_dates(demo, client):
    """M01 starts before M02; M06 before M07 before M08."""
    page = soup(client.get("/timeline"))
    assert planned_x(page, "M01") < planned_x(page, "M02")
    assert planned_x(page, "M06") < planned_x(page, "M07") < planned_x(page, "M08")


def test_prerequisites_are_drawn_as_arrows(demo, client):
    """Each prerequisite is an arrow with a text title."""
    page = soup(client.get("/timeline"))
    titles = {p.title.get_text() for p in page.select("path.dependency-arrow")}
    assert {"M06 ist Voraussetzung für M07", "M07 ist Voraussetzung für M08",
            "M01 ist Voraussetzung für M02"} <= titles


def test_table_view_holds_the_same_data(demo, client):
    """The table lists every measure with its plan, prerequisites and slip."""
    rows = {tr.th.get_text(" ", strip=True)[:3]: tr
            for tr in soup(client.get("/timeline")).select("#timeline-table tbody tr")
            if tr.td}
    assert len(rows) == 14
    m07 = [td.get_text(" ", strip=True) for td in rows["M07"].find_all("td")]
    assert "2023-Q1 – 2026-Q2" in m07
    assert "M06" in m07
    assert "+181 Tage" in m07


@pytest.mark.parametrize("query, shown", [
    ("field=HF3", ["M06", "M07", "M08"]),
    ("obligation=standard", ["M06", "M07"]),
    ("status=at_risk", ["M05", "M08"]),
    ("field=HF3&status=done", ["M06"]),
    ("field=HF9", []),
])
def test_filters(demo, client, query, shown):
    """Filters by field, marking and (derived) status narrow both chart and table."""
    page = soup(client.get(f"/timeline?{query}"))
    codes = [a["href"].rsplit("/", 1)[1] for a in page.select("a.bar-link")]
    assert codes == shown
    assert len([tr for tr in page.select("#timeline-table tbody tr") if tr.td]) == len(shown)


def test_htmx_gets_only_the_chart(demo, client):
    """A filter change through htmx returns the fragment, not the page."""
    response = client.get("/timeline?field=HF1", headers={"HX-Request": "true",
                                                           "HX-Target": "timeline"})
    assert "<h1" not in response.text and "bar-link" in response.text


def test_period_covers_whole_years():
    """The axis spans whole years around the strategy period."""
    assert period([], date(2022, 3, 1), date(2026, 6, 30)) == (date(2022, 1, 1),
                                                                date(2026, 12, 31))
    assert x_of(date(2022, 1, 1), date(2022, 1, 1), date(2026, 12, 31)) == LABEL_WIDTH


def test_dependency_graph_layers_and_risk_edges(demo, client):
    """M06 is left of M07, M07 left of M08; the edges of M07's risk chains are marked."""
    page = soup(client.get("/dependencies"))
    nodes = {a["href"].rsplit("/", 1)[1]: int(a.rect["x"]) for a in page.select("a.graph-node")}
    assert nodes["M06"] < nodes["M07"] < nodes["M08"]
    assert "M04" not in nodes  # no prerequisites, no dependents: listed below the graph
    assert "M04" in page.find("figcaption").get_text()
    assert len(page.select("path.graph-edge.risk")) == 2
    rows = {tr.th.get_text(" ", strip=True)[:3]: [td.get_text("", strip=True)
                                                  for td in tr.find_all("td")]
            for tr in page.select(".dependency-list tbody tr")}
    assert rows["M07"][1:3] == ["M06", "M05,M08"]


def test_graph_layers_follow_the_longest_path():
    """A measure sits one layer right of its latest prerequisite."""
    from wiki.domain.graph import layers

    assert layers(["A", "B", "C", "D"], {"B": ["A"], "C": ["A", "B"]}) == [["A", "D"], ["B"],
                                                                           ["C"]]


def table_row(page, code):
    """Return the cell texts of a measure's row in the timeline table."""
    for tr in page.select("#timeline-table tbody tr"):
        if tr.td and tr.th.get_text(strip=True).startswith(code):
            return [td.get_text(" ", strip=True) for td in tr.find_all("td")]
    return None


def test_as_of_before_a_replan_shows_the_old_plan(demo, client):
    """On 1 June 2022 M07 was still planned to end in 2025-Q4, and was not yet late."""
    page = soup(client.get("/timeline?as_of=2022-06-01"))
    assert "Sie sehen den Stand vom 01.06.2022" in page.find(class_="as-of-note").get_text()
    assert "2023-Q1 – 2025-Q4" in table_row(page, "M07")
    today = soup(client.get("/timeline"))
    assert "2023-Q1 – 2026-Q2" in table_row(today, "M07")


@pytest.mark.parametrize("url", ["/architecture", "/dependencies", "/timeline", "/"])
def test_every_overview_accepts_as_of(demo, client, url):
    """Each overview answers for a past day and names it."""
    response = client.get(f"{url}?as_of=2023-01-15")
    assert response.status_code == 200
    if url != "/":
        assert "15.01.2023" in soup(response).find(class_="as-of-note").get_text()


@pytest.mark.parametrize("value, message", [
    ("2023-13-01", "»2023-13-01« ist für »Stand am« kein Tag"),
    ("gestern", "»gestern« ist für »Stand am« kein Tag"),
    ("2099-01-01", "liegt in der Zukunft"),
    ("2999-01-01", "außerhalb des erlaubten Bereichs"),
])
def test_bad_as_of_is_explained(demo, client, value, message):
    """A bad date gets a German message next to the date field, and today's state."""
    response = client.get(f"/architecture?as_of={value}")
    assert response.status_code == 400
    page = soup(response)
    assert message in page.find(id="as_of-error").get_text()
    assert page.find(id="as_of")["aria-invalid"] == "true"
    assert len(page.select("article.measure-card")) == 14


def test_baseline_draws_the_old_plan_and_names_the_shift(demo, client):
    """Against the plan of 1 June 2022, M07's end moved by half a year."""
    page = soup(client.get("/timeline?baseline=2022-06-01"))
    assert "Verglichen mit dem Plan vom 01.06.2022" in page.find(class_="baseline-note").get_text()
    m07 = page.find("a", class_="bar-link", href="/measures/M07")
    assert m07.find("rect", class_="bar-baseline")
    assert "2023-Q1 – 2025-Q4 Ende +181 Tage" in table_row(page, "M07")
    assert client.get("/timeline?baseline=kaputt").status_code == 400


def test_names_are_whole_arrows_orthogonal_and_the_legend_complete(demo, client):
    """Bars carry the measure's whole name (two lines, not cut at 28 characters); arrows run
    in horizontal and vertical steps only; the legend names arrows and date conflicts."""
    page = soup(client.get("/timeline"))
    labels = {" ".join(t.get_text(" ").split()) for t in page.select("text.bar-label")}
    assert any("Zentrales Dokumentenmanagementsystem und E-Akte" in label for label in labels)
    for path in page.select("path.dependency-arrow"):
        assert re.fullmatch(r"M[\d.-]+,[\d.-]+( [HV][\d.-]+)+", path["d"]), path["d"]
    legend = page.select_one("ul.timeline-legend").get_text(" ")
    assert "Voraussetzung" in legend and "Terminkonflikt" in legend and "heute" in legend
