"""Single sign-on: the proxy's user header, believed only from the configured proxy addresses."""
import pytest
from bs4 import BeautifulSoup

from tests.conftest import PASSWORD, make_user
from wiki import create_app
from wiki.domain.accounts import disable_user
from wiki.models import AuditEntry, Session, User

pytestmark = pytest.mark.postgres

HEADER = "X-Remote-User"
PROXY = "127.0.0.1"  # the test client's own address; every other address is not the proxy
ELSEWHERE = {"REMOTE_ADDR": "127.0.0.2"}


@pytest.fixture
def sso(app):
    """Turn single sign-on on, trusting the proxy at 127.0.0.1 only."""
    app.config.update(SSO_HEADER=HEADER, SSO_TRUSTED_PROXIES=[PROXY],
                      SSO_NAME_HEADER="X-Remote-Name", SSO_EMAIL_HEADER="X-Remote-Email")
    return app


def signed_in_as(response):
    """Return the display name in the header's user menu, or None when anonymous."""
    name = BeautifulSoup(response.text, "html.parser").select_one("header .user-name")
    return name.get_text(strip=True) if name else None


def visit(client, username=None, environ=None, path="/", **headers):
    """Request a page as the proxy would pass it on, with the user header if given."""
    if username is not None:
        headers[HEADER] = username
    return client.get(path, headers=headers, environ_base=environ or {})


def test_header_from_the_proxy_creates_the_user_and_logs_them_in(sso, client):
    """A new name from the proxy becomes a reader without a password, logged in for real."""
    response = visit(client, "k.becker", **{"X-Remote-Name": "Katrin Becker",
                                            "X-Remote-Email": "k.becker@example.org"})
    assert response.status_code == 200
    assert signed_in_as(response) == "Katrin Becker"
    user = User.by_name("k.becker")
    assert (user.role, user.password_hash, user.email) == ("reader", None, "k.becker@example.org")
    assert Session.select().count() == 0  # for this request only, until the cookie comes back
    assert signed_in_as(visit(client, "k.becker")) == "Katrin Becker"
    assert Session.select().where(Session.user == user).count() == 1
    entry = AuditEntry.get(AuditEntry.action == "user.sso_create")
    assert entry.target == f"user/{user.id}"
    assert "becker" not in str(entry.details).lower()


def test_the_same_header_from_another_address_is_ignored(sso, client):
    """From an address that is not a configured proxy the header does nothing at all."""
    make_user("k.becker", name="Katrin Becker")
    response = visit(client, "k.becker", ELSEWHERE)
    assert response.status_code == 200
    assert signed_in_as(response) is None
    assert visit(client, "neu.angelegt", ELSEWHERE).status_code == 200
    assert User.by_name("neu.angelegt") is None
    assert Session.select().count() == 0


def test_from_another_address_login_is_still_required(sso, client):
    """With reading behind a login, a forged header from elsewhere gets the login page."""
    sso.config["READ_WITHOUT_LOGIN"] = False
    make_user("k.becker")
    response = visit(client, "k.becker", ELSEWHERE, path="/measures")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    response = visit(client, "k.becker", path="/measures")  # the proxy: straight in
    assert response.status_code == 200


@pytest.mark.parametrize("proxies, address, trusted", [
    (["127.0.0.0/30"], "127.0.0.2", True),
    (["127.0.0.0/30"], "127.0.0.5", False),
    (["127.0.0.1", "127.0.1.0/24"], "127.0.1.77", True),
    ("127.0.0.9, 127.0.2.0/24", "127.0.2.3", True),  # the environment's comma-separated form
    ("127.0.0.9, 127.0.2.0/24", "127.0.3.3", False),
    (["127.0.0.1"], "::ffff:127.0.0.1", True),  # IPv4 on an IPv6 socket
    (["::1"], "::1", True),
    (["::1"], "127.0.0.1", False),
    ([], "127.0.0.1", False),
])
def test_trusted_proxies_are_addresses_or_networks(sso, client, proxies, address, trusted):
    """Addresses and CIDR networks are matched against the connecting address."""
    sso.config["SSO_TRUSTED_PROXIES"] = proxies
    make_user("k.becker", name="Katrin Becker")
    response = visit(client, "k.becker", {"REMOTE_ADDR": address})
    assert signed_in_as(response) == ("Katrin Becker" if trusted else None)


def test_the_user_is_logged_in_once_not_on_every_request(sso, client):
    """Later requests run in the session the first one opened."""
    for _ in range(3):
        assert signed_in_as(visit(client, "k.becker")) == "k.becker"
    assert Session.select().count() == 1
    assert AuditEntry.select().where(AuditEntry.action == "user.sso_create").count() == 1


def test_an_existing_user_is_found_case_insensitively_and_updated(sso, client):
    """The proxy's spelling does not matter; a changed name and e-mail address are stored."""
    user = make_user("k.becker", role="editor", name="Katrin Becker", email="alt@example.org")
    name = "Katrin Müller-Becker".encode().decode("latin-1")  # UTF-8 as WSGI hands it over
    response = visit(client, "K.Becker", **{"X-Remote-Name": name,
                                            "X-Remote-Email": "k.mueller@example.org"})
    assert signed_in_as(response) == "Katrin Müller-Becker"
    stored = User.get_by_id(user.id)
    assert (stored.username, stored.role) == ("k.becker", "editor")
    assert (stored.name, stored.email) == ("Katrin Müller-Becker", "k.mueller@example.org")
    assert User.select().count() == 1
    response = visit(client, "k.becker", **{"X-Remote-Name": "Katrin Becker"})  # later change
    assert signed_in_as(response) == "Katrin Becker"
    assert User.get_by_id(user.id).email == "k.mueller@example.org"  # not sent: kept
    assert Session.select().count() == 1


def test_a_disabled_user_stays_anonymous(sso, client):
    """The proxy cannot bring back an account that was disabled."""
    disable_user(make_user("k.becker"))
    response = visit(client, "k.becker")
    assert response.status_code == 200
    assert signed_in_as(response) is None
    assert Session.select().count() == 0


def test_a_user_disabled_while_signed_on_loses_the_session(sso, client):
    """Disabling ends the proxy user's session; the header does not open a new one."""
    assert signed_in_as(visit(client, "k.becker")) == "k.becker"
    disable_user(User.by_name("k.becker"))
    assert signed_in_as(visit(client, "k.becker")) is None
    assert Session.select().count() == 0


def test_a_different_name_ends_the_session_and_starts_the_new_one(sso, client):
    """When the proxy names someone else, the old session ends for real."""
    make_user("k.becker", name="Katrin Becker")
    make_user("j.wagner", name="Jan Wagner")
    assert signed_in_as(visit(client, "k.becker")) == "Katrin Becker"
    visit(client, "k.becker")  # the cookie comes back: now the browser has a session row
    first = Session.get()
    response = visit(client, "j.wagner")
    assert signed_in_as(response) == "Jan Wagner"
    assert Session.get_or_none(Session.key == first.key) is None
    assert [s.user.username for s in Session.select()] == ["j.wagner"]


def test_a_disabled_new_name_still_ends_the_old_session(sso, client):
    """The old proxy session ends even when the newly named account may not sign on."""
    make_user("k.becker")
    disable_user(make_user("j.wagner"))
    assert signed_in_as(visit(client, "k.becker")) == "k.becker"
    assert signed_in_as(visit(client, "j.wagner")) is None
    assert Session.select().count() == 0


@pytest.mark.parametrize("headers", [{}, {HEADER: ""}, {HEADER: "   "},
                                     {HEADER: "x" * 81}, {HEADER: "k.becker\x01"}])
def test_without_a_usable_header_nothing_happens(sso, client, headers):
    """No header, an empty one or an unusable name: anonymous, nobody created."""
    response = client.get("/", headers=headers)
    assert response.status_code == 200
    assert signed_in_as(response) is None
    assert User.select().count() == 0
    assert Session.select().count() == 0


def test_with_the_setting_off_the_header_means_nothing(app, client):
    """By default single sign-on is off, even for the header from 127.0.0.1."""
    app.config["SSO_TRUSTED_PROXIES"] = [PROXY]
    assert app.config["SSO_HEADER"] is None
    make_user("k.becker")
    assert signed_in_as(visit(client, "k.becker")) is None
    assert Session.select().count() == 0


def test_the_default_role_is_a_setting(sso, client):
    """New proxy users get the configured role."""
    sso.config["SSO_DEFAULT_ROLE"] = "editor"
    visit(client, "k.becker")
    assert User.by_name("k.becker").role == "editor"


def test_admin_password_login_still_works_and_is_kept(sso, client):
    """A local admin logs in by password through the proxy; the header does not take over."""
    make_user("admin", role="admin", name="Anna Admin")
    response = client.post("/login", data={"username": "admin", "password": PASSWORD},
                           headers={HEADER: "k.becker"})
    assert response.status_code == 302
    response = visit(client, "k.becker", path="/")
    assert signed_in_as(response) == "Anna Admin"
    assert User.by_name("k.becker") is None
    assert [s.user.username for s in Session.select()] == ["admin"]


def test_a_proxy_user_can_switch_to_a_local_account(sso, client):
    """Signed on by the proxy, a person can still log in with a local account."""
    make_user("admin", role="admin", name="Anna Admin")
    assert signed_in_as(visit(client, "k.becker")) == "k.becker"
    assert client.get("/login", headers={HEADER: "k.becker"}).status_code == 200
    response = client.post("/login", data={"username": "admin", "password": PASSWORD},
                           headers={HEADER: "k.becker"})
    assert response.status_code == 302
    assert signed_in_as(visit(client, "k.becker")) == "Anna Admin"


def test_a_proxy_user_has_no_password_to_log_in_with(sso, client):
    """An account made by the proxy cannot be entered through the login form."""
    visit(client, "k.becker")
    other = client.application.test_client()
    response = other.post("/login", data={"username": "k.becker", "password": ""},
                          environ_base=ELSEWHERE)
    assert response.status_code == 401


@pytest.mark.parametrize("settings, message", [
    ({"SSO_TRUSTED_PROXIES": ["127.0.0.300"]}, "FAHRPLAN_SSO_TRUSTED_PROXIES"),
    ({"SSO_DEFAULT_ROLE": "chef"}, "FAHRPLAN_SSO_DEFAULT_ROLE"),
])
def test_a_wrong_setting_stops_the_start(tmp_path, settings, message):
    """A typo in the proxy list or the role fails when the app starts, naming the setting."""
    with pytest.raises(ValueError, match=message):
        create_app({"SSO_HEADER": HEADER, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                    "SECRET_KEY": "test", **settings}, instance_path=str(tmp_path))


def test_my_data_shows_a_proxy_account_without_password(sso, client):
    """"Meine Daten" says the account signs on through the intranet and offers no password."""
    page = BeautifulSoup(visit(client, "k.becker", path="/account").text, "html.parser")
    facts = {dt.get_text(strip=True): dt.find_next("dd").get_text(" ", strip=True)
             for dt in page.select(".account-facts dt")}
    assert facts["Anmeldung"].startswith("über die Anmeldung im Intranet (Single Sign-on)")
    assert page.find("a", href="/account/password") is None
