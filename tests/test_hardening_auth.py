"""Hardening of logins, proxies, CSRF and single sign-on (issue 14: defects 3, 4, 10b, 11, 13)."""
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from tests.conftest import PASSWORD, make_user
from wiki import create_app
from wiki.db import db, migrate, rollback, utcnow
from wiki.domain.accounts import disable_user
from wiki.models import AuditEntry, Session, User

pytestmark = pytest.mark.postgres

SITE = {"Origin": "http://localhost"}  # what a browser sends with a form of the test client's site


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def post_login(client, username, password=PASSWORD, **kwargs):
    """Submit the login form."""
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def signed_in_as(response):
    """Return the display name in the header's user menu, or None when anonymous."""
    name = soup(response).select_one("header .user-name")
    return name.get_text(strip=True) if name else None


class Clock:
    """The throttle's clock, stopped: it moves only when a test says so."""

    def __init__(self):
        """Stop at the current moment."""
        self.now = utcnow()

    def __call__(self):
        """Return the stopped moment."""
        return self.now

    def advance(self, seconds):
        """Move the clock on."""
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    """Stop the login throttle's clock, so that no wait runs out while a test looks at it."""
    from wiki.models import accounts

    stopped = Clock()
    monkeypatch.setattr(accounts, "utcnow", stopped)
    return stopped


# Defect 3: the "Formular abgelaufen" page re-offered forged fields with a valid token.

@pytest.fixture
def csrf_app(app, tmp_path):
    """Return an app of the same database with CSRF protection on, as in production."""
    return create_app({**app.config, "WTF_CSRF_ENABLED": True},
                      instance_path=str(tmp_path / "protected"))


def token(client, path="/login"):
    """Fetch a page and return the CSRF token of its form."""
    return soup(client.get(path)).find("input", attrs={"name": "csrf_token"})["value"]


@pytest.fixture
def admin_browser(csrf_app):
    """Return a client logged in as an admin through the real form (with its token)."""
    make_user("k.admin", role="admin")
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": "k.admin", "password": PASSWORD,
                                           "csrf_token": token(client)}, headers=SITE)
    assert response.status_code == 302
    return client


CROSS_SITE = [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "same-site"},
    {"Referer": "https://evil.example/formular.html"},
    {"Sec-Fetch-Site": "same-origin", "Origin": "https://evil.example"},
    {},  # nothing vouches for the form: an old browser, or a referrer the attacker suppressed
]


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_a_forged_form_from_elsewhere_gets_no_form_to_send_again(admin_browser, headers):
    """One click on a resend page made an editor an admin; now there is no such page."""
    editor = make_user("k.becker", role="editor")
    response = admin_browser.post(f"/admin/users/{editor.id}/role", data={"role": "admin"},
                                  headers=headers)
    assert response.status_code == 400
    page = soup(response)
    assert page.find("h1").get_text() == "Formular abgelaufen"
    assert page.find("form", method="post", action=lambda a: a and "/role" in a) is None
    assert not page.find_all("textarea") and not page.find(attrs={"name": "role"})
    assert "Set-Cookie" not in response.headers  # the admin's own session cookie stays
    assert User.get_by_id(editor.id).role == "editor"


@pytest.mark.parametrize("headers", [SITE, {"Referer": "http://localhost/admin/users"},
                                     {"Sec-Fetch-Site": "same-origin"}])
def test_a_form_of_this_site_still_comes_back_with_its_text(admin_browser, headers):
    """An expired form sent from Fahrplan's own page keeps what was typed, with a new token."""
    response = admin_browser.post("/admin/fields/new", data={"title": "Mein Handlungsfeld"},
                                  headers=headers)
    assert response.status_code == 400
    page = soup(response)
    kept = {t["name"]: t.get_text() for t in page.find_all("textarea")}
    assert kept["title"] == "Mein Handlungsfeld"
    assert page.find("input", attrs={"name": "csrf_token"})["value"]


@pytest.mark.parametrize("path, form", [
    ("/login", {"username": "k.becker", "password": "Geheim-Passwort-1"}),
    ("/account/password", {"current_password": "Geheim-Passwort-1",
                           "new_password": "Neues-Geheim-2", "new_password_repeat": "x"}),
])
def test_a_form_with_a_password_is_never_shown_again(admin_browser, path, form):
    """The page showed passwords in clear text; now it only links back to the form."""
    response = admin_browser.post(path, data=form, headers=SITE)
    assert response.status_code == 400
    page = soup(response)
    assert "Geheim" not in response.text
    assert not page.find_all("textarea")
    assert page.find("a", href=path) is not None


def test_login_needs_the_token_and_a_forged_one_shows_nothing(csrf_app):
    """Login CSRF: a login form posted from elsewhere logs nobody in and echoes nothing."""
    make_user("k.becker")
    client = csrf_app.test_client()
    response = post_login(client, "k.becker", headers={"Origin": "https://evil.example"})
    assert response.status_code == 400
    assert Session.select().count() == 0
    assert "k.becker" not in response.text and PASSWORD not in response.text


def test_the_session_cookie_stays_home(client):
    """The session cookie is SameSite=Lax: a form from another site arrives without it."""
    make_user("k.becker")
    response = post_login(client, "k.becker")
    cookie = response.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie


# Defect 4: the proxy's address for everyone, a lock for everyone, a race, and enumeration.

def test_one_persons_failures_do_not_lock_out_the_others(client, clock):
    """Behind the proxy everyone shares one address: five failures blocked every login."""
    make_user("k.becker")
    make_user("j.wagner")
    for _ in range(10):
        post_login(client, "k.becker", "falsch")
    assert post_login(client, "j.wagner").status_code == 302


def test_the_owner_waits_seconds_that_double_not_a_quarter_of_an_hour(app, client, clock):
    """Past the free failures each attempt waits 1, 2, 4 … seconds, at most the window."""
    make_user("k.becker")
    free = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(free):
        assert post_login(client, "k.becker", "falsch").status_code == 401
    waits = []
    for _ in range(12):
        response = post_login(client, "k.becker", "falsch")
        assert response.status_code == 429
        assert "bitte in" in soup(response).find(role="alert").get_text()
        waits.append(int(response.headers["Retry-After"]))
        clock.advance(waits[-1])
        assert post_login(client, "k.becker", "falsch").status_code == 401
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    clock.advance(900)
    assert post_login(client, "k.becker").status_code == 302  # and the count starts afresh
    assert post_login(client, "k.becker", "falsch").status_code == 401


def test_the_address_limit_is_far_above_one_persons_rate(app, client, clock):
    """Per address the limit is LOGIN_ADDRESS_MAX_FAILURES, then the address waits the window."""
    assert app.config["LOGIN_ADDRESS_MAX_FAILURES"] >= 100
    app.config["LOGIN_ADDRESS_MAX_FAILURES"] = 7
    make_user("k.becker")
    for number in range(7):
        assert post_login(client, f"raten{number}", "falsch").status_code == 401
    response = post_login(client, "k.becker")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) == 15 * 60
    clock.advance(15 * 60)
    assert post_login(client, "k.becker").status_code == 302


def test_parallel_guesses_get_no_more_checks_than_the_limit(app, clock):
    """Sixteen guesses at once got six password checks for five allowed; now at most five."""
    make_user("k.becker")
    db.close()  # each thread takes its own connection from the pool

    def guess(_number):
        return post_login(app.test_client(), "k.becker", "falsch").status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(guess, range(16)))
    assert statuses.count(401) == app.config["LOGIN_MAX_FAILURES"], statuses
    assert statuses.count(429) == 16 - app.config["LOGIN_MAX_FAILURES"]


def median_time(client, username, password="falsch", times=3):
    """Return the median seconds a failed login takes."""
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        assert post_login(client, username, password).status_code == 401
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


def test_an_unknown_name_costs_as_much_as_a_wrong_password(app, client):
    """A wrong password took 210 ms and an unknown name 7 ms, which told names apart."""
    from wiki.security import hash_password

    User.create(username="k.becker", password_hash=hash_password(PASSWORD))
    disable_user(User.create(username="j.wagner", password_hash=hash_password(PASSWORD)))
    post_login(client, "aufwaermen", "falsch")  # the stand-in hash is made once, here
    known = median_time(client, "k.becker")
    assert known > 0.02  # scrypt, as configured: the comparison means something
    assert median_time(client, "niemand") > known / 2
    assert median_time(client, "j.wagner", PASSWORD) > known / 2


def test_an_unknown_name_is_throttled_like_a_known_one(app, client, clock):
    """The throttle tells no names apart either."""
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert post_login(client, "niemand", "falsch").status_code == 401
    assert post_login(client, "niemand", "falsch").status_code == 429


@pytest.fixture
def behind_proxy(app, tmp_path):
    """Return a client of an app that believes one proxy's X-Forwarded-For."""
    proxied = create_app({**app.config, "PROXY_HOPS": 1}, instance_path=str(tmp_path / "hop"))
    return proxied.test_client()


def from_client(address, proxy="127.0.0.1"):
    """Return request settings of a request that the proxy passes on for a client."""
    return {"environ_base": {"REMOTE_ADDR": proxy}, "headers": {"X-Forwarded-For": address}}


def test_with_proxy_hops_sessions_and_the_audit_log_see_the_person(behind_proxy):
    """Sessions and the audit log recorded the proxy's address for everybody."""
    make_user("k.admin", role="admin")
    editor = make_user("k.becker")
    assert post_login(behind_proxy, "k.admin", **from_client("192.0.2.7")).status_code == 302
    assert Session.get().address == "192.0.2.7"
    behind_proxy.post(f"/admin/users/{editor.id}/role", data={"role": "reader"},
                      **from_client("192.0.2.7"))
    assert AuditEntry.get(AuditEntry.action == "user.role").address == "192.0.2.7"


def test_with_proxy_hops_each_person_has_an_address_limit_of_their_own(app, behind_proxy, clock):
    """Guesses from one client behind the proxy leave the others alone."""
    app.config["LOGIN_ADDRESS_MAX_FAILURES"] = 3
    behind_proxy.application.config["LOGIN_ADDRESS_MAX_FAILURES"] = 3
    make_user("k.becker")
    for number in range(5):
        post_login(behind_proxy, f"raten{number}", "falsch", **from_client("192.0.2.66"))
    assert post_login(behind_proxy, "k.becker", **from_client("192.0.2.66")).status_code == 429
    assert post_login(behind_proxy, "k.becker", **from_client("192.0.2.7")).status_code == 302


def test_without_the_setting_forwarded_for_is_not_believed(client):
    """By default X-Forwarded-For means nothing: a client could write anything into it."""
    make_user("k.becker")
    assert post_login(client, "k.becker", **from_client("192.0.2.7")).status_code == 302
    assert Session.get().address == "127.0.0.1"


@pytest.mark.parametrize("hops", [-1, "zwei", 1.5])
def test_a_wrong_number_of_hops_stops_the_start(tmp_path, hops):
    """A mistyped FAHRPLAN_PROXY_HOPS fails at start, naming the setting."""
    with pytest.raises(ValueError, match="FAHRPLAN_PROXY_HOPS"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "t",
                    "PROXY_HOPS": hops}, instance_path=str(tmp_path))


@pytest.fixture
def sso(app):
    """Turn single sign-on on, trusting the proxy at 127.0.0.1 only."""
    app.config.update(SSO_HEADER="X-Remote-User", SSO_TRUSTED_PROXIES=["127.0.0.1"])
    return app


def test_sso_checks_the_proxy_itself_not_the_forwarded_address(sso, tmp_path):
    """With PROXY_HOPS set, a client cannot pose as the proxy by writing X-Forwarded-For."""
    proxied = create_app({**sso.config, "PROXY_HOPS": 1}, instance_path=str(tmp_path / "hop"))
    make_user("k.admin", role="admin", name="Anna Admin")
    forged = proxied.test_client().get("/", environ_base={"REMOTE_ADDR": "192.0.2.66"},
                                       headers={"X-Forwarded-For": "127.0.0.1",
                                                "X-Remote-User": "k.admin"})
    assert signed_in_as(forged) is None
    real = proxied.test_client().get("/", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                     headers={"X-Forwarded-For": "192.0.2.7",
                                              "X-Remote-User": "k.admin"})
    assert signed_in_as(real) == "Anna Admin"


# Defect 10b: user names compared by one Unicode key on both backends.

@pytest.mark.parametrize("name, same", [
    ("MÜLLER", "Müller"),
    ("Mu\u0308ller", "MÜLLER"),  # decomposed ü
    ("STRASSE", "straße"),
    ("K.Becker", " k.becker "),
])
def test_user_names_fold_to_one_key(name, same):
    """NFC and Unicode case folding: spellings of one name have one key."""
    assert User.key_for(name) == User.key_for(same)


def test_sso_makes_one_account_for_two_spellings(sso):
    """MÜLLER and Müller became two accounts on SQLite and one on PostgreSQL."""
    client = sso.test_client()
    client.get("/", headers={"X-Remote-User": "MÜLLER".encode().decode("latin-1")})
    other = sso.test_client()
    response = other.get("/", headers={"X-Remote-User": "Müller".encode().decode("latin-1")})
    assert signed_in_as(response) == "MÜLLER"
    assert User.select().count() == 1


def test_login_finds_an_account_in_any_spelling(client):
    """The login form compares user names by the same key."""
    make_user("Müller")
    assert post_login(client, "MÜLLER").status_code == 302
    assert post_login(client, "mu\u0308ller").status_code == 302


def test_the_admin_form_refuses_a_name_taken_in_another_case(client, login):
    """A new account may not differ from an existing one in case alone."""
    login("admin")
    make_user("k.becker")
    response = client.post("/admin/users/new", data={"username": "K.BECKER", "name": "",
                                                     "email": "", "role": "reader"})
    assert response.status_code == 400
    assert User.select().where(User.username_key == "k.becker").count() == 1


def test_the_migration_keys_existing_accounts_and_keeps_clashing_ones(app):
    """Accounts made before, two of them with one key, all get a key; the older keeps it."""
    rollback("0010_username_key")
    with db.atomic():
        for name in ("Müller", "MÜLLER", "k.becker"):
            db.execute_sql('INSERT INTO "user" (username, name, email, role, active, created) '
                           "VALUES (%s, '', '', 'reader', %s, %s)".replace(
                               "%s", db.param), (name, True, utcnow()))
    migrate()
    keys = {user.username: user.username_key for user in User.select()}
    older = User.get(User.username == "Müller")
    assert keys["Müller"] == "müller" and keys["k.becker"] == "k.becker"
    assert keys["MÜLLER"].startswith("müller\t")
    assert User.by_name("MÜLLER") == older


# Defect 11: single sign-on opened a session row for every request without a cookie.

def test_clients_without_cookies_leave_no_session_rows(sso):
    """Twenty calendar fetches left twenty sessions for 14 days; now none, each signed on."""
    make_user("k.becker", name="Katrin Becker")
    calendar = sso.test_client(use_cookies=False)
    for _ in range(20):
        response = calendar.get("/", headers={"X-Remote-User": "k.becker"})
        assert signed_in_as(response) == "Katrin Becker"
    assert Session.select().count() == 0


def test_a_browser_gets_one_session_when_its_cookie_comes_back(sso):
    """The first answer sets the cookie; the request that brings it back opens the one row."""
    browser = sso.test_client()
    assert signed_in_as(browser.get("/", headers={"X-Remote-User": "k.becker"})) == "k.becker"
    assert Session.select().count() == 0
    for _ in range(5):
        browser.get("/", headers={"X-Remote-User": "k.becker"})
    assert Session.select().count() == 1


# Defect 13 (login): a NUL byte in the user name gave a 500 on PostgreSQL.

@pytest.mark.parametrize("username", ["k.becker\x00", "\x00", "k.be\x00cker", "k.becker\n",
                                      "k.becker\x1b[31m", "x" * 5000])
def test_a_name_with_control_characters_is_a_plain_failed_login(client, username):
    """No 500 on either backend: the usual German answer, nothing stored."""
    make_user("k.becker")
    response = post_login(client, username)
    assert response.status_code == 401
    alert = soup(response).find(role="alert").get_text(strip=True)
    assert alert == "Benutzername oder Passwort ist falsch."
    assert Session.select().count() == 0


def test_a_password_with_a_nul_byte_is_just_wrong(client):
    """The password is never stored: a NUL in it is a wrong password like any other, no 500."""
    make_user("k.becker")
    assert post_login(client, "k.becker", "richtig\x00-geheim-42").status_code == 401
