"""Script never runs from page content: every XSS vector, saved as a page, opened in Chromium.

Then the same vectors through every other input (the import files, measure metadata, reports,
comments, rounds, action fields, user names, search terms), and every page that shows them.
"""
import shutil
from urllib.parse import quote

import pytest
import yaml
from bs4 import BeautifulSoup

from tests.browser.conftest import PASSWORD, VIEWPORT, Recorder, serving
from tests.xss_vectors import VECTORS
from wiki import create_app
from wiki.db import db
from wiki.domain import cleaning, markdown
from wiki.domain.revisions import save_page
from wiki.models import Comment, ReportRound, StatusReport, User

pytestmark = pytest.mark.browser

# What would show that content escaped the sanitiser, even where CSP stopped it running.
ACTIVE_CONTENT = """() => {
  const found = [];
  for (const el of document.querySelectorAll('main .content *, main h1 *')) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'iframe', 'object', 'embed', 'svg', 'math', 'style', 'form', 'base',
         'meta', 'link', 'frame', 'frameset'].includes(tag)) found.push(tag);
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\s\\x00-\\x20]+/g, '').toLowerCase();
      if (attr.name.startsWith('on') || attr.name === 'style'
          || (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attr.name)
              && /^(javascript|vbscript|data):/.test(value))) {
        found.push(`${tag}[${attr.name}=${attr.value}]`);
      }
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def vector_pages(live_app):
    """Save one wiki page per vector (as body and in the title); return their slugs.

    A module fixture runs before the autouse one that binds the live database: bind it here, or
    the pages go to whichever database the module before left bound.
    """
    db.initialize(live_app.config["LIVE_DATABASE"])
    with live_app.app_context():
        author = User.by_name("editor")
        return [save_page(None, title=f"XSS {number} {vector[:80]}", body=vector,
                          author=author, slug=f"xss-{number}").page.slug
                for number, vector in enumerate(VECTORS)]


def test_no_vector_runs_script(page, vector_pages):
    """No vector opens a dialog, trips the CSP, or leaves active markup in the page."""
    problems = []
    for number, slug in enumerate(vector_pages):
        before = len(page.recorder.dialogs), len(page.recorder.csp)
        response = page.goto(f"/pages/{slug}")
        assert response.status == 200, slug
        # Give handlers that fire on load, error, focus or animation a moment to do so.
        page.wait_for_timeout(20)
        active = page.evaluate(ACTIVE_CONTENT)
        fired = page.recorder.dialogs[before[0]:] + page.recorder.csp[before[1]:]
        if active or fired:
            problems.append((VECTORS[number], active, fired))
    page.recorder.csp.clear()  # reported here, with the vector, rather than by the fixture
    assert not problems, "\n".join(map(repr, problems))
    assert page.recorder.dialogs == []


def test_the_recorders_hear_dialogs_and_csp_violations(page):
    """A dialog and a refused inline script are recorded: the XSS test really listens."""
    page.goto("/")
    page.evaluate("setTimeout(() => alert('probe'), 0)")
    page.evaluate("""() => {
      const script = document.createElement('script');
      script.textContent = 'window.ran = true';
      document.body.append(script);
    }""")
    page.wait_for_timeout(100)
    assert page.recorder.dialogs == ["alert: probe"]
    assert page.evaluate("window.ran") is None
    assert any("script-src" in message for message in page.recorder.csp)
    page.recorder.csp.clear()


# Script or markup anywhere in a page that the app never writes itself: inline script, event
# handler attributes, script URLs, frames, and htmx attributes that fire on their own.
ACTIVE_ANYWHERE = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    const src = el.getAttribute('src') || '';
    if (tag === 'script' && !src.startsWith('/static/')) found.push('script');
    if (['iframe', 'object', 'embed', 'base', 'frame', 'frameset', 'math'].includes(tag)
        || (tag === 'meta' && el.hasAttribute('http-equiv'))
        || (tag === 'link' && el.closest('body'))) found.push(tag);
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\s\\x00-\\x20]+/g, '').toLowerCase();
      if (attr.name.startsWith('on') || attr.name.startsWith('hx-on')
          || attr.name.startsWith('data-hx') || attr.name === 'srcdoc'
          || (attr.name === 'hx-trigger' && value.includes('load'))
          || (['href', 'src', 'action', 'formaction', 'xlink:href', 'data'].includes(attr.name)
              && /^(javascript|vbscript|data):/.test(value))) {
        found.push(`${tag}[${attr.name}=${attr.value.slice(0, 60)}]`);
      }
    }
  }
  return found;
}"""
# The importer refuses control characters at the door; stored ones are the pages' vectors above.
ACCEPTED = [v for v in VECTORS if not cleaning.FORBIDDEN.search(v)]
SHORT = [v for v in ACCEPTED if len(v) <= 95 and not cleaning.LINE_BREAK.search(v)]  # one-line
# For Markdown bodies, which refuse images without alternative text (BITV): the pages above
# keep those vectors.
LONG = "\n\n".join(v for v in ACCEPTED if not markdown.images_without_text(v))


def short(index, count=3):
    """Return a one-line text of a few short vectors, a different few for each index."""
    return " ".join(SHORT[(index * count + k) % len(SHORT)] for k in range(count))[:290]


def _front(path, **changes):
    """Rewrite a Markdown file's front matter with changes and its body with every vector."""
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(head) | changes
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n\n" + LONG + "\n",
                    encoding="utf-8")


def vector_folder(folder):
    """Copy the demo and put vectors into every text of every file: the import input."""
    from wiki.cli import DEMO

    shutil.copytree(DEMO, folder)
    files = sorted(folder.rglob("*.md"))
    for index, path in enumerate(files):
        kind = path.relative_to(folder).parts[0]
        text = {"measures": {"title": short(index), "owner": short(index + 1),
                             "legal_basis": short(index + 2), "tags": SHORT[index % len(SHORT)]
                             .split()[:1] or ["x"]},
                "fields": {"title": short(index), "summary": short(index + 1)},
                "pages": {"title": f"Seite {index} {short(index)}"},
                "rounds": {"title": short(index)},
                "users": {"name": short(index, 2)},
                "strategy.md": {"title": short(index)}}.get(kind, {})
        if kind == "measures":
            _measure_history(path)
        _front(path, **text)
    return folder


def _measure_history(path):
    """Drop a measure's older revisions, whose titles would otherwise stay plain."""
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(head)
    meta.pop("history", None)
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body,
                    encoding="utf-8")


@pytest.fixture(scope="module")
def vector_server(tmp_path_factory):
    """Serve an instance built from the vector import, with vectors typed into every form."""
    from wiki import exchange
    from wiki.db import db, migrate

    folder = tmp_path_factory.mktemp("xss")
    config = {"DATABASE_URL": f"sqlite:///{folder / 'vectors.db'}", "SECRET_KEY": "xss",
              "WTF_CSRF_ENABLED": True, "LOGIN_MAX_FAILURES": 50}
    app = create_app(config, instance_path=str(folder / "instance"))
    with app.app_context():
        db.connect(reuse_if_open=True)
        migrate()
        errors = exchange.import_folder(vector_folder(folder / "import"))
        assert not errors, errors
        db.close()
    forms = create_app({**config, "WTF_CSRF_ENABLED": False},
                       instance_path=str(folder / "instance"))
    _type_vectors(forms)
    with serving(app) as url:
        yield url, forms, db.obj


@pytest.fixture
def vector_db(vector_server):
    """Point the database proxy at the vector instance (the live fixture points it elsewhere)."""
    from wiki.db import db

    db.initialize(vector_server[2])
    return vector_server


def _type_vectors(app):
    """Send vectors through the forms: a page, a measure, a report, comments, a round, a user."""
    from wiki.security import hash_password

    with app.app_context():
        User.create(username="admin", role="admin", name=short(40, 2),
                    password_hash=hash_password(PASSWORD))
    client = app.test_client()
    response = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 302
    posts = [
        ("/pages/new", {"title": short(41), "body": LONG}),
        ("/admin/users/new", {"username": "x.vektor", "name": short(42, 2), "role": "editor"}),
        ("/measures/M01/comments", {"body": LONG}),
        ("/measures/M01/reports/new", {"period": "2026-Q4", "date": "2026-10-01",
                                       "status": "active", "traffic_light": "red",
                                       "progress": "50", "body": LONG}),
        ("/reports/new", {"title": short(43), "slug": "vektoren", "period": "2030-Q1",
                          "due_date": "2030-04-15",
                          "body": LONG, "projects": LONG}),
        ("/admin/fields/new", {"code": "HF9", "title": short(44), "summary": short(45),
                               "position": "9", "body": LONG}),
    ]
    for url, form in posts:
        response = client.post(url, data=form)
        errors = BeautifulSoup(response.text, "html.parser").select(".error-summary li")
        assert response.status_code in (200, 302), (url, [e.get_text() for e in errors])
    measure = client.get("/measures/M02/edit").text
    base = measure.split('name="base_revision" value="')[1].split('"')[0]
    response = client.post("/measures/M02/edit", data={
        "base_revision": base, "code": "M02", "title": short(46), "field": "HF1",
        "obligation": "legal", "status": "active", "owner": short(47),
        "legal_basis": short(48), "tags": short(49, 1), "progress": "10", "body": LONG,
        "summary": short(50)})
    assert response.status_code == 302, response.text
    with app.app_context():
        comment = Comment.select().order_by(Comment.id.desc()).first()
    response = client.post(f"/comments/{comment.id}/edit",
                           data={"body": LONG + "\n\nZweite Fassung", "base_revision": "1"})
    assert response.status_code in (200, 302)


def pages_showing_vectors(forms):
    """Return every page that shows what the vectors went into, as (user, path)."""
    with forms.app_context():
        report = StatusReport.select().order_by(StatusReport.id.desc()).first()
        comment = Comment.select().order_by(Comment.id.desc()).first()
        rounds = [r.slug for r in ReportRound.select()]
    code = "M01"
    paths = ["/", "/architecture", "/timeline", "/timeline?as_of=2026-01-01", "/dependencies",
             "/measures", "/measures/M01", "/measures/M02", "/measures/M02/history",
             "/measures/M02/diff?from=1&to=2", "/measures/M02/revisions/1",
             f"/measures/{code}/reports", f"/measures/{code}/reports/{report.id}/history",
             f"/comments/{comment.id}/versions", "/pages/", "/pages/wanted",
             "/reports", "/embed/fields", "/embed/changes", "/embed/milestones",
             *[f"/reports/{slug}" for slug in rounds],
             *[f"/reports/{slug}/council" for slug in rounds],
             *[f"/search?q={quote(v)}" for v in SHORT[::4]], "/search?q=alert"]
    admin = ["/admin/users", "/admin/fields", "/admin/audit", "/admin/rounds",
             "/measures/M02/edit", f"/measures/{code}/reports/{report.id}/edit",
             f"/comments/{comment.id}/edit"]
    return [(None, p) for p in paths] + [("admin", p) for p in admin]


def _tab(browser, url, user):
    """Open a tab on the vector instance, logged in as user (None: anonymous)."""
    context = browser.new_context(base_url=url, viewport=VIEWPORT, locale="de-DE")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.recorder = Recorder(tab)
    if user:
        tab.goto("/login")
        tab.get_by_label("Benutzername").fill(user)
        tab.get_by_label("Passwort").fill(PASSWORD)
        tab.get_by_role("button", name="Anmelden").click()
        tab.wait_for_load_state()
    return tab


def test_no_input_lets_script_run_on_any_page(browser, vector_db):
    """Vectors from every input, on every page showing them: no dialog, no CSP report, no markup."""
    url, forms, _ = vector_db
    tabs, problems = {}, []
    for user, path in pages_showing_vectors(forms):
        tab = tabs.get(user) or tabs.setdefault(user, _tab(browser, url, user))
        before = len(tab.recorder.dialogs), len(tab.recorder.csp)
        response = tab.goto(path)
        assert response.status == 200, path
        tab.wait_for_timeout(20)  # handlers that fire on load, error, focus or animation
        active = tab.evaluate(ACTIVE_ANYWHERE)
        fired = tab.recorder.dialogs[before[0]:] + tab.recorder.csp[before[1]:]
        if active or fired:
            problems.append((path, active, fired))
    shown = tabs[None].goto("/measures/M02") and tabs[None].locator("h1").inner_text()
    for tab in tabs.values():
        tab.context.close()
    assert not problems, "\n".join(map(repr, problems))
    assert SHORT[(46 * 3) % len(SHORT)][:20] in shown  # the typed title is there, as text
