"""Administration: users, action fields, rounds, settings and the audit log, for admins only."""
import datetime
import json
import re

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from playhouse.test_utils import count_queries

from tests.conftest import PASSWORD, make_user
from wiki import audit, config
from wiki.db import utcnow
from wiki.models import ActionField, AuditEntry, Comment, Measure, Session, Strategy, User
from wiki.views.admin import settings as admin_settings

pytestmark = pytest.mark.postgres

# A person whose name and e-mail must never appear in the audit log.
PERSON = {"username": "kmusterfrau", "name": "Klara Musterfrau",
          "email": "k.musterfrau@example.org"}
GET_ROUTES = ["/admin/", "/admin/users", "/admin/users/new", "/admin/users/{id}", "/admin/fields",
              "/admin/fields/new", "/admin/fields/HF1/edit", "/admin/fields/HF6/delete",
              "/admin/rounds", "/admin/settings", "/admin/audit"]
POST_ROUTES = {
    "/admin/users/new": {**PERSON, "username": "neu", "role": "editor"},
    "/admin/users/{id}/role": {"role": "admin"},
    "/admin/users/{id}/disable": {},
    "/admin/users/{id}/enable": {},
    "/admin/users/{id}/password": {},
    "/admin/fields/new": {"code": "HF9", "title": "Neu", "summary": "", "position": "9",
                          "body": ""},
    "/admin/fields/HF1/edit": {"title": "Geändert", "summary": "", "position": "1", "body": ""},
    "/admin/fields/HF6/delete": {},
    "/admin/settings": {"title": "Neu", "period_start": "2020-01-01", "period_end": "2030-Q4"},
}


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def text(node):
    """Return a node's text with whitespace collapsed."""
    return " ".join(node.get_text().split())


def state():
    """Return every row the admin views can change, to prove that nothing changed."""
    return [[tuple(row.__data__.values()) for row in model.select().order_by(model.id)]
            for model in (User, ActionField, Strategy, AuditEntry)] + [Session.select().count()]


def entries(action=None):
    """Return the audit entries (of one action), oldest first."""
    query = AuditEntry.select().order_by(AuditEntry.id)
    return list(query.where(AuditEntry.action == action) if action else query)


def other_client(app, username):
    """Return a second client logged in as username, as that person's own browser."""
    browser = app.test_client()
    response = browser.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def logged_in_as(browser):
    """Return the name the site header shows for a client, or None when anonymous."""
    name = soup(browser.get("/")).select_one("header .user-name")
    return text(name) if name else None


@pytest.fixture
def person(app):
    """Create the editor Klara Musterfrau, the subject of the user actions."""
    return make_user(PERSON["username"], role="editor", name=PERSON["name"], email=PERSON["email"])


@pytest.fixture
def admin(client, login, demo, person):
    """Log the client in as an admin, with the demo programme and the person there."""
    return login("admin", username="chefin")


# Who may do what

@pytest.mark.parametrize("url", GET_ROUTES)
@pytest.mark.parametrize("role", ["anonymous", "reader", "editor", "admin"])
def test_every_page_is_for_admins_only(client, login, demo, person, role, url):
    """Anonymous visitors go to the login page, readers and editors get 403, admins the page."""
    if role != "anonymous":
        login(role)
    url = url.format(id=person.id)
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"] == f"/login?next={url}"
    elif role == "admin":
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert soup(response).find("h1").get_text(strip=True)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("url", POST_ROUTES)
@pytest.mark.parametrize("role", ["anonymous", "reader", "editor"])
def test_no_action_for_others_and_nothing_changes(client, login, demo, person, role, url):
    """A form sent by someone who is not an admin is refused and changes nothing."""
    if role != "anonymous":
        login(role)
    before = state()
    response = client.post(url.format(id=person.id), data=POST_ROUTES[url])
    assert response.status_code == (401 if role == "anonymous" else 403)
    assert state() == before


@pytest.mark.parametrize("url", ["/admin/users/{id}/role", "/admin/users/{id}/disable",
                                 "/admin/users/{id}/enable", "/admin/users/{id}/password"])
def test_actions_need_a_post(client, admin, person, url):
    """No state change through GET: the action URLs answer 405."""
    before = state()
    assert client.get(url.format(id=person.id)).status_code == 405
    assert state() == before


def test_csrf_token_is_required(app, client, admin, person):
    """With CSRF protection on, an admin's form without its token is refused, nothing changes."""
    app.config["WTF_CSRF_ENABLED"] = True
    before = state()
    response = client.post(f"/admin/users/{person.id}/disable")
    assert response.status_code == 400
    assert state() == before


def test_navigation_shows_verwaltung_to_admins_only(app, client, login, demo):
    """The main navigation has "Verwaltung" for admins, not for editors or anonymous visitors."""
    def entries_of(browser):
        nav = soup(browser.get("/")).find("nav", attrs={"aria-label": "Hauptnavigation"})
        return [text(link) for link in nav.find_all("a")]

    assert "Verwaltung" not in entries_of(client)
    make_user("editorin", role="editor")
    assert "Verwaltung" not in entries_of(other_client(app, "editorin"))
    login("admin")
    nav = soup(client.get("/")).find("nav", attrs={"aria-label": "Hauptnavigation"})
    link = nav.find("a", string="Verwaltung")
    assert link["href"] == "/admin/"


def test_overview_links_every_part(client, admin):
    """The overview links to users, fields, rounds, settings and the log."""
    links = {a["href"] for a in soup(client.get("/admin/")).select("main a")}
    assert {"/admin/users", "/admin/fields", "/admin/rounds", "/admin/settings",
            "/admin/audit"} <= links


# Users

def test_user_list_shows_name_role_state_and_last_activity(app, client, admin, person):
    """Each account is a row: user name (linked), display name, role, state, last activity."""
    other_client(app, person.username)
    rows = {text(row.th): [text(cell) for cell in row.find_all("td")]
            for row in soup(client.get("/admin/users")).select("table.admin-users tbody tr")}
    assert rows[person.username][:3] == [PERSON["name"], "Bearbeiten", "aktiv"]
    assert re.match(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d", rows[person.username][3])
    assert rows["chefin"][1] == "Verwaltung"
    link = soup(client.get("/admin/users")).find("a", string=person.username)
    assert link["href"] == f"/admin/users/{person.id}"


def test_user_list_needs_no_query_per_user(client, admin):
    """Listing users costs the same number of queries for 3 or 30 accounts."""
    def queries():
        with count_queries() as counter:
            assert client.get("/admin/users").status_code == 200
        return counter.count

    few = queries()
    for number in range(27):
        make_user(f"person{number}", role="reader")
    assert queries() == few


def test_create_user_shows_the_password_once_and_it_works(app, client, admin):
    """A new account gets a generated password, shown once; it logs in; the log has it."""
    response = client.post("/admin/users/new", data={
        "username": "emustermann", "name": "Erika Mustermann", "email": "e.m@example.org",
        "role": "reader"})
    assert response.status_code == 200
    page = soup(response)
    password = text(page.select_one(".admin-password-value"))
    assert re.fullmatch(r"([a-zA-Z2-9]{4}-){3}[a-zA-Z2-9]{4}", password)
    assert "sicherem Weg" in text(page.select_one(".admin-password"))
    assert response.headers["Cache-Control"] == "no-store"
    user = User.by_name("emustermann")
    assert (user.name, user.email, user.role, user.active) == (
        "Erika Mustermann", "e.m@example.org", "reader", True)
    assert password not in user.password_hash
    browser = app.test_client()
    assert browser.post("/login", data={"username": "emustermann",
                                        "password": password}).status_code == 302
    assert logged_in_as(browser) == "Erika Mustermann"
    [entry] = entries("user.create")
    assert (entry.target, entry.details, entry.user.username, entry.address) == (
        f"user/{user.id}", {"role": "reader"}, "chefin", "127.0.0.1")
    assert password not in client.get(f"/admin/users/{user.id}").text


BAD_USERS = [
    ("username", "", "Bitte geben Sie einen Benutzernamen an"),
    ("username", "Erika Mustermann", "darf nur Buchstaben ohne Umlaute"),
    ("username", "KMUSTERFRAU", "Den Benutzernamen „KMUSTERFRAU“ gibt es schon."),
    ("username", "x" * 81, "höchstens 80 Zeichen"),
    ("name", "N" * 201, "höchstens 200 Zeichen"),
    ("email", "kein-at-zeichen", "„kein-at-zeichen“ ist keine E-Mail-Adresse"),
    ("role", "chef", "Bitte wählen Sie eine Rolle: Lesen, Bearbeiten, Verwaltung."),
]


@pytest.mark.parametrize("field, value, message", BAD_USERS)
def test_bad_new_user_is_refused_by_field(client, admin, field, value, message):
    """Bad input: 400, the German error at the field and in the summary, nothing created."""
    form = {"username": "emustermann", "name": "Erika", "email": "", "role": "editor",
            field: value}
    before = state()
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 400
    page = soup(response)
    control = page.find(id=f"f-{field}")
    assert control["aria-invalid"] == "true"
    assert f"f-{field}-error" in control["aria-describedby"].split()
    assert message in text(page.find(id=f"f-{field}-error"))
    assert message in text(page.select_one(".error-summary"))
    assert page.select_one(".error-summary a")["href"] == f"#f-{field}"
    assert control.name == "select" or control.get("value") == value
    assert state() == before


def test_change_role_and_its_log_entry(client, admin, person):
    """An admin makes an editor a reader; the log says from what to what."""
    response = client.post(f"/admin/users/{person.id}/role", data={"role": "reader"})
    assert response.status_code == 302
    assert User.get_by_id(person.id).role == "reader"
    [entry] = entries("user.role")
    assert (entry.target, entry.details) == (f"user/{person.id}",
                                             {"role": "reader", "previous": "editor"})


@pytest.mark.parametrize("role", ["editor", "reader"])
def test_admin_cannot_demote_themselves(client, admin, role):
    """Taking one's own admin role away is refused with a German error; nothing changes."""
    before = state()
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": role})
    assert response.status_code == 400
    error = soup(response).find(id="f-role-error")
    assert "nicht selbst die Rolle „Verwaltung“ entziehen" in text(error)
    assert soup(response).find(id="f-role")["aria-invalid"] == "true"
    assert state() == before


def test_unknown_role_is_refused(client, admin, person):
    """A role that does not exist is refused at the field; nothing changes."""
    before = state()
    response = client.post(f"/admin/users/{person.id}/role", data={"role": "root"})
    assert response.status_code == 400
    assert "Bitte wählen Sie eine Rolle" in text(soup(response).find(id="f-role-error"))
    assert state() == before


def test_disable_ends_the_live_session_at_once(app, client, admin, person):
    """The person is logged in elsewhere; after disabling, their very next request is anonymous."""
    browser = other_client(app, person.username)
    assert logged_in_as(browser) == PERSON["name"]
    response = client.post(f"/admin/users/{person.id}/disable")
    assert response.status_code == 302
    assert logged_in_as(browser) is None
    assert browser.get("/reports/new").status_code == 302  # an editor's page: back to login
    assert not User.get_by_id(person.id).active
    assert Session.select().where(Session.user == person.id).count() == 0
    assert app.test_client().post("/login", data={
        "username": person.username, "password": PASSWORD}).status_code == 401
    [entry] = entries("user.disable")
    assert (entry.target, entry.details) == (f"user/{person.id}", {})
    page = soup(client.get(f"/admin/users/{person.id}"))
    assert page.find("button", string=re.compile("wieder aktivieren"))


def test_enable_lets_the_person_log_in_again(app, client, admin, person):
    """A disabled account enabled again can log in; both actions are in the log."""
    client.post(f"/admin/users/{person.id}/disable")
    assert client.post(f"/admin/users/{person.id}/enable").status_code == 302
    assert User.get_by_id(person.id).active
    assert logged_in_as(other_client(app, person.username)) == PERSON["name"]
    assert [e.action for e in entries()] == ["user.disable", "user.enable"]


def test_admin_cannot_disable_themselves(client, admin):
    """Disabling one's own account is refused; the admin stays logged in and active."""
    before = state()
    response = client.post(f"/admin/users/{admin.id}/disable")
    assert response.status_code == 400
    assert "eigenes Benutzerkonto nicht deaktivieren" in text(soup(response).select_one(
        ".error-summary"))
    assert state() == before
    assert logged_in_as(client) == "chefin"


def test_reset_password_shows_a_new_one_and_ends_sessions(app, client, admin, person):
    """The old password stops working, the shown one works, open sessions end."""
    browser = other_client(app, person.username)
    response = client.post(f"/admin/users/{person.id}/password")
    assert response.status_code == 200
    password = text(soup(response).select_one(".admin-password-value"))
    assert logged_in_as(browser) is None
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": person.username,
                                      "password": PASSWORD}).status_code == 401
    assert fresh.post("/login", data={"username": person.username,
                                      "password": password}).status_code == 302
    [entry] = entries("user.password")
    assert (entry.target, entry.details) == (f"user/{person.id}", {})


def test_admin_cannot_reset_their_own_password_here(client, admin):
    """An admin's own password is changed on the password page, not reset here."""
    before = state()
    response = client.post(f"/admin/users/{admin.id}/password")
    assert response.status_code == 400
    assert "Passwort ändern" in text(soup(response).select_one(".error-summary"))
    assert state() == before


def test_own_page_offers_no_disable_or_reset(client, admin):
    """On one's own account page there is no disable and no reset button."""
    page = soup(client.get(f"/admin/users/{admin.id}"))
    assert page.find("button", string=re.compile("deaktivieren")) is None
    assert page.find("button", string=re.compile("Neues Passwort")) is None
    assert page.find("a", href="/account/password")


def test_unknown_user_is_404(client, admin):
    """A user id that does not exist answers 404."""
    assert client.get("/admin/users/9999").status_code == 404
    assert client.post("/admin/users/9999/disable").status_code == 404


def test_pseudonymise_link_when_that_view_exists(app, client, admin, person):
    """The account page links to the privacy helper's pseudonymising view when it exists."""
    if "privacy.pseudonymise" not in app.view_functions:
        app.add_url_rule("/privacy/<username>/pseudonymise", "privacy.pseudonymise",
                         lambda username: "")
    with app.test_request_context():
        target = url_for("privacy.pseudonymise", username=person.username)
    link = soup(client.get(f"/admin/users/{person.id}")).find("a", string="Pseudonymisieren …")
    assert link["href"] == target


# Action fields

def test_field_list_in_architecture_order_with_counts(client, admin):
    """The fields are listed by position with their numbers of measures."""
    rows = soup(client.get("/admin/fields")).select("table.admin-fields tbody tr")
    assert [text(row.th).split()[0] for row in rows] == [f"HF{n}" for n in range(1, 7)]
    counts = {text(row.th).split()[0]: int(text(row.find_all("td")[1])) for row in rows}
    assert counts == {f.code: f.measures.count() for f in ActionField.select()}


def test_create_field_renders_markdown_and_logs(client, admin):
    """A new field is saved with its Markdown rendered, placed last, and logged."""
    form = soup(client.get("/admin/fields/new"))
    assert form.find(id="f-position")["value"] == "7"
    response = client.post("/admin/fields/new", data={
        "code": "hf7", "title": "Digitale Teilhabe", "summary": "Alle  mitnehmen.",
        "position": "7", "body": "Mit **allen** und [[M07]].\r\n"})
    assert response.status_code == 302
    field = ActionField.get(ActionField.code == "HF7")
    assert (field.title, field.summary, field.position) == ("Digitale Teilhabe",
                                                            "Alle mitnehmen.", 7)
    assert "<strong>allen</strong>" in field.html and 'href="/measures/M07"' in field.html
    [entry] = entries("field.create")
    assert entry.target == "field/HF7"
    assert "HF7" in text(soup(client.get("/admin/fields")).select_one("table.admin-fields"))


BAD_FIELDS = [
    ("code", "X 7", "Das Kürzel „X 7“ passt nicht"),
    ("code", "", "1 bis 16 Buchstaben, Ziffern"),
    ("code", "-HF", "am Anfang ein Buchstabe oder eine Ziffer"),
    ("code", "H" * 17, "passt nicht"),
    ("code", "hf1", "Das Kürzel „HF1“ hat schon ein anderes Handlungsfeld."),
    ("title", " ", "Bitte geben Sie einen Titel an"),
    ("title", "T" * 301, "höchstens 300 Zeichen"),
    ("position", "vorne", "Die Position „vorne“ ist keine ganze Zahl"),
    ("position", "-1", "keine ganze Zahl von 0 bis 999"),
    ("summary", "s" * 1001, "höchstens 1000 Zeichen"),
]


@pytest.mark.parametrize("field, value, message", BAD_FIELDS)
def test_bad_field_is_refused_by_field(client, admin, field, value, message):
    """Bad input: 400, the German error at the field and in the summary, nothing saved."""
    form = {"code": "HF7", "title": "Neu", "summary": "", "position": "7", "body": "",
            field: value}
    before = state()
    response = client.post("/admin/fields/new", data=form)
    assert response.status_code == 400
    page = soup(response)
    assert page.find(id=f"f-{field}")["aria-invalid"] == "true"
    assert message in text(page.find(id=f"f-{field}-error"))
    assert message in text(page.select_one(".error-summary"))
    assert state() == before


def test_edit_field_keeps_its_code(client, admin):
    """Editing changes title and position; a posted code is ignored; the log has it."""
    form = soup(client.get("/admin/fields/hf2/edit"))
    assert form.find(id="f-code") is None
    assert form.find(id="f-title")["value"] == ActionField.get(ActionField.code == "HF2").title
    response = client.post("/admin/fields/HF2/edit", data={
        "code": "HF99", "title": "Post und Rechnungen", "summary": "Kurz.", "position": "12",
        "body": "Text"})
    assert response.status_code == 302
    field = ActionField.get(ActionField.code == "HF2")
    assert (field.title, field.position, field.html) == ("Post und Rechnungen", 12,
                                                         "<p>Text</p>")
    assert not ActionField.select().where(ActionField.code == "HF99").exists()
    assert [e.target for e in entries("field.edit")] == ["field/HF2"]


def test_field_with_measures_cannot_be_deleted(client, admin):
    """Deleting a field that has measures is refused, naming how many; nothing changes."""
    count = ActionField.get(ActionField.code == "HF1").measures.count()
    assert count == 3
    page = soup(client.get("/admin/fields/HF1/delete"))
    assert "noch 3 Maßnahmen" in text(page.select_one(".error"))
    assert page.find("button", string="Endgültig löschen") is None
    before = state()
    response = client.post("/admin/fields/HF1/delete")
    assert response.status_code == 400
    assert "Das Handlungsfeld HF1 hat noch 3 Maßnahmen." in text(soup(response).select_one(
        ".error"))
    assert state() == before


def test_field_without_measures_is_deleted_after_asking(client, admin):
    """A field without measures: GET asks, POST deletes and logs it."""
    ActionField.create(code="HF8", title="Leer", position=8)
    assert soup(client.get("/admin/fields/HF8/delete")).find("button", string="Endgültig löschen")
    assert ActionField.select().where(ActionField.code == "HF8").exists()
    assert client.post("/admin/fields/HF8/delete").status_code == 302
    assert not ActionField.select().where(ActionField.code == "HF8").exists()
    [entry] = entries("field.delete")
    assert (entry.target, entry.details) == ("field/HF8", {"title": "Leer"})


def test_unknown_field_is_404(client, admin):
    """A field code that does not exist answers 404."""
    assert client.get("/admin/fields/HF42/edit").status_code == 404


# Report rounds

def test_rounds_page_links_to_the_round_forms(client, admin):
    """The rounds page links to the new-round form and each round's edit form."""
    page = soup(client.get("/admin/rounds"))
    links = {a["href"] for a in page.select("main a")}
    assert "/reports/new" in links
    for slug in ("2022-q4", "2024-q2", "2026-q3"):
        assert f"/reports/{slug}/edit" in links


def test_round_forms_are_logged(client, admin):
    """Saving a round in its own form (wiki/rounds.py) leaves an entry in the log."""
    response = client.post("/reports/new", data={
        "title": "Bericht 2025/I", "slug": "2025-q1", "period": "2025-Q1",
        "due_date": "2025-04-15", "body": "", "projects": ""})
    assert response.status_code == 302
    [entry] = entries("round.create")
    assert entry.target == "2025-q1"
    row = soup(client.get("/admin/audit")).select_one("table.admin-audit tbody tr")
    assert row.find("a", string="2025-q1")["href"] == "/reports/2025-q1"


# Settings

def test_settings_show_every_key_with_its_meaning_and_mask_secrets(app, client, admin):
    """Every setting of wiki/config.py is listed with its meaning; secrets never show."""
    app.config["DATABASE_URL"] = "postgresql://fahrplan:db-passwort-123@db.example.org:5432/fp"
    app.config["SMTP_PASSWORD"] = "smtp-passwort-456"
    page = client.get("/admin/settings")
    rows = {text(row.th): [text(cell) for cell in row.find_all("td")]
            for row in soup(page).select("table.admin-settings tbody tr")}
    keys = [name for name in dir(config) if name.isupper()]
    assert set(rows) == {f"FAHRPLAN_{key}" for key in keys}
    assert all(meaning != "–" for _value, _default, meaning in rows.values())
    assert rows["FAHRPLAN_SECRET_KEY"][0] == "(gesetzt, verborgen)"
    assert rows["FAHRPLAN_DATABASE_URL"][0] == "postgresql://fahrplan:••••••@db.example.org:5432/fp"
    assert rows["FAHRPLAN_SESSION_DAYS"] == ["14", "ja", "Days of inactivity after which a "
                                             "server-side session ends."]
    assert rows["FAHRPLAN_LOGIN_WINDOW_MINUTES"][2] == rows["FAHRPLAN_LOGIN_MAX_FAILURES"][2]
    assert rows["FAHRPLAN_DATABASE_URL"][1] == "geändert"
    for secret in ("db-passwort-123", "smtp-passwort-456", app.config["SECRET_KEY"]):
        assert secret not in page.text


@pytest.mark.parametrize("key, value, shown", [
    ("SECRET_KEY", "abc", "(gesetzt, verborgen)"),
    ("SMTP_PASSWORD", "abc", "(gesetzt, verborgen)"),
    ("API_TOKEN", "abc", "(gesetzt, verborgen)"),
    ("SECRET_KEY", None, "(nicht gesetzt)"),
    ("DATABASE_URL", "sqlite:///fahrplan.db", "sqlite:///fahrplan.db"),
    ("DATABASE_URL", "postgresql://u:pw@h/db", "postgresql://u:••••••@h/db"),
    ("SMTP_URL", "smtp://mail:pw@mail.example.org:25", "smtp://mail:••••••@mail.example.org:25"),
    ("EMBED_FRAME_ORIGINS", ["https://a.example", "https://b.example"],
     "https://a.example, https://b.example"),
    ("EMBED_FRAME_ORIGINS", [], "(nicht gesetzt)"),
    ("READ_WITHOUT_LOGIN", False, "False"),
])
def test_shown_value_masks_secrets(ctx, key, value, shown):
    """Secret names and passwords inside URLs are masked; other values are shown as they are."""
    with ctx.test_request_context():
        assert admin_settings.shown_value(key, value) == shown


def test_every_setting_has_a_documenting_comment():
    """Each key of wiki/config.py has a comment above it (the settings page shows it)."""
    docs = dict(admin_settings.config_docs())
    assert set(docs) == {name for name in dir(config) if name.isupper()}
    assert all(docs.values()), [key for key, meaning in docs.items() if not meaning]


def test_edit_strategy_title_and_period(client, admin):
    """Title and period are saved (quarters accepted) and logged with what changed."""
    strategy = Strategy.current()
    response = client.post("/admin/settings", data={
        "title": strategy.title, "period_start": "2022-Q1", "period_end": "2027-Q4"})
    assert response.status_code == 302
    saved = Strategy.current()
    assert (saved.period_start, saved.period_end) == (datetime.date(2022, 1, 1),
                                                      datetime.date(2027, 12, 31))
    [entry] = entries("strategy.edit")
    assert (entry.target, entry.details) == ("strategy", {"changed": ["period_end"]})
    page = soup(client.get("/admin/settings"))
    assert page.find(id="f-period_end")["value"] == "2027-12-31"


@pytest.mark.parametrize("field, value, message", [
    ("title", "", "Bitte geben Sie den Titel der Strategie an."),
    ("period_start", "2022-13-01", "»2022-13-01« ist kein Datum"),
    ("period_end", "bald", "»bald« ist kein Datum; bitte so schreiben"),
    ("period_end", "2021-12-31", "Das Ende der Laufzeit liegt vor ihrem Beginn."),
])
def test_bad_strategy_is_refused_by_field(client, admin, field, value, message):
    """Bad input: 400, the German error at the field, nothing saved."""
    form = {"title": "Strategie", "period_start": "2022-01-01", "period_end": "2026-12-31",
            field: value}
    before = state()
    response = client.post("/admin/settings", data=form)
    assert response.status_code == 400
    page = soup(response)
    assert page.find(id=f"f-{field}")["aria-invalid"] == "true"
    assert message in text(page.find(id=f"f-{field}-error"))
    assert message in text(page.select_one(".error-summary"))
    assert page.select_one("table.admin-settings")
    assert state() == before


def test_settings_create_the_strategy_when_there_is_none(client, login):
    """Before any import there is no strategy; saving the form creates it."""
    login("admin")
    assert "noch keine Strategie" in client.get("/admin/settings").text
    client.post("/admin/settings", data={"title": "Neue Strategie", "period_start": "2025-01-01",
                                         "period_end": "2030-12-31"})
    assert Strategy.current().title == "Neue Strategie"


# The audit log

def test_audit_log_newest_first_with_actor_action_and_target(client, admin, person):
    """The log lists who did what to which target when, newest first, with links."""
    client.post(f"/admin/users/{person.id}/role", data={"role": "reader"})
    client.post(f"/admin/users/{person.id}/disable")
    client.post("/admin/fields/HF2/edit", data={"title": "Post", "summary": "", "position": "2",
                                                "body": ""})
    rows = soup(client.get("/admin/audit")).select("table.admin-audit tbody tr")
    cells = [[text(cell) for cell in row.find_all(["td", "th"])] for row in rows]
    assert [row[2] for row in cells] == ["Handlungsfeld geändert", "Benutzerkonto deaktiviert",
                                         "Rolle geändert"]
    assert {row[1] for row in cells} == {"chefin"}
    assert cells[2][3:] == [PERSON["name"], "Rolle: Lesen; vorher: Bearbeiten", "127.0.0.1"]
    assert rows[2].find("a", string=PERSON["name"])["href"] == f"/admin/users/{person.id}"
    assert rows[0].find("a", string="HF2")["href"] == "/admin/fields/HF2/edit"


def test_audit_log_filters_by_action(client, admin, person):
    """The filter shows the entries of one action; its select offers the actions in words."""
    client.post(f"/admin/users/{person.id}/disable")
    client.post(f"/admin/users/{person.id}/enable")
    page = soup(client.get("/admin/audit?action=user.enable"))
    rows = page.select("table.admin-audit tbody tr")
    assert [text(row.th) for row in rows] == ["Benutzerkonto wieder aktiviert"]
    options = {o["value"]: text(o) for o in page.find(id="f-action").find_all("option")}
    assert options == {"": "alle Aktionen", "user.disable": "Benutzerkonto deaktiviert",
                       "user.enable": "Benutzerkonto wieder aktiviert"}
    assert page.find(id="f-action").find("option", selected=True)["value"] == "user.enable"
    assert "Keine Einträge." in client.get("/admin/audit?action=nie.passiert").text


def test_audit_log_is_paginated_without_a_query_per_entry(client, admin, person):
    """Fifty entries a page, newest first; the query count does not grow with the entries."""
    def queries(url):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    AuditEntry.create(user=admin, action="user.role", target=f"user/{person.id}")
    few = queries("/admin/audit")
    start = utcnow()
    AuditEntry.insert_many([
        {"user": admin.id, "action": "user.disable", "target": f"user/{person.id}",
         "details": {}, "created": start + datetime.timedelta(seconds=n)}
        for n in range(60)]).execute()
    assert queries("/admin/audit") == few
    first = soup(client.get("/admin/audit"))
    assert len(first.select("table.admin-audit tbody tr")) == 50
    assert "Seite 1 von 2" in text(first.select_one(".pagination"))
    second = soup(client.get(first.find("a", rel="next")["href"]))
    assert len(second.select("table.admin-audit tbody tr")) == 11
    assert text(second.select("table.admin-audit tbody tr")[-1].th) == "Rolle geändert"
    assert client.get("/admin/audit?page=3").status_code == 404


def test_audit_log_names_no_person(app, client, admin, person):
    """After every kind of user action, no row of the log holds a name or an e-mail address."""
    client.post("/admin/users/new", data={**PERSON, "username": "zweite", "name": "Zora Zweite",
                                          "email": "zora@example.org", "role": "editor"})
    client.post(f"/admin/users/{person.id}/role", data={"role": "reader"})
    client.post(f"/admin/users/{person.id}/disable")
    client.post(f"/admin/users/{person.id}/enable")
    client.post(f"/admin/users/{person.id}/password")
    measure = Measure.get(Measure.code == "M07")
    comment = Comment.create(measure=measure, author=person, body="Hallo", html="<p>Hallo</p>")
    client.post(f"/comments/{comment.id}/hide")
    client.post(f"/comments/{comment.id}/unhide")
    rows = entries()
    assert {row.action for row in rows} == {"user.create", "user.role", "user.disable",
                                            "user.enable", "user.password", "comment.hide",
                                            "comment.unhide"}
    secrets = [*PERSON.values(), "zweite", "Zora", "zora@example.org", "chefin"]
    for row in rows:
        stored = (row.target + json.dumps(row.details, ensure_ascii=False)).lower()
        assert not [secret for secret in secrets if secret.lower() in stored], row.__data__


def test_record_outside_a_request_has_no_actor_or_address(ctx):
    """A record from the command line has neither actor nor address."""
    audit.record("field.edit", "field/HF1")
    [entry] = entries()
    assert (entry.user, entry.address, entry.details) == (None, "", {})


def test_addresses_are_blanked_after_the_configured_days(app, client, admin, person):
    """An entry older than AUDIT_ADDRESS_DAYS loses its address when the next one is recorded."""
    old = AuditEntry.create(user=admin, action="user.role", target="user/1", address="10.0.0.7",
                            created=utcnow() - datetime.timedelta(days=91))
    recent = AuditEntry.create(user=admin, action="user.role", target="user/1",
                               address="10.0.0.8", created=utcnow() - datetime.timedelta(days=89))
    client.post(f"/admin/users/{person.id}/disable")
    assert AuditEntry.get_by_id(old.id).address == ""
    assert AuditEntry.get_by_id(recent.id).address == "10.0.0.8"
    app.config["AUDIT_ADDRESS_DAYS"] = 0
    client.post(f"/admin/users/{person.id}/enable")
    assert entries("user.enable")[0].address == ""
