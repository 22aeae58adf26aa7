"""Atom feeds: valid RFC 4287 documents with stable ids, scoped, permission-checked, linked."""
import datetime
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from playhouse.test_utils import count_queries

from tests.conftest import make_user
from tests.test_files import send
from tests.xss_vectors import VECTORS
from wiki.db import utcnow
from wiki.domain import revisions
from wiki.domain.metadata import clean_measure, from_snapshot
from wiki.models import (
    ActionField,
    Comment,
    Measure,
    Page,
    ReportVersion,
    Revision,
    StatusReport,
)

pytestmark = pytest.mark.postgres

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
TAG_URI = re.compile(r"^tag:[a-z0-9.-]+,\d{4}-\d{2}-\d{2}:[a-z]+(/[A-Za-z0-9]+)+$")
KINDS = ("reports", "changes")
FEEDS = [f"/feeds/{kind}.atom" for kind in KINDS] + [
    f"/feeds/{scope}/{kind}.atom" for scope in ("fields/HF3", "fields/HF1", "measures/M07",
                                                "measures/M12") for kind in KINDS]


def parse(response):
    """Check a response is an Atom document, and return its parsed root element."""
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)
    check_atom(root)
    return root


def one(element, name):
    """Return the single child element name (Atom namespace); fail on none or several."""
    found = element.findall(ATOM + name)
    assert len(found) == 1, f"{element.tag}: {len(found)}× {name}"
    return found[0]


def check_stamp(element, name, required=True):
    """Check the child element name holds an RFC 3339 date-time; return it as a datetime."""
    found = element.findall(ATOM + name)
    if not required and not found:
        return None
    assert len(found) == 1
    assert RFC3339.match(found[0].text), found[0].text
    return datetime.datetime.fromisoformat(found[0].text)


def check_person(element):
    """Check an atom:author has exactly one non-empty name."""
    assert one(element, "name").text.strip()


def check_iri(value):
    """Check an id is an absolute IRI: a scheme and something after it, no spaces."""
    assert urlsplit(value).scheme and ":" in value and not re.search(r"\s", value), value


def check_atom(root):
    """Check the structure RFC 4287 requires of a feed and each of its entries."""
    assert root.tag == ATOM + "feed"
    check_iri(one(root, "id").text)
    assert one(root, "title").text.strip()
    check_stamp(root, "updated")
    links = {link.get("rel", "alternate"): link for link in root.findall(ATOM + "link")}
    assert urlsplit(links["self"].get("href")).scheme == "http"
    assert urlsplit(links["alternate"].get("href")).scheme == "http"
    assert len(root.findall(ATOM + "generator")) <= 1
    feed_authors = root.findall(ATOM + "author")
    for author in feed_authors:
        check_person(author)
    ids = []
    for entry in root.findall(ATOM + "entry"):
        ids.append(one(entry, "id").text)
        check_iri(ids[-1])
        assert one(entry, "title").text.strip()
        check_stamp(entry, "updated")
        check_stamp(entry, "published", required=False)
        authors = entry.findall(ATOM + "author")
        assert authors or feed_authors, "an entry without author in a feed without author"
        for author in authors:
            check_person(author)
        alternates = [link for link in entry.findall(ATOM + "link")
                      if link.get("rel", "alternate") == "alternate"]
        assert len(alternates) == 1
        assert urlsplit(alternates[0].get("href")).scheme == "http"
        assert len(entry.findall(ATOM + "content")) <= 1
        assert len(entry.findall(ATOM + "summary")) <= 1
        for content in entry.findall(ATOM + "content"):
            assert content.get("type") == "html"
            assert len(content) == 0  # escaped HTML is text, never child elements
    assert len(ids) == len(set(ids)), "entry ids must be unique"


def entries(root):
    """Return the feed's entries as dicts of id, title, link, updated, published, author, text."""
    found = []
    for entry in root.findall(ATOM + "entry"):
        content = entry.find(ATOM + "content")
        summary = entry.find(ATOM + "summary")
        author = entry.find(f"{ATOM}author/{ATOM}name")
        found.append({
            "id": entry.find(ATOM + "id").text,
            "title": entry.find(ATOM + "title").text,
            "link": entry.find(ATOM + "link").get("href"),
            "updated": entry.find(ATOM + "updated").text,
            "published": entry.find(ATOM + "published").text,
            "author": author.text if author is not None else None,
            "html": content.text if content is not None else None,
            "summary": summary.text if summary is not None else None,
        })
    return found


def ids(client, url, **kwargs):
    """Return the entry ids of a feed, in order."""
    return [entry["id"] for entry in entries(parse(client.get(url, **kwargs)))]


def stamp(value):
    """Return a stored timestamp as the feeds write it."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def measure_of(link):
    """Return the measure code a feed entry links to, or None for a plain page."""
    match = re.match(r"http://localhost/measures/(M\d+)", link)
    return match[1] if match else None


def add_report(measure, body, **values):
    """Create a status report with its first version, rendered as a save would."""
    html = str(revisions.render(body))
    fields = {"date": datetime.date(2026, 11, 30), "period": "2026-Q4", "status": "active",
              "traffic_light": "red", "progress": 42, **values}
    report = StatusReport.create(measure=measure, body=body, html=html, **fields)
    ReportVersion.create(report=report, number=1, body=body, html=html, **fields)
    return report


def add_comment(measure, body, author=None, **values):
    """Create a comment with its HTML rendered as a save would."""
    return Comment.create(measure=measure, author=author, body=body,
                          html=str(revisions.render(body)), **values)


@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_is_valid_atom(client, demo, url):
    """Programme, field and measure feeds of both kinds parse as Atom and have entries."""
    root = parse(client.get(url))
    assert root.findall(ATOM + "entry")
    assert all(TAG_URI.match(entry_id) for entry_id in ids(client, url))
    self_link = next(link for link in root.findall(ATOM + "link") if link.get("rel") == "self")
    assert self_link.get("href") == f"http://localhost{url}"
    assert self_link.get("type") == "application/atom+xml"


def test_programme_reports_feed_lists_the_newest_fifty_reports(client, demo):
    """The reports feed holds the newest 50 reports with title, words, author and link."""
    assert StatusReport.select().count() > 50
    root = parse(client.get("/feeds/reports.atom"))
    found = entries(root)
    newest = list(StatusReport.newest().limit(50))
    assert [entry["id"].rsplit(":", 1)[1] for entry in found] == [
        f"report/{report.id}" for report in newest]
    report = StatusReport.of(Measure.by_code("M07")).first()
    entry = next(e for e in found if e["id"].endswith(f":report/{report.id}"))
    assert entry["title"] == ("M07 Zentrales Dokumentenmanagementsystem und E-Akte – "
                              "3. Quartal 2026 (Ampel rot)")
    assert entry["link"] == f"http://localhost/measures/M07#report-{report.id}"
    assert entry["author"] == report.author.display_name
    assert entry["published"] == stamp(report.created)
    assert entry["updated"] == stamp(report.updated)
    content = BeautifulSoup(entry["html"], "html.parser")
    assert "Ampel: rot · Status: in Betrieb / Roll-out · Fortschritt: 75 %" in content.get_text()
    assert "17 von 28 Einheiten" in content.get_text()
    assert one(root, "updated").text == max(e["updated"] for e in found)
    assert one(one(root, "author"), "name").text == (
        "E-Government-Strategie der Stadt Bergisch Gladbach")


def test_changes_feed_links_each_revision_to_its_diff(client, demo):
    """A revision links to the comparison with the one before; a first revision to the page."""
    found = entries(parse(client.get("/feeds/measures/M07/changes.atom")))
    revision_entries = [e for e in found if ":revision/" in e["id"]]
    page = Measure.by_code("M07").page
    assert len(revision_entries) == page.revision_count
    for entry, revision in zip(revision_entries, list(Revision.of(page)), strict=True):
        assert entry["id"].endswith(f":revision/{revision.id}")
        if revision.number == 1:
            assert entry["link"] == "http://localhost/measures/M07"
            assert entry["title"].endswith("angelegt")
        else:
            assert entry["link"] == (f"http://localhost/measures/M07/diff?from="
                                     f"{revision.number - 1}&to={revision.number}")
            assert entry["title"].endswith(f": Version {revision.number}")
        assert entry["summary"] == (revision.summary or entry["summary"])
        assert client.get(entry["link"].removeprefix("http://localhost")).status_code == 200
    programme = entries(parse(client.get("/feeds/changes.atom")))
    links = [e["link"] for e in programme]
    assert "http://localhost/pages/glossar" in links  # its only revision
    assert "http://localhost/pages/statusdefinitionen/diff?from=1&to=2" in links


def test_scoped_feeds_contain_only_their_entries(client, demo):
    """A field's feeds hold only its measures' entries, a measure's only its own."""
    field = ActionField.get(ActionField.code == "HF3")
    codes = {measure.code for measure in Measure.in_field(field)}
    for kind in KINDS:
        field_links = [e["link"] for e in entries(parse(client.get(
            f"/feeds/fields/hf3/{kind}.atom")))]
        assert field_links and {measure_of(link) for link in field_links} <= codes
        measure_links = [e["link"] for e in entries(parse(client.get(
            f"/feeds/measures/m07/{kind}.atom")))]
        assert measure_links and {measure_of(link) for link in measure_links} == {"M07"}
    reports = entries(parse(client.get("/feeds/measures/M07/reports.atom")))
    assert len(reports) == StatusReport.of(Measure.by_code("M07")).count()
    programme = {measure_of(e["link"]) for e in entries(parse(client.get("/feeds/changes.atom")))}
    assert None in programme  # plain wiki pages are in the programme's changes
    assert programme - {None} - codes  # and measures of other fields


def test_changes_feeds_show_visible_comments_only(client, demo):
    """New comments appear in measure, field and programme feeds; deleted or hidden never."""
    author = make_user("k.kommentar", name="Klara Kommentar")
    m07 = Measure.by_code("M07")
    shown = add_comment(m07, "Sichtbarer **Hinweis**", author)
    deleted = add_comment(m07, "Geheimer gelöschter Text", author, deleted=True)
    hidden = add_comment(m07, "Geheimer ausgeblendeter Text", author, hidden=True)
    for url in ("/feeds/changes.atom", "/feeds/fields/HF3/changes.atom",
                "/feeds/measures/M07/changes.atom"):
        response = client.get(url)
        found = entries(parse(response))
        assert found[0]["id"].endswith(f":comment/{shown.id}")
        assert found[0]["title"] == ("Kommentar von Klara Kommentar zu M07 Zentrales "
                                     "Dokumentenmanagementsystem und E-Akte")
        assert found[0]["link"] == f"http://localhost/measures/M07#comment-{shown.id}"
        assert BeautifulSoup(found[0]["html"], "html.parser").strong.get_text() == "Hinweis"
        assert not [e for e in found if e["id"].endswith((f":comment/{deleted.id}",
                                                          f":comment/{hidden.id}"))]
        assert "Geheimer" not in response.text
    other = entries(parse(client.get("/feeds/fields/HF1/changes.atom")))
    assert not [e for e in other if e["id"].endswith(f":comment/{shown.id}")]


def test_ids_are_stable_across_requests_edits_and_renames(client, demo):
    """Entry ids stay the same on a second request, after a report edit and a rename."""
    urls = [f"/feeds/{kind}.atom" for kind in KINDS] + [
        f"/feeds/measures/M07/{kind}.atom" for kind in KINDS]
    before = {url: ids(client, url) for url in urls}
    assert before == {url: ids(client, url) for url in urls}
    m07 = Measure.by_code("M07")
    report = StatusReport.of(m07).first()
    html = str(revisions.render("Neuer, **geänderter** Sachstand."))
    later = utcnow() + datetime.timedelta(minutes=5)
    StatusReport.update(body="Neuer, **geänderter** Sachstand.", html=html, version=2,
                        updated=later).where(StatusReport.id == report.id).execute()
    ReportVersion.create(report=report, number=2, date=report.date, period=report.period,
                         status=report.status, traffic_light=report.traffic_light,
                         progress=report.progress, body="Neuer Sachstand", html=html)
    Page.update(title="E-Akte für alle").where(Page.id == m07.page_id).execute()
    after = {url: ids(client, url) for url in urls}
    assert after == before
    found = entries(parse(client.get("/feeds/measures/M07/reports.atom")))
    edited = next(e for e in found if e["id"].endswith(f":report/{report.id}"))
    assert edited["updated"] == stamp(later)
    assert edited["published"] == stamp(report.created)
    assert edited["title"].startswith("M07 E-Akte für alle – ")
    assert "geänderter" in edited["html"]


def test_a_new_revision_adds_an_entry_and_keeps_the_others(client, demo):
    """Saving a renamed measure adds one entry; every earlier id stays as it was."""
    before = ids(client, "/feeds/measures/M07/changes.atom")
    measure = Measure.by_code("M07")
    values, errors = clean_measure(from_snapshot(measure.page.latest().meta))
    assert not errors
    revision = revisions.save_measure(measure, values=values | {"title": "E-Akte für alle"},
                                      body="Neu", author=None, summary="Umbenannt")
    found = entries(parse(client.get("/feeds/measures/M07/changes.atom")))
    assert found[0]["id"].endswith(f":revision/{revision.id}")
    assert found[0]["title"] == f"M07 E-Akte für alle: Version {revision.number}"
    assert found[0]["summary"] == "Umbenannt"
    assert [entry["id"] for entry in found[1:]] == before


def test_ids_name_the_host_without_port_and_differ_by_kind(client, demo):
    """Tag URIs carry the host (no port) and the creation day; kinds never collide."""
    found = ids(client, "/feeds/changes.atom", base_url="http://intranet.example:8080")
    assert all(entry_id.startswith("tag:intranet.example,") for entry_id in found)
    report_ids = ids(client, "/feeds/reports.atom")
    change_ids = ids(client, "/feeds/changes.atom")
    assert not set(report_ids) & set(change_ids)
    # The same object has the same id in every feed it appears in.
    report = StatusReport.of(Measure.by_code("M07")).first()
    expected = f"tag:localhost,{report.created:%Y-%m-%d}:report/{report.id}"
    assert expected in report_ids
    assert expected in ids(client, "/feeds/measures/M07/reports.atom")
    assert expected in ids(client, "/feeds/fields/HF3/reports.atom")


def test_report_body_with_script_comes_out_sanitised_and_escaped(client, demo):
    """Script in a report body is removed at save; the feed escapes what remains."""
    m07 = Measure.by_code("M07")
    report = add_report(m07, "**Fett**\n\n" + "\n\n".join(VECTORS))
    Page.update(title="<script>alert('titel')</script>").where(
        Page.id == m07.page_id).execute()
    response = client.get("/feeds/measures/M07/reports.atom")
    assert b"<script" not in response.data.lower()
    entry = next(e for e in entries(parse(response)) if e["id"].endswith(f"/{report.id}"))
    assert entry["title"].startswith("M07 <script>")  # text, escaped in the XML
    content = BeautifulSoup(entry["html"], "html.parser")
    assert content.strong.get_text() == "Fett"
    assert not content.find_all(["script", "iframe", "object", "embed", "svg", "style"])
    for tag in content.find_all(True):
        assert not [name for name in tag.attrs if name.lower().startswith("on")], tag
        for name in ("href", "src"):
            assert not tag.get(name, "").strip().lower().startswith(("javascript:", "data:"))


def test_empty_feed_is_valid_and_dated(client, demo):
    """A field without measures gives a valid feed without entries, dated by the programme."""
    ActionField.create(code="HF9", title="Leeres Feld", position=9)
    for kind, name in zip(KINDS, ("Sachstandsberichte", "Änderungen"), strict=True):
        root = parse(client.get(f"/feeds/fields/HF9/{kind}.atom"))
        assert not root.findall(ATOM + "entry")
        assert one(root, "updated").text == stamp(Page.first_created())
        assert one(root, "title").text == f"HF9 Leeres Feld: {name}"


@pytest.mark.parametrize("url", [
    "/feeds/fields/HF99/reports.atom",
    "/feeds/fields/HF3/bogus.atom",
    "/feeds/measures/M99/changes.atom",
    "/feeds/measures/M07/reports.rss",
    "/feeds/bogus.atom",
])
def test_unknown_feeds_are_not_found(client, demo, url):
    """An unknown field, measure or feed kind answers 404."""
    assert client.get(url).status_code == 404


def test_codes_are_case_insensitive(client, demo):
    """Lower-case codes serve the same feed, whose self link names the canonical code."""
    assert ids(client, "/feeds/measures/m07/reports.atom") == ids(
        client, "/feeds/measures/M07/reports.atom")
    root = parse(client.get("/feeds/fields/hf3/changes.atom"))
    self_link = next(link for link in root.findall(ATOM + "link") if link.get("rel") == "self")
    assert self_link.get("href") == "http://localhost/feeds/fields/HF3/changes.atom"


@pytest.mark.parametrize("url", FEEDS[:4])
def test_feeds_need_a_login_when_reading_does(app, client, demo, login, url):
    """Without READ_WITHOUT_LOGIN an anonymous reader gets the login page, not the feed."""
    app.config["READ_WITHOUT_LOGIN"] = False
    response = client.get(url)
    assert response.status_code in (302, 401)
    assert b"<entry" not in response.data
    if response.status_code == 302:
        assert urlsplit(response.headers["Location"]).path == "/login"
    login("reader")
    assert parse(client.get(url)).findall(ATOM + "entry")


@pytest.mark.parametrize("url", ["/feeds/changes.atom", "/feeds/reports.atom",
                                 "/feeds/fields/HF3/changes.atom",
                                 "/feeds/measures/M07/changes.atom"])
def test_feed_queries_do_not_grow_with_the_entries(client, demo, url):
    """A feed runs as many queries with a few entries as with fifty: one per entry kind."""
    client.get(url)
    with count_queries() as few:
        client.get(url)
    author = make_user("v.viel", name="Viktor Viel")
    m07 = Measure.by_code("M07")
    values, _ = clean_measure(from_snapshot(m07.page.latest().meta))
    for number in range(55):
        add_report(m07, f"Bericht {number}", progress=number)
        add_comment(m07, f"Kommentar {number}", author if number % 2 else None)
    for number in range(5):
        revisions.save_measure(m07, values=values, body=f"Stand {number}", author=author)
    with count_queries() as many:
        response = client.get(url)
    assert len(entries(parse(response))) == 50
    assert many.count == few.count
    assert many.count <= 5  # scope, strategy, and one query per entry kind


def head_feeds(html):
    """Return the hrefs of the Atom feeds a page announces in its head."""
    page = BeautifulSoup(html, "html.parser")
    return [link["href"] for link in
            page.head.select('link[rel="alternate"][type="application/atom+xml"]')
            if link.get("title")]


def visible_feeds(html):
    """Return the hrefs of the visible feed links of a page's main content."""
    page = BeautifulSoup(html, "html.parser")
    return [a["href"] for a in page.select("main .feed-links a")
            if "Sachstandsberichte" in a.get_text() or "Änderungen" in a.get_text()]


def test_pages_link_to_their_feeds(client, demo):
    """The start page, the architecture and a measure page link to their feeds."""
    programme = ["/feeds/reports.atom", "/feeds/changes.atom"]
    fields = [f"/feeds/fields/{field.code}/{kind}.atom" for field in ActionField.ordered()
              for kind in KINDS]
    start = client.get("/").text
    assert head_feeds(start) == programme
    assert visible_feeds(start) == programme + fields
    architecture = client.get("/architecture").text
    assert head_feeds(architecture) == programme + fields
    assert visible_feeds(architecture) == programme + fields
    measure = client.get("/measures/M07").text
    own = ["/feeds/measures/M07/reports.atom", "/feeds/measures/M07/changes.atom"]
    assert head_feeds(measure) == own
    assert visible_feeds(measure) == own
    page = BeautifulSoup(measure, "html.parser")
    assert page.select_one(".feed-links").find_next_sibling("section")["id"] == "reports"
    for url in set(programme + fields + own):
        parse(client.get(url))


def test_visible_feed_links_name_what_they_subscribe_to(client, demo):
    """Each visible link says in words what it subscribes to, also out of context."""
    page = BeautifulSoup(client.get("/architecture").text, "html.parser")
    names = [" ".join(a.get_text().split()) for a in page.select(".field-grid .feed-links a")]
    assert "Sachstandsberichte – HF3 Elektronische Aktenführung und Schriftgutverwaltung" in names
    assert len(names) == len(set(names))
    assert all(p.get_text().strip().startswith("Feed abonnieren")
               for p in page.select(".feed-links"))


def test_changes_feeds_tell_of_added_files(client, demo, login):
    """An upload is "Datei hinzugefügt", a second one a new version, in the measure's, its
    field's and the programme's changes, linking to the file's versions; a deleted file leaves."""
    login("editor")
    send(client, "/measures/M07/files", ("Beschluss.pdf", b"%PDF-1.4\n%%EOF\n"),
         comment="Ratssitzung")
    send(client, "/measures/M07/files", ("Beschluss.pdf", b"%PDF-1.4\n%zwei\n%%EOF\n"))
    field = Measure.by_code("M07").field.code
    for url in ("/feeds/changes.atom", f"/feeds/fields/{field}/changes.atom",
                "/feeds/measures/M07/changes.atom"):
        found = [e for e in entries(parse(client.get(url))) if "Beschluss.pdf" in e["title"]]
        assert [e["title"] for e in found] == [
            "Neue Version 2 von Beschluss.pdf zu M07 " + Measure.by_code("M07").title,
            "Datei hinzugefügt: Beschluss.pdf zu M07 " + Measure.by_code("M07").title]
        assert {e["link"] for e in found} == {
            "http://localhost/measures/M07/files/Beschluss.pdf/versions"}
    other = [e["title"] for e in entries(parse(client.get("/feeds/measures/M12/changes.atom")))]
    assert not [title for title in other if "Beschluss.pdf" in title]
    client.post("/measures/M07/files/Beschluss.pdf/delete")
    titles = [e["title"] for e in entries(parse(client.get("/feeds/changes.atom")))]
    assert not [title for title in titles if "Beschluss.pdf" in title]
