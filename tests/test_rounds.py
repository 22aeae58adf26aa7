"""Report rounds: list, round page, council report, Markdown export, the admin form."""
import datetime
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from playhouse.test_utils import count_queries

from tests.conftest import make_user
from wiki.cli import DEMO
from wiki.domain import programme, rounds
from wiki.domain.markdown import render
from wiki.exchange import files
from wiki.models import ActionField, Measure, ReportRound, StatusReport

pytestmark = pytest.mark.postgres

ROLES = ["anonymous", "reader", "editor", "admin"]
TODAY = datetime.date(2026, 12, 1)
FIELD_TITLES = [
    "HF1 Digitale Verwaltungsleistungen für Bürgerschaft und Wirtschaft",
    "HF2 Elektronischer Post- und Rechnungseingang",
    "HF3 Elektronische Aktenführung und Schriftgutverwaltung",
    "HF4 Prozesse und Steuerung",
    "HF5 Moderne Arbeitswelt",
    "HF6 Grundlagen und Befähigung",
]
MEASURES_BY_FIELD = [["M01", "M02", "M03"], ["M04", "M05"], ["M06", "M07", "M08"],
                     ["M09", "M10"], ["M11", "M12"], ["M13", "M14"]]


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def text(node):
    """Return a node's text with whitespace collapsed."""
    return " ".join(node.get_text().split())


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Fix today's date, so that "overdue" and "erstellt am" do not depend on the clock."""
    monkeypatch.setattr(programme, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def as_role(client, login):
    """Return a function that logs in with a role (or stays anonymous)."""
    def become(role):
        if role != "anonymous":
            login(role)
        return client
    return become


def demo_report(code, day):
    """Return the demo's report of a measure on a day."""
    return (StatusReport.select()
            .join(Measure)
            .where((Measure.code == code) & (StatusReport.date == day))
            .get())


def demo_body(code, day):
    """Return the Markdown body of a demo report file."""
    return files.parse((Path(DEMO) / "reports" / code / f"{day}.md").read_text())[1]


def round_state():
    """Return every round's stored columns, to prove that nothing changed."""
    return [tuple(row.__data__.values()) for row in ReportRound.select().order_by(ReportRound.id)]


# The list of rounds

def test_index_lists_rounds_newest_first_with_counts(demo, client):
    """The rounds are listed newest first with period, due date and the three counts."""
    response = client.get("/reports")
    assert response.status_code == 200
    rows = soup(response).select("table.rounds-table tbody tr")
    assert [text(row.th) for row in rows] == [
        "Sachstandsbericht 2026/III", "Sachstandsbericht 2024/II", "Sachstandsbericht 2022/IV"]
    assert rows[0].th.a["href"] == "/reports/2026-q3"
    cells = [[text(td) for td in row.find_all("td")] for row in rows]
    assert cells == [
        ["3. Quartal 2026", "15.10.2026 ⚠ überfällig: 1 Bericht fehlt", "11", "1", "2"],
        ["2. Quartal 2024", "15.07.2024", "11", "0", "3"],
        ["4. Quartal 2022", "20.01.2023", "11", "0", "3"],
    ]


def test_index_is_not_overdue_before_the_due_date(demo, client, monkeypatch):
    """Before its due date a round with missing reports is not marked overdue."""
    monkeypatch.setattr(programme, "today", lambda: datetime.date(2026, 10, 1))
    page = soup(client.get("/reports"))
    assert not page.select(".overdue")
    assert text(page.select("table.rounds-table tbody tr")[0].find_all("td")[1]) == "15.10.2026"


def test_index_without_rounds(client):
    """Without rounds the list says so."""
    page = soup(client.get("/reports"))
    assert text(page.find(class_="none")) == "Noch keine Berichtsrunden."


def test_index_answers_with_and_without_slash(demo, client):
    """/reports is the address; /reports/ shows the same list."""
    assert client.get("/reports/").status_code == 200
    assert soup(client.get("/reports")).find("h1").get_text() == "Berichtsrunden"


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_see_the_new_round_button(demo, as_role, role):
    """The button for a new round shows for admins only."""
    page = soup(as_role(role).get("/reports"))
    links = [a["href"] for a in page.select("main a")]
    assert ("/reports/new" in links) == (role == "admin")


def test_index_queries_do_not_grow_with_the_rounds(demo, client):
    """Three rounds or eight: the list runs the same number of queries."""
    client.get("/reports")
    with count_queries() as few:
        client.get("/reports")
    for number in range(5):
        ReportRound.create(slug=f"runde-{number}", title=f"Runde {number}",
                           period=f"2025-Q{number % 4 + 1}", due_date=TODAY)
    with count_queries() as many:
        client.get("/reports")
    assert many.count == few.count


# The round page

@pytest.mark.parametrize("role", ROLES)
def test_round_page_for_every_role(demo, as_role, role):
    """Everyone may read a round; only admins get the edit link."""
    response = as_role(role).get("/reports/2024-q2")
    assert response.status_code == 200
    page = soup(response)
    assert text(page.h1) == "Sachstandsbericht 2024/II"
    actions = {text(a): a["href"] for a in page.select(".page-header .actions a")}
    assert actions["Ratsbericht (Druckansicht)"] == "/reports/2024-q2/council"
    assert actions["Ratsbericht als Markdown"] == "/reports/2024-q2/council.md"
    assert ("Bearbeiten" in actions) == (role == "admin")
    if role == "admin":
        assert actions["Bearbeiten"] == "/reports/2024-q2/edit"


def test_round_page_shows_counts_intro_and_projects(demo, client):
    """The counts, the intro with its wiki links and the cross-measure projects are shown."""
    page = soup(client.get("/reports/2024-q2"))
    counts = {text(div.dt): text(div.dd) for div in page.select(".round-counts div")}
    assert counts == {"Berichte liegen vor": "11", "Berichte fehlen": "0", "nicht fällig": "3"}
    assert "2. Quartal 2024" in text(page.find(class_="round-facts"))
    intro = page.find("section", class_="round-intro")
    assert intro.find("a", string="M07")["href"] == "/measures/M07"
    projects = page.find("section", class_="round-projects")
    assert text(projects.h2) == "Maßnahmenübergreifende Projekte"
    assert [text(s) for s in projects.select("strong")] == [
        "Forschungsprojekt DIGILOG.", "Fördermittelcheck E-Government."]
    assert "Maßnahmenübergreifende Projekte" not in text(intro)


def test_round_page_lists_every_measure_by_field(demo, client):
    """Each action field lists its measures in order, each with a row."""
    page = soup(client.get("/reports/2024-q2"))
    sections = page.select("section.round-field")
    assert [text(s.h2) for s in sections] == FIELD_TITLES
    assert [[row["id"].removeprefix("entry-") for row in s.select("tbody tr")]
            for s in sections] == MEASURES_BY_FIELD


def test_round_page_shows_the_report_of_a_measure(demo, client):
    """A reported measure shows light, status, progress, date, author, excerpt and link."""
    report = demo_report("M07", datetime.date(2024, 6, 26))
    row = soup(client.get("/reports/2024-q2")).find("tr", id="entry-M07")
    assert row["class"] == ["entry-done"]
    assert text(row.find(class_="light")) == "Ampel: grün"
    assert text(row.find(class_="status")) == "in Betrieb / Roll-out"
    assert row.find("progress")["value"] == "44"
    assert text(row.find(class_="report-line")) == "26.06.2024 · Thomas Schmitz"
    assert text(row.find(class_="report-excerpt")).startswith(
        "Die Wohngeldstelle und Teile der Personalentwicklung arbeiten produktiv")
    link = row.select_one('a[href*="#report-"]')
    assert link["href"] == f"/measures/M07#report-{report.id}"
    assert text(link) == "Bericht lesen (M07)"


def test_round_page_says_why_a_measure_is_not_due(demo, client):
    """Measures that need not report say why, in words."""
    rows = {row["id"]: row for row in soup(client.get("/reports/2022-q4")).select("tbody tr")}
    assert text(rows["entry-M05"].td) == "Kein Bericht fällig: beginnt erst 2023-Q3"
    assert text(rows["entry-M08"].td) == "Kein Bericht fällig: beginnt erst 2024-Q1"
    assert text(rows["entry-M12"].td) == "Kein Bericht fällig: beginnt erst 2023-Q1"
    later = {row["id"]: row for row in soup(client.get("/reports/2024-q2")).select("tbody tr")}
    assert text(later["entry-M02"].td) == (
        "Kein Bericht fällig: abgeschlossen vor diesem Zeitraum")
    assert [row["id"] for row in later.values() if "entry-not_due" in row["class"]] == [
        "entry-M02", "entry-M04", "entry-M06"]


def test_round_page_names_whom_to_ask_for_a_missing_report(demo, client):
    """A missing report is marked in words with the measure's owner and contact person."""
    page = soup(client.get("/reports/2026-q3"))
    row = page.find("tr", id="entry-M14")
    assert row["class"] == ["entry-missing"]
    assert text(row.td) == ("✎ Bericht fehlt – Verantwortlich: Personal und Organisation; "
                            "Ansprechperson: Katrin Becker")
    assert "überfällig: 1 Bericht fehlt" in text(page.find(class_="round-facts"))


def test_a_dropped_measure_is_not_due(demo, client):
    """A measure stopped before or without an end date needs no report: it says "eingestellt"."""
    Measure.update(status="dropped").where(Measure.code == "M14").execute()
    page = soup(client.get("/reports/2026-q3"))
    assert text(page.find("tr", id="entry-M14").td) == "Kein Bericht fällig: eingestellt"
    counts = [text(dd) for dd in page.select(".round-counts dd")]
    assert counts == ["11", "0", "3"]
    assert not page.select(".overdue")


def test_the_newest_report_of_the_period_counts(demo, client):
    """With two reports in the period, the round shows the newer one."""
    m07 = Measure.by_code("M07")
    newer = StatusReport.create(measure=m07, date=datetime.date(2024, 6, 30), period="2024-Q2",
                                status="active", traffic_light="red", progress=45,
                                body="Nachtrag", html="<p>Nachtrag zum Quartal.</p>")
    StatusReport.create(measure=m07, date=datetime.date(2024, 7, 3), period="2024-Q3",
                        status="active", traffic_light="green", progress=46, body="später",
                        html="<p>Anderes Quartal.</p>")
    row = soup(client.get("/reports/2024-q2")).find("tr", id="entry-M07")
    assert text(row.find(class_="light")) == "Ampel: rot"
    assert text(row.find(class_="report-excerpt")) == "Nachtrag zum Quartal."
    assert text(row.find(class_="report-line")) == "30.06.2024"
    assert row.select_one('a[href*="#report-"]')["href"].endswith(f"-{newer.id}")


def test_round_page_queries_do_not_grow_with_the_reports(demo, client):
    """The round page costs the same number of queries with more reports and contacts."""
    client.get("/reports/2024-q2")
    with count_queries() as few:
        client.get("/reports/2024-q2")
    author = make_user("n.neu", name="Nora Neu")
    for measure in Measure.select():
        StatusReport.create(measure=measure, date=datetime.date(2024, 6, 30), period="2024-Q2",
                            status="active", traffic_light="green", progress=50, body="x",
                            html="<p>x</p>", author=author)
    with count_queries() as many:
        client.get("/reports/2024-q2")
    assert many.count == few.count


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, kind", [
    ("/reports", "text/html; charset=utf-8"),
    ("/reports/2026-q3", "text/html; charset=utf-8"),
    ("/reports/2026-q3/council", "text/html; charset=utf-8"),
    ("/reports/2026-q3/council.md", "text/markdown; charset=utf-8"),
])
def test_every_role_reads_rounds(demo, as_role, role, url, kind):
    """Reading rounds, the council report and its export is open to every role."""
    response = as_role(role).get(url)
    assert (response.status_code, response.headers["Content-Type"]) == (200, kind)
    if kind.startswith("text/html"):
        edit = role == "admin" and url == "/reports/2026-q3"  # the print layout has no buttons
        assert ("/reports/2026-q3/edit" in response.text) == edit


@pytest.mark.parametrize("url", ["/reports/nope", "/reports/nope/council",
                                 "/reports/nope/council.md", "/reports/2024-Q2"])
def test_unknown_round_is_404(demo, client, url):
    """An unknown slug (slugs are lower case) answers 404."""
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/reports/2024-q2", "/reports/2024-q2/council",
                                 "/reports/2024-q2/council.md"])
def test_read_views_change_nothing_by_post(demo, client, login, url):
    """The read views take no POST."""
    login("admin")
    assert client.post(url).status_code == 405


def test_reading_needs_login_when_the_setting_says_so(demo, client, app):
    """With READ_WITHOUT_LOGIN off, anonymous visitors are sent to the login page."""
    app.config["READ_WITHOUT_LOGIN"] = False
    for url in ["/reports", "/reports/2024-q2", "/reports/2024-q2/council",
                "/reports/2024-q2/council.md"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


OLD = datetime.date(2022, 1, 1)


@pytest.mark.parametrize("measure, expected", [
    ({"planned_start": datetime.date(2024, 7, 1)}, "beginnt erst 2024-Q3"),
    ({"planned_start": datetime.date(2024, 7, 1), "actual_start": datetime.date(2024, 6, 1)},
     None),
    ({"planned_start": datetime.date(2024, 6, 30)}, None),
    ({"actual_start": datetime.date(2025, 1, 2)}, "beginnt erst 2025-Q1"),
    ({}, "noch kein Beginn geplant"),
    ({"planned_start": OLD, "status": "done", "actual_end": datetime.date(2024, 3, 31)},
     "abgeschlossen vor diesem Zeitraum"),
    ({"planned_start": OLD, "status": "done", "actual_end": datetime.date(2024, 4, 1)}, None),
    ({"planned_start": OLD, "status": "done"}, None),
    ({"status": "dropped"}, "eingestellt"),
    ({"planned_start": OLD, "status": "dropped", "actual_end": datetime.date(2024, 5, 1)},
     None),
    ({"planned_start": OLD, "status": "paused"}, None),
])
def test_not_due_reason(app, measure, expected):
    """Whether a measure must report for 2024-Q2, and if not, why."""
    values = {"status": "active", "planned_start": None, "actual_start": None,
              "actual_end": None, **measure}
    with app.test_request_context():
        reason = rounds.not_due_reason(SimpleNamespace(**values), datetime.date(2024, 4, 1),
                                       datetime.date(2024, 6, 30))
    assert reason == expected


# The council report

def test_council_report_has_title_dates_and_contents(demo, client):
    """The council report names the round, its due date and today, with a table of contents."""
    response = client.get("/reports/2024-q2/council")
    assert response.status_code == 200
    page = soup(response)
    assert text(page.h1) == "Sachstandsbericht 2024/II"
    assert page.find(class_="council-programme") is not None
    dates = {text(div.dt): text(div.dd) for div in page.select(".council-dates div")}
    assert dates == {"Berichtszeitraum": "2. Quartal 2024", "Fällig am": "15.07.2024",
                     "Erstellt am": "01.12.2026"}
    toc = page.find("nav", class_="council-toc")
    top = [a for a in toc.select("ol > li > a")]
    assert [text(a) for a in top] == ["Einleitung", "Überblick", *FIELD_TITLES,
                                      "Maßnahmenübergreifende Projekte"]
    assert [a["href"] for a in top] == ["#intro", "#overview",
                                        *(f"#field-HF{n}" for n in range(1, 7)), "#projects"]
    for link in toc.find_all("a"):
        assert page.find(id=link["href"][1:]) is not None, link["href"]


def test_council_report_opens_with_every_measure_on_one_table(demo, client):
    """The overview lists every measure once, in the fields' order, with its report's light
    (or that it is missing or not due), its status, planned end and how its date stands, in
    the same words as everywhere ("verzögert um N Tage", never for a measure finished late)."""
    page = soup(client.get("/reports/2024-q2/council"))
    rows = page.select("#overview tbody tr")
    assert [text(row.th).split()[0] for row in rows] == [f"M{n:02d}" for n in range(1, 15)] \
        or len(rows) == 14
    by_code = {text(row.th).split()[0]: [text(td) for td in row.find_all("td")] for row in rows}
    assert by_code["M07"][3].startswith("verzögert um ")
    assert "verzögert" not in by_code["M03"][3] and "später als geplant" in by_code["M03"][3]
    assert by_code["M07"][2] == "30.06.2026"


def test_council_report_shows_each_measure_with_its_report(demo, client):
    """Each field section lists its measures: heading, marking, light, status, progress, text."""
    page = soup(client.get("/reports/2024-q2/council"))
    sections = page.select("section.council-field")
    assert [text(s.h2) for s in sections] == FIELD_TITLES
    assert [[a["id"].removeprefix("measure-") for a in s.select("article")]
            for s in sections] == MEASURES_BY_FIELD
    m07 = page.find("article", id="measure-M07")
    assert text(m07.h3) == "M07 Zentrales Dokumentenmanagementsystem und E-Akte"
    assert text(m07.find(class_="marking")) == "◆ Standard, künftig verpflichtend"
    assert text(m07.find(class_="light")) == "Ampel: grün"
    assert text(m07.find(class_="status")) == "in Betrieb / Roll-out"
    assert m07.find("progress")["value"] == "44"
    assert text(m07.find(class_="content")).startswith("Die Wohngeldstelle und Teile")
    assert text(m07.find(class_="byline")) == "Bericht vom 26.06.2024, Thomas Schmitz"
    m02 = page.find("article", id="measure-M02")
    assert m02.find(class_="light") is None and m02.find("progress") is None
    assert text(m02.find(class_="report-not-due")) == (
        "Kein Bericht fällig: abgeschlossen vor diesem Zeitraum")
    projects = page.find("section", id="projects")
    assert "Forschungsprojekt DIGILOG." in text(projects)


def test_council_report_notes_missing_reports(demo, client):
    """A missing report is noted with whom to ask; without projects there is no such part."""
    page = soup(client.get("/reports/2026-q3/council"))
    m14 = page.find("article", id="measure-M14")
    assert "entry-missing" in m14["class"]
    assert text(m14.find(class_="report-missing-note")) == (
        "✎ Bericht fehlt – Verantwortlich: Personal und Organisation; "
        "Ansprechperson: Katrin Becker")
    assert page.find(id="projects") is None
    assert "#projects" not in [a["href"] for a in page.select(".council-toc a")]
    assert "fehlende Berichte: 1" in text(page.find(class_="council-counts"))


def test_council_report_moves_report_headings_below_the_measure(demo, client):
    """A report's own headings come below the measure's h3, so the outline stays sound."""
    body = "# Stand\n\nText.\n\n## Risiken\n\nKeine."
    StatusReport.create(measure=Measure.by_code("M07"), date=datetime.date(2024, 6, 30),
                        period="2024-Q2", status="active", traffic_light="yellow",
                        progress=45, body=body, html=str(render(body)))
    article = soup(client.get("/reports/2024-q2/council")).find("article", id="measure-M07")
    assert [(h.name, text(h)) for h in article.find_all(re.compile("^h[1-6]$"))] == [
        ("h3", "M07 Zentrales Dokumentenmanagementsystem und E-Akte"),
        ("h4", "Stand"), ("h5", "Risiken")]


# The Markdown export

def markdown_sections(markdown):
    """Return {heading line: the text up to the next heading of any level}."""
    sections, heading = {}, None
    for block in markdown.rstrip("\n").split("\n\n"):
        if re.match(r"#{1,3} ", block):
            heading = block
            sections[heading] = []
        elif heading:
            sections[heading].append(block)
    return sections


def test_markdown_export_is_a_named_attachment(demo, client):
    """The export is Markdown in UTF-8, sent as a file named after the round."""
    response = client.get("/reports/2024-q2/council.md")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="ratsbericht-2024-q2.md"')


def test_markdown_export_of_the_demo_round(demo, client):
    """The 2024-Q2 export has the expected outline, facts in words and the reports' texts."""
    markdown = client.get("/reports/2024-q2/council.md").get_data(as_text=True)
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")
    headings = re.findall(r"^#{1,6} .*$", markdown, re.M)
    measures = [m.code + " " + m.title for m in Measure.listing()]
    expected = ["# Sachstandsbericht 2024/II", "## Einleitung"]
    for title, codes in zip(FIELD_TITLES, MEASURES_BY_FIELD, strict=True):
        expected.append(f"## {title}")
        expected += [f"### {name}" for name in measures if name.split()[0] in codes]
    assert headings == [*expected, "## Maßnahmenübergreifende Projekte"]
    blocks = markdown.split("\n\n")
    assert blocks[1] == ("Berichtszeitraum: 2. Quartal 2024  \nFällig am: 15.07.2024  \n"
                         "Erstellt am: 01.12.2026")
    assert blocks[2] == "Vorliegende Berichte: 11 · fehlende Berichte: 0 · nicht fällig: 3"
    sections = markdown_sections(markdown)
    intro = "\n\n".join(sections["## Einleitung"])
    assert "([[M07]])" not in intro and "vorbereitet (M07)." in intro
    assert sections["### M07 Zentrales Dokumentenmanagementsystem und E-Akte"] == [
        "Kennzeichnung: Standard, künftig verpflichtend · Ampel: grün · "
        "Status: in Betrieb / Roll-out · Fortschritt: 44 %",
        demo_body("M07", "2024-06-26"),
        "*Bericht vom 26.06.2024, Thomas Schmitz*",
    ]
    assert sections["### M01 Serviceportal und Onlinedienste (OZG)"][1] == demo_body(
        "M01", "2024-06-27").replace("([[M03]])", "(M03)")
    assert sections["### M02 E-Payment im Serviceportal"] == [
        "Kennzeichnung: gesetzlich erforderlich",
        "*Kein Bericht fällig: abgeschlossen vor diesem Zeitraum.*",
    ]
    projects = sections["## Maßnahmenübergreifende Projekte"]
    assert projects[0].startswith("**Forschungsprojekt DIGILOG.**")
    assert projects[1].endswith("Portfoliosteuerung eingeflossen (M10); siehe "
                                "Sachstandsbericht 2022/IV.")


def test_markdown_export_notes_missing_reports(demo, client):
    """A missing report is noted with owner and contact; no projects, no projects heading."""
    markdown = client.get("/reports/2026-q3/council.md").get_data(as_text=True)
    sections = markdown_sections(markdown)
    assert sections["### M14 Digitalkompetenz und Change-Management"] == [
        "Kennzeichnung: verwaltungsintern",
        "**Bericht fehlt.** Verantwortlich: Personal und Organisation; "
        "Ansprechperson: Katrin Becker",
    ]
    assert "## Maßnahmenübergreifende Projekte" not in sections


def test_markdown_export_shifts_report_headings(demo, client):
    """Headings inside a report come below the measure's ###; code blocks stay as they are."""
    body = "# Stand\n\nText.\n\n```\n# kein Titel\n```\n\nRisiken\n-------\n\nKeine."
    StatusReport.create(measure=Measure.by_code("M07"), date=datetime.date(2024, 6, 30),
                        period="2024-Q2", status="active", traffic_light="yellow",
                        progress=45, body=body, html=str(render(body)))
    markdown = client.get("/reports/2024-q2/council.md").get_data(as_text=True)
    part = markdown.split("### M07 ")[1].split("### M08 ")[0]
    assert "\n#### Stand\n\nText.\n\n```\n# kein Titel\n```\n\n##### Risiken\n\nKeine.\n" in part


@pytest.mark.parametrize("source, top, expected", [
    ("Text ohne Titel.", 4, "Text ohne Titel."),
    ("# Eins\n\n## Zwei", 4, "#### Eins\n\n##### Zwei"),
    ("### Drei\n\n#### Vier", 4, "#### Drei\n\n##### Vier"),
    ("##### Tief", 4, "##### Tief"),
    ("# A\n\n###### F", 4, "#### A\n\n###### F"),
    ("# Titel #\n\nC# bleibt", 3, "### Titel\n\nC# bleibt"),
    ("Titel\n=====\n\nText", 4, "#### Titel\n\nText"),
    ("Absatz\nzweite Zeile\n---", 4, "Absatz\nzweite Zeile\n---"),
    ("~~~\n# Code\n~~~\n\n# Echt", 4, "~~~\n# Code\n~~~\n\n#### Echt"),
    ("Siehe [[M07]] und [[Glossar|das Glossar]].", 4, "Siehe M07 und das Glossar."),
    ("`[[M07]]`\n\n```\n[[M07]]\n```", 4, "`M07`\n\n```\n[[M07]]\n```"),
    ("#hashtag", 4, "#hashtag"),
])
def test_plain_markdown(source, top, expected):
    """Headings move to start at level top (at most 6); wiki links become their text."""
    assert rounds.plain_markdown(source, top) == expected


# The admin form

FORM = {"title": "Sachstandsbericht 2025/II", "slug": "2025-q2", "period": "2025-Q2",
        "due_date": "2025-07-15", "body": "Einleitung mit [[M07]].",
        "projects": "**DIGILOG** läuft weiter."}


@pytest.mark.parametrize("url", ["/reports/new", "/reports/2024-q2/edit"])
@pytest.mark.parametrize("role, status", [("anonymous", 302), ("reader", 403), ("editor", 403),
                                          ("admin", 200)])
def test_form_is_for_admins(demo, as_role, url, role, status):
    """Only admins get the form; anonymous visitors are sent to the login page."""
    response = as_role(role).get(url)
    assert response.status_code == status
    if role == "anonymous":
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("url", ["/reports/new", "/reports/2024-q2/edit"])
@pytest.mark.parametrize("role, status", [("anonymous", 401), ("reader", 403), ("editor", 403)])
def test_only_admins_may_save(demo, as_role, url, role, status):
    """A non-admin's post is refused and changes nothing."""
    before = round_state()
    response = as_role(role).post(url, data={**FORM, "base_revision": "1"})
    assert response.status_code == status
    assert round_state() == before


def test_admin_creates_a_round(demo, client, login):
    """A new round is saved with its rendered intro and projects and shown at its address."""
    login("admin")
    page = soup(client.get("/reports/new"))
    form = page.find("form", class_="round-form")
    assert form.find("input", {"name": "base_revision"})["value"] == "0"
    assert form.find("input", {"name": "slug"}) is not None
    response = client.post("/reports/new", data={**FORM, "base_revision": "0"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/reports/2025-q2"
    saved = ReportRound.by_slug("2025-q2")
    assert (saved.title, saved.period, saved.due_date, saved.version) == (
        "Sachstandsbericht 2025/II", "2025-Q2", datetime.date(2025, 7, 15), 1)
    assert BeautifulSoup(saved.html, "html.parser").find("a", class_="wikilink")["href"] == (
        "/measures/M07")
    assert saved.projects_html == "<p><strong>DIGILOG</strong> läuft weiter.</p>"
    shown = soup(client.get("/reports/2025-q2"))
    assert "Berichtsrunde „Sachstandsbericht 2025/II“ gespeichert." in text(shown.find(id="live"))
    assert text(shown.find("section", class_="round-projects").find("strong")) == "DIGILOG"


def test_period_in_lower_case_is_accepted(demo, client, login):
    """A period typed as 2025-q2 is stored as 2025-Q2."""
    login("admin")
    client.post("/reports/new", data={**FORM, "period": " 2025-q2 ", "base_revision": "0"})
    assert ReportRound.by_slug("2025-q2").period == "2025-Q2"


@pytest.mark.parametrize("field, value, message", [
    ("title", "  ", "Bitte geben Sie einen Titel an"),
    ("title", "x" * 301, "höchstens 300 Zeichen"),
    ("slug", "", "Bitte geben Sie eine Adresse an"),
    ("slug", "Runde 1", "nur Kleinbuchstaben, Ziffern und einzelne Bindestriche"),
    ("slug", "2025--q2", "nur Kleinbuchstaben, Ziffern und einzelne Bindestriche"),
    ("slug", "a" * 61, "höchstens 60 Zeichen"),
    ("slug", "2024-q2", "Die Adresse „2024-q2“ ist schon vergeben."),
    ("slug", "new", "Die Adresse „new“ ist schon vergeben."),
    ("period", "2024/II", "Der Zeitraum „2024/II“ ist kein Quartal; bitte so schreiben: z. B. "
                          "4. Quartal 2027"),
    ("period", "2024-Q5", "Der Zeitraum „2024-Q5“ ist kein Quartal"),
    ("period", "2. Quartal", "Der Zeitraum „2. Quartal“ ist kein Quartal"),
    ("period", "", "Der Zeitraum „“ ist kein Quartal"),
    ("due_date", "15.7.25", "Das Fälligkeitsdatum „15.7.25“ ist kein Tag"),
    ("due_date", "2025-02-30", "Das Fälligkeitsdatum „2025-02-30“ ist kein Tag"),
    ("due_date", "2025-Q3", "bitte so schreiben: z. B. 15.07.2024 oder 2024-07-15"),
    ("body", "Text\n\n## Maßnahmenübergreifende Projekte\n\nmehr",
     "keine Überschrift „Maßnahmenübergreifende Projekte“"),
])
def test_bad_input_is_refused_by_field(demo, client, login, field, value, message):
    """Bad input: 400, a German message at the field and in the summary, nothing saved."""
    login("admin")
    before = round_state()
    response = client.post("/reports/new", data={**FORM, field: value, "base_revision": "0"})
    assert response.status_code == 400
    assert round_state() == before
    page = soup(response)
    error = page.find(id=f"f-{field}-error")
    assert message in text(error)
    control = page.find(id=f"f-{field}")
    assert control["aria-invalid"] == "true"
    assert f"f-{field}-error" in control["aria-describedby"].split()
    assert control.has_attr("autofocus")
    summary = page.find(class_="error-summary")
    assert summary.find("a", href=f"#f-{field}") is not None
    assert page.title.get_text().startswith("Fehler: ")
    kept = control.get_text() if control.name == "textarea" else control["value"]
    assert kept.strip("\n") == value.strip("\n")


def test_editing_saves_a_new_version(demo, client, login):
    """The edit form starts from the saved round and saves over its version; the slug stays."""
    login("admin")
    current = ReportRound.by_slug("2024-q2")
    form = soup(client.get("/reports/2024-q2/edit")).find("form", class_="round-form")
    assert form.find("input", {"name": "base_revision"})["value"] == str(current.version)
    assert form.find("input", {"name": "slug"}) is None
    assert form.find("textarea", {"name": "projects"}).get_text().startswith(
        "**Forschungsprojekt DIGILOG.**")
    data = {"title": "Sachstand Mitte 2024", "slug": "anders", "period": "2024-Q2",
            "due_date": "2024-07-31", "body": "Neue Einleitung.", "projects": "",
            "base_revision": str(current.version)}
    response = client.post("/reports/2024-q2/edit", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/reports/2024-q2"
    saved = ReportRound.by_slug("2024-q2")
    assert (saved.title, saved.due_date, saved.body, saved.html, saved.projects,
            saved.projects_html, saved.version) == (
        "Sachstand Mitte 2024", datetime.date(2024, 7, 31), "Neue Einleitung.",
        "<p>Neue Einleitung.</p>", "", "", current.version + 1)
    assert ReportRound.by_slug("anders") is None


@pytest.mark.parametrize("base", ["1", "", "abc"])
def test_stale_edit_is_a_conflict_that_keeps_the_text(demo, client, login, base):
    """A save against an older version answers 409, keeps the text and shows what is saved."""
    login("admin")
    ReportRound.save_over(ReportRound.by_slug("2024-q2").id, 1, title="Von Anna geändert")
    before = round_state()
    data = {"title": "Mein Titel", "period": "2024-Q2", "due_date": "2024-07-15",
            "body": "Meine Einleitung.", "projects": "Mein Projekt.", "base_revision": base}
    response = client.post("/reports/2024-q2/edit", data=data)
    assert response.status_code == 409
    assert round_state() == before
    page = soup(response)
    assert page.title.get_text().startswith("Konflikt: ")
    assert page.find(id="f-title")["value"] == "Mein Titel"
    assert page.find(id="f-body").get_text() == "Meine Einleitung."
    assert page.find(id="f-projects").get_text() == "Mein Projekt."
    conflict = page.find("section", class_="conflict")
    assert "jetzt Version 2" in text(conflict)
    saved = {text(div.dt): text(div.dd) for div in conflict.select(".conflict-saved > div")}
    assert saved["Titel (anders als in Ihrem Formular)"] == "Von Anna geändert"
    assert saved["Zeitraum"] == "2024-Q2"
    assert saved["Fällig am"] == "2024-07-15"
    assert saved["Einleitung (anders als in Ihrem Formular)"].startswith("Zur Mitte")
    assert page.find("input", {"name": "base_revision"})["value"] == "2"
    response = client.post("/reports/2024-q2/edit", data={**data, "base_revision": "2"})
    assert response.status_code == 302
    assert ReportRound.by_slug("2024-q2").title == "Mein Titel"


def test_edit_of_unknown_round_is_404(demo, client, login):
    """Editing a round that does not exist answers 404."""
    login("admin")
    assert client.get("/reports/nope/edit").status_code == 404
    assert client.post("/reports/nope/edit", data=FORM).status_code == 404


def test_rounds_of_an_empty_field_are_left_out(demo, client):
    """An action field without measures has no part in the round or the council report."""
    ActionField.create(code="HF7", title="Leeres Feld", position=7)
    for url in ["/reports/2024-q2", "/reports/2024-q2/council"]:
        assert "Leeres Feld" not in client.get(url).get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(demo, client, login, app):
    """Without its CSRF token the form is refused, nothing saved, the text sent back."""
    login("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    before = round_state()
    response = client.post("/reports/new", data={**FORM, "base_revision": "0"},
                           headers={"Origin": "http://localhost"})  # sent from this site
    assert response.status_code == 400
    assert round_state() == before
    kept = {field["name"]: field.get_text() for field in soup(response).select("form textarea")}
    assert kept["title"] == FORM["title"] and kept["body"] == FORM["body"]
