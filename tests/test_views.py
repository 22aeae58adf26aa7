"""Read views: start page, measure page, wiki pages, accessibility statement, error pages."""
import datetime

import pytest
from bs4 import BeautifulSoup
from playhouse.test_utils import count_queries

from tests.conftest import make_user
from wiki.domain.revisions import render
from wiki.models import (
    ActionField,
    Comment,
    Dependency,
    Measure,
    Page,
    PageAlias,
    Revision,
    StatusReport,
    Strategy,
)

pytestmark = pytest.mark.postgres


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def text(node):
    """Return a node's text with whitespace collapsed."""
    return " ".join(node.get_text().split())


def add_page(title, body, slug, kind="page", author=None, summary=""):
    """Create a page with one revision, its HTML rendered as a save would."""
    page = Page.create(slug=slug, kind=kind, title=title, revision_count=1)
    Revision.create(page=page, number=1, title=title, body=body, html=str(render(body)),
                    author=author, summary=summary)
    return page


def add_measure(code, title, field, **values):
    """Create a measure with its page."""
    page = add_page(title, values.pop("body", f"Beschreibung von {code}."), code.lower(),
                    kind="measure", author=values.pop("author", None))
    return Measure.create(code=code, page=page, field=field, **values)


@pytest.fixture
def programme(app):
    """Create a small programme: two fields, three measures, reports, comments, pages."""
    author = make_user("k.becker", name="Katrin Becker")
    leitbild = add_page("Leitbild", "# Papierstadt digital\n\nIn der Papierstadt zur **digitalen**"
                        " Verwaltung.\n\nZweiter Absatz.", "leitbild")
    Strategy.create(title="E-Government-Strategie", period_start=datetime.date(2022, 1, 1),
                    period_end=datetime.date(2026, 12, 31), leitbild=leitbild)
    hf1 = ActionField.create(code="HF1", title="Digitale Verwaltungsleistungen", position=1)
    hf3 = ActionField.create(code="HF3", title="Elektronische Aktenführung", position=3)
    ActionField.create(code="HF9", title="Leeres Feld", position=9)
    m01 = add_measure("M01", "Serviceportal", hf1, obligation="legal", status="operating",
                      progress=80, legal_basis="OZG", legal_deadline=datetime.date(2022, 12, 31))
    m06 = add_measure("M06", "Einheitlicher Aktenplan", hf3, obligation="standard",
                      status="done", progress=100)
    m07 = add_measure("M07", "Zentrales Dokumentenmanagementsystem und E-Akte", hf3,
                      obligation="standard", status="active", progress=60, owner="FB 1",
                      contact=author, planned_start=datetime.date(2023, 1, 1),
                      planned_end=datetime.date(2026, 6, 30), tags="dms e-akte",
                      actual_start=datetime.date(2023, 2, 15), author=author,
                      body="## Ziel\n\nDie E-Akte für alle. Grundlage: [[M06]].")
    Dependency.create(measure=m07, requires=m06)
    # After the measures: a link is a measure's when one has that code as the page is saved.
    add_page("Glossar", "E-Akte: siehe [[M07]].", "glossar", author=author, summary="Begriffe")
    old = StatusReport.create(measure=m07, date=datetime.date(2023, 3, 31), period="2023-Q1",
                              status="preparing", traffic_light="yellow", progress=10,
                              body="Kick-off", html="<p>Kick-off mit dem Anbieter.</p>",
                              author=author)
    StatusReport.create(measure=m07, date=datetime.date(2023, 12, 31), period="2023-Q4",
                        status="active", traffic_light="green", progress=40,
                        body="Betrieb", html="<p>DMS in Betrieb.</p>", author=author)
    Comment.create(measure=m07, author=author, body="Gut!", html="<p>Gut so!</p>", report=old)
    Comment.create(measure=m07, author=author, body="weg", html="<p>Geheim</p>", deleted=True)
    return {"m01": m01, "m07": m07, "author": author}


# Start page

def test_start_page_shows_the_strategy_fields_and_measures(client, programme):
    """The start page names the strategy, its period and each field with its measures."""
    response = client.get("/")
    assert response.status_code == 200
    page = soup(response)
    assert [text(h) for h in page.find_all("h1")] == ["E-Government-Strategie"]
    assert "2022–2026" in text(page.find(class_="period"))
    leitbild = page.find(class_="leitbild")
    assert text(leitbild.find(class_="motto")) == "Papierstadt digital"
    assert text(leitbild.find("p", class_=None)) == "In der Papierstadt zur digitalen Verwaltung."
    assert leitbild.find("a")["href"] == "/pages/leitbild"
    fields = page.select(".action-field")
    assert [text(f.find("h3")) for f in fields] == [
        "HF1 Digitale Verwaltungsleistungen", "HF3 Elektronische Aktenführung", "HF9 Leeres Feld"]
    assert [a["href"] for a in fields[1].select(".measure-card h4 a")] == [
        "/measures/M06", "/measures/M07"]
    assert "Keine Maßnahmen." in text(fields[2])


def test_start_page_marks_measures_in_words_with_a_legend(client, programme):
    """A marking is a word (and a colour class), and the legend explains every marking."""
    page = soup(client.get("/"))
    card = page.find("h4", id="card-M01").parent
    assert text(card.find(class_="marking")) == "§ gesetzlich erforderlich"
    assert "marking-legal" in card.find(class_="marking")["class"]
    assert text(card.find(class_="status")) == "in Betrieb / Roll-out"
    assert card.find("progress")["value"] == "80"
    assert "80 %" in text(card)
    legend = [text(dt) for dt in page.select(".legend dt")]
    assert legend == ["§ gesetzlich erforderlich", "◆ Standard, künftig verpflichtend",
                      "○ verwaltungsintern"]


def test_start_page_links_the_wiki_pages(client, programme):
    """The start page links every wiki page and the page list."""
    links = {a["href"] for a in soup(client.get("/")).select(".page-list a")}
    assert links == {"/pages/glossar", "/pages/leitbild", "/pages/"}


def test_start_page_queries_do_not_grow_with_the_measures(client, programme, uncached):
    """The start page runs the same number of queries for 3 measures as for 13."""
    client.get("/")
    with count_queries() as few:
        client.get("/")
    field = ActionField.get(ActionField.code == "HF9")
    for number in range(10, 20):
        add_measure(f"M{number}", f"Maßnahme {number}", field)
    with count_queries() as many:
        response = client.get("/")
    assert len(soup(response).select("article.measure-card")) == 13
    assert many.count == few.count


def test_start_page_without_a_strategy_explains_what_to_do(client):
    """An empty database gives readers a start page that says the programme is being set up."""
    response = client.get("/")
    assert response.status_code == 200
    assert "gerade eingerichtet" in text(soup(response).find("main"))


# Measure page

def test_measure_page_shows_title_and_metadata(client, programme):
    """The measure page has one h1 with code and title and a metadata list."""
    response = client.get("/measures/M07")
    assert response.status_code == 200
    page = soup(response)
    assert [text(h) for h in page.find_all("h1")] == [
        "M07 Zentrales Dokumentenmanagementsystem und E-Akte"]
    facts = {text(div.dt): div.dd for div in page.select(".facts dl > div")}
    assert text(facts["Handlungsfeld"]) == "HF3 Elektronische Aktenführung"
    assert text(facts["Kennzeichnung"]) == "◆ Standard, künftig verpflichtend"
    assert text(facts["Status"]) == "in Umsetzung"
    assert text(facts["Verantwortlich"]) == "FB 1"
    assert text(facts["Ansprechperson"]) == "Katrin Becker"
    assert text(facts["Geplanter Beginn"]) == "01.01.2023 (1. Quartal 2023)"
    assert text(facts["Geplantes Ende"]) == "30.06.2026 (2. Quartal 2026)"
    assert facts["Geplantes Ende"].find("time")["datetime"] == "2026-06-30"
    assert text(facts["Tatsächlicher Beginn"]) == "15.02.2023 (1. Quartal 2023)"
    assert text(facts["Tatsächliches Ende"]) == "–"
    assert facts["Fortschritt"].find("progress")["aria-label"] == "Fortschritt M07"
    assert [text(li) for li in facts["Schlagwörter"].find_all("li")] == ["dms", "e-akte"]
    assert "Rechtsgrundlage" not in facts


def test_measure_page_shows_the_legal_basis_and_deadline(client, programme):
    """A legally required measure shows its legal basis and deadline."""
    page = soup(client.get("/measures/M01"))
    facts = {text(div.dt): div.dd for div in page.select(".facts dl > div")}
    assert text(facts["Rechtsgrundlage"]) == "OZG"
    assert text(facts["Gesetzliche Frist"]) == "31.12.2022 (4. Quartal 2022)"
    assert "Ansprechperson" not in facts


def test_measure_body_is_stored_html_inside_hx_disable(client, programme):
    """The rendered body sits in an hx-disable container, its wiki links resolved."""
    page = soup(client.get("/measures/M07"))
    body = page.select_one(".description .content")
    assert body.has_attr("hx-disable")
    assert body.find("h3").get_text() == "Ziel"  # below the h2 "Beschreibung"
    assert body.find("a", class_="wikilink")["href"] == "/measures/M06"
    for container in page.select(".report .content, .comment .content"):
        assert container.has_attr("hx-disable")


def test_measure_page_links_prerequisites_and_dependents(client, programme):
    """Prerequisites and dependents are links to the other measures."""
    m07 = soup(client.get("/measures/M07")).select(".dependency-lists > div")
    assert [a["href"] for a in m07[0].find_all("a")] == ["/measures/M06"]
    assert m07[1].find("a") is None
    m06 = soup(client.get("/measures/M06")).select(".dependency-lists > div")
    assert [a["href"] for a in m06[1].find_all("a")] == ["/measures/M07"]


def test_measure_page_lists_reports_newest_first_with_words_for_lights(client, programme):
    """Reports come newest first; the traffic light always carries its word."""
    reports = soup(client.get("/measures/M07")).select(".report")
    assert [text(r.find("h3")) for r in reports] == ["4. Quartal 2023", "1. Quartal 2023"]
    assert text(reports[0].find(class_="light")) == "Ampel: grün"
    assert text(reports[1].find(class_="light")) == "Ampel: gelb"
    assert reports[0].find("time")["datetime"] == "2023-12-31"
    assert text(reports[0].find(class_="status")) == "in Umsetzung"
    assert "40 %" in text(reports[0])
    assert "Berichtet von Katrin Becker" in text(reports[0])


def test_measure_page_shows_comments_and_hides_deleted_text(client, programme):
    """Comments show author, date and text; a deleted one shows only that it was deleted."""
    page = soup(client.get("/measures/M07"))
    comments = page.select(".comment")
    assert len(comments) == 2
    assert "Katrin Becker" in text(comments[0])
    assert "Gut so!" in text(comments[0])
    report_link = comments[0].find("a", href=lambda h: h and h.startswith("#report-"))
    assert text(report_link) == "zum Bericht 1. Quartal 2023"
    assert page.find(id=report_link["href"][1:]) is not None
    assert text(comments[1]) == "Kommentar gelöscht"
    assert "Geheim" not in page.get_text()


def test_measure_page_shows_the_last_change(client, programme):
    """The last change names author, time and version."""
    last = text(soup(client.get("/measures/M07")).find(class_="last-change"))
    assert "Katrin Becker" in last
    assert "Version 1" in last


def test_measure_page_shows_backlinks(client, programme):
    """Pages linking to the measure are listed under "Was verweist hierher?"."""
    from wiki.models import PageLink

    glossar = Page.get(Page.slug == "glossar")
    PageLink.create(source=glossar, target="m07")
    backlinks = soup(client.get("/measures/M07")).find(class_="backlinks")
    assert [a["href"] for a in backlinks.find_all("a")] == ["/pages/glossar"]


@pytest.mark.parametrize("code", ["m07", "M07"])
def test_measure_code_is_case_insensitive(client, programme, code):
    """A lower-case code redirects permanently to the canonical upper-case URL."""
    response = client.get(f"/measures/{code}")
    if code == "M07":
        assert response.status_code == 200
    else:
        assert response.status_code == 301
        assert response.headers["Location"] == "/measures/M07"


@pytest.mark.parametrize("url", ["/measures/M99", "/measures/X", "/pages/gibt-es-nicht",
                                 "/nirgendwo"])
def test_unknown_things_get_a_german_404_page(client, programme, url):
    """An unknown measure, page or path gets a 404 page with one h1 and a way back."""
    response = client.get(url)
    assert response.status_code == 404
    page = soup(response)
    assert [text(h) for h in page.find_all("h1")] == ["Diese Seite gibt es nicht."]
    assert page.find("main").find("a", href="/") is not None


# Wiki pages

def test_page_view_shows_title_body_and_last_change(client, programme):
    """A wiki page shows its title, its rendered body and who changed it last."""
    response = client.get("/pages/glossar")
    assert response.status_code == 200
    page = soup(response)
    assert [text(h) for h in page.find_all("h1")] == ["Glossar"]
    body = page.select_one("main .content")
    assert body.has_attr("hx-disable")
    assert body.find("a")["href"] == "/measures/M07"
    last = text(page.find(class_="last-change"))
    assert "Katrin Becker" in last and "„Begriffe“" in last


def test_content_headings_sit_below_the_page_title(client, programme):
    """A body's own top-level heading becomes h2, so the page keeps exactly one h1."""
    page = soup(client.get("/pages/leitbild"))
    assert [text(h) for h in page.find_all("h1")] == ["Leitbild"]
    assert text(page.select_one(".content h2")) == "Papierstadt digital"


@pytest.mark.parametrize("html, top, expected", [
    ("<h1 id=\"h-a\">A</h1><h2>B</h2>", 2, "<h2 id=\"h-a\">A</h2><h3>B</h3>"),
    ("<h2>B</h2><p>x</p>", 3, "<h3>B</h3><p>x</p>"),
    ("<h3>C</h3>", 2, "<h3>C</h3>"),
    ("<h5>E</h5><h6>F</h6><h1>A</h1>", 3, "<h6>E</h6><h6>F</h6><h3>A</h3>"),
    ("<p>h1 &lt;h1&gt;</p>", 2, "<p>h1 &lt;h1&gt;</p>"),
    ("", 2, ""),
])
def test_stored_html_headings_move_down(html, top, expected):
    """Headings in stored HTML move down to start at the given level, text untouched."""
    from wiki.presentation import stored_html

    assert stored_html(html, top) == expected


def test_old_slug_redirects_permanently(client, programme):
    """A renamed page's old slug redirects with 301 to the current one."""
    PageAlias.create(slug="begriffe", page=Page.get(Page.slug == "glossar"))
    response = client.get("/pages/begriffe")
    assert response.status_code == 301
    assert response.headers["Location"] == "/pages/glossar"


def test_a_measures_page_slug_leads_to_the_measure(client, programme):
    """The slug of a measure's page redirects to the measure view."""
    response = client.get("/pages/m07")
    assert response.status_code == 301
    assert response.headers["Location"] == "/measures/M07"


def test_page_list_shows_plain_pages_by_title(client, programme):
    """The page list links every plain page, by title, and no measure."""
    response = client.get("/pages/")
    assert response.status_code == 200
    page = soup(response)
    assert [text(h) for h in page.find_all("h1")] == ["Seiten"]
    assert [a["href"] for a in page.select(".page-index a")] == [
        "/pages/glossar", "/pages/leitbild"]


# Accessibility statement

def test_accessibility_statement_has_the_required_sections(client, app):
    """The statement has the sections a BITV statement needs and the configured contact."""
    app.config["ACCESSIBILITY_CONTACT"] = "Team Barrierefrei, barrierefrei@example.org"
    response = client.get("/accessibility")
    assert response.status_code == 200
    page = soup(response)
    assert [text(h) for h in page.find_all("h1")] == ["Erklärung zur Barrierefreiheit"]
    assert [text(h) for h in page.find("main").find_all("h2")] == [
        "Stand der Vereinbarkeit mit den Anforderungen",
        "Nicht barrierefreie Inhalte",
        "Erstellung dieser Erklärung zur Barrierefreiheit",
        "Feedback und Kontaktangaben",
        "Durchsetzungsverfahren (Ombudsverfahren)",
    ]
    assert "Team Barrierefrei, barrierefrei@example.org" in text(page.find(class_="contact"))
    assert "Ombudsstelle für barrierefreie Informationstechnik" in text(page.find("main"))


def test_footer_links_the_accessibility_statement(client):
    """Every page's footer links the accessibility statement."""
    footer = soup(client.get("/")).find("footer")
    assert footer.find("a", href="/accessibility") is not None


# The layout

@pytest.mark.parametrize("url", ["/", "/measures/M07", "/pages/glossar", "/pages/",
                                 "/accessibility", "/login", "/logout", "/nirgendwo"])
def test_every_page_has_the_landmarks_and_one_h1(client, programme, url):
    """Each page has lang, a skip link to main, header, nav, main, footer, live region, one h1."""
    page = soup(client.get(url))
    assert page.html["lang"] == "de"
    assert page.find("a", class_="skip-link")["href"] == "#main"
    assert page.find("header", class_="site-header") is not None
    assert page.find("nav", attrs={"aria-label": "Hauptnavigation"}) is not None
    assert page.find("main", id="main") is not None
    assert page.find("footer") is not None
    live = page.find(id="live")
    assert live["role"] == "status"
    assert len(page.find_all("h1")) == 1
    assert "X-CSRFToken" in page.body["hx-headers"]
    assert page.find("meta", attrs={"name": "htmx-config"}) is not None


def test_no_inline_script_or_style_anywhere(client, programme):
    """No page carries inline script, inline style or event handler attributes (CSP)."""
    for url in ["/", "/measures/M07", "/pages/glossar", "/pages/", "/accessibility", "/login"]:
        page = soup(client.get(url))
        assert all(script.get("src") for script in page.find_all("script"))
        assert page.find("style") is None
        for tag in page.find_all(True):
            assert "style" not in tag.attrs, (url, tag)
            assert not any(name.startswith("on") for name in tag.attrs), (url, tag)


def test_main_navigation_links_only_existing_views(app, client, programme):
    """The main navigation marks the current page and links only to views that exist."""
    nav = soup(client.get("/")).find("nav", attrs={"aria-label": "Hauptnavigation"})
    links = nav.find_all("a")
    assert links[0]["href"] == "/" and links[0]["aria-current"] == "page"
    for link in links:
        assert client.get(link["href"]).status_code == 200, link["href"]


def test_flashed_messages_appear_in_the_live_region(client, login):
    """A flashed message (here: after login) is shown inside the live region."""
    login("editor")
    live = soup(client.get("/")).find(id="live")
    assert text(live) == "Angemeldet als editor."


# Readers, editors and anonymous visitors

def test_anonymous_visitor_sees_a_login_link(client, programme):
    """Anonymous visitors see a login link that brings them back, and no logout form."""
    header = soup(client.get("/measures/M07")).find("header", class_="site-header")
    assert header.find("a", class_="login-link")["href"] == "/login?next=/measures/M07"
    assert header.find("form", class_="logout") is None


@pytest.mark.parametrize("role", ["reader", "editor"])
def test_logged_in_user_sees_name_and_logout_form(client, programme, login, role):
    """A logged-in user sees their name and a logout form that posts with a CSRF token."""
    login(role)
    header = soup(client.get("/measures/M07")).find("header", class_="site-header")
    assert text(header.find(class_="user-name")) == role
    form = header.find("form", class_="logout")
    assert form["method"] == "post" and form["action"] == "/logout"
    assert form.find("input", attrs={"name": "csrf_token"}) is not None


def test_reader_sees_no_editor_actions(app, client, programme, login):
    """A reader sees no edit action, nor any form other than logout."""
    login("reader")
    for url in ["/", "/measures/M07", "/pages/glossar"]:
        page = soup(client.get(url))
        assert page.select(".editor-action") == []
        assert not page.find_all("a", href=lambda h: h and h.endswith("/edit"))
        # Readers may watch a measure or field (that changes nothing in the programme).
        assert [form.get("class") for form in page.find_all("form", method="post")
                if "watch-form" not in form.get("class", [])] == [["logout"]]


def test_editor_sees_edit_actions_where_they_exist(app, client, programme, login):
    """An editor gets an edit action on measure and page views once the edit views exist."""
    login("editor")
    for url, endpoint in [("/measures/M07", "measures.edit"), ("/pages/glossar", "pages.edit")]:
        actions = soup(client.get(url)).select(".editor-action")
        edits = [a for a in actions if a["href"].endswith("/edit")]
        assert len(edits) == (1 if endpoint in app.view_functions else 0)
    writes = soup(client.get("/measures/M07")).select(".editor-action[href$='/reports/new']")
    assert len(writes) == 1


@pytest.mark.parametrize("url", ["/", "/measures/M07", "/pages/glossar", "/pages/"])
def test_reading_needs_login_when_the_setting_is_off(app, client, programme, url):
    """With READ_WITHOUT_LOGIN off, anonymous visitors go to the login page and back."""
    app.config["READ_WITHOUT_LOGIN"] = False
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={url}"


@pytest.mark.parametrize("url", ["/accessibility", "/login"])
def test_statement_and_login_stay_public_when_reading_needs_login(app, client, url):
    """The accessibility statement and the login page need no login."""
    app.config["READ_WITHOUT_LOGIN"] = False
    assert client.get(url).status_code == 200


def test_reader_reads_when_the_setting_is_off(app, client, programme, login):
    """A logged-in reader reads even when anonymous reading is off."""
    app.config["READ_WITHOUT_LOGIN"] = False
    login("reader")
    assert client.get("/measures/M07").status_code == 200


# The demo strategy

def test_demo_start_page_has_six_fields_and_fourteen_measures(client, demo):
    """The demo's start page shows HF1–HF6 and M01–M14."""
    page = soup(client.get("/"))
    assert [f.find("h3")["id"] for f in page.select(".action-field")] == [
        f"field-HF{n}" for n in range(1, 7)]
    assert len(page.select(".measure-card")) == 14


def test_every_demo_measure_and_page_renders(client, demo):
    """Every demo measure and page renders with one h1."""
    urls = [f"/measures/{m.code}" for m in Measure.select()]
    urls += [f"/pages/{p.slug}" for p in Page.wiki_pages()]
    assert len(urls) >= 14
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(soup(response).find_all("h1")) == 1, url
