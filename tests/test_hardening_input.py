"""Input cleaned at the door, through the routes: bad input gets a German error, changes nothing.

Control characters, NUL (a 500 on PostgreSQL), line breaks in one-line fields, digits of other
scripts in codes, implausible years and ids beyond a bigint, for every form, the API, the
importer and the single sign-on header.
"""
import shutil

import pytest
from bs4 import BeautifulSoup

from wiki import exchange
from wiki.cli import DEMO
from wiki.models import (
    ActionField,
    Comment,
    Measure,
    Page,
    ReportRound,
    StatusReport,
    Strategy,
    User,
)

pytestmark = pytest.mark.postgres

HUGE = str(2**64)  # beyond a bigint: PostgreSQL raised, SQLite overflowed


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def form_data(client, url, selector="main form[method=post]"):
    """Return the values a form on a page would send as it is (its save button pressed)."""
    form = soup(client.get(url)).select_one(selector)
    data = {}
    for node in form.select("input[name], textarea[name], select[name]"):
        if node.name == "textarea":
            data[node["name"]] = node.get_text()
        elif node.name == "select":
            chosen = node.select_one("option[selected]") or node.select_one("option")
            data[node["name"]] = chosen.get("value", "") if chosen else ""
        elif node.get("type") in ("checkbox", "radio"):
            if node.has_attr("checked"):
                data[node["name"]] = node.get("value", "on")
        elif node.get("type") != "submit":
            data[node["name"]] = node.get("value", "")
    data.pop("action", None)
    return data


def field_error(response, name):
    """Return the error shown under a form field."""
    node = soup(response).select_one(f"#f-{name}-error")
    return " ".join(node.get_text().split()) if node else None


@pytest.fixture
def editor(client, demo, login):
    """Return a client logged in as an admin (who may edit everything) on the demo."""
    login("admin")
    return client


def m07():
    """Return the demo's M07 as it is stored."""
    return Measure.get(Measure.code == "M07")


# --- The measure editor --------------------------------------------------------------------

@pytest.mark.parametrize(("name", "value", "expected"), [
    ("title", "Zentrales DMS\nZweite Zeile", "einzeilig"),
    ("title", "Zentrales\x00DMS", "Steuerzeichen U+0000"),
    ("owner", "FB 1\x1b[31m", "Steuerzeichen U+001B"),
    ("planned_end", "9999-Q4", "außerhalb des erlaubten Bereichs 1990–2100"),
    ("planned_start", "0999-Q4", "außerhalb"),
    ("actual_start", "２０２４-01-01", "ASCII"),
    ("legal_deadline", "2024-01-01\n", None),  # a pasted line end is stripped: accepted
    ("body", "Text mit\x00NUL", "Steuerzeichen U+0000"),
    ("body", "Text mit \x07 Klingel", "Steuerzeichen U+0007"),
    ("summary", "Neu\nplanen", "einzeilig"),
    ("summary", "\x00", "Steuerzeichen"),
    ("progress", "５０", "Fortschritt"),
    ("tags", "e-akte\x00", "Steuerzeichen"),
])
def test_the_measure_editor_refuses_bad_input_and_changes_nothing(editor, name, value, expected):
    """Each field: a German error under the field, 400, and the measure as it was."""
    before = m07().page.revision_count
    data = form_data(editor, "/measures/M07/edit") | {name: value}
    response = editor.post("/measures/M07/edit", data=data)
    if expected is None:
        assert response.status_code == 302
        return
    assert response.status_code == 400
    assert expected in field_error(response, name)
    assert m07().page.revision_count == before


def test_a_new_measure_with_fullwidth_digits_is_refused(editor):
    """M０７ beside M07 was taken (and the API could not find it): now refused, nothing made."""
    data = form_data(editor, "/measures/new") | {"code": "M０８", "title": "Breitband",
                                                 "field": "HF1"}
    response = editor.post("/measures/new", data=data)
    assert response.status_code == 400
    assert "ASCII" in field_error(response, "code")
    assert not Measure.select().where(Measure.code.contains("０")).exists()


# --- Pages, reports, rounds, comments ------------------------------------------------------

@pytest.mark.parametrize(("name", "value", "expected"), [
    ("title", "Glossar\nZwei", "einzeilig"),
    ("title", "Anderes\u0085", None),  # NEL at the end is blank space: stripped
    ("title", "Glo\x9bssar", "Steuerzeichen U+009B"),
    ("body", "A\x00B", "Steuerzeichen U+0000"),
])
def test_the_page_editor_refuses_bad_input(editor, name, value, expected):
    """A new page with a broken title or body is not created."""
    pages = Page.select().count()
    data = {"title": "Neue Seite", "body": "Text", "summary": "", "base_revision": "0",
            name: value}
    response = editor.post("/pages/new", data=data)
    if expected is None:
        assert response.status_code == 302
        return
    assert response.status_code == 400
    assert expected in field_error(response, name)
    assert Page.select().count() == pages


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("period", "0999-Q4", "außerhalb"),  # was a 500: date(999, …) before the range
    ("period", "9999-Q4", "außerhalb"),
    ("period", "２０２４-Q2", "ASCII"),
    ("date", "0999-12-31", "außerhalb"),
    ("date", "2024-06-30\x00", "Steuerzeichen"),
    ("body", "Bericht\x00", "Steuerzeichen"),
])
def test_the_report_editor_refuses_bad_input(editor, name, value, expected):
    """A new status report with a bad period, date or text is not saved."""
    reports = StatusReport.select().count()
    data = {"period": "2024-Q2", "date": "2024-06-30", "status": "active",
            "traffic_light": "green", "progress": "50", "body": "Bericht", "summary": "",
            "base_revision": "0", name: value}
    response = editor.post("/measures/M07/reports/new", data=data)
    assert response.status_code == 400
    assert expected in field_error(response, name)
    assert StatusReport.select().count() == reports


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("title", "Runde\nzwei", "einzeilig"),
    ("period", "0999-Q4", "außerhalb"),
    ("due_date", "9999-12-31", "außerhalb"),
    ("due_date", "２０２５-07-15", "ASCII"),
    ("projects", "\x00", "Steuerzeichen"),
])
def test_the_round_editor_refuses_bad_input(editor, name, value, expected):
    """A new report round with a bad field is not created."""
    rounds = ReportRound.select().count()
    data = {"title": "Runde", "slug": "runde-neu", "period": "2025-Q2",
            "due_date": "2025-07-15", "body": "", "projects": "", name: value}
    response = editor.post("/reports/new", data=data)
    assert response.status_code == 400
    assert expected in field_error(response, name)
    assert ReportRound.select().count() == rounds


@pytest.mark.parametrize("body", ["NUL\x00im Kommentar", "\x1b[2J", "a\x7fb"])
def test_a_comment_with_control_characters_is_refused(editor, body):
    """NUL in a comment was a 500 on PostgreSQL (SQLite stored it): now 400 on both."""
    comments = Comment.select().count()
    response = editor.post("/measures/M07/comments", data={"body": body})
    assert response.status_code == 400
    assert "Kommentar: Unzulässiges Steuerzeichen" in response.text
    assert Comment.select().count() == comments


def test_a_comment_edit_with_nul_is_refused(editor):
    """Editing a comment runs the same cleaning."""
    editor.post("/measures/M07/comments", data={"body": "Erst so"})
    comment = Comment.select().order_by(Comment.id.desc()).get()
    response = editor.post(f"/comments/{comment.id}/edit",
                           data={"body": "dann\x00so", "base_revision": str(comment.version)})
    assert response.status_code == 400
    assert Comment.get_by_id(comment.id).body == "Erst so"


# --- Admin forms ---------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "value", "expected"), [
    ("code", "HF７", "ASCII"),
    ("title", "Feld\x00", "Steuerzeichen"),
    ("position", "٣", "keine ganze Zahl"),
    ("body", "\x08", "Steuerzeichen"),
])
def test_the_field_form_refuses_bad_input(editor, name, value, expected):
    """A new action field with a bad field is not created."""
    fields = ActionField.select().count()
    data = {"code": "HF8", "title": "Neues Feld", "summary": "", "position": "8", "body": "",
            name: value}
    response = editor.post("/admin/fields/new", data=data)
    assert response.status_code == 400
    assert expected in field_error(response, name)
    assert ActionField.select().count() == fields


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("title", "Strategie\r\nNeu", "einzeilig"),
    ("period_end", "9999-Q4", "außerhalb"),
    ("period_start", "1066-01-01", "außerhalb"),
])
def test_the_strategy_form_refuses_bad_input(editor, name, value, expected):
    """The strategy's title and period stay as they were."""
    before = Strategy.current()
    data = {"title": before.title, "period_start": "2022-01-01", "period_end": "2026-Q4",
            name: value}
    response = editor.post("/admin/settings", data=data)
    assert response.status_code == 400
    assert expected in field_error(response, name)
    after = Strategy.current()
    assert (after.title, after.period_end) == (before.title, before.period_end)


def test_the_user_form_refuses_control_characters(editor):
    """A display name with NUL creates no account."""
    users = User.select().count()
    response = editor.post("/admin/users/new", data={"username": "neu", "name": "Neu\x00",
                                                     "email": "", "role": "reader"})
    assert response.status_code == 400
    assert "Steuerzeichen" in field_error(response, "name")
    assert User.select().count() == users


# --- Ids and page numbers beyond a bigint --------------------------------------------------

@pytest.mark.parametrize(("method", "url", "status"), [
    ("get", f"/comments/{HUGE}", 404),
    ("get", f"/comments/{HUGE}/versions", 404),
    ("post", f"/comments/{HUGE}/edit", 404),
    ("post", f"/comments/{HUGE}/hide", 404),
    ("get", f"/admin/users/{HUGE}", 404),
    ("post", f"/admin/users/{HUGE}/role", 404),
    ("post", f"/notifications/{HUGE}/read", 404),
    ("get", f"/measures/M07/reports/{HUGE}/history", 404),
    ("get", f"/measures/M07/reports/{HUGE}/versions/1", 404),
    ("get", f"/measures/M07/reports/{HUGE}/diff?from=1&to=2", 404),
    ("get", f"/measures/M07/revisions/{HUGE}", 404),
    ("post", f"/measures/M07/restore/{HUGE}", 404),
    ("get", f"/pages/glossar/revisions/{HUGE}", 404),
    ("get", "/comments/0", 404),
    ("get", "/comments/٣", 404),
    ("get", f"/measures/M07/diff?from=1&to={HUGE}", 400),
    ("get", f"/pages/glossar/diff?from={HUGE}&to=1", 400),
    ("get", f"/measures/M07/history?page={HUGE}", 404),
    ("get", f"/admin/audit?page={HUGE}", 404),
    ("get", f"/search?q=akte&page={HUGE}", 200),
    ("get", f"/notifications?page={HUGE}", 200),
    ("get", f"/search?q=akte&page={'9' * 5000}", 200),
])
def test_ids_and_page_numbers_beyond_a_bigint_are_no_500(editor, method, url, status):
    """An id out of range is no such page; a page number is clamped; garbage is a bad request."""
    assert getattr(editor, method)(url).status_code == status


@pytest.mark.parametrize(("method", "url"), [
    ("get", "/pages/%00glossar"),
    ("get", "/pages/glossar%00/history"),
    ("get", "/measures/M07%00"),
    ("get", "/measures/M07%00/comments/new"),
    ("get", "/reports/2022-q4%00/council.md"),
    ("get", "/admin/fields/HF1%00/delete"),
    ("post", "/presence/%00glossar"),
    ("get", "/pages/glos%1bsar"),
    ("get", "/measures/M%C2%8507"),
])
def test_a_control_character_in_a_path_segment_is_no_such_page(editor, method, url):
    """Codes and slugs with NUL or another control match no route (PostgreSQL gave a 500)."""
    assert getattr(editor, method)(url).status_code == 404


def test_a_report_diff_with_huge_version_numbers_is_a_bad_request(editor):
    """?from= and ?to= of a report's diff go through the same helper."""
    report = StatusReport.select().join(Measure).where(Measure.code == "M07").first()
    url = f"/measures/M07/reports/{report.id}/diff?from=1&to={HUGE}"
    assert editor.get(url).status_code == 400


# --- Query parameters, the API and the single sign-on header -------------------------------

@pytest.mark.parametrize("as_of", ["0001-01-01", "1066-10-14", "２０２４-01-01", "2024-01-01\x00",
                                   "20240101"])
def test_an_implausible_as_of_date_is_an_error_on_the_page(client, demo, as_of):
    """?as_of= out of range or in other digits: the overview with its German error, no 500."""
    response = client.get("/timeline", query_string={"as_of": as_of})
    assert response.status_code == 400
    assert soup(response).select_one("#as_of-error") is not None


@pytest.mark.parametrize("period", ["0999-Q4", "9999-Q4"])
def test_the_api_refuses_implausible_periods(client, demo, period):
    """The API's period filter keeps to the same years: 400 with the parameter named."""
    response = client.get("/api/reports", query_string={"period": period})
    assert response.status_code == 400
    error = response.json["error"]
    assert error["parameter"] == "period" and "außerhalb" in error["message"]


def test_the_api_does_not_know_fullwidth_codes(client, demo):
    """/api/measures/M０７ is no measure."""
    assert client.get("/api/measures/M０７").status_code == 404


def test_a_sso_header_with_control_characters_signs_nobody_on(app, demo):
    """A proxy's user name with a control character is ignored, never half-read."""
    app.config.update(SSO_HEADER="X-Remote-User", SSO_TRUSTED_PROXIES=["127.0.0.1"])
    client = app.test_client()
    for value in ("admin\x00", "ad\x0bmin", "ad\x1bmin"):
        assert client.get("/", headers={"X-Remote-User": value}).status_code == 200
        with client.session_transaction() as session:
            assert not session.get("_user_id")


def test_a_sso_name_with_control_characters_is_not_stored(app, demo):
    """The display name header with NUL (a 500 on PostgreSQL) is not copied into the account."""
    app.config.update(SSO_HEADER="X-Remote-User", SSO_TRUSTED_PROXIES=["127.0.0.1"],
                      SSO_NAME_HEADER="X-Remote-Name")
    response = app.test_client().get("/", headers={"X-Remote-User": "neu.sso",
                                                   "X-Remote-Name": "Neu\x00Sso"})
    assert response.status_code == 200
    with app.app_context():
        assert User.by_name("neu.sso").name == ""


# --- The importer --------------------------------------------------------------------------

@pytest.fixture
def folder(tmp_path):
    """Return a copy of the demo folder to spoil."""
    return shutil.copytree(DEMO, tmp_path / "import")


def problems_of(app, folder):
    """Import a folder into the empty database; return its problems as text."""
    with app.app_context():
        return [str(problem) for problem in exchange.import_folder(folder)]


def test_the_importer_refuses_a_link_to_a_file_elsewhere(app, folder, tmp_path):
    """pages/x.md → a file outside the folder was imported and published: now refused."""
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Geheim\n---\n\nGeheimer Text\n", encoding="utf-8")
    (folder / "pages" / "x.md").symlink_to(secret)
    problems = problems_of(app, folder)
    assert any("pages/x.md" in p and "symbolischer Link" in p for p in problems), problems
    with app.app_context():
        assert not Page.select().exists()


def test_the_importer_refuses_a_linked_folder(app, folder, tmp_path):
    """A linked folder on the way is refused for every file under it."""
    elsewhere = tmp_path / "elsewhere"
    shutil.move(folder / "pages", elsewhere)
    (folder / "pages").symlink_to(elsewhere, target_is_directory=True)
    problems = problems_of(app, folder)
    assert problems and all("symbolischer Link" in p for p in problems), problems


@pytest.mark.parametrize(("path", "old", "new", "expected"), [
    ("measures/M07.md", "planned_end: 2026-Q2", "planned_end: 9999-Q4", "außerhalb"),
    ("measures/M07.md", "code: M07", "code: M０７", "ASCII"),
    ("measures/M07.md", "\n---\n", "\n---\n\nNUL\x00", "Steuerzeichen"),
])
def test_the_importer_cleans_at_the_door(app, folder, path, old, new, expected):
    """An imported date out of range or a body with NUL is a problem naming the file."""
    file = folder / path
    file.write_text(file.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    problems = problems_of(app, folder)
    assert any(path in p and expected in p for p in problems), problems


def test_the_cli_refuses_a_display_name_with_control_characters(app, runner):
    """`fahrplan user create --display-name` runs the same cleaning as the admin form."""
    result = runner.invoke(args=["user", "create", "neu", "--display-name", "Neu\x1bName"])
    assert result.exit_code != 0 and "Steuerzeichen" in result.output
    with app.app_context():
        assert User.by_name("neu") is None


@pytest.mark.parametrize("url", ["/search?q=akte%00x", "/search?q=%1b&kind=measure",
                                 "/embed/measures?field=HF%00", "/timeline?field=HF1%00",
                                 "/measures?status=%00", "/api/measures?field=%00"])
def test_query_parameters_with_nul_are_no_500(client, demo, url):
    """Search and filters with NUL answer without a server error on both databases."""
    assert client.get(url).status_code < 500
