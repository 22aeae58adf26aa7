"""Embeds for the intranet start page, their framing headers, and the iCalendar feed."""
import re
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from tests.conftest import make_user
from wiki.domain import programme
from wiki.domain.metadata import clean_measure, from_snapshot
from wiki.domain.revisions import save_measure
from wiki.models import ActionField, Comment, Measure, ReportRound, Revision, StatusReport
from wiki.views.embed import fold, ical_text

pytestmark = pytest.mark.postgres

DAY = date(2026, 8, 1)
EMBEDS = ["/embed/fields", "/embed/changes", "/embed/milestones"]
INTRANET = "https://intranet.example.org"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Fix the day the embeds count from."""
    monkeypatch.setattr(programme, "today", lambda: DAY)


def parse(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def text(node):
    """Return a node's text with whitespace collapsed."""
    return " ".join(node.get_text().split())


# The embeds as pages of their own

@pytest.mark.parametrize("url", EMBEDS)
def test_an_embed_is_a_small_page_without_site_chrome(demo, client, url):
    """No header, navigation, footer or script; the two stylesheets; every link absolute, _top."""
    response = client.get(url)
    assert response.status_code == 200
    page = parse(response)
    assert page.html["lang"] == "de"
    assert page.title.get_text().endswith("– Fahrplan")
    assert page.find("header") is None and page.find("nav") is None
    assert page.find("footer") is None and page.find("form") is None
    assert page.find_all("script") == []
    sheets = page.find_all("link", rel="stylesheet")
    assert [s["href"].split("?")[0] for s in sheets] == [
        "http://localhost/static/style.css", "http://localhost/markings.css"]
    assert len(page.find_all("h1")) == 1
    links = page.find_all("a")
    assert links
    for link in links:
        assert link["href"].startswith("http://localhost/"), link
        assert link["target"] == "_top", link


@pytest.mark.parametrize("url", EMBEDS)
def test_fragment_is_the_bare_html(demo, client, url):
    """?fragment=1 (or an htmx request) gives the section alone, with an h2, no document."""
    page = parse(client.get(url))
    for response in (client.get(f"{url}?fragment=1"),
                     client.get(url, headers={"HX-Request": "true"})):
        assert response.status_code == 200
        assert response.text.lstrip().startswith("<section")
        fragment = parse(response)
        assert fragment.find("html") is None and fragment.find("head") is None
        assert fragment.find("link") is None
        assert len(fragment.find_all("h2")) == 1 and fragment.find("h1") is None
        assert "HX-Request" in response.headers["Vary"]
        assert [a["href"] for a in fragment("a")] == [a["href"] for a in page("a")]


def test_fields_embed_counts_as_the_start_page(demo, client):
    """The field table of the embed is the start page's, links aside."""
    embed = parse(client.get("/embed/fields")).find("table")
    start = parse(client.get("/")).find(id="dashboard-fields").find("table")
    assert [text(tr) for tr in embed.find_all("tr")] == [text(tr) for tr in start.find_all("tr")]
    hf3 = embed.find(id="status-HF3")
    assert hf3.find("a")["href"] == "http://localhost/architecture#field-HF3"


def test_changes_embed_lists_reports_revisions_and_comments(demo, client, app):
    """The newest of each kind together, at most EMBED_CHANGES, newest first."""
    app.config["EMBED_CHANGES"] = 30
    items = parse(client.get("/embed/changes")).select("ol.news-list > li")
    assert len(items) == 30
    kinds = {li["class"][0] for li in items}
    assert kinds == {"change-report", "change-revision", "change-comment"}
    days = [item.find("time")["datetime"][:10] for item in items]
    assert days == sorted(days, reverse=True)
    app.config["EMBED_CHANGES"] = 4
    assert len(parse(client.get("/embed/changes")).select("ol.news-list > li")) == 4


def test_changes_embed_links_a_revision_to_its_diff(demo, client):
    """A new version of a measure links to the comparison with the one before."""
    newest = Revision.newest().where(Revision.number > 1).first()
    code = newest.page.measure.code
    links = [a["href"] for a in parse(client.get("/embed/changes?fragment=1")).find_all("a")]
    assert (f"http://localhost/measures/{code}/diff?from={newest.number - 1}&to={newest.number}"
            in links)


def test_changes_embed_never_shows_deleted_or_hidden_comments(demo, client):
    """Only comments a reader sees on the measure page appear."""
    newest = list(Comment.newest_visible().limit(2))
    Comment.update(deleted=True).where(Comment.id == newest[0].id).execute()
    Comment.update(hidden=True).where(Comment.id == newest[1].id).execute()
    links = [a["href"] for a in parse(client.get("/embed/changes")).find_all("a")]
    for comment in newest:
        assert not any(link.endswith(f"#comment-{comment.id}") for link in links)


def test_milestones_embed_lists_the_next_quarter(demo, client):
    """From 1 August 2026: the round due in October, three ends planned for December."""
    page = parse(client.get("/embed/milestones"))
    assert text(page.find("h1")) == "Termine bis zum 31.12.2026"
    rows = [tr["id"] for tr in page.select("tbody tr")]
    assert rows == ["milestone-round-2026-q3-due", "milestone-measure-M08-planned-end",
                    "milestone-measure-M10-planned-end", "milestone-measure-M14-planned-end"]


def test_milestones_embed_for_one_field(demo, client):
    """?field=HF3 keeps that field's measures and the round; an unknown field is 404."""
    page = parse(client.get("/embed/milestones?field=hf3"))
    assert "HF3" in text(page.find("h1"))
    assert [tr["id"] for tr in page.select("tbody tr")] == [
        "milestone-round-2026-q3-due", "milestone-measure-M08-planned-end"]
    assert client.get("/embed/milestones?field=HF99").status_code == 404


@pytest.mark.parametrize("field", ["HF3\x00", "\x00", "HF\u202e3", "H" * 5_000, "HF 3"])
def test_a_field_that_cannot_be_a_code_is_not_found(demo, client, field):
    """?field= that no code can be (a NUL, controls, 5 kB) is a 404 before any query.

    PostgreSQL refuses a NUL in a query's text: that was a 500 for /calendar.ics?field=%00.
    """
    for url in ["/calendar.ics", "/embed/milestones"]:
        assert client.get(url, query_string={"field": field}).status_code == 404, url


def test_embeds_need_a_login_when_reading_does(demo, client, app, login):
    """Without anonymous reading an embed sends to the login, as every page does."""
    app.config["READ_WITHOUT_LOGIN"] = False
    for url in [*EMBEDS, "/calendar.ics"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    login("reader")
    for url in [*EMBEDS, "/calendar.ics"]:
        assert client.get(url).status_code == 200


# Framing

@pytest.mark.parametrize("url", EMBEDS)
def test_embeds_may_be_framed_by_the_configured_origins(demo, client, app, url):
    """CSP frame-ancestors names the origins; X-Frame-Options, which cannot, is left out."""
    app.config["EMBED_FRAME_ORIGINS"] = [INTRANET]
    response = client.get(url)
    assert "X-Frame-Options" not in response.headers
    policy = dict(part.strip().split(" ", 1)
                  for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["frame-ancestors"] == f"'self' {INTRANET}"
    assert policy["script-src"] == "'self'"


@pytest.mark.parametrize("url", ["/", "/architecture", "/measures/M07", "/login"])
def test_other_pages_stay_unframeable_by_others(demo, client, app, url):
    """Every other page keeps X-Frame-Options SAMEORIGIN, and frame-ancestors 'self' alone:
    browsers obey frame-ancestors over X-Frame-Options, so the origins must not be there."""
    app.config["EMBED_FRAME_ORIGINS"] = [INTRANET]
    response = client.get(url)
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert re.search(r"frame-ancestors 'self'(;|$)", response.headers["Content-Security-Policy"])
    assert INTRANET not in response.headers["Content-Security-Policy"]


def test_without_origins_only_the_site_itself_may_frame(demo, client):
    """By default frame-ancestors is 'self' alone."""
    policy = client.get("/embed/fields").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    assert re.search(r"frame-ancestors 'self'(;|$)", policy)


def test_configured_origins_may_fetch_the_html(demo, client, app):
    """A configured origin gets the CORS header for fetching a fragment; others do not."""
    app.config["EMBED_FRAME_ORIGINS"] = [INTRANET]
    mine = client.get("/embed/fields?fragment=1", headers={"Origin": INTRANET})
    assert mine.headers["Access-Control-Allow-Origin"] == INTRANET
    assert "Origin" in mine.headers["Vary"]
    other = client.get("/embed/fields?fragment=1", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


# The iCalendar feed

def unfold(body):
    """Return the content lines of an iCalendar text, unfolded."""
    return body.replace("\r\n ", "").split("\r\n")[:-1]


def events(body):
    """Return each VEVENT as {property name with parameters: value}."""
    found, current = [], None
    for line in unfold(body):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, value = line.split(":", 1)
            current[name] = value
    return found


def check_syntax(raw):
    """Assert the wire form of RFC 5545: CRLF only, lines of at most 75 octets, nesting."""
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines), max(lines, key=len)
    for line in lines:
        line.decode("utf-8")  # a fold never cuts a character apart
    stack = []
    for line in unfold(raw.decode()):
        if line.startswith("BEGIN:"):
            stack.append(line[6:])
        elif line.startswith("END:"):
            assert stack.pop() == line[4:]
    assert stack == []


def test_calendar_is_valid_icalendar(demo, client):
    """The feed parses: CRLF, folding, balanced components, the calendar's own properties."""
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    check_syntax(response.data)
    lines = unfold(response.text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert "X-WR-CALNAME:E-Government-Strategie der Stadt Bergisch Gladbach" in lines


def test_calendar_has_every_planned_date_and_due_date(demo, client):
    """Planned starts and ends, legal deadlines and round due dates, each an all-day event."""
    found = events(client.get("/calendar.ics").text)
    measures = list(Measure.select())
    expected = ({f"measure-{m.code}-planned-start@localhost" for m in measures if m.planned_start}
                | {f"measure-{m.code}-planned-end@localhost" for m in measures if m.planned_end}
                | {f"measure-{m.code}-legal-deadline@localhost" for m in measures
                   if m.legal_deadline}
                | {f"round-{r.slug}-due@localhost" for r in ReportRound.select()})
    uids = [event["UID"] for event in found]
    assert len(uids) == len(set(uids))
    assert set(uids) == expected
    for event in found:
        for name in ("UID", "DTSTAMP", "DTSTART;VALUE=DATE", "DTEND;VALUE=DATE", "SUMMARY"):
            assert name in event, (name, event)
        assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"])
        start = date(*map(int, (event["DTSTART;VALUE=DATE"][:4], event["DTSTART;VALUE=DATE"][4:6],
                                event["DTSTART;VALUE=DATE"][6:])))
        end = event["DTEND;VALUE=DATE"]
        assert end == (start + timedelta(days=1)).strftime("%Y%m%d")


def test_calendar_events_say_what_happens(demo, client):
    """M07's planned end and M01's deadline, and the round's due date, in words with links."""
    by_uid = {e["UID"]: e for e in events(client.get("/calendar.ics").text)}
    end = by_uid["measure-M07-planned-end@localhost"]
    assert end["DTSTART;VALUE=DATE"] == "20260630"
    assert end["SUMMARY"] == "Ende geplant: M07 Zentrales Dokumentenmanagementsystem und E-Akte"
    assert end["URL"] == "http://localhost/measures/M07"
    assert "Status: in Betrieb / Roll-out" in end["DESCRIPTION"].split("\\n")
    deadline = by_uid["measure-M01-legal-deadline@localhost"]
    assert deadline["DTSTART;VALUE=DATE"] == "20221231"
    assert deadline["DESCRIPTION"].startswith("Frist: 31.12.2022 (Onlinezugangsgesetz (OZG))")
    due = by_uid["round-2026-q3-due@localhost"]
    assert due["SUMMARY"] == "Berichtsrunde fällig: Sachstandsbericht 2026/III"
    assert due["DTSTART;VALUE=DATE"] == "20261015"
    assert due["URL"] == "http://localhost/reports/2026-q3"


def test_calendar_uids_stay_when_the_plan_moves(demo, client):
    """Re-planning changes the date of an event, not its UID."""
    before = {e["UID"] for e in events(client.get("/calendar.ics").text)}
    measure = Measure.by_code("M07")
    values, errors = clean_measure(from_snapshot(measure.page.latest().meta))
    assert not errors
    save_measure(measure, values=dict(values, planned_end=date(2027, 6, 30)),
                 body=measure.page.latest().body, author=make_user("k.becker"))
    after = {e["UID"]: e for e in events(client.get("/calendar.ics").text)}
    assert set(after) == before
    assert after["measure-M07-planned-end@localhost"]["DTSTART;VALUE=DATE"] == "20270630"


def test_calendar_escapes_and_folds_a_nasty_title(demo, client):
    """Commas, semicolons and backslashes are escaped; a long title folds between characters."""
    nasty = 'Ärger; Übergänge, „Akten“ \\ Süß ' + "ä€" * 30
    measure = Measure.by_code("M07")
    values, errors = clean_measure(from_snapshot(measure.page.latest().meta))
    assert not errors
    save_measure(measure, values=dict(values, title=nasty), body=measure.page.latest().body,
                 author=make_user("k.becker"))
    response = client.get("/calendar.ics")
    check_syntax(response.data)
    by_uid = {e["UID"]: e for e in events(response.text)}
    summary = by_uid["measure-M07-planned-end@localhost"]["SUMMARY"]
    assert summary == "Ende geplant: M07 " + ical_text(nasty)
    assert summary.startswith("Ende geplant: M07 Ärger\\; Übergänge\\, „Akten“ \\\\ Süß ")


def test_calendar_for_one_field(demo, client):
    """?field=HF3 keeps the measures of HF3 and the rounds; an unknown field is 404."""
    found = events(client.get("/calendar.ics?field=HF3").text)
    codes = {e["UID"].split("-")[1] for e in found if e["UID"].startswith("measure-")}
    field = ActionField.get(ActionField.code == "HF3")
    assert codes == {m.code for m in Measure.select().where(Measure.field == field)}
    assert any(e["UID"].startswith("round-") for e in found)
    assert client.get("/calendar.ics?field=HF99").status_code == 404


@pytest.mark.parametrize("value, escaped", [
    ("a,b;c\\d", "a\\,b\\;c\\\\d"),
    ("eins\nzwei\r\ndrei\rvier", "eins\\nzwei\\ndrei\\nvier"),
    ("Tab\tbleibt, Steuerzeichen\x07 nicht", "Tab\tbleibt\\, Steuerzeichen nicht"),
])
def test_text_values_are_escaped(value, escaped):
    """TEXT escaping per RFC 5545 3.3.11, control characters dropped."""
    assert ical_text(value) == escaped


@pytest.mark.parametrize("line", ["x" * 75, "x" * 76, "ä" * 100, "€" * 80, "a" + "😀" * 40])
def test_folding_keeps_lines_short_and_characters_whole(line):
    """Each folded line holds at most 75 octets; unfolding gives the line back."""
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert folded.replace("\r\n ", "") == line
    assert (len(parts) == 1) == (len(line.encode()) <= 75)


def test_a_report_and_round_changes_nothing_in_the_calendar_uids(demo, client):
    """A new report is no calendar event; a new round adds exactly its due date."""
    before = {e["UID"] for e in events(client.get("/calendar.ics").text)}
    measure = Measure.by_code("M07")
    StatusReport.create(measure=measure, date=DAY, period="2026-Q3", status="operating",
                        traffic_light="yellow")
    ReportRound.create(slug="2026-q4", title="Sachstandsbericht 2026/IV", period="2026-Q4",
                       due_date=date(2027, 1, 15))
    after = {e["UID"] for e in events(client.get("/calendar.ics").text)}
    assert after - before == {"round-2026-q4-due@localhost"}
