"""Stored data can break no output: mails, Atom feeds, iCalendar, the timeline, CSV, rounds.

Input is checked at the door; these rows are written through the models, as older versions,
imports or direct database writes leave them, to show that every encoder defends itself.
"""
import csv
import datetime
import email
import io
import socket
import xml.etree.ElementTree as ET
from email import policy

import pytest
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup

from tests.conftest import make_user
from tests.test_embed import check_syntax, events
from tests.test_feeds import FEEDS, check_atom, entries
from wiki.domain import timeline
from wiki.domain.characters import one_line, printable, spreadsheet_cell, xml_text
from wiki.domain.notifications import recipient
from wiki.models import (
    Comment,
    Measure,
    Page,
    ReportRound,
    Revision,
    StatusReport,
    User,
)
from wiki.models.watching import Notification, Watch

pytestmark = pytest.mark.postgres

DAY = datetime.date
BASE_URL = "https://fahrplan.intranet.example.org"
# Every C0 control but tab, line feed and carriage return: none is allowed in XML 1.0. NUL
# cannot be stored in PostgreSQL, so the tests on it leave NUL out.
C0 = "".join(chr(code) for code in range(32) if chr(code) not in "\t\n\r")


def controls(backend):
    """Return the control characters the backend can store: all of C0 but NUL on PostgreSQL."""
    return C0 if backend == "sqlite" else C0.replace("\x00", "")


# The text functions themselves (pure).

@pytest.mark.parametrize("char", [chr(code) for code in range(32)] + [
    "\x7f", "\x80", "\x9f", "\ud800", "\udfff", "\ufffe", "\uffff"])
def test_xml_text_keeps_only_what_xml_allows(char):
    """What XML 1.0 forbids (and DEL/C1) goes; a Word line break (U+000B) becomes a break."""
    cleaned = xml_text(f"a{char}b")
    assert ET.fromstring(f"<t>{cleaned}</t>".encode("utf-8", "surrogatepass")) is not None
    assert cleaned == {"\t": "a\tb", "\n": "a\nb", "\r": "a\rb", "\x0b": "a\nb",
                       "\x0c": "a\nb", "\x1c": "a\nb", "\x1d": "a\nb", "\x1e": "a\nb"}.get(
        char, "ab")


@pytest.mark.parametrize("value, line", [
    ("M07 Zeile eins\nBcc: jemand@example.org", "M07 Zeile eins Bcc: jemand@example.org"),
    ("a\r\nb\x0bc\u2028d\x85e\x00f\x01g", "a b c d e f g"),
    ("  viel   Luft\t ", "viel Luft"),
])
def test_one_line_folds_breaks_and_controls_to_spaces(value, line):
    """A header value becomes one line: breaks and controls are one space each run."""
    assert one_line(value) == line


def test_printable_keeps_lines_and_tabs_only():
    """Plain text keeps its lines (every kind of break as \\n) and tabs, no other control."""
    assert printable("a\r\nb\rc\x0bd\te\x00\x07f\ud800") == "a\nb\nc\nd\tef"


@pytest.mark.parametrize("value, cell", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-1", "'-1"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\x01=1", "'=1"), ("\r=1", "'\n=1"),
    ("M07 Akte\x0bneu", "M07 Akte\nneu"), ("Plan", "Plan"), (42, "42"),
])
def test_spreadsheet_cells_are_never_formulas(value, cell):
    """A cell that a spreadsheet would read as a formula starts with an apostrophe."""
    assert spreadsheet_cell(value) == cell


# Atom feeds (defect 8).

def soil(backend, text):
    """Return text with every storable control character put in the middle of it."""
    middle = len(text) // 2
    return text[:middle] + controls(backend) + text[middle:]


def test_atom_feeds_with_controls_in_titles_bodies_and_names_parse(client, demo, backend):
    """A comment with U+000B (Word's Shift+Enter) or U+0001 no longer breaks any feed."""
    measure = Measure.by_code("M07")
    author = make_user("w.ord", name=soil(backend, "Wanda Ord"))
    Comment.create(measure=measure, author=author, body=soil(backend, "Zeile eins Zeile zwei"),
                   html=f"<p>{soil(backend, 'Zeile eins Zeile zwei')}</p>")
    report = StatusReport.of(measure).first()
    StatusReport.update(html=f"<p>{soil(backend, 'Bericht mit Steuerzeichen')}</p>").where(
        StatusReport.id == report.id).execute()
    Page.update(title=soil(backend, "Dokumentenmanagement")).where(
        Page.id == measure.page_id).execute()
    Revision.update(title=soil(backend, "Dokumentenmanagement"),
                    summary=soil(backend, "Zusammenfassung")).where(
        Revision.page == measure.page_id).execute()
    for url in FEEDS:
        response = client.get(url)
        assert response.status_code == 200, url
        root = ET.fromstring(response.data)  # raised "not well-formed" before
        check_atom(root)
    found = entries(ET.fromstring(client.get("/feeds/measures/M07/changes.atom").data))
    comment = next(entry for entry in found if squeezed(entry["author"]) == "WandaOrd")
    assert "ZeileeinsZeilezwei" in squeezed(comment["html"])  # the text stays, breaks as \n
    assert any(squeezed(entry["summary"]) == "Zusammenfassung" for entry in found)


def squeezed(text):
    """Return text without any whitespace."""
    return "".join((text or "").split())


def test_feeds_write_four_digit_years(client, demo):
    """A timestamp in the year 1 is still an RFC 3339 date-time, with a tag URI day."""
    measure = Measure.by_code("M07")
    Comment.create(measure=measure, body="alt", html="<p>alt</p>",
                   created=datetime.datetime(1, 1, 1), updated=datetime.datetime(1, 1, 1))
    root = ET.fromstring(client.get("/feeds/measures/M07/changes.atom").data)
    check_atom(root)
    assert any(entry["published"] == "0001-01-01T00:00:00Z"
               and ",0001-01-01:comment/" in entry["id"] for entry in entries(root))


# CSV exports (defect 8).

@pytest.mark.parametrize("url", ["/measures?format=csv", "/api/export.csv"])
def test_csv_cells_are_neither_formulas_nor_controls(client, demo, url):
    """A stored title starting with = (after a control) stays text in a spreadsheet."""
    measure = Measure.by_code("M07")
    Page.update(title="\x01=HYPERLINK(\"http://x\";\"klick\")\x0b").where(
        Page.id == measure.page_id).execute()
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(\"http://x\";\"klick\")\n" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert not any(char in cell for cell in cells for char in C0 if char not in "\t\n")


# iCalendar (defects 7 and 8).

def test_calendar_with_dates_at_the_ends_of_time_is_valid(client, demo, backend):
    """9999-12-31 has no next day, 0001-01-01 no four-digit strftime: both are events."""
    measure = Measure.by_code("M07")
    Measure.update(planned_start=DAY(1, 1, 1), planned_end=DAY(9999, 12, 31),
                   legal_deadline=DAY(9999, 12, 31)).where(Measure.id == measure.id).execute()
    Page.update(title=soil(backend, "Akte")).where(Page.id == measure.page_id).execute()
    ReportRound.create(slug="ende", title=soil(backend, "Runde"), period="9999-Q4",
                       due_date=DAY(9999, 12, 31))
    response = client.get("/calendar.ics")
    assert response.status_code == 200  # raised OverflowError before
    check_syntax(response.data)
    assert not any(char in response.text.replace("\r\n", "") for char in C0 if char != "\t")
    by_uid = {event["UID"]: event for event in events(response.text)}
    start = by_uid["measure-M07-planned-start@localhost"]
    assert (start["DTSTART;VALUE=DATE"], start["DTEND;VALUE=DATE"]) == ("00010101", "00010102")
    assert start["SUMMARY"] == "Beginn geplant: M07 Ak te"  # a title is one line
    for uid in ("measure-M07-planned-end@localhost", "measure-M07-legal-deadline@localhost",
                "round-ende-due@localhost"):
        assert by_uid[uid]["DTSTART;VALUE=DATE"] == "99991231"
        assert "DTEND;VALUE=DATE" not in by_uid[uid]  # one day long without it (RFC 5545)


# The timeline (defect 7).

def test_timeline_of_dates_from_year_1_to_9999_stays_small(client, demo):
    """Dates in the years 1 and 9999 no longer make 40,000 quarters: the axis is bounded."""
    Measure.update(planned_start=DAY(1, 1, 1), planned_end=DAY(9999, 12, 31)).where(
        Measure.code == "M07").execute()
    Measure.update(actual_start=DAY(1, 1, 1), actual_end=DAY(2, 6, 30)).where(
        Measure.code == "M06").execute()
    response = client.get("/timeline")
    assert response.status_code == 200
    assert len(response.data) < 1_000_000  # 7.6 MB before
    page = BeautifulSoup(response.text, "html.parser")
    years = [int(text.get_text()) for text in page.select("svg text.year-label")]
    assert len(years) <= timeline.MAX_YEARS and years == list(range(years[0], years[-1] + 1))
    assert years[0] <= datetime.date.today().year <= years[-1]
    note = page.select_one(".timeline-beyond").get_text(" ", strip=True)
    assert "M06" in note and "M07" in note
    bars = {a["href"].rsplit("/", 1)[1]: a for a in page.select("a.bar-link")}
    assert bars["M07"].select_one("rect.bar-planned")["width"] == "900"  # edge to edge
    assert bars["M06"].select_one("rect.bar-actual")["x"] == str(timeline.LABEL_WIDTH)


@pytest.mark.parametrize("start, end, days, window", [
    (DAY(2023, 1, 1), DAY(2030, 12, 31), [DAY(2024, 1, 1)], (2023, 2030)),
    (DAY(2023, 1, 1), DAY(2030, 12, 31), [DAY(1, 1, 1), DAY(9999, 1, 1)], (2015, 2039)),
    (DAY(2023, 1, 1), DAY(2030, 12, 31), [DAY(2021, 1, 1), DAY(9999, 1, 1)], (2021, 2045)),
    (DAY(2023, 1, 1), DAY(2030, 12, 31), [DAY(1, 1, 1)], (2006, 2030)),
    (DAY(1, 1, 1), DAY(9999, 12, 31), [], (2014, 2038)),
    (None, None, [DAY(1, 1, 1), DAY(9999, 12, 31)], (2014, 2038)),
])
def test_the_window_keeps_the_strategy_period_in_view(start, end, days, window):
    """At most MAX_YEARS whole years, around the strategy's period, or today when it is wild."""
    class Row:
        planned_start = planned_end = actual_end = None

    rows = []
    for day in days:
        row = Row()
        row.actual_start = day
        rows.append(row)
    first, last = timeline.period(rows, start, end, today=DAY(2026, 5, 1))
    assert (first.year, last.year) == window
    assert (first.month, first.day, last.month, last.day) == (1, 1, 12, 31)


# Report rounds of odd quarters (defect 7).

def test_rounds_of_a_three_digit_year_show(client, demo, login):
    """Periods as older versions stored them ("999-Q4") show instead of answering 500."""
    measure = Measure.by_code("M07")
    StatusReport.create(measure=measure, date=DAY(999, 12, 31), period="999-Q4",
                        status="active", traffic_light="green", html="<p>alt</p>")
    ReportRound.create(slug="alt", title="Alte Runde", period="999-Q4", due_date=DAY(999, 12, 1))
    ReportRound.create(slug="sehr-alt", title="Sehr alte Runde", period="0999-Q4",
                       due_date=DAY(999, 12, 31))
    ReportRound.create(slug="kaputt", title="Kaputte Runde", period="Q4/999",
                       due_date=DAY(2026, 12, 31))
    for url in ("/reports", "/reports/alt", "/reports/alt/council", "/reports/alt/council.md",
                "/reports/sehr-alt", "/reports/kaputt", "/measures/M07",
                "/measures/M07/reports", "/"):
        assert client.get(url).status_code == 200, url  # ValueError before
    login("editor")
    response = client.post("/measures/M07/reports/new", data={
        "period": "0999-Q4", "date": "0999-12-31", "status": "active",
        "traffic_light": "green", "progress": "10", "body": "Alt", "action": "save"})
    assert response.status_code in (302, 400)  # saved as 0999-Q4, or refused: never 500
    assert not StatusReport.select().where(StatusReport.period == "999-Q4",
                                           StatusReport.body == "Alt").exists()


# Notification e-mails (defect 6).

class Inbox:
    """What the local SMTP server received, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        """Keep the message with its recipients."""
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def smtp_server():
    """Run a real SMTP server (aiosmtpd) on 127.0.0.1 at a random port for this module."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def inbox(app, demo, smtp_server):
    """Switch e-mail on, pointed at the local SMTP server; return its (emptied) inbox."""
    inbox, port = smtp_server
    inbox.messages.clear()
    app.config.update(MAIL_ENABLED=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                      MAIL_FROM="Fahrplan <fahrplan@stadt.example.org>", BASE_URL=BASE_URL)
    return inbox


def notify(username, code, body):
    """Have username watch the measure and store a comment on it with its notification."""
    user, measure = User.by_name(username), Measure.by_code(code)
    Watch.create(user=user, measure=measure)
    comment = Comment.create(measure=measure, author=make_user("t.schmitz"), body=body,
                             html=f"<p>{body}</p>")
    Notification.create(user=user, kind="comment", measure=measure, comment=comment,
                        actor=comment.author_id)


def states():
    """Return each notification's recipient and e-mail state."""
    return sorted((n.user.username, n.mail) for n in Notification.select())


def test_a_line_break_in_a_title_makes_one_header_line(app, runner, inbox, backend):
    """A measure title with a line break no longer stops `fahrplan notify` for everyone."""
    Page.update(title="Akte\nBcc: jemand@example.org" + controls(backend)).where(
        Page.id == Measure.by_code("M07").page_id).execute()
    notify("k.becker", "M07", "Zeile eins" + controls(backend) + "Zeile zwei")
    notify("j.wagner", "M06", "Ein guter Kommentar")
    outcome = runner.invoke(args=["notify"])
    assert outcome.exit_code == 0, outcome.output  # ValueError and exit 1 before
    assert states() == [("j.wagner", "sent"), ("k.becker", "sent")]
    received = {recipients[0]: message for recipients, message in inbox.messages}
    message = received["k.becker@example.org"]
    assert message["Subject"] == "[Fahrplan] Neuer Kommentar zu M07 Akte Bcc: jemand@example.org"
    assert message["Bcc"] is None
    text = message.get_body(("plain",)).get_content()
    assert "Thomas Schmitz hat M07 Akte Bcc: jemand@example.org kommentiert." in text
    assert "ZeileeinsZeilezwei" in squeezed(text)
    assert not any(char in text for char in C0 if char not in "\t\n\r")


def test_a_mail_that_cannot_be_made_is_set_aside_and_the_rest_go(app, runner, inbox, caplog):
    """An address no header can carry: that one is marked failed and logged, the others sent."""
    User.update(email="j.wagner@example.org, jemand@example.org").where(
        User.username == "j.wagner").execute()
    notify("j.wagner", "M06", "Geht an eine kaputte Adresse")
    notify("k.becker", "M07", "Geht durch")
    outcome = runner.invoke(args=["notify"])
    assert outcome.exit_code == 1  # a partial failure: cron mails the operator
    assert "1 nicht versendbar" in outcome.output
    assert states() == [("j.wagner", "failed"), ("k.becker", "sent")]
    assert [recipients for recipients, _message in inbox.messages] == [["k.becker@example.org"]]
    failed = Notification.get(Notification.mail == "failed")
    assert f"[{failed.id}]" in caplog.text and "jemand@" not in caplog.text
    again = runner.invoke(args=["notify"])  # set aside for good: it blocks no later run
    assert again.exit_code == 0 and "0 nicht versendbar" in again.output
    assert len(inbox.messages) == 1


@pytest.mark.parametrize("stored, header", [
    ("k.becker@example.org", "Katrin Becker <k.becker@example.org>"),
    (" jörg@exämple.de ", "Katrin Becker <jörg@exämple.de>"),  # SMTPUTF8, as before
    ("k.becker@example.org, jemand@example.org", None),  # a list would reach two people
    ("k.becker@example.org\nBcc: jemand@example.org", None),
    ("Katrin <k.becker@example.org>", None), ("k.becker\x01@example.org", None),
    ("k.becker@localhost", None), ("", None),
])
def test_the_recipient_is_one_address_or_none(stored, header):
    """A stored address goes into To as exactly one address, or the e-mail is not made."""
    class Account:
        id, display_name, email = 7, "Katrin\nBecker", stored

    if header is None:
        with pytest.raises(ValueError):
            recipient(Account())
    else:
        assert str(recipient(Account())) == header
