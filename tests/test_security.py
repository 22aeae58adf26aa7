"""Protection: CSRF on every state change (a refused form keeps its text), security headers."""
import pytest
from bs4 import BeautifulSoup

from tests.conftest import PASSWORD, make_user
from wiki import create_app
from wiki.models import Session

pytestmark = pytest.mark.postgres


@pytest.fixture
def csrf_client(app, tmp_path):
    """Return a client of the same database with CSRF protection on, as in production."""
    protected = create_app({**app.config, "WTF_CSRF_ENABLED": True},
                           instance_path=str(tmp_path / "protected"))
    return protected.test_client()


def token(client, path="/login"):
    """Fetch a page and return the CSRF token of its form."""
    page = BeautifulSoup(client.get(path).text, "html.parser")
    return page.find("input", attrs={"name": "csrf_token"})["value"]


def test_login_without_token_is_refused_and_keeps_the_name(csrf_client):
    """A login without CSRF token gets 400, no session, and the typed name back."""
    make_user("k.becker")
    response = csrf_client.post("/login", data={"username": "k.becker", "password": PASSWORD})
    assert response.status_code == 400
    assert Session.select().count() == 0
    page = BeautifulSoup(response.text, "html.parser")
    assert page.find("h1").get_text() == "Formular abgelaufen"
    kept = {t["name"]: t.get_text() for t in page.find_all("textarea")}
    assert kept["username"] == "k.becker"
    assert page.find("input", attrs={"name": "csrf_token"})["value"]


def test_login_with_token_works(csrf_client):
    """The token from the form lets the login through."""
    make_user("k.becker")
    response = csrf_client.post("/login", data={
        "username": "k.becker", "password": PASSWORD, "csrf_token": token(csrf_client)})
    assert response.status_code == 302


def test_logout_without_token_keeps_the_session(csrf_client):
    """A forged logout (no token) changes nothing."""
    make_user("k.becker")
    csrf_client.post("/login", data={
        "username": "k.becker", "password": PASSWORD, "csrf_token": token(csrf_client)})
    assert csrf_client.post("/logout").status_code == 400
    assert Session.select().count() == 1


def test_htmx_header_token_is_accepted(csrf_client):
    """HTMX sends the token in the X-CSRFToken header instead of the form."""
    make_user("k.becker")
    csrf_client.post("/login", data={
        "username": "k.becker", "password": PASSWORD, "csrf_token": token(csrf_client)})
    response = csrf_client.post("/logout", headers={"X-CSRFToken": token(csrf_client, "/")})
    assert response.status_code == 302
    assert Session.select().count() == 0


def test_every_post_route_is_csrf_protected(csrf_client):
    """No POST route in the URL map answers a token-less request with success."""
    app = csrf_client.application
    make_user("k.becker", role="admin")
    csrf_client.post("/login", data={
        "username": "k.becker", "password": PASSWORD, "csrf_token": token(csrf_client)})
    routes = [r for r in app.url_map.iter_rules() if "POST" in r.methods and not r.arguments]
    assert routes
    for rule in routes:
        assert csrf_client.post(rule.rule).status_code == 400, rule.rule


def test_security_headers(client):
    """Every page carries a strict CSP (no inline script, no eval) and the usual headers."""
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_htmx_is_configured_without_eval_and_with_the_csrf_header(client):
    """The layout loads the vendored htmx, turns eval off and sends the CSRF header."""
    page = BeautifulSoup(client.get("/login").text, "html.parser")
    config = page.find("meta", attrs={"name": "htmx-config"})["content"]
    assert '"allowEval": false' in config and '"selfRequestsOnly": true' in config
    assert "X-CSRFToken" in page.body["hx-headers"]
    assert page.find("script", src="/static/htmx-2.0.11.min.js")
    assert not [s for s in page.find_all("script") if not s.get("src")]
