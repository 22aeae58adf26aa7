"""Protection: CSRF on every state change (a refused form of this site keeps its text), headers."""
import pytest
from bs4 import BeautifulSoup

from tests import route_targets
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


def test_login_without_token_is_refused_and_shows_nothing_typed(csrf_client):
    """A login without CSRF token gets 400, no session, and a link back instead of the fields."""
    make_user("k.becker")
    response = csrf_client.post("/login", data={"username": "k.becker", "password": PASSWORD},
                                headers={"Origin": "http://localhost"})
    assert response.status_code == 400
    assert Session.select().count() == 0
    page = BeautifulSoup(response.text, "html.parser")
    assert page.find("h1").get_text() == "Formular abgelaufen"
    assert not page.find_all("textarea") and PASSWORD not in response.text
    assert page.find("a", href="/login")


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


def _admin_with_token(csrf_client):
    """Log the client in as an admin through the form (with its token); return the user."""
    user = make_user("k.admin", role="admin")
    response = csrf_client.post("/login", data={
        "username": "k.admin", "password": PASSWORD, "csrf_token": token(csrf_client)})
    assert response.status_code == 302
    return user


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}, {"X-CSRFToken": "gefälscht"}],
                         ids=["form", "htmx", "wrong-token"])
def test_every_state_changing_route_refuses_a_missing_token(csrf_client, demo, headers):
    """Every POST rule, filled with real demo objects, answers 400 and changes nothing."""
    app = csrf_client.application
    with app.app_context():
        objects = route_targets.demo_objects(_admin_with_token(csrf_client))
        before = route_targets.snapshot()
    changing = [r for r in route_targets.rules(app) if r.methods - {"GET", "HEAD", "OPTIONS"}]
    assert len(changing) > 30
    wrong = []
    for rule in changing:
        for owner in ("own", "foreign") if rule.endpoint in route_targets.OWNED else ("foreign",):
            path = route_targets.path(app, rule, objects, owner)
            response = csrf_client.post(path, headers=headers,
                                        data=route_targets.FORMS.get(rule.endpoint, {"x": "1"}))
            with app.app_context():
                after = route_targets.snapshot()
            changed = [table for table in after if after[table] != before[table]]
            if response.status_code != 400 or changed:
                wrong.append(f"{path} ({owner}): {response.status_code} {changed}")
    assert not wrong, "\n".join(wrong)


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


@pytest.mark.parametrize("feed", ["/feeds/fields/HF1/reports.atom", "/feeds/changes.atom",
                                  "/feeds/measures/M01/reports.atom"])
def test_feeds_escape_every_vector_structurally(client, demo, feed):
    """Vectors in titles, names, summaries and report texts stay text in the Atom XML."""
    from xml.etree import ElementTree

    from tests.xss_vectors import VECTORS
    from wiki.domain.revisions import render, save_page
    from wiki.models import ActionField, Page, StatusReport, User

    vector = " ".join(VECTORS[:8])
    with client.application.app_context():
        ActionField.update(title=vector).where(ActionField.code == "HF1").execute()
        User.update({User._meta.fields["name"]: vector[:200]}).execute()
        html = str(render("\n\n".join(VECTORS)))
        StatusReport.update(html=html).execute()
        Page.update(title=vector).execute()
        save_page(None, title=vector, body="x", author=make_user("k.becker"), summary=vector)
    response = client.get(feed)
    assert response.status_code == 200
    atom = "{http://www.w3.org/2005/Atom}"
    root = ElementTree.fromstring(response.data)  # well-formed: no vector broke the XML
    texts = [e for tag in ("title", "name", "summary") for e in root.iter(atom + tag)]
    assert any(e.text and vector in e.text for e in texts)  # the vector arrived, as text
    assert all(len(e) == 0 for e in texts)  # no element smuggled into a text field
    contents = [e.text for e in root.iter(atom + "content")]
    for content in contents:
        inner = BeautifulSoup(content, "html.parser")
        assert not inner.find_all(["script", "iframe", "object", "embed", "svg", "math", "style"])
        assert not [a for tag in inner.find_all(True) for a in tag.attrs if a.startswith("on")]
    assert contents or "changes" in feed
