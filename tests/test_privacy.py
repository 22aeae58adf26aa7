"""Privacy: one's own data as JSON, pseudonymising a departed user, pruning old records."""
import json
import os
import re
import shutil
import sqlite3
import subprocess
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from tests.conftest import PASSWORD, make_user
from tests.test_files import send
from wiki.db import db, utcnow
from wiki.domain import search
from wiki.domain.privacy import mention_pattern, prune
from wiki.models import (
    AuditEntry,
    Comment,
    CommentVersion,
    EditPresence,
    LoginThrottle,
    Measure,
    Page,
    ReportVersion,
    Revision,
    Session,
    StatusReport,
    User,
)
from wiki.security import hash_password

pytestmark = pytest.mark.postgres

PERSON = ("t.schmitz", "Thomas Schmitz", "t.schmitz@example.org")  # a demo user with content


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
def person(demo):
    """Give the demo's Thomas Schmitz a password (and make sure of his e-mail address)."""
    user = User.by_name(PERSON[0])
    assert (user.name, user.email) == PERSON[1:]
    User.update(password_hash=hash_password(PASSWORD)).where(User.id == user.id).execute()
    return User.get_by_id(user.id)


@pytest.fixture
def client_of(app):
    """Return a function that gives a new test client logged in as a (new) user."""
    def log_in(username, role="editor", **fields):
        user = make_user(username, role=role, **fields)
        if user.password_hash is None:  # a demo user: give them the test password
            User.update(password_hash=hash_password(PASSWORD)).where(User.id == user.id).execute()
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.text
        return client
    return log_in


# The user's own data

@pytest.mark.parametrize("path", ["/account", "/account/data.json"])
def test_anonymous_visitors_are_sent_to_log_in(client, path):
    """Even with reading open to all, one's data needs a login (and comes back after it)."""
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={path}"


def test_the_export_holds_the_users_profile_and_content(person, client_of):
    """Profile (no password hash), revisions, reports and their versions, comments, texts."""
    client = client_of(PERSON[0])
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.text)
    assert data["profile"] == {"username": "t.schmitz", "name": "Thomas Schmitz",
                               "email": "t.schmitz@example.org", "role": "editor",
                               "active": True, "created": data["profile"]["created"],
                               "password_login": True}
    assert "password_hash" not in response.text and person.password_hash not in response.text
    assert len(data["revisions"]) == Revision.select().where(Revision.author == person).count()
    glossary = next(r for r in data["revisions"] if r["page"] == "glossar")
    assert set(glossary) == {"page", "title", "number", "created", "summary"}
    assert glossary["summary"].startswith("BundID und Servicekonto.NRW")
    reports = StatusReport.select().where(StatusReport.author == person)
    assert len(data["status_reports"]) == reports.count() > 10
    assert {r["measure"] for r in data["status_reports"]} == {"M05", "M06", "M07", "M08"}
    first = reports.order_by(StatusReport.date, StatusReport.id).first()
    assert data["status_reports"][0]["body"] == first.body
    assert len(data["report_versions"]) == (
        ReportVersion.select().where(ReportVersion.author == person).count())
    comments = Comment.select().where(Comment.author == person).order_by(Comment.created)
    assert [c["body"] for c in data["comments"]] == [c.body for c in comments]
    assert [c["measure"] for c in data["comments"]] == ["M07", "M05"]
    assert "Doppelablagen in Postfächern" in data["comments"][1]["body"]
    assert len(data["comment_versions"]) == (
        CommentVersion.select().where(CommentVersion.author == person).count())
    assert data["contact_for_measures"] == ["M05", "M06", "M07", "M08"]
    assert [s["address"] for s in data["sessions"]] == ["127.0.0.1"]
    assert data["audit_entry"] == []  # tables added by other parts come along by themselves


def test_the_export_has_only_the_users_own_data(person, client_of):
    """Another user's export holds none of this user's texts, and nothing of theirs."""
    client_of("k.becker")  # a demo user with content of her own
    client = client_of(PERSON[0])
    client.post("/login", data={"username": "j.wagner", "password": "falsch"})  # not his
    client.post("/login", data={"username": "t.schmitz", "password": "falsch"})
    data = json.loads(client_of("j.wagner").get("/account/data.json").text)
    assert data["profile"]["username"] == "j.wagner"
    text = json.dumps(data, ensure_ascii=False)
    assert "t.schmitz" not in text and "Doppelablagen" not in text
    assert data["failed_logins"] == []  # his own correct login started his count afresh
    mine = json.loads(client.get("/account/data.json").text)
    assert [row["count"] for row in mine["failed_logins"]] == [1]
    own_ids = {c.id for c in Comment.select().where(Comment.author == person)}
    assert {c["id"] for c in mine["comments"]} == own_ids


def test_the_account_page_shows_profile_sessions_and_the_download(person, client_of):
    """The page lists what is stored, marks this session and links the JSON file."""
    client = client_of(PERSON[0])
    client_of(PERSON[0])  # a second session, in another browser
    page = soup(client.get("/account"))
    assert page.h1.get_text() == "Meine Daten"
    assert page.select_one("header a.account-link")["aria-current"] == "page"
    facts = {dt.get_text(strip=True): dt.find_next("dd").get_text(" ", strip=True)
             for dt in page.select(".account-facts dt")}
    assert facts["Benutzername"] == "t.schmitz"
    assert facts["E-Mail-Adresse"] == "t.schmitz@example.org"
    assert facts["Anmeldung"].startswith("mit Passwort")
    rows = page.select(".account-sessions tbody tr")
    assert len(rows) == 2
    assert [bool(row.select(".badge")) for row in rows].count(True) == 1
    assert page.find("a", href="/account/data.json").get_text() == (
        "Meine Daten herunterladen (JSON)")
    assert "keine Statistiken über einzelne Personen" in page.get_text()


def test_every_logged_in_page_links_to_my_data(client, login):
    """The user menu has the link "Meine Daten"; anonymous visitors do not see it."""
    assert soup(client.get("/")).select_one("a.account-link") is None
    login("reader")
    link = soup(client.get("/")).select_one("header a.account-link")
    assert (link.get_text(), link["href"]) == ("Meine Daten", "/account")


def test_watches_and_notifications_come_along_but_not_other_peoples(person, client_of):
    """His watches and notifications are his; a colleague's notification about him is not."""
    from wiki.models import Notification, Watch

    m07, m05 = Measure.by_code("M07"), Measure.by_code("M05")
    colleague = make_user("e.editor")
    Watch.create(user=person, measure=m07)
    Notification.create(user=person, kind="report", measure=m07, actor=colleague)
    Notification.create(user=colleague, kind="comment", measure=m05, actor=person)
    data = json.loads(client_of(PERSON[0]).get("/account/data.json").text)
    assert [w["measure"] for w in data["watch"]] == [m07.id]
    assert [(n["kind"], n["user"]) for n in data["notification"]] == [("report", person.id)]

    client_of("admin", role="admin").post("/admin/users/t.schmitz/pseudonymise",
                                          data={"confirm": "t.schmitz"})
    assert Watch.select().count() == 0
    assert [n.user_id for n in Notification.select()] == [colleague.id]  # still about his text


# Pseudonymising

def test_only_admins_may_pseudonymise(person, client, client_of):
    """Anonymous visitors are asked to log in, editors get 403, and nothing changes."""
    url = "/admin/users/t.schmitz/pseudonymise"
    assert client.get(url).status_code == 302
    assert client.post(url, data={"confirm": "t.schmitz"}).status_code == 401  # log in again
    editor = client_of("e.editor")
    assert editor.get(url).status_code == 403
    assert editor.post(url, data={"confirm": "t.schmitz"}).status_code == 403
    assert User.by_name("t.schmitz").email == PERSON[2]


def test_admins_cannot_pseudonymise_themselves(person, client_of):
    """An admin's own account is refused: no form, and a POST changes nothing."""
    admin = client_of("admin", role="admin")
    page = soup(admin.get("/admin/users/admin/pseudonymise"))
    assert page.find("form", class_="pseudonymise-form") is None
    assert "nicht pseudonymisieren" in page.select_one("#f-account").get_text()
    response = admin.post("/admin/users/admin/pseudonymise", data={"confirm": "admin"})
    assert response.status_code == 403
    assert User.by_name("admin").active


@pytest.mark.parametrize("typed", ["", "t.schmit", "Thomas Schmitz"])
def test_the_user_name_must_be_typed_to_confirm(person, client_of, typed):
    """A wrong confirmation is a German error naming the field, 400, and nothing changed."""
    admin = client_of("admin", role="admin")
    response = admin.post("/admin/users/t.schmitz/pseudonymise", data={"confirm": typed})
    assert response.status_code == 400
    page = soup(response)
    assert "Bestätigung" in page.select_one(".error-summary").get_text()
    field = page.find("input", id="f-confirm")
    assert field["aria-invalid"] == "true" and field["value"] == typed
    assert page.find(id=field["aria-describedby"].split()[-1]).get_text().startswith(
        "Im Feld „Bestätigung“")
    assert User.get_by_id(person.id).username == "t.schmitz"
    assert AuditEntry.select().where(AuditEntry.action == "user.pseudonymise").count() == 0


def test_an_unknown_user_is_404(client_of, app):
    """Pseudonymising someone who does not exist gives 404."""
    admin = client_of("admin", role="admin")
    assert admin.get("/admin/users/niemand/pseudonymise").status_code == 404


def test_the_confirmation_page_lists_texts_naming_the_person(person, client_of):
    """A page that spells out the person's name is listed to be edited by hand."""
    editor = client_of("e.editor")
    editor.post("/pages/new", data={"title": "Ansprechpersonen", "body":
                                    "Für die E-Akte: Thomas Schmitz.", "base_revision": "0"})
    assert Page.get_or_none(Page.slug == "ansprechpersonen") is not None
    page = soup(client_of("admin", role="admin").get("/admin/users/T.Schmitz/pseudonymise"))
    listed = [a.get_text() for a in page.select("#mentioned-title ~ ul a")]
    assert listed == ["Ansprechpersonen"]
    assert page.find("form", class_="pseudonymise-form") is not None


def test_pseudonymising_replaces_the_person_and_keeps_the_content(person, client_of, app):
    """Name, e-mail, password and sessions go; content stays, under the pseudonym."""
    own = client_of(PERSON[0])
    editor = client_of("e.editor")
    editor.post("/measures/M07/comments", data={"body": "Danke @t.schmitz. Und @T.Schmitz!"})
    mention = Comment.select().order_by(Comment.id.desc()).first()
    anonymous = app.test_client()
    anonymous.post("/login", data={"username": "t.schmitz", "password": "falsch"})
    EditPresence.touch(Page.get(Page.slug == "m07"), person.id)
    revisions = Revision.select().where(Revision.author == person).count()
    reports = StatusReport.select().where(StatusReport.author == person).count()

    admin = client_of("admin", role="admin")
    response = admin.post("/admin/users/t.schmitz/pseudonymise", data={"confirm": "t.schmitz"})
    assert response.status_code == 302

    user = User.get_by_id(person.id)
    assert (user.username, user.name, user.email) == ("ehemalig-1", "Ehemalige Person 1", "")
    assert (user.password_hash, user.active) == (None, False)
    assert Session.select().where(Session.user == user).count() == 0
    assert own.get("/account").status_code == 302  # his browser is logged out
    assert EditPresence.select().count() == 0
    assert LoginThrottle.select().where(LoginThrottle.key.contains("schmitz")).count() == 0
    assert Revision.select().where(Revision.author == user).count() == revisions
    assert StatusReport.select().where(StatusReport.author == user).count() == reports
    assert Measure.by_code("M07").contact_id == user.id
    contacts = {r.meta.get("contact") for r in Revision.select().join(Page)
                .where(Page.slug == "m07")}
    assert "ehemalig-1" in contacts and "t.schmitz" not in contacts
    comment = Comment.get_by_id(mention.id)
    assert comment.body == "Danke @ehemalig-1. Und @ehemalig-1!"
    assert "@ehemalig-1" in comment.html and "schmitz" not in comment.html.lower()
    assert CommentVersion.get(CommentVersion.comment == comment).body == comment.body
    entry = AuditEntry.get(AuditEntry.action == "user.pseudonymise")
    assert entry.target == f"user/{user.id}" and entry.user.username == "admin"
    page = soup(admin.get("/measures/M07"))
    assert "Ehemalige Person 1" in page.get_text()
    assert "Thomas Schmitz" not in page.get_text()
    hits, _ = search.find("ehemalig")
    assert [h["url"] for h in hits] == [f"/measures/M07#comment-{comment.id}"]
    assert search.find("schmitz") == ([], 0)


def test_a_second_departure_gets_the_next_number(demo, client_of):
    """Pseudonyms are numbered; a pseudonymised account cannot be pseudonymised again."""
    admin = client_of("admin", role="admin")
    for number, username in enumerate(["t.schmitz", "k.becker"], start=1):
        admin.post(f"/admin/users/{username}/pseudonymise", data={"confirm": username})
        assert User.by_name(f"ehemalig-{number}") is not None
    response = admin.post("/admin/users/ehemalig-1/pseudonymise", data={"confirm": "ehemalig-1"})
    assert response.status_code == 409
    assert User.by_name("ehemalig-3") is None


@pytest.mark.parametrize("text, found", [
    ("@t.schmitz", True), ("(@t.schmitz)", True), ("Danke @t.schmitz.", True),
    ("@T.SCHMITZ, bitte", True), ("@t.schmitzer", False), ("@t.schmitz-neu", False),
    ("mail@t.schmitz.de", False), ("@t.schmitz.de", False), ("t.schmitz", False),
])
def test_only_exact_mentions_are_rewritten(text, found):
    """A mention is @ and the whole user name; longer names and addresses are left alone."""
    assert bool(mention_pattern("t.schmitz").search(text)) is found


# A full dump of the database after pseudonymising

def sqlite_dump(url):
    """Return the SQL dump of the live SQLite file, its blobs decoded, and the file's bytes.

    The bytes count too: free pages keep what was deleted unless it is overwritten.
    """
    path = url.split(":///", 1)[1]
    connection = sqlite3.connect(path)
    text = "\n".join(connection.iterdump())
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    blobs = [bytes.fromhex(b).decode("utf-8", "replace")
             for b in re.findall(r"X'([0-9a-fA-F]*)'", text)]
    with open(path, "rb") as fh:
        raw = fh.read().decode("latin-1")
    return "\n".join([text, *blobs, raw])


def postgres_dump(url):
    """Return pg_dump's dump of the test database."""
    if shutil.which("pg_dump") is None:
        if os.environ.get("CI"):
            pytest.fail("pg_dump fehlt: apt-get install postgresql-client")
        pytest.skip("pg_dump fehlt")
    result = subprocess.run(["pg_dump", "--no-owner", "--dbname", url], capture_output=True,
                            text=True, check=True, timeout=120)
    return result.stdout


def dump(app):
    """Return a full dump of the app's database, whatever its backend."""
    url = app.config["DATABASE_URL"]
    db.close()
    return sqlite_dump(url) if url.startswith("sqlite") else postgres_dump(url)


def test_after_pseudonymising_a_dump_names_the_person_nowhere(person, client_of, app):
    """Neither user name, nor display name, nor e-mail address is left anywhere in the data."""
    client_of(PERSON[0]).get("/")
    editor = client_of("e.editor")
    editor.post("/measures/M07/comments", data={"body": "Frage an @t.schmitz: Termin?"})
    editor.post("/pages/glossar/edit", data={
        "title": "Glossar", "base_revision": str(Page.get(Page.slug == "glossar").revision_count),
        "body": Page.get(Page.slug == "glossar").latest().body + "\n\nRückfragen: @t.schmitz"})
    app.test_client().post("/login", data={"username": "T.Schmitz", "password": "falsch"})
    before = dump(app).lower()
    for value in PERSON:
        assert value.lower() in before  # the dump can tell: the test would fail

    response = client_of("admin", role="admin").post(
        "/admin/users/t.schmitz/pseudonymise", data={"confirm": "t.schmitz"})
    assert response.status_code == 302

    after = dump(app).lower()
    assert "ehemalig-1" in after
    for value in (*PERSON, "schmitz"):
        assert value.lower() not in after


def test_prune_deletes_expired_sessions_and_old_failures(app, client, runner, login):
    """At every login and with `fahrplan prune`: expired rows go, current ones stay."""
    with app.app_context():
        old = utcnow() - timedelta(days=app.config["SESSION_DAYS"], minutes=1)
        user = make_user("k.becker")
        Session.create(key="a" * 64, user=user, last_seen=old)
        hour_ago = utcnow() - timedelta(hours=1)
        LoginThrottle.create(key="user:k.alt", failures=1, started=hour_ago, until=hour_ago)
        LoginThrottle.create(key="user:k.becker", failures=1)
        EditPresence.create(page=Page.create(slug="x", title="X"), user=user,
                            seen=utcnow() - timedelta(hours=2))
    login("reader")  # logging in prunes
    assert Session.select().count() == 1  # the new one
    assert LoginThrottle.select().count() == 1
    assert EditPresence.select().count() == 0
    with app.app_context():
        Session.create(key="b" * 64, user=user, last_seen=old)
        hour_ago = utcnow() - timedelta(hours=1)
        LoginThrottle.create(key="addr:192.0.2.1", failures=1, started=hour_ago, until=hour_ago)
    result = runner.invoke(args=["prune"])
    assert result.exit_code == 0, result.output
    assert "1 abgelaufene Sitzung(en), 1 alte Fehlanmeldung(en)" in result.output
    assert Session.select().count() == 1 and LoginThrottle.select().count() == 1
    with app.app_context():
        assert prune() == {"sessions": 0, "login_failures": 0, "edit_presence": 0}


def test_uploads_are_in_the_export_and_under_the_pseudonym_afterwards(person, client_of, app):
    """A user's uploaded file versions are in their export; after pseudonymising, the versions
    name the pseudonym and mentions in their comments are rewritten."""
    own = client_of(PERSON[0])
    send(own, "/measures/M07/files", ("Entwurf.txt", b"Entwurf\n"),
         comment="Erster Entwurf, Fragen an @t.schmitz")
    exported = json.loads(own.get("/account/data.json").data)
    assert [(f["file"], f["version"], f["size"], f["kind"]) for f in exported["uploaded_files"]] \
        == [("Entwurf.txt", 1, 8, "txt")]
    admin = client_of("admin", role="admin")
    admin.post("/admin/users/t.schmitz/pseudonymise", data={"confirm": "t.schmitz"})
    versions = soup(admin.get("/measures/M07/files/Entwurf.txt/versions")).select_one(
        "tbody tr").get_text(" ", strip=True)
    assert "Ehemalige Person 1" in versions and "@ehemalig-1" in versions
    assert "Schmitz" not in versions and "schmitz" not in versions
