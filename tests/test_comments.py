"""Comments: posting inline and without JavaScript, versioned edits, soft deletes, hiding."""
import datetime
import re

import pytest
from bs4 import BeautifulSoup
from flask import render_template_string
from flask_login import login_user
from playhouse.test_utils import count_queries

from tests.conftest import PASSWORD, make_user
from tests.test_views import add_measure
from tests.xss_vectors import VECTORS
from wiki import create_app
from wiki.domain import markdown, metadata, search
from wiki.models import (
    ActionField,
    Comment,
    CommentVersion,
    Measure,
    Revision,
    StatusReport,
    User,
)

pytestmark = pytest.mark.postgres

HX = {"HX-Request": "true"}
ROLES = ("anonymous", "reader", "author", "other", "admin")
USERS = {"reader": "reader", "author": "editor", "other": "editor", "admin": "admin"}


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def text(node):
    """Return a node's text with whitespace collapsed."""
    return " ".join(node.get_text().split())


@pytest.fixture
def measures(app):
    """Create M07 with two status reports and M06 with one; return {code: measure}."""
    field = ActionField.create(code="HF3", title="Elektronische Aktenführung", position=3)
    m06 = add_measure("M06", "Einheitlicher Aktenplan", field, status="done", progress=100)
    m07 = add_measure("M07", "Zentrales Dokumentenmanagementsystem", field, status="active",
                      progress=60)
    for measure, day, period in ((m07, datetime.date(2024, 3, 28), "2024-Q1"),
                                 (m07, datetime.date(2024, 6, 27), "2024-Q2"),
                                 (m06, datetime.date(2024, 6, 20), "2024-Q2")):
        StatusReport.create(measure=measure, date=day, period=period, status="active",
                            traffic_light="green", progress=50, body="Bericht",
                            html="<p>Bericht</p>")
    for username, role in USERS.items():
        make_user(username, role=role, name=username.title())
    return {"M06": m06, "M07": m07}


@pytest.fixture
def as_role(app, measures):
    """Return a function giving a test client logged in with a role (anonymous: none)."""
    def client_for(role):
        client = app.test_client()
        if role != "anonymous":
            response = client.post("/login", data={"username": role, "password": PASSWORD})
            assert response.status_code == 302
        return client
    return client_for


@pytest.fixture
def posted(as_role):
    """Post a comment on M07 as the author; return its id."""
    response = as_role("author").post("/measures/M07/comments",
                                      data={"body": "Erste Zeile\nZweite Zeile\nDritte Zeile"})
    assert response.status_code == 302
    return int(response.location.rsplit("-", 1)[1])


def report_of(code, period):
    """Return the status report of a measure for a period."""
    return (StatusReport.select()
            .join(Measure)
            .where((Measure.code == code) & (StatusReport.period == period))
            .get())


def snapshot():
    """Return what a refused request must leave unchanged: every comment and version."""
    comments = [(c.id, c.body, c.html, c.version, c.deleted, c.hidden, c.report_id)
                for c in Comment.select().order_by(Comment.id)]
    versions = [(v.comment_id, v.number, v.body) for v in CommentVersion.select()]
    return comments, sorted(versions)


def found(word):
    """Return the URLs the search finds for a word."""
    return [hit["url"] for hit in search.find(word)[0]]


# Who may do what: every route for every role.

def _refused(role):
    """Return the status a role gets from a route it may not use (GET, POST)."""
    return {"anonymous": (302, 401)}.get(role, (403, 403))


@pytest.mark.parametrize("role", ROLES)
def test_posting_needs_an_editor(as_role, role):
    """Editors and admins post; readers get 403; anonymous visitors are sent to log in."""
    client = as_role(role)
    before = snapshot()
    form_page = client.get("/measures/M07/comments/new")
    response = client.post("/measures/M07/comments", data={"body": f"Von {role}"})
    if role in ("author", "other", "admin"):
        assert form_page.status_code == 200
        assert response.status_code == 302
        assert Comment.select().where(Comment.body == f"Von {role}").count() == 1
        return
    assert (form_page.status_code, response.status_code) == _refused(role)
    if role == "anonymous":
        assert form_page.location.startswith("/login?next=")
        assert soup(response).select_one("textarea[name=body]").text == "Von anonymous"
    assert snapshot() == before


EDIT_RULES = {  # route: the roles it allows
    "edit": {"author", "admin"},
    "delete": {"author"},
    "hide": {"admin"},
    "unhide": {"admin"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ["edit", "delete"])
def test_edit_and_delete_forms_by_role(as_role, posted, role, route):
    """Only the author (edit: also an admin) gets the edit and delete forms."""
    response = as_role(role).get(f"/comments/{posted}/{route}")
    if role in EDIT_RULES[route]:
        assert response.status_code == 200
        assert soup(response).select_one(f"form[action='/comments/{posted}/{route}']")
    else:
        assert response.status_code == _refused(role)[0]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", EDIT_RULES)
def test_changes_by_role(as_role, posted, role, route):
    """Each change is made for the roles allowed and refused, with nothing changed, for others."""
    client = as_role(role)
    before = snapshot()
    data = {"body": "Geändert", "base_revision": "1"} if route == "edit" else {}
    response = client.post(f"/comments/{posted}/{route}", data=data)
    comment = Comment.get_by_id(posted)
    if role not in EDIT_RULES[route]:
        assert response.status_code == _refused(role)[1]
        assert snapshot() == before
        return
    assert response.status_code == 302
    assert response.location == f"/measures/M07#comment-{posted}"
    changed = {"edit": comment.body == "Geändert" and comment.version == 2,
               "delete": comment.deleted, "hide": comment.hidden,
               "unhide": not comment.hidden}
    assert changed[route]


@pytest.mark.parametrize("role", ROLES)
def test_everyone_who_reads_sees_the_comment_and_its_versions(as_role, posted, role):
    """The permalink leads to the comment on the measure page; the versions list is public."""
    client = as_role(role)
    assert client.get(f"/comments/{posted}").location == f"/measures/M07#comment-{posted}"
    page = soup(client.get("/measures/M07"))
    assert "Erste Zeile" in text(page.select_one(f"#comment-{posted}"))
    assert bool(page.select_one("form#comment-form, #comment-form form")) == (
        role in ("author", "other", "admin"))
    assert client.get(f"/comments/{posted}/versions").status_code == 200


@pytest.mark.parametrize("role, links", [
    ("anonymous", set()), ("reader", set()), ("other", set()),
    ("author", {"Bearbeiten", "Löschen"}), ("admin", {"Bearbeiten", "Ausblenden"}),
])
def test_the_thread_offers_only_allowed_actions(as_role, posted, role, links):
    """Edit and delete show for the author, edit and hide for an admin, nothing for others."""
    item = soup(as_role(role).get("/measures/M07")).select_one(f"#comment-{posted}")
    actions = {" ".join(a.find(string=True, recursive=False).split())
               for a in item.select(".comment-actions a, .comment-actions button")}
    assert actions == links


# Posting.

def test_post_without_javascript_redirects_to_the_new_comment(as_role):
    """A plain form post stores body and HTML, then the page shows it with a notice."""
    client = as_role("author")
    response = client.post("/measures/M07/comments", data={"body": "Das ist **wichtig**."})
    comment = Comment.select().order_by(Comment.id.desc()).get()
    assert response.location == f"/measures/M07#comment-{comment.id}"
    assert (comment.body, comment.html) == ("Das ist **wichtig**.",
                                            "<p>Das ist <strong>wichtig</strong>.</p>")
    assert comment.author.username == "author" and comment.report is None
    assert [(v.number, v.body) for v in comment.versions] == [(1, "Das ist **wichtig**.")]
    page = soup(client.get("/measures/M07"))
    assert text(page.select("#live p")[-1]) == "Kommentar veröffentlicht."
    assert page.select_one(f"#comment-{comment.id} .content strong").text == "wichtig"


def test_post_with_htmx_returns_the_thread_with_focus_and_announcement(as_role):
    """htmx gets the thread alone: the new comment marked for focus and the live region."""
    response = as_role("author").post("/measures/M07/comments", data={"body": "Per htmx"},
                                      headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    fragment = soup(response)
    assert fragment.find("html") is None and text(fragment.h2) == "Kommentare"
    comment = Comment.get(Comment.body == "Per htmx")
    new = fragment.select_one(f"#comment-{comment.id} article")
    assert new.has_attr("data-focus")
    assert new["data-announce"] == "Kommentar veröffentlicht."
    assert len(fragment.select("[data-focus]")) == 1
    assert fragment.select_one("#comment-form textarea").text == ""


def test_comment_on_a_report(as_role, measures):
    """A comment can refer to one of the measure's reports; the thread links to it."""
    report = report_of("M07", "2024-Q1")
    client = as_role("author")
    client.post("/measures/M07/comments", data={"body": "Zum Bericht", "report": str(report.id)})
    comment = Comment.get(Comment.body == "Zum Bericht")
    assert comment.report_id == report.id
    link = soup(client.get("/measures/M07")).select_one(f"#comment-{comment.id} .comment-meta a")
    assert link["href"] == f"#report-{report.id}"
    assert text(link) == "zum Bericht 1. Quartal 2024"


def test_report_select_lists_the_measures_reports_by_quarter(as_role):
    """The select offers "– kein Bezug –" first, then M07's reports, newest first."""
    options = soup(as_role("author").get("/measures/M07")).select("#comment-report option")
    assert [text(o) for o in options] == [
        "– kein Bezug –", "Sachstandsbericht 2. Quartal 2024 vom 27.06.2024",
        "Sachstandsbericht 1. Quartal 2024 vom 28.03.2024"]
    assert options[0].has_attr("selected") or not any(o.has_attr("selected") for o in options)


@pytest.mark.parametrize("headers", [{}, HX])
def test_a_report_link_preselects_it(as_role, headers):
    """/comments/new?report= shows the form with that report chosen (htmx: the form alone)."""
    report = report_of("M07", "2024-Q1")
    response = as_role("author").get(f"/measures/M07/comments/new?report={report.id}",
                                     headers=headers)
    page = soup(response)
    assert page.select_one("#comment-report option[selected]")["value"] == str(report.id)
    assert page.select_one("#comment-body").has_attr("autofocus")
    assert (page.find("html") is None) == bool(headers)


@pytest.mark.parametrize("headers", [{}, HX])
@pytest.mark.parametrize("body", ["", "   ", "\n\n  \n"])
def test_empty_text_is_refused(as_role, headers, body):
    """An empty or blank comment: 400, the error at the field, focus there, nothing stored."""
    before = snapshot()
    response = as_role("author").post("/measures/M07/comments", data={"body": body},
                                      headers=headers)
    assert response.status_code == 400
    page = soup(response)
    field = page.select_one("#comment-body")
    assert field["aria-invalid"] == "true" and field.has_attr("autofocus")
    assert "comment-body-error" in field["aria-describedby"]
    assert "„Kommentar“ ist leer" in text(page.select_one("#comment-body-error"))
    assert snapshot() == before


def test_overlong_text_is_refused(as_role):
    """More than 10 000 characters: 400 and nothing stored."""
    before = snapshot()
    response = as_role("author").post("/measures/M07/comments", data={"body": "x" * 10_001})
    assert response.status_code == 400
    assert "zu lang" in text(soup(response).select_one("#comment-body-error"))
    assert snapshot() == before


@pytest.mark.parametrize("headers", [{}, HX])
@pytest.mark.parametrize("report", ["99999", "abc", "foreign"])
def test_a_wrong_report_is_refused_with_the_text_kept(as_role, headers, report):
    """An unknown report or one of another measure: 400 naming „Bezug“, the text kept."""
    if report == "foreign":
        report = str(report_of("M06", "2024-Q2").id)
    before = snapshot()
    response = as_role("author").post("/measures/M07/comments", headers=headers,
                                      data={"body": "Mein Text", "report": report})
    assert response.status_code == 400
    page = soup(response)
    assert "„Bezug“" in text(page.select_one("#comment-report-error"))
    assert page.select_one("#comment-report")["aria-invalid"] == "true"
    assert page.select_one("#comment-body").text == "Mein Text"
    assert snapshot() == before


def test_a_comment_on_an_unknown_measure_is_404(as_role):
    """There is no M99: 404, nothing stored."""
    client = as_role("author")
    before = snapshot()
    assert client.post("/measures/M99/comments", data={"body": "x"}).status_code == 404
    assert client.get("/measures/M99/comments/new").status_code == 404
    assert snapshot() == before


def test_unknown_comments_are_404(as_role):
    """Every comment route answers 404 for an id that does not exist."""
    client = as_role("admin")
    for path in ("", "/edit", "/delete", "/versions"):
        assert client.get(f"/comments/4711{path}").status_code == 404
    for path in ("/edit", "/delete", "/hide", "/unhide"):
        assert client.post(f"/comments/4711{path}", data={"body": "x"}).status_code == 404


@pytest.mark.parametrize("vector", VECTORS)
def test_script_in_a_comment_is_sanitised(as_role, vector):
    """No vector survives into the stored HTML or the thread: no script, handler or bad URL."""
    client = as_role("author")
    response = client.post("/measures/M07/comments", data={"body": vector})
    if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", vector):  # refused at the door (test_hardening_input)
        assert response.status_code == 400
        return
    if markdown.images_without_text(vector):  # an image needs alternative text (BITV)
        assert response.status_code == 400 and "Alternativtext" in response.text
        assert not Comment.select().where(Comment.body == vector.strip("\n")).exists()
        return
    comment = Comment.select().order_by(Comment.id.desc()).get()
    assert comment.body == vector.strip("\n")
    assert "<script" not in comment.html.lower()
    item = soup(client.get("/measures/M07")).select_one(f"#comment-{comment.id} .content")
    for node in item.find_all(True):
        assert node.name not in ("script", "iframe", "object", "embed", "svg", "math", "style")
        for name, value in node.attrs.items():
            assert not name.startswith(("on", "hx-", "data-")), node
            if name in ("href", "src"):
                url = re.sub(r"[\x00-\x20]+", "", value).lower()
                assert not url.startswith(("javascript:", "data:", "vbscript:")), node


# Editing.

def edit(client, comment_id, body, base, headers=None):
    """Post an edit of a comment."""
    return client.post(f"/comments/{comment_id}/edit", headers=headers or {},
                       data={"body": body, "base_revision": str(base)})


@pytest.mark.parametrize("headers", [{}, HX])
def test_edit_form_carries_the_base_revision(as_role, posted, headers):
    """The edit form holds the text and the version it started from (htmx: alone)."""
    response = as_role("author").get(f"/comments/{posted}/edit", headers=headers)
    page = soup(response)
    assert page.select_one("input[name=base_revision]")["value"] == "1"
    assert page.select_one("textarea[name=body]").text == (
        "Erste Zeile\nZweite Zeile\nDritte Zeile")
    assert (page.find("html") is None) == bool(headers)


def test_every_save_is_a_new_version(as_role, posted):
    """Two saves make versions 2 and 3; the thread says "(bearbeitet)" and links the list."""
    client = as_role("author")
    assert edit(client, posted, "Zweite Fassung", 1).status_code == 302
    assert edit(client, posted, "Dritte Fassung", 2).status_code == 302
    comment = Comment.get_by_id(posted)
    assert (comment.body, comment.html, comment.version) == (
        "Dritte Fassung", "<p>Dritte Fassung</p>", 3)
    assert [v.body for v in CommentVersion.of(comment)] == [
        "Dritte Fassung", "Zweite Fassung", "Erste Zeile\nZweite Zeile\nDritte Zeile"]
    edited = soup(client.get("/measures/M07")).select_one(f"#comment-{posted} a.edited")
    assert edited["href"] == f"/comments/{posted}/versions"
    assert "(bearbeitet" in text(edited)
    listing = soup(client.get(edited["href"]))
    assert [text(h) for h in listing.select(".comment-version h2")] == [
        "Version 3 (aktuelle Fassung)", "Version 2", "Version 1"]
    assert "Zweite Fassung" in text(listing.select(".comment-version")[1])


def test_an_unchanged_save_makes_no_version(as_role, posted):
    """Saving the same text again keeps version 1."""
    edit(as_role("author"), posted, "Erste Zeile\nZweite Zeile\nDritte Zeile", 1)
    assert Comment.get_by_id(posted).version == 1


def test_htmx_edit_returns_the_comment_focused_and_announced(as_role, posted):
    """The saved comment comes back alone, marked for focus and the live region."""
    response = edit(as_role("author"), posted, "Neu *betont*", 1, HX)
    assert response.status_code == 200
    article = soup(response).select_one("article.comment")
    assert article.has_attr("data-focus")
    assert article["data-announce"] == "Kommentar gespeichert."
    assert article.select_one(".content em").text == "betont"


def test_an_admin_edits_any_comment(as_role, posted):
    """An admin's edit is a version by the admin."""
    assert edit(as_role("admin"), posted, "Moderiert", 1).status_code == 302
    assert CommentVersion.numbered(posted, 2).author.username == "admin"


@pytest.mark.parametrize("headers", [{}, HX])
@pytest.mark.parametrize("body", ["", "  \n "])
def test_an_empty_edit_is_refused(as_role, posted, headers, body):
    """Emptying a comment: 400 with the error at the field, nothing changed."""
    before = snapshot()
    response = edit(as_role("author"), posted, body, 1, headers)
    assert response.status_code == 400
    page = soup(response)
    assert "„Kommentar“ ist leer" in text(page.select_one(f"#comment-{posted}-body-error"))
    assert page.select_one("textarea[name=body]")["aria-invalid"] == "true"
    assert snapshot() == before


@pytest.mark.parametrize("headers", [{}, HX])
def test_a_stale_clean_edit_is_merged(as_role, posted, headers):
    """Someone saved meanwhile, other lines: 409 with both merged, saved text shown."""
    client = as_role("author")
    edit(client, posted, "Erste Zeile\nZweite Zeile\nDritte Zeile geändert", 1)
    before = snapshot()
    response = edit(client, posted, "Erste Zeile neu\nZweite Zeile\nDritte Zeile", 1, headers)
    assert response.status_code == 409
    page = soup(response)
    assert page.select_one("textarea[name=body]").text == (
        "Erste Zeile neu\nZweite Zeile\nDritte Zeile geändert")
    assert page.select_one("input[name=base_revision]")["value"] == "2"
    conflict = page.select_one(".conflict")
    assert "überschneiden sich nicht" in text(conflict)
    assert "Dritte Zeile geändert" in text(conflict.select_one(".comment-saved"))
    assert conflict.select_one("[data-focus]").text == "Bearbeitungskonflikt"
    assert snapshot() == before
    assert edit(client, posted, page.select_one("textarea[name=body]").text, 2).status_code == 302
    assert Comment.get_by_id(posted).version == 3


def test_a_stale_overlapping_edit_keeps_the_users_text(as_role, posted):
    """Both changed the same line: 409, the user's own text in the form, the saved one shown."""
    client = as_role("author")
    edit(client, posted, "Erste Zeile von anderswo\nZweite Zeile\nDritte Zeile", 1)
    before = snapshot()
    response = edit(client, posted, "Erste Zeile meine\nZweite Zeile\nDritte Zeile", 1)
    assert response.status_code == 409
    page = soup(response)
    assert page.select_one("textarea[name=body]").text == (
        "Erste Zeile meine\nZweite Zeile\nDritte Zeile")
    assert "überschneiden sich:" in text(page.select_one(".conflict"))
    assert "von anderswo" in text(page.select_one(".comment-saved"))
    assert page.title.text.startswith("Konflikt")
    assert snapshot() == before


def test_editing_a_deleted_comment(as_role, posted):
    """The form is gone (404); a save sent anyway is 409 with the text kept, nothing stored."""
    client = as_role("author")
    client.post(f"/comments/{posted}/delete")
    assert client.get(f"/comments/{posted}/edit").status_code == 404
    before = snapshot()
    response = edit(client, posted, "Noch mein Text", 1)
    assert response.status_code == 409
    page = soup(response)
    assert page.select_one("textarea[name=body]").text == "Noch mein Text"
    assert "gelöscht" in text(page.select_one(f"#comment-{posted}-body-error"))
    assert page.select_one(f"form[action='/comments/{posted}/edit'] button") is None
    assert snapshot() == before


# Deleting and hiding.

def test_delete_is_soft_and_leaves_a_note(as_role, posted):
    """The thread keeps "Kommentar gelöscht" instead of the text; the versions stay stored."""
    client = as_role("author")
    confirm = soup(client.get(f"/comments/{posted}/delete"))
    assert confirm.select_one(f"form[action='/comments/{posted}/delete']")["method"] == "post"
    assert "wirklich löschen" in text(confirm.select_one(".comment-confirm"))
    response = client.post(f"/comments/{posted}/delete")
    assert response.location == f"/measures/M07#comment-{posted}"
    assert Comment.get_by_id(posted).deleted
    assert CommentVersion.select().where(CommentVersion.comment == posted).count() == 1
    page = soup(client.get("/measures/M07"))
    item = page.select_one(f"#comment-{posted}")
    assert text(item) == "Kommentar gelöscht"
    assert text(page.select("#live p")[-1]) == "Kommentar gelöscht."
    assert client.get(f"/comments/{posted}/versions").status_code == 404
    assert client.get(f"/comments/{posted}/delete").status_code == 404


def test_delete_with_htmx_returns_the_note_focused(as_role, posted):
    """htmx gets the placeholder alone, marked for focus and announced."""
    response = as_role("author").post(f"/comments/{posted}/delete", headers=HX)
    note = soup(response).select_one("p.comment-removed")
    assert text(note) == "Kommentar gelöscht"
    assert note.has_attr("data-focus") and note["data-announce"] == "Kommentar gelöscht."


def test_delete_is_never_done_by_get(as_role, posted):
    """Opening the delete URL only asks; the comment stays."""
    as_role("author").get(f"/comments/{posted}/delete")
    assert not Comment.get_by_id(posted).deleted


def test_hidden_comments_are_shown_only_to_admins(as_role, posted):
    """Hidden: others see "Kommentar ausgeblendet", admins the text with a note; show again."""
    admin = as_role("admin")
    assert admin.post(f"/comments/{posted}/hide").status_code == 302
    for role in ("anonymous", "reader", "author"):
        client = as_role(role)
        assert text(soup(client.get("/measures/M07")).select_one(f"#comment-{posted}")) == (
            "Kommentar ausgeblendet")
        assert client.get(f"/comments/{posted}/versions").status_code == 404
    item = soup(admin.get("/measures/M07")).select_one(f"#comment-{posted}")
    assert "Erste Zeile" in text(item) and "nur für Administratorinnen" in text(item)
    assert item.select_one(f"form[action='/comments/{posted}/unhide'] button")
    response = admin.post(f"/comments/{posted}/unhide", headers=HX)
    assert soup(response).select_one("article")["data-announce"] == "Kommentar wieder eingeblendet."
    assert not Comment.get_by_id(posted).hidden
    assert "Erste Zeile" in text(soup(as_role("reader").get("/measures/M07")).select_one(
        f"#comment-{posted}"))


# Search index and counts.

def test_search_index_follows_every_change(as_role, posted):
    """Posting indexes, editing re-indexes, hiding and deleting remove, showing puts back."""
    url = f"/measures/M07#comment-{posted}"
    assert url in found("Dritte")
    author, admin = as_role("author"), as_role("admin")
    edit(author, posted, "Ganz anders formuliert", 1)
    assert url not in found("Dritte") and url in found("formuliert")
    admin.post(f"/comments/{posted}/hide")
    assert url not in found("formuliert")
    admin.post(f"/comments/{posted}/unhide")
    assert url in found("formuliert")
    author.post(f"/comments/{posted}/delete")
    assert url not in found("formuliert")


def post_many(client, bodies):
    """Post comments on M07; return their ids."""
    ids = []
    for body in bodies:
        response = client.post("/measures/M07/comments", data={"body": body})
        ids.append(int(response.location.rsplit("-", 1)[1]))
    return ids


@pytest.mark.parametrize("path", ["/", "/architecture"])
def test_cards_show_the_visible_comment_count(as_role, path):
    """The M07 card counts comments neither deleted nor hidden; M06 shows none."""
    author = as_role("author")
    first, second, third = post_many(author, ["eins", "zwei", "drei"])
    author.post(f"/comments/{first}/delete")
    page = soup(author.get(path))
    card = page.select_one("#card-M07").find_parent("article")
    assert text(card.select_one(".measure-card-comments")) == "2 Kommentare"
    assert page.select_one("#card-M06").find_parent("article").select_one(
        ".measure-card-comments") is None
    assert as_role("admin").post(f"/comments/{second}/hide").status_code == 302
    card = soup(author.get(path)).select_one("#card-M07").find_parent("article")
    assert text(card.select_one(".measure-card-comments")) == "1 Kommentar"


def test_counts_as_of_a_day_count_the_comments_written_by_then(as_role, measures):
    """On ?as_of= the card counts the comments that existed at the end of that day."""
    author = as_role("author")
    post_many(author, ["eins", "zwei"])
    Comment.update(created=datetime.datetime(2020, 5, 1, 10)).where(
        Comment.body == "eins").execute()
    for measure in measures.values():
        (Revision.update(created=datetime.datetime(2020, 1, 1),
                         meta=metadata.snapshot(measure, measure.title,
                                                [m.code for m in measure.prerequisites()]))
         .where(Revision.page == measure.page_id)
         .execute())
    page = soup(author.get("/?as_of=2021-01-01"))
    card = page.select_one("#card-M07").find_parent("article")
    assert text(card.select_one(".measure-card-comments")) == "1 Kommentar"


def test_counts_are_one_query(app, measures):
    """Comment counts for every measure take a single grouped query."""
    Comment.create(measure=measures["M07"], body="a", html="<p>a</p>")
    Comment.create(measure=measures["M06"], body="b", html="<p>b</p>")
    Comment.create(measure=measures["M06"], body="c", html="<p>c</p>", deleted=True)
    with count_queries() as counted:
        counts = Comment.counts()
    assert counts == {measures["M07"].id: 1, measures["M06"].id: 1}
    assert counted.count == 1


def test_the_thread_needs_no_query_per_comment(as_role, measures):
    """The measure page's query count does not grow with its comments."""
    author = as_role("author")
    post_many(author, ["eins"])
    with count_queries() as few:
        author.get("/measures/M07")
    post_many(author, ["zwei", "drei", "vier", "fünf"])
    with count_queries() as many:
        author.get("/measures/M07")
    assert many.count == few.count


# CSRF.

def csrf_token(page):
    """Return the CSRF token of a page's first form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]


def test_a_post_without_csrf_token_changes_nothing(app, measures, posted):
    """With CSRF on, a post without token is 400 and stores nothing; with it, it works."""
    strict = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
                         "SECRET_KEY": "test", "WTF_CSRF_ENABLED": True},
                        instance_path=app.instance_path)
    client = strict.test_client()
    token = csrf_token(client.get("/login"))
    client.post("/login", data={"username": "author", "password": PASSWORD, "csrf_token": token})
    before = snapshot()
    for path, data in [("/measures/M07/comments", {"body": "Ohne Token"}),
                       (f"/comments/{posted}/edit", {"body": "Ohne", "base_revision": "1"}),
                       (f"/comments/{posted}/delete", {})]:
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert snapshot() == before
    token = csrf_token(client.get("/measures/M07"))
    response = client.post("/measures/M07/comments", data={"body": "Mit Token"},
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    assert Comment.select().where(Comment.body == "Mit Token").count() == 1


@pytest.mark.parametrize("role, shown", [("author", True), ("reader", False)])
def test_the_report_link_macro_opens_the_form_about_that_report(app, as_role, role, shown):
    """comments/macros.html gives editors a link per report that preselects it."""
    report = report_of("M07", "2024-Q1")
    with app.test_request_context("/measures/M07"):
        login_user(User.by_name(role))
        html = render_template_string(
            '{% from "comments/macros.html" import comment_on_report %}'
            "{{ comment_on_report(measure, report) }}",
            measure=Measure.by_code("M07"), report=report)
    link = BeautifulSoup(html, "html.parser").select_one("li a")
    if not shown:
        assert link is None
        return
    assert link["href"] == f"/measures/M07/comments/new?report={report.id}"
    assert link["hx-get"] == link["href"] and link["hx-target"] == "#comment-form"
    assert text(link) == "Kommentieren (Bericht 1. Quartal 2024)"
