"""Accounts: login, logout, server-side sessions, throttling, roles, safe redirects, passwords."""
from urllib.parse import quote, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import Blueprint

from tests.conftest import PASSWORD, make_user
from tests.test_hardening_auth import clock  # noqa: F401 (a fixture)
from wiki import create_app
from wiki.domain.accounts import disable_user
from wiki.models import LoginThrottle, Session, User
from wiki.security import can, require, safe_next

pytestmark = pytest.mark.postgres


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def post_login(client, username, password=PASSWORD, **kwargs):
    """Submit the login form."""
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def test_login_form_has_the_contract_fields(client):
    """The login form posts username, password and csrf_token."""
    form = soup(client.get("/login")).find("form", method="post")
    names = {field["name"] for field in form.find_all("input")}
    assert {"username", "password", "csrf_token"} <= names


def test_login_opens_a_server_side_session_and_shows_the_user(client):
    """A correct password logs in, stores a session row and shows the user's name."""
    make_user("k.becker", name="Katrin Becker")
    response = post_login(client, "k.becker", follow_redirects=True)
    assert response.status_code == 200
    assert "Katrin Becker" in soup(response).find("header").get_text()
    assert Session.select().count() == 1


def test_user_name_is_case_insensitive(client):
    """Logging in does not depend on the case of the user name."""
    make_user("k.becker")
    assert post_login(client, "K.Becker").status_code == 302


@pytest.mark.parametrize("username, password", [
    ("k.becker", "falsch"),
    ("niemand", PASSWORD),
    ("k.becker", ""),
])
def test_wrong_credentials_get_one_german_error_and_keep_the_name(client, username, password):
    """A failed login says so in German, keeps the typed name, and stores no session."""
    make_user("k.becker")
    response = post_login(client, username, password)
    assert response.status_code == 401
    page = soup(response)
    assert page.find(role="alert").get_text(strip=True) == "Benutzername oder Passwort ist falsch."
    assert page.find("input", id="username")["value"] == username
    assert page.find("input", id="username")["aria-invalid"] == "true"
    assert Session.select().count() == 0


def test_disabled_user_cannot_log_in(client):
    """A disabled account is refused like a wrong password."""
    disable_user(make_user("k.becker"))
    assert post_login(client, "k.becker").status_code == 401


@pytest.mark.usefixtures("clock")
def test_failed_logins_are_throttled_per_account(client, app):
    """After too many failures even the right password has to wait."""
    make_user("k.becker")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert post_login(client, "k.becker", "falsch").status_code == 401
    response = post_login(client, "k.becker")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert "Zu viele Fehlversuche" in soup(response).find(role="alert").get_text()
    assert Session.select().count() == 0


@pytest.mark.usefixtures("clock")
def test_failed_logins_are_throttled_per_address(client, app):
    """Guessing across many account names from one address is throttled too."""
    app.config["LOGIN_ADDRESS_MAX_FAILURES"] = 3
    make_user("k.becker")
    for i in range(3):
        assert post_login(client, f"raten{i}", "falsch").status_code == 401
    assert post_login(client, "k.becker").status_code == 429


@pytest.mark.usefixtures("clock")
def test_throttling_holds_across_workers(app, tmp_path):
    """Failures are counted in the database, so a second worker (app) sees them too."""
    make_user("k.becker")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        post_login(app.test_client(), "k.becker", "falsch")
    other = create_app({**app.config, "TESTING": True}, instance_path=str(tmp_path / "other"))
    assert post_login(other.test_client(), "k.becker").status_code == 429
    row = LoginThrottle.get_by_id("user:k.becker")
    assert row.failures == app.config["LOGIN_MAX_FAILURES"]


def test_logout_needs_post_and_ends_the_session_for_real(client):
    """GET only asks; POST deletes the server session so the old cookie is useless."""
    make_user("k.becker")
    post_login(client, "k.becker")
    cookie = client.get_cookie("session").value
    assert client.get("/logout").status_code == 200
    assert Session.select().count() == 1
    assert client.post("/logout").status_code == 302
    assert Session.select().count() == 0
    client.set_cookie("session", cookie)
    assert "Anmelden" in soup(client.get("/")).find("header").get_text()


def test_each_login_gets_a_new_session(client):
    """Logging in twice makes two distinct session tokens (no fixation)."""
    make_user("k.becker")
    post_login(client, "k.becker")
    first = client.get_cookie("session").value
    post_login(client, "k.becker")
    assert client.get_cookie("session").value != first
    assert Session.select().count() == 2


def test_disabling_a_user_ends_their_sessions(client):
    """Disabling an account logs it out everywhere at once."""
    user = make_user("k.becker", name="Katrin Becker")
    post_login(client, "k.becker")
    disable_user(user)
    assert Session.select().count() == 0
    assert "Katrin Becker" not in soup(client.get("/")).find("header").get_text()


def test_password_change_ends_other_sessions(app, client):
    """Changing the password keeps this session and ends every other one."""
    make_user("k.becker", name="Katrin Becker")
    other = app.test_client()
    post_login(other, "k.becker")
    post_login(client, "k.becker")
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "ein-neues-passwort",
        "new_password_repeat": "ein-neues-passwort"})
    assert response.status_code == 302
    assert Session.select().count() == 1
    assert "Katrin Becker" in soup(client.get("/")).find("header").get_text()
    assert "Katrin Becker" not in soup(other.get("/")).find("header").get_text()
    assert post_login(app.test_client(), "k.becker", "ein-neues-passwort").status_code == 302


@pytest.mark.parametrize("form, field, message", [
    ({"current_password": "falsch", "new_password": "ein-neues-passwort",
      "new_password_repeat": "ein-neues-passwort"}, "current_password", "bisherige Passwort"),
    ({"current_password": PASSWORD, "new_password": "kurz", "new_password_repeat": "kurz"},
     "new_password", "mindestens 10 Zeichen"),
    ({"current_password": PASSWORD, "new_password": "ein-neues-passwort",
      "new_password_repeat": "anders-als-vorher"}, "new_password_repeat", "Wiederholung"),
])
def test_bad_password_change_names_the_field_and_changes_nothing(client, form, field, message):
    """Each bad password change input gets its German error next to the field."""
    user = make_user("k.becker")
    post_login(client, "k.becker")
    response = client.post("/account/password", data=form)
    assert response.status_code == 400
    page = soup(response)
    assert page.find("input", id=field)["aria-invalid"] == "true"
    assert message in page.find(id=f"{field}-error").get_text()
    assert User.get_by_id(user.id).password_hash == user.password_hash


@pytest.mark.parametrize("target, expected", [
    ("/measures/M07", "/measures/M07"),
    ("/pages/leitbild?x=1", "/pages/leitbild?x=1"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example/", "/"),
    ("\\\\evil.example", "/"),
    ("/\t/evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("http:/evil.example", "/"),
    ("", "/"),
    (None, "/"),
])
def test_next_accepts_only_relative_paths(app, target, expected):
    """Redirects after login stay on this site."""
    with app.test_request_context():
        assert safe_next(target) == expected


def test_login_redirects_to_next(client):
    """After login the user returns to the page they came from."""
    make_user("k.becker")
    response = post_login(client, "k.becker", query_string={"next": "/pages/x"})
    assert response.headers["Location"] == "/pages/x"


@pytest.mark.parametrize("role, read, edit, admin", [
    (None, True, False, False),
    ("reader", True, False, False),
    ("editor", True, True, False),
    ("admin", True, True, True),
])
def test_roles_grant_actions(app, role, read, edit, admin):
    """The one permission check maps roles to actions."""
    from flask_login import AnonymousUserMixin

    user = make_user(role, role=role) if role else AnonymousUserMixin()
    with app.test_request_context():
        assert [can("read", user), can("edit", user), can("admin", user)] == [read, edit, admin]


@pytest.fixture
def guarded(app):
    """Add an editor-only test route to the app."""
    test_bp = Blueprint("guarded", __name__)
    test_bp.add_url_rule("/_guarded", "view", require("edit")(lambda: "geheim"))
    app.register_blueprint(test_bp)
    return "/_guarded"


def test_require_sends_anonymous_to_login(client, guarded):
    """An anonymous visitor is sent to the login page with a way back."""
    response = client.get(guarded)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_require_answers_htmx_with_hx_redirect(client, guarded):
    """An htmx request gets HX-Redirect, which htmx follows (it ignores 3xx)."""
    response = client.get(guarded, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_require_refuses_a_reader(client, login, guarded):
    """A reader gets 403 on an editor-only route."""
    login("reader")
    assert client.get(guarded).status_code == 403
    login("editor")
    assert client.get(guarded).text == "geheim"


def test_reading_can_require_login(app, tmp_path):
    """With READ_WITHOUT_LOGIN off, anonymous visitors are sent to the login page."""
    closed = create_app({**app.config, "READ_WITHOUT_LOGIN": False},
                        instance_path=str(tmp_path / "closed"))
    client = closed.test_client()
    assert client.get("/").status_code == 302
    assert client.get("/login").status_code == 200
    assert client.get("/accessibility").status_code == 200
    make_user("leser", role="reader")
    post_login(client, "leser")
    assert client.get("/").status_code == 200


# Redirect targets through the real requests, and sessions that end for real.

NEXT_TRICKS = [
    "//evil.example/", "///evil.example/", "/\\evil.example/", "\\\\evil.example/",
    "/\t/evil.example/", "/%09/evil.example/", " //evil.example/", "https://evil.example/",
    "https:evil.example", "HTTPS://evil.example/", "javascript:alert(1)", "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>", "/%2F/evil.example/", "%2F%2Fevil.example/",
    "/%5Cevil.example/", "%5C%5Cevil.example/", "\\/evil.example/", "/\\/evil.example/",
    "//evil.example@fahrplan/", "/\r\nLocation: https://evil.example/",
]


def assert_stays_on_site(response):
    """The answer is a redirect to a path of this site, not to another host or scheme."""
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "\\" not in location and not any(ord(c) < 33 for c in location)
    assert urlsplit(location).netloc == "" and urlsplit(location).scheme == ""


@pytest.mark.parametrize("target", NEXT_TRICKS)
def test_login_never_redirects_off_site(client, target):
    """The login form's next, raw in the query string, only ever leads to a local path."""
    make_user("k.becker")
    response = client.post("/login?next=" + quote(target, safe="%/:@\\"),
                           data={"username": "k.becker", "password": PASSWORD})
    assert_stays_on_site(response)


@pytest.mark.parametrize("target", NEXT_TRICKS)
def test_watch_button_never_redirects_off_site(client, login, demo, target):
    """The watch button's next form field only ever leads to a local path."""
    login("reader")
    response = client.post("/measures/M01/watch", data={"watch": "1", "next": target})
    assert_stays_on_site(response)


def test_a_planted_session_cookie_stays_anonymous_after_login(app, client):
    """A cookie set before login (session fixation) is not the logged-in one and stays anonymous."""
    make_user("k.becker", name="Katrin Becker")
    with client.session_transaction() as planted:
        planted["gepflanzt"] = "1"
    before = client.get_cookie("session").value
    post_login(client, "k.becker")
    assert client.get_cookie("session").value != before
    with client.session_transaction() as session:
        assert "gepflanzt" not in session
    attacker = app.test_client()
    attacker.set_cookie("session", before)
    assert "Katrin Becker" not in soup(attacker.get("/")).find("header").get_text()


def test_the_cookie_from_before_a_password_change_is_useless(app, client):
    """The session the password was changed in continues under a new token; the old one ends."""
    make_user("k.becker", name="Katrin Becker")
    post_login(client, "k.becker")
    old = client.get_cookie("session").value
    client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "ein-neues-passwort",
        "new_password_repeat": "ein-neues-passwort"})
    assert client.get_cookie("session").value != old
    stolen = app.test_client()
    stolen.set_cookie("session", old)
    assert "Katrin Becker" not in soup(stolen.get("/")).find("header").get_text()
    assert stolen.post("/preview", data={"body": "x"}).status_code == 401


def test_the_cookie_is_useless_after_disabling_on_the_command_line(app, client, runner):
    """`fahrplan user disable` ends the live session: the very next request is anonymous."""
    make_user("k.becker", name="Katrin Becker")
    post_login(client, "k.becker")
    assert runner.invoke(args=["user", "disable", "k.becker"]).exit_code == 0
    assert "Katrin Becker" not in soup(client.get("/")).find("header").get_text()
    assert client.post("/preview", data={"body": "x"}).status_code == 401


def test_a_lower_role_holds_at_the_next_request(client, login):
    """Taking the editor role away applies to a session already open."""
    user = login("editor", "k.becker")
    assert client.post("/preview", data={"body": "x"}).status_code == 200
    User.update(role="reader").where(User.id == user.id).execute()
    assert client.post("/preview", data={"body": "x"}).status_code == 403


# OWASP's equivalent minimum scrypt settings (N, r, p); memory per hash is 128 · r · N bytes.
OWASP_SCRYPT = {(2**17, 8, 1), (2**16, 8, 2), (2**15, 8, 3), (2**14, 8, 5), (2**13, 8, 10)}


def test_password_hash_is_strong_scrypt_that_fits_a_small_worker():
    """New hashes use an OWASP-minimum scrypt setting needing at most 8 MiB, and verify."""
    from werkzeug.security import check_password_hash

    from wiki.security import hash_password

    hashed = hash_password(PASSWORD)
    method, n, r, p = hashed.split("$", 1)[0].split(":")
    assert method == "scrypt" and (int(n), int(r), int(p)) in OWASP_SCRYPT
    assert 128 * int(r) * int(n) <= 8 * 2**20
    assert check_password_hash(hashed, PASSWORD) and not check_password_hash(hashed, "falsch")
