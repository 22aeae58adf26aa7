"""Watching and notifications: who may watch, which events notify whom, the list, e-mail."""
import datetime
import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from bs4 import BeautifulSoup
from playhouse.test_utils import count_queries
from werkzeug.security import generate_password_hash

from tests.conftest import PASSWORD, make_user
from wiki import mail
from wiki.db import utcnow
from wiki.domain.notifications import mentioned
from wiki.models import ActionField, Comment, Measure, StatusReport, User
from wiki.models.watching import Notification, Watch

pytestmark = pytest.mark.postgres

HX = {"HX-Request": "true"}
TODAY = datetime.date.today()
PERIOD = f"{TODAY.year}-Q{(TODAY.month - 1) // 3 + 1}"
BASE_URL = "https://fahrplan.intranet.example.org"
# The demo's people, and one without an e-mail address: user name -> role.
PEOPLE = {"k.becker": "editor", "t.schmitz": "editor", "j.wagner": "reader",
          "a.krause": "admin", "ohne.mail": "editor"}


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def text(node):
    """Return a node's text with whitespace collapsed."""
    return " ".join(node.get_text().split())


def user(username):
    """Return a user by name."""
    return User.by_name(username)


def notes(username, **where):
    """Return a user's notifications as (kind, measure code) pairs, oldest first."""
    query = (Notification.select(Notification, Measure)
             .join(Measure)
             .where(Notification.user == user(username))
             .order_by(Notification.id))
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return [(n.kind, n.measure.code) for n in query]


def watches():
    """Return every watch as (user name, measure code or None, field code or None)."""
    rows = []
    for watch in Watch.select().order_by(Watch.id):
        measure = Measure.get_by_id(watch.measure_id) if watch.measure_id else None
        field = ActionField.get_by_id(watch.field_id) if watch.field_id else None
        rows.append((watch.user.username, measure and measure.code, field and field.code))
    return rows


@pytest.fixture
def people(demo):
    """Give the demo's people a known password; add an editor without an e-mail address."""
    make_user("ohne.mail", role="editor", name="Olaf Ohnemail")
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    User.update(password_hash=cheap).where(User.username.in_(list(PEOPLE))).execute()
    return demo


@pytest.fixture
def as_user(app, people):
    """Return a function giving a test client logged in as someone (None: anonymous)."""
    def client_for(username):
        client = app.test_client()
        if username:
            response = client.post("/login", data={"username": username, "password": PASSWORD})
            assert response.status_code == 302, response.text
        return client
    return client_for


def watch(client, code, kind="measures", on=True):
    """Start (or stop) watching a measure or field through the form; return the response."""
    return client.post(f"/{kind}/{code}/watch", data={"watch": "1" if on else "0"})


def comment(client, body, code="M07"):
    """Post a comment; return its id."""
    response = client.post(f"/measures/{code}/comments", data={"body": body})
    assert response.status_code == 302, response.text
    return int(response.location.rsplit("-", 1)[1])


def report(client, code="M07", body="Roll-out in weiteren Fachbereichen."):
    """Write a status report for today; return the response."""
    return client.post(f"/measures/{code}/reports/new", data={
        "period": PERIOD, "date": TODAY.isoformat(), "status": "operating",
        "traffic_light": "yellow", "progress": "80", "body": body, "action": "save"})


# Watching: who may, and how it answers.

@pytest.mark.parametrize("username", [None, "j.wagner", "k.becker", "a.krause"])
def test_watch_and_unwatch_by_role(as_user, username):
    """Everyone logged in may watch, readers too; anonymous visitors are sent to log in."""
    client = as_user(username)
    response = watch(client, "M07")
    if username is None:
        assert response.status_code == 401
        assert soup(response).select_one("form textarea[name=watch]").text == "1"
        assert watches() == []
        assert client.get("/notifications").location.startswith("/login?next=/notifications")
        return
    assert response.status_code == 302
    assert watches() == [(username, "M07", None)]
    assert watch(client, "M07", on=False).status_code == 302
    assert watches() == []


def test_a_plain_form_goes_back_where_it_came_from(as_user):
    """Without JavaScript the form redirects to its own page, never to another site."""
    client = as_user("k.becker")
    response = client.post("/fields/hf3/watch",
                           data={"watch": "1", "next": "/architecture#watch-field-HF3"})
    assert response.location == "/architecture#watch-field-HF3"
    response = client.post("/measures/M07/watch",
                           data={"watch": "1", "next": "https://evil.example.org/"})
    assert response.location == "/"
    assert watches() == [("k.becker", None, "HF3"), ("k.becker", "M07", None)]
    page = soup(client.get(response.location, follow_redirects=True))
    assert "Sie beobachten jetzt M07" in text(page.select_one("#live"))


def test_htmx_gets_the_button_back_focused_and_announced(as_user):
    """An htmx click answers with the form alone: the other button, focus and a message."""
    client = as_user("j.wagner")
    response = client.post("/measures/M07/watch", data={"watch": "1"}, headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    page = soup(response)
    assert page.select_one("html") is None
    button = page.select_one("form[hx-target='#watch-measure-M07'] button")
    assert text(button).startswith("★ Nicht mehr beobachten")
    assert button.has_attr("data-focus")
    assert "Sie beobachten jetzt M07" in button["data-announce"]
    assert page.select_one("input[name=watch]")["value"] == "0"


def test_the_measure_page_and_the_fields_show_the_state(as_user):
    """The measure page shows the toggle; a watched field says so on its measures."""
    client = as_user("k.becker")
    anonymous = soup(as_user(None).get("/measures/M07"))
    assert anonymous.select_one(".watch") is None
    page = soup(client.get("/measures/M07"))
    assert text(page.select_one("header.page-header .watch button")).startswith("☆ Beobachten")
    watch(client, "HF3", "fields")
    page = soup(client.get("/measures/M07"))
    assert "Beobachtet über das Handlungsfeld HF3" in text(page.select_one(".watch"))
    start = soup(client.get("/architecture"))
    box = start.select_one("#watch-field-HF3")
    assert text(box.select_one("button")).startswith("★ Nicht mehr beobachten")
    assert text(start.select_one("#watch-field-HF1 button")).startswith("☆ Beobachten")


@pytest.mark.parametrize("value", ["", "2", "ja"])
def test_a_bad_watch_value_is_refused(as_user, value):
    """A form without a valid watch field: 400, a German message naming it, nothing stored."""
    response = as_user("k.becker").post("/measures/M07/watch", data={"watch": value})
    assert response.status_code == 400
    assert "Das Feld „Beobachten“" in text(soup(response).select_one("h1"))
    assert watches() == []


def test_unknown_targets_are_404_and_watching_twice_is_one_watch(as_user):
    """Unknown codes are 404; watching again changes nothing."""
    client = as_user("k.becker")
    assert watch(client, "M99").status_code == 404
    assert watch(client, "HF9", "fields").status_code == 404
    watch(client, "m07")
    watch(client, "M07")
    assert watches() == [("k.becker", "M07", None)]


def test_watching_needs_the_csrf_token(app, as_user):
    """With CSRF protection on, a form without the token changes nothing."""
    client = as_user("k.becker")
    app.config["WTF_CSRF_ENABLED"] = True
    assert watch(client, "M07").status_code == 400
    assert client.post("/notifications/read").status_code == 400
    assert watches() == []


# Events.

def test_a_comment_notifies_the_watchers_but_not_its_author(as_user):
    """Watchers of the measure hear of a comment; its author does not, even when watching."""
    katrin, thomas = as_user("k.becker"), as_user("t.schmitz")
    watch(katrin, "M07")
    watch(thomas, "M07")
    watch(as_user("j.wagner"), "M06")
    comment(thomas, "Die Schulungstermine stehen fest.")
    assert notes("k.becker") == [("comment", "M07")]
    assert notes("t.schmitz") == [] and notes("j.wagner") == []
    note = Notification.get()
    assert (note.actor.username, note.comment.body) == ("t.schmitz", "Die Schulungstermine "
                                                                     "stehen fest.")


def test_a_new_report_notifies_the_watchers_and_an_edit_does_not(as_user):
    """A new status report notifies; saving a new version of it stays quiet."""
    katrin, thomas = as_user("k.becker"), as_user("t.schmitz")
    watch(katrin, "M07")
    assert report(thomas).status_code == 302
    assert notes("k.becker") == [("report", "M07")]
    saved = StatusReport.of(Measure.by_code("M07")).first()
    assert Notification.get().report_id == saved.id
    response = thomas.post(f"/measures/M07/reports/{saved.id}/edit", data={
        "period": PERIOD, "date": TODAY.isoformat(), "status": "operating",
        "traffic_light": "green", "progress": "85", "body": "Korrigiert.", "action": "save",
        "base_revision": "1"})
    assert response.status_code == 302
    assert notes("k.becker") == [("report", "M07")]


def test_watching_a_field_covers_its_measures_once(as_user):
    """A field's watchers hear of its measures only; watching both brings one notification."""
    katrin, rita, thomas = as_user("k.becker"), as_user("j.wagner"), as_user("t.schmitz")
    watch(katrin, "HF3", "fields")
    watch(katrin, "M07")
    watch(rita, "HF1", "fields")
    comment(thomas, "Zur E-Akte.", "M07")
    comment(thomas, "Zum Aktenplan.", "M06")
    comment(thomas, "Zum Portal.", "M01")
    assert notes("k.becker") == [("comment", "M07"), ("comment", "M06")]
    assert notes("j.wagner") == [("comment", "M01")]


def test_a_mention_notifies_whoever_is_named(as_user):
    """@name (any case) notifies that person, watching or not; a watcher named gets one note."""
    thomas = as_user("t.schmitz")
    watch(as_user("j.wagner"), "M07")
    comment(thomas, "@K.Becker und @j.wagner: bitte bis Freitag prüfen. Danke, @t.schmitz.")
    assert notes("k.becker") == [("mention", "M07")]
    assert notes("j.wagner") == [("mention", "M07")]
    assert notes("t.schmitz") == []


@pytest.mark.parametrize("body", [
    "Mail an info@k.becker.de geschickt.",
    "Im Code: `@k.becker` bleibt stumm.",
    "```\n@k.becker\n```",
    "@niemand.da hat keinen Zugang.",
    "@k.beckerin ist jemand anderes.",
])
def test_what_is_no_mention(as_user, body):
    """Addresses, code and unknown names notify nobody."""
    comment(as_user("t.schmitz"), body)
    assert Notification.select().count() == 0


def test_a_disabled_user_is_not_notified(as_user):
    """An inactive account is neither mentioned nor told as a watcher."""
    watch(as_user("j.wagner"), "M07")
    User.update(active=False).where(User.username.in_(["k.becker", "j.wagner"])).execute()
    comment(as_user("t.schmitz"), "Hallo @k.becker.")
    assert Notification.select().count() == 0


def test_mentions_are_found_in_rendered_text(people):
    """The mention finder reads the HTML's text: a sentence's full stop ends the name."""
    found = mentioned("<p>Danke @k.becker. Und (@T.Schmitz)!</p><pre><code>@a.krause</code></pre>")
    assert sorted(u.username for u in found) == ["k.becker", "t.schmitz"]


# The list.

def test_the_list_shows_newest_first_unread_in_words_and_the_count(as_user):
    """The list holds the user's notifications only, newest first; unread ones say so."""
    katrin, thomas = as_user("k.becker"), as_user("t.schmitz")
    watch(katrin, "M07")
    watch(as_user("j.wagner"), "M07")
    comment(thomas, "Erster Kommentar")
    comment(thomas, "Zweiter Kommentar, @k.becker")
    report(thomas)
    page = soup(katrin.get("/notifications"))
    items = page.select(".notification-list > li")
    assert [text(i.select_one(".notification-title")) for i in items] == [
        "Ungelesen: Thomas Schmitz hat einen Sachstandsbericht für das "
        f"{(TODAY.month - 1) // 3 + 1}. Quartal {TODAY.year} zu M07 Zentrales "
        "Dokumentenmanagementsystem und E-Akte geschrieben.",
        "Ungelesen: Thomas Schmitz hat Sie in einem Kommentar zu M07 Zentrales "
        "Dokumentenmanagementsystem und E-Akte erwähnt.",
        "Ungelesen: Thomas Schmitz hat M07 Zentrales Dokumentenmanagementsystem und E-Akte "
        "kommentiert.",
    ]
    assert text(items[2].select_one(".notification-excerpt")) == "Erster Kommentar"
    link = items[1].select_one(".notification-title a")["href"]
    assert link == f"/measures/M07#comment-{Comment.select().order_by(Comment.id.desc()).get().id}"
    assert items[0].select_one("a")["href"].startswith("/measures/M07#report-")
    header = page.select_one("#notifications-link")
    assert text(header) == "Benachrichtigungen 3 ungelesen"
    assert header["aria-current"] == "page"
    assert text(page.select_one(".notification-count")) == "3 ungelesene Benachrichtigungen"
    assert len(soup(as_user("j.wagner").get("/notifications")).select(".notification")) == 3


def test_mark_all_read(as_user):
    """"Alle als gelesen markieren" clears the count; the items stay, marked read."""
    katrin = as_user("k.becker")
    watch(katrin, "M07")
    comment(as_user("t.schmitz"), "Bitte lesen")
    assert katrin.post("/notifications/read").location == "/notifications"
    page = soup(katrin.get("/notifications"))
    assert text(page.select_one("#notifications-link")) == "Benachrichtigungen"
    assert page.select_one(".unread-mark") is None
    assert "gelesen" in text(page.select_one(".notification-meta"))
    assert page.select_one("form[action='/notifications/read']") is None
    assert Notification.unread(user("k.becker")).count() == 0


def test_mark_one_read_with_htmx_and_without(as_user):
    """One notification is marked read: htmx gets it and the header count; others get 404."""
    katrin = as_user("k.becker")
    watch(katrin, "M07")
    thomas = as_user("t.schmitz")
    comment(thomas, "Eins")
    comment(thomas, "Zwei")
    first, second = [n.id for n in Notification.select().order_by(Notification.id)]
    assert as_user("j.wagner").post(f"/notifications/{first}/read").status_code == 404
    response = katrin.post(f"/notifications/{first}/read", headers=HX)
    page = soup(response)
    assert page.select_one("article.notification:not(.unread)")["data-announce"] == (
        "Als gelesen markiert.")
    link = page.select_one("#notifications-link")
    assert link["hx-swap-oob"] == "true" and text(link) == "Benachrichtigungen 1 ungelesen"
    response = katrin.post(f"/notifications/{second}/read")
    assert response.location == f"/notifications#notification-{second}"
    assert Notification.unread(user("k.becker")).count() == 0


def test_the_list_is_not_one_query_per_notification(as_user):
    """The list's query count does not grow with its notifications."""
    katrin, thomas = as_user("k.becker"), as_user("t.schmitz")
    watch(katrin, "M07")
    watch(katrin, "HF3", "fields")
    comment(thomas, "eins")
    with count_queries() as few:
        katrin.get("/notifications")
    for number in range(4):
        comment(thomas, f"noch einer {number}", "M06")
    report(thomas)
    with count_queries() as many:
        katrin.get("/notifications")
    assert many.count == few.count


def test_the_list_pages_and_forgets_nothing(as_user, monkeypatch):
    """Past one page, older notifications are one click away."""
    monkeypatch.setattr("wiki.views.notifications.PER_PAGE", 2)
    katrin, thomas = as_user("k.becker"), as_user("t.schmitz")
    watch(katrin, "M07")
    for number in range(3):
        comment(thomas, f"Kommentar {number}")
    first = soup(katrin.get("/notifications"))
    assert [text(p) for p in first.select(".notification-excerpt")] == ["Kommentar 2",
                                                                         "Kommentar 1"]
    older = first.select_one("nav.pager a")
    assert text(older) == "Ältere"
    second = soup(katrin.get(older["href"]))
    assert [text(p) for p in second.select(".notification-excerpt")] == ["Kommentar 0"]


@pytest.mark.parametrize("change", ["hide", "delete"])
def test_a_hidden_or_deleted_comment_is_not_leaked(as_user, change):
    """Once a comment is hidden or deleted, its notification shows neither text nor author."""
    katrin, thomas = as_user("k.becker"), as_user("t.schmitz")
    watch(katrin, "M07")
    comment_id = comment(thomas, "Vertraulich: Herr X ist krank, @k.becker.")
    actor = as_user("a.krause") if change == "hide" else thomas
    assert actor.post(f"/comments/{comment_id}/{change}").status_code == 302
    page = soup(katrin.get("/notifications"))
    item = page.select_one(".notification")
    assert "Vertraulich" not in page.text and "Thomas" not in text(item)
    assert text(item.select_one(".notification-excerpt")) == "Kommentar nicht mehr sichtbar"
    assert text(item.select_one(".notification-title")) == (
        "Ungelesen: Sie wurden in einem Kommentar zu M07 Zentrales Dokumentenmanagementsystem "
        "und E-Akte erwähnt.")
    assert item.select_one(".notification-title a")["href"] == "/measures/M07#comments"


# E-mail.

class Inbox:
    """What the local SMTP server received; it refuses recipients named in `refuse`."""

    def __init__(self):
        self.messages = []
        self.refuse = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Accept a recipient, or refuse one with the configured reply."""
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Keep the message, parsed."""
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


def free_port():
    """Return a TCP port on 127.0.0.1 that nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def smtp_server():
    """Run a real SMTP server (aiosmtpd) on 127.0.0.1 at a random port for this module."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def inbox(app, smtp_server):
    """Switch e-mail on, pointed at the local SMTP server; return its (emptied) inbox."""
    inbox, port = smtp_server
    inbox.messages.clear()
    inbox.refuse.clear()
    app.config.update(MAIL_ENABLED=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                      MAIL_FROM="Fahrplan <fahrplan@stadt.example.org>", BASE_URL=BASE_URL,
                      MAIL_DIGEST_AFTER=3)
    return inbox


def send(app):
    """Run the sending once, as `fahrplan notify` does; return its result."""
    with app.app_context():
        return mail.send_pending()


def mail_states():
    """Return every notification's (recipient, e-mail state, mailed set?), by recipient."""
    return sorted((n.user.username, n.mail, n.mailed is not None)
                  for n in Notification.select())


def body(message):
    """Return a message's plain text, with the line ends as Python writes them."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_one_comment_makes_one_german_plain_text_mail(app, as_user, inbox):
    """A comment on a watched measure: one e-mail, German, plain text, absolute links."""
    watch(as_user("k.becker"), "M07")
    comment_id = comment(as_user("t.schmitz"), "Die **Schulung** für Fachbereich 3 ist "
                                               "am Montag; Räume sind gebucht.")
    result = send(app)
    assert (result.mails, result.sent, result.failed) == (1, 1, 0)
    [(recipients, message)] = inbox.messages
    assert recipients == ["k.becker@example.org"]
    assert message["To"] == "Katrin Becker <k.becker@example.org>"
    assert message["From"] == "Fahrplan <fahrplan@stadt.example.org>"
    assert message["Subject"] == ("[Fahrplan] Neuer Kommentar zu M07 Zentrales "
                                  "Dokumentenmanagementsystem und E-Akte")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "text/plain"
    text_ = body(message)
    assert text_.startswith("Guten Tag Katrin Becker,\n\nThomas Schmitz hat M07 Zentrales "
                            "Dokumentenmanagementsystem und E-Akte kommentiert.\n")
    assert "    Die Schulung für Fachbereich 3 ist am Montag; Räume sind gebucht." in text_
    assert f"Zum Kommentar: {BASE_URL}/measures/M07#comment-{comment_id}" in text_
    assert f"{BASE_URL}/notifications" in text_
    assert "weil Sie M07 oder sein Handlungsfeld beobachten" in text_
    assert mail_states() == [("k.becker", "sent", True)]
    assert send(app).mails == 0  # sent once only


def test_report_and_mention_mails_say_what_they_are(app, as_user, inbox):
    """A report's e-mail has its status and light; a mention's says who named you."""
    watch(as_user("j.wagner"), "M07")
    thomas = as_user("t.schmitz")
    report(thomas, body="Roll-out läuft in **allen** Dezernaten.")
    comment(thomas, "@k.becker, schaust du bitte drauf?")
    send(app)
    received = {}
    for recipients, message in inbox.messages:
        received.setdefault(recipients[0], []).append((message["Subject"], body(message)))
    assert len(received["j.wagner@example.org"]) == 2  # the report, and the comment
    subject, text_ = received["j.wagner@example.org"][0]
    assert subject == "[Fahrplan] Neuer Sachstandsbericht zu M07 Zentrales " \
                      "Dokumentenmanagementsystem und E-Akte"
    assert "Status: in Betrieb / Roll-out, Ampel: gelb, Fortschritt: 80 %" in text_
    assert "Roll-out läuft in allen Dezernaten." in text_
    assert f"Zum Bericht: {BASE_URL}/measures/M07#report-" in text_
    [(subject, text_)] = received["k.becker@example.org"]
    assert subject == "[Fahrplan] Sie wurden erwähnt: M07 Zentrales " \
                      "Dokumentenmanagementsystem und E-Akte"
    assert "Thomas Schmitz hat Sie in einem Kommentar zu M07" in text_
    assert "weil Sie in einem Kommentar erwähnt wurden" in text_


@pytest.mark.parametrize("count, mails", [(3, 3), (4, 1)])
def test_more_than_the_threshold_makes_one_digest(app, as_user, inbox, count, mails):
    """Up to MAIL_DIGEST_AFTER pending notifications go singly; more go as one digest."""
    watch(as_user("k.becker"), "HF3", "fields")
    thomas = as_user("t.schmitz")
    for number in range(count):
        comment(thomas, f"Kommentar Nummer {number}", ("M06", "M07", "M08")[number % 3])
    result = send(app)
    assert (result.mails, result.sent) == (mails, count)
    assert len(inbox.messages) == mails
    assert all(state == ("k.becker", "sent", True) for state in mail_states())
    if mails == 1:
        message = inbox.messages[0][1]
        assert message["Subject"] == "[Fahrplan] 4 neue Benachrichtigungen"
        text_ = body(message)
        assert "im Fahrplan gibt es 4 neue Benachrichtigungen für Sie:" in text_
        for number in range(count):
            assert f"{number + 1}. Thomas Schmitz hat M0" in text_
            assert f"„Kommentar Nummer {number}“" in text_
        assert text_.count(f"{BASE_URL}/measures/") == 4


def test_smtp_down_keeps_everything_pending(app, as_user, inbox, smtp_server, runner, caplog):
    """With the server unreachable the comment is saved, and the mail waits for the next run."""
    app.config["MAIL_PORT"] = free_port()
    watch(as_user("k.becker"), "M07")
    comment(as_user("t.schmitz"), "Gespeichert, obwohl der Mailserver fehlt.")
    result = send(app)
    assert (result.mails, result.failed) == (0, 1)
    assert mail_states() == [("k.becker", "pending", False)]
    assert "nicht erreichbar" in caplog.text and "k.becker" not in caplog.text
    outcome = runner.invoke(args=["notify"])
    assert outcome.exit_code == 1 and "1 noch offen" in outcome.output
    app.config["MAIL_PORT"] = smtp_server[1]
    assert send(app).mails == 1 and len(inbox.messages) == 1
    assert mail_states() == [("k.becker", "sent", True)]


def test_who_gets_no_mail(app, as_user, inbox):
    """No address, read in the app first, or the comment hidden since: no e-mail, no retry."""
    for username in ("ohne.mail", "k.becker", "j.wagner"):
        watch(as_user(username), "M07")
    comment_id = comment(as_user("t.schmitz"), "Ein Kommentar")
    as_user("k.becker").post("/notifications/read")
    assert mail_states() == [("j.wagner", "pending", False), ("k.becker", "pending", False),
                             ("ohne.mail", "skipped", False)]
    as_user("a.krause").post(f"/comments/{comment_id}/hide")
    result = send(app)
    assert (result.mails, result.skipped) == (0, 2)
    assert inbox.messages == []
    assert [state for _name, state, _mailed in mail_states()] == ["skipped"] * 3
    assert len(soup(as_user("ohne.mail").get("/notifications")).select(".notification")) == 1


def test_a_refused_address_is_not_tried_again(app, as_user, inbox):
    """A permanent refusal (5xx) marks it done; a temporary one (4xx) keeps it pending."""
    inbox.refuse["k.becker@example.org"] = "550 5.1.1 Unbekanntes Postfach"
    inbox.refuse["j.wagner@example.org"] = "450 4.2.1 Später erneut"
    for username in ("k.becker", "j.wagner", "a.krause"):
        watch(as_user(username), "M07")
    comment(as_user("t.schmitz"), "An alle")
    result = send(app)
    assert (result.mails, result.skipped, result.failed) == (1, 1, 1)
    assert mail_states() == [("a.krause", "sent", True), ("j.wagner", "pending", False),
                             ("k.becker", "skipped", False)]


LOGINS = []


def login_check(server, session, envelope, mechanism, auth_data):
    """Note each SMTP login; accept only fahrplan / richtig."""
    LOGINS.append((auth_data.login, auth_data.password))
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"fahrplan", b"richtig")
    return AuthResult(success=ok)


@pytest.mark.parametrize("password, mails", [("richtig", 1), ("falsch", 0)])
def test_the_smtp_login_is_used(app, as_user, inbox, password, mails):
    """With MAIL_USERNAME set Fahrplan logs in; a refused login keeps the mail pending."""
    # AUTH without TLS, which only a test on 127.0.0.1 may do (required, aiosmtpd would warn).
    guarded = Controller(inbox, hostname="127.0.0.1", port=free_port(), auth_require_tls=False,
                         authenticator=login_check)
    guarded.start()
    LOGINS.clear()
    try:
        app.config.update(MAIL_PORT=guarded.port, MAIL_USERNAME="fahrplan",
                          MAIL_PASSWORD=password)
        watch(as_user("k.becker"), "M07")
        comment(as_user("t.schmitz"), "Nur mit Anmeldung")
        result = send(app)
    finally:
        guarded.stop()
    assert LOGINS == [(b"fahrplan", password.encode())]
    assert (result.mails, len(inbox.messages)) == (mails, mails)
    assert mail_states() == [("k.becker", "sent" if mails else "pending", bool(mails))]


def test_mail_off_by_default_keeps_notifications_in_the_app(app, as_user, runner):
    """With MAIL_ENABLED off nothing is queued, and `fahrplan notify` says so."""
    assert app.config["MAIL_ENABLED"] is False
    watch(as_user("k.becker"), "M07")
    comment(as_user("t.schmitz"), "Nur in der App")
    assert mail_states() == [("k.becker", "skipped", False)]
    outcome = runner.invoke(args=["notify"])
    assert outcome.exit_code == 0 and "E-Mail ist ausgeschaltet" in outcome.output
    page = soup(as_user("k.becker").get("/notifications"))
    assert "ausgeschaltet" in text(page.select_one(".mail-note"))


def test_the_command_sends_and_needs_the_base_url(app, as_user, inbox, runner):
    """`fahrplan notify` sends what is pending; without BASE_URL it stops and says why."""
    watch(as_user("k.becker"), "M07")
    comment(as_user("t.schmitz"), "Per Kommando")
    app.config["BASE_URL"] = None
    outcome = runner.invoke(args=["notify"])
    assert outcome.exit_code == 1 and "FAHRPLAN_BASE_URL" in outcome.output
    assert inbox.messages == []
    app.config["BASE_URL"] = BASE_URL
    outcome = runner.invoke(args=["notify"])
    assert outcome.exit_code == 0, outcome.output
    assert "1 E-Mail(s) mit 1 Benachrichtigung(en) versandt" in outcome.output
    assert len(inbox.messages) == 1


def test_a_base_url_with_a_path_prefixes_the_links(app, as_user, inbox):
    """Fahrplan under a path of the intranet host gets links under that path."""
    app.config["BASE_URL"] = "https://intranet.example.org/fahrplan/"
    watch(as_user("k.becker"), "M07")
    comment(as_user("t.schmitz"), "Pfad")
    send(app)
    assert "https://intranet.example.org/fahrplan/measures/M07#comment-" in body(
        inbox.messages[0][1])


def test_old_notifications_are_forgotten(app, as_user):
    """Notifications older than NOTIFICATION_KEEP_DAYS go with the next run."""
    watch(as_user("k.becker"), "M07")
    comment(as_user("t.schmitz"), "Alt")
    comment(as_user("t.schmitz"), "Neu")
    old = Notification.select().order_by(Notification.id).first()
    (Notification.update(created=utcnow() - datetime.timedelta(days=91))
     .where(Notification.id == old.id).execute())
    assert send(app).deleted == 1
    assert [n.comment.body for n in Notification.select()] == ["Neu"]
