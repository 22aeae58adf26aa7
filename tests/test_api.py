"""The read-only JSON API: routes, filters, errors, permissions, caching, open-data export."""
import csv
import datetime
import io
import json

import pytest
from playhouse.test_utils import count_queries

from tests.conftest import make_user
from wiki.domain import files
from wiki.models import (
    ActionField,
    Comment,
    Dependency,
    Measure,
    Page,
    ReportRound,
    Revision,
    StatusReport,
    Strategy,
)

pytestmark = pytest.mark.postgres

TODAY = datetime.date.today()
HIDDEN = "Versteckter-Kommentartext-4711"
DELETED = "Geloeschter-Kommentartext-0815"
ROUTES = ["/api/measures", "/api/measures/M07", "/api/fields", "/api/reports", "/api/rounds",
          "/api/rounds/2024-q2", "/api/openapi.json", "/api/export.json", "/api/export.csv",
          "/api/export.csv?table=definitions"]


def days(number):
    """Return the day number days from today (negative: in the past)."""
    return TODAY + datetime.timedelta(days=number)


def add_measure(code, title, field, body=None, **values):
    """Create a measure with its page and first revision."""
    body = body if body is not None else f"Beschreibung von {code}."
    page = Page.create(slug=code.lower(), kind="measure", title=title, revision_count=1)
    Revision.create(page=page, number=1, title=title, body=body, html=f"<p>{body}</p>")
    return Measure.create(code=code, page=page, field=field, **values)


def add_report(measure, day, period, **values):
    """Create a status report on a measure."""
    values.setdefault("status", "active")
    values.setdefault("traffic_light", "green")
    values.setdefault("progress", 10)
    body = values.pop("body", f"Bericht {measure.code} {period}")
    return StatusReport.create(measure=measure, date=day, period=period, body=body,
                               html=f"<p>{body}</p>", **values)


@pytest.fixture
def programme(app):
    """Create two fields, three measures (one late, one endangered by it), reports, comments."""
    contact = make_user("k.becker", name="Katrin Becker", email="k.becker@example.org")
    Strategy.create(title="E-Government-Strategie", period_start=datetime.date(2022, 1, 1),
                    period_end=datetime.date(2026, 12, 31))
    hf1 = ActionField.create(code="HF1", title="Digitale Verwaltungsleistungen", position=1)
    hf3 = ActionField.create(code="HF3", title="Elektronische Aktenführung", position=3)
    m01 = add_measure("M01", "Serviceportal", hf1, obligation="legal", status="operating",
                      progress=80, legal_basis="OZG", legal_deadline=datetime.date(2022, 12, 31),
                      planned_start=datetime.date(2022, 1, 1), planned_end=days(300))
    m06 = add_measure("M06", "Aktenplan", hf3, obligation="standard", status="active",
                      progress=50, planned_start=datetime.date(2023, 1, 1),
                      planned_end=days(-30))
    m07 = add_measure("M07", "E-Akte", hf3, body="## Ziel\n\nDie E-Akte.", obligation="standard",
                      status="active", progress=60, owner="FB 1", contact=contact,
                      planned_start=days(60), planned_end=days(600), tags="dms e-akte")
    Dependency.create(measure=m07, requires=m06)
    add_report(m07, datetime.date(2024, 3, 28), "2024-Q1", traffic_light="yellow", author=contact)
    newest = add_report(m07, datetime.date(2024, 6, 28), "2024-Q2", progress=60, author=contact)
    add_report(m01, datetime.date(2024, 6, 20), "2024-Q2", status="operating", progress=80)
    ReportRound.create(slug="2024-q2", title="Sachstandsbericht 2024/II", period="2024-Q2",
                       due_date=datetime.date(2024, 7, 15), body="Einleitung")
    ReportRound.create(slug="2024-q1", title="Sachstandsbericht 2024/I", period="2024-Q1",
                       due_date=datetime.date(2024, 4, 15))
    Comment.create(measure=m07, author=contact, body="Sichtbar", html="<p>Sichtbar</p>",
                   report=newest)
    Comment.create(measure=m07, author=contact, body=HIDDEN, html=f"<p>{HIDDEN}</p>", hidden=True)
    Comment.create(measure=m07, author=contact, body=DELETED, html=f"<p>{DELETED}</p>",
                   deleted=True)
    return {"m01": m01, "m06": m06, "m07": m07}


def get_json(client, url, status=200):
    """GET url and return its JSON, asserting the status and the content type."""
    response = client.get(url)
    assert response.status_code == status, response.text
    assert response.mimetype == "application/json"
    return response.get_json()


def codes(data):
    """Return the codes of a list answer's items."""
    return [item["code"] for item in data["items"]]


# Measures

def test_measure_list_gives_metadata_derived_state_and_links(client, programme):
    """Each measure comes with its codes, words, derived state, dates, prerequisites, links."""
    data = get_json(client, "/api/measures")
    assert codes(data) == ["M01", "M06", "M07"] and data["count"] == 3
    m07 = data["items"][2]
    assert m07 == {
        "code": "M07", "title": "E-Akte", "field": {"code": "HF3",
                                                   "title": "Elektronische Aktenführung"},
        "obligation": "standard", "obligation_label": "Standard, künftig verpflichtend",
        "status": "active", "status_label": "in Umsetzung",
        "delayed": False, "at_risk": True, "risk_chain": ["M06", "M07"], "progress": 60,
        "planned_start": days(60).isoformat(), "planned_end": days(600).isoformat(),
        "actual_start": None, "actual_end": None, "requires": ["M06"], "owner": "FB 1",
        "contact": "Katrin Becker", "traffic_light": "green", "traffic_light_label": "grün",
        "report_period": "2024-Q2", "comment_count": 1,
        "url": "/measures/M07", "api_url": "/api/measures/M07",
    }
    m06 = data["items"][1]
    assert (m06["delayed"], m06["at_risk"], m06["risk_chain"]) == (True, False, None)
    assert m06["contact"] is None and m06["traffic_light"] is None


def test_measure_list_never_shows_user_names_or_addresses(client, programme):
    """A contact appears by display name only: no user name, no e-mail address."""
    body = client.get("/api/measures").text
    assert "Katrin Becker" in body
    assert "k.becker" not in body


@pytest.mark.parametrize(("query", "expected"), [
    ("field=HF3", ["M06", "M07"]),
    ("status=active", ["M06", "M07"]),
    ("obligation=legal", ["M01"]),
    ("status=delayed", ["M06"]),
    ("status=at_risk", ["M07"]),
    ("field=HF3&status=at_risk&obligation=standard", ["M07"]),
    ("field=HF1&status=done", []),
])
def test_measure_list_filters(client, programme, query, expected):
    """Filters by action field, status (also delayed and at risk) and marking combine."""
    assert codes(get_json(client, f"/api/measures?{query}")) == expected


@pytest.mark.parametrize(("query", "parameter"), [
    ("field=HF99", "field"),
    ("field=hf3", "field"),
    ("field=", "field"),
    ("status=bogus", "status"),
    ("status=active&status=done", "status"),
    ("obligation=gesetzlich", "obligation"),
])
def test_measure_list_refuses_unknown_filter_values(client, programme, query, parameter):
    """An unknown value is a 400 with a German message naming the parameter, code in English."""
    error = get_json(client, f"/api/measures?{query}", 400)["error"]
    assert error["status"] == 400 and error["code"] == "invalid_parameter"
    assert error["parameter"] == parameter
    assert f"»{parameter}«" in error["message"]


def test_unknown_field_error_lists_the_known_codes(client, programme):
    """The message says which values are possible."""
    message = get_json(client, "/api/measures?field=HF99", 400)["error"]["message"]
    assert message.startswith("Unbekannter Wert »HF99« für den Parameter »field«")
    assert "HF1, HF3" in message


def test_measure_detail_adds_legal_facts_text_latest_report_and_links(client, programme):
    """The detail has everything of the list plus legal basis, tags, text, report, counts."""
    data = get_json(client, "/api/measures/M07")
    summary = get_json(client, "/api/measures")["items"][2]
    assert {key: data[key] for key in summary} == summary
    assert data["tags"] == ["dms", "e-akte"] and data["dependents"] == []
    assert data["body"] == "## Ziel\n\nDie E-Akte."
    assert data["body_html"] == Revision.get(Revision.number == 1, Revision.page ==
                                             programme["m07"].page).html
    assert data["latest_report"]["period"] == "2024-Q2"
    assert data["latest_report"]["author"] == "Katrin Becker"
    assert (data["report_count"], data["revision_count"]) == (2, 1)
    assert data["links"]["api_reports"] == "/api/reports?measure=M07"
    for link in data["links"].values():
        assert client.get(link).status_code == 200, link
    m01 = get_json(client, "/api/measures/M01")
    assert (m01["legal_basis"], m01["legal_deadline"]) == ("OZG", "2022-12-31")
    assert get_json(client, "/api/measures/M06")["dependents"] == ["M07"]


def test_measure_detail_accepts_any_case(client, programme):
    """Codes are case-insensitive, as in the UI."""
    assert get_json(client, "/api/measures/m07")["code"] == "M07"


# Errors

@pytest.mark.parametrize("url", ["/api/measures/M99", "/api/measures/xyz", "/api/rounds/nope",
                                 "/api/rounds/Nope", "/api/nothing", "/api/measures/M07/x"])
def test_unknown_things_are_json_404(client, programme, url):
    """A missing measure, round or route is a JSON 404, not an HTML page."""
    error = get_json(client, url, 404)["error"]
    assert (error["status"], error["code"]) == (404, "not_found")
    assert error["message"] == "Diese Seite gibt es nicht."


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_other_methods_are_json_405_with_allow(client, programme, method):
    """The API only reads: other methods get 405 in JSON, saying what is allowed."""
    response = getattr(client, method)("/api/measures")
    assert response.status_code == 405 and response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]
    assert Measure.select().count() == 3


# Action fields, reports, rounds

def test_field_list_counts_measures_by_status(client, programme):
    """Each action field counts its measures by status, and the delayed and endangered ones."""
    data = get_json(client, "/api/fields")
    assert codes(data) == ["HF1", "HF3"]
    hf3 = data["items"][1]
    assert hf3["measure_count"] == 2
    assert hf3["counts"] == {"planned": 0, "preparing": 0, "active": 2, "operating": 0,
                             "done": 0, "paused": 0, "dropped": 0, "delayed": 1, "at_risk": 1}
    assert hf3["api_measures"] == "/api/measures?field=HF3"
    assert codes(get_json(client, hf3["api_measures"])) == ["M06", "M07"]


def test_report_list_is_newest_first_and_filters(client, programme):
    """Reports come newest first; ?measure= and ?period= narrow them."""
    data = get_json(client, "/api/reports")
    assert [(r["measure"], r["period"]) for r in data["items"]] == [
        ("M07", "2024-Q2"), ("M01", "2024-Q2"), ("M07", "2024-Q1")]
    assert (data["total"], data["next"], data["previous"]) == (3, None, None)
    assert data["items"][0]["url"] == f"/measures/M07#report-{data['items'][0]['id']}"
    only = get_json(client, "/api/reports?measure=M07&period=2024-Q1")["items"]
    assert [(r["measure"], r["period"], r["traffic_light"]) for r in only] == [
        ("M07", "2024-Q1", "yellow")]
    assert get_json(client, "/api/reports?period=2023-Q4")["items"] == []


def test_report_list_pages_follow_next_links(client, programme):
    """With ?per_page=, the next links walk through every report exactly once."""
    everything = [r["id"] for r in get_json(client, "/api/reports")["items"]]
    seen, url = [], "/api/reports?per_page=2"
    while url:
        data = get_json(client, url)
        assert data["per_page"] == 2 and len(data["items"]) <= 2
        seen += [r["id"] for r in data["items"]]
        url = data["next"]
    assert seen == everything
    last = get_json(client, "/api/reports?per_page=2&page=2")
    assert last["previous"] == "/api/reports?page=1&per_page=2"
    assert get_json(client, "/api/reports?page=9")["items"] == []


@pytest.mark.parametrize(("query", "parameter"), [
    ("measure=M99", "measure"), ("measure=m07", "measure"), ("measure=x", "measure"),
    ("period=2024-Q5", "period"), ("period=2024-q2", "period"), ("period=", "period"),
    ("page=0", "page"), ("page=abc", "page"), ("page=-1", "page"), ("page=1.5", "page"),
    ("per_page=101", "per_page"), ("per_page=0", "per_page"), ("page=1&page=2", "page"),
])
def test_report_list_refuses_bad_parameters(client, programme, query, parameter):
    """Bad filters and page numbers are a 400 naming the parameter."""
    error = get_json(client, f"/api/reports?{query}", 400)["error"]
    assert error["parameter"] == parameter and f"»{parameter}«" in error["message"]


def test_round_list_counts_done_missing_and_not_due(client, programme):
    """Rounds come newest first with their counts and links."""
    data = get_json(client, "/api/rounds")
    assert [r["slug"] for r in data["items"]] == ["2024-q2", "2024-q1"]
    q2 = data["items"][0]
    assert q2["counts"] == {"done": 2, "missing": 1, "not_due": 0}
    assert q2["overdue"] is True and q2["due_date"] == "2024-07-15"
    assert (q2["url"], q2["api_url"]) == ("/reports/2024-q2", "/api/rounds/2024-q2")


def test_round_detail_gives_each_measure_its_state(client, programme):
    """A round lists per action field each measure: done with its report, missing, not due."""
    data = get_json(client, "/api/rounds/2024-q2")
    assert data["body"] == "Einleitung"
    states = {e["code"]: (e["state"], e["report"] and e["report"]["period"])
              for field in data["fields"] for e in field["entries"]}
    assert states == {"M01": ("done", "2024-Q2"), "M06": ("missing", None),
                      "M07": ("done", "2024-Q2")}
    m06 = data["fields"][1]["entries"][0]
    assert (m06["owner"], m06["contact"], m06["not_due_reason"]) == ("", None, None)
    assert [f["code"] for f in data["fields"]] == ["HF1", "HF3"]
    programme["m07"].planned_start = days(4000)
    programme["m07"].save()
    later = get_json(client, "/api/rounds/2024-q1")
    entry = next(e for f in later["fields"] for e in f["entries"] if e["code"] == "M07")
    assert entry["state"] == "done"  # it reported, although its start moved later
    assert later["counts"] == {"done": 1, "missing": 2, "not_due": 0}
    programme["m06"].planned_start = days(4000)
    programme["m06"].save()
    entry = next(e for f in get_json(client, "/api/rounds/2024-q1")["fields"]
                 for e in f["entries"] if e["code"] == "M06")
    assert (entry["state"], entry["report"]) == ("not_due", None)
    assert entry["not_due_reason"].startswith("beginnt erst ")


# Permissions and privacy

def test_without_read_setting_anonymous_gets_json_401(app, client, programme):
    """When reading needs a login, every API route answers 401 in JSON, never a redirect."""
    app.config["READ_WITHOUT_LOGIN"] = False
    for url in ROUTES + ["/api/nothing"]:
        response = client.get(url)
        assert response.status_code == 401, url
        error = response.get_json()["error"]
        assert (error["code"], error["login"]) == ("login_required", "/login")
        assert error["message"].startswith("Bitte melden Sie sich an")
    response = client.post("/api/measures", data={"x": "1"})
    assert response.status_code == 401 and response.mimetype == "application/json"


def test_without_read_setting_a_reader_reads(app, client, login, programme):
    """A logged-in reader gets the same answers as anyone when reading is open."""
    app.config["READ_WITHOUT_LOGIN"] = False
    login("reader")
    for url in ROUTES:
        assert client.get(url).status_code == 200, url


def test_hidden_and_deleted_comments_appear_nowhere(client, login, programme):
    """No answer of the API, not even an admin's, contains a hidden or deleted comment."""
    login("admin")
    urls = ROUTES + ["/api/measures/M06", "/api/rounds/2024-q1", "/api/reports?measure=M07"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert HIDDEN not in response.text and DELETED not in response.text, url
        assert "Sichtbar" not in response.text, url  # comments are only ever counted
    assert get_json(client, "/api/measures/M07")["comment_count"] == 1


# Caching

def test_answers_can_be_revalidated(client, programme):
    """JSON answers are private, vary by login and language, and carry an ETag for 304."""
    response = client.get("/api/measures")
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert {"Cookie", "Accept-Language"} <= set(response.vary)
    etag = response.headers["ETag"]
    again = client.get("/api/measures", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    programme["m07"].progress = 70
    programme["m07"].save()
    assert client.get("/api/measures", headers={"If-None-Match": etag}).status_code == 200


# Efficiency

@pytest.mark.parametrize("url", ["/api/measures", "/api/fields", "/api/rounds",
                                 "/api/reports", "/api/export.json", "/api/export.csv"])
def test_queries_do_not_grow_with_the_measures(client, programme, url, uncached):
    """A list runs as many queries for 3 measures as for 23, each with reports and comments."""
    client.get(url)
    with count_queries() as few:
        client.get(url)
    field = ActionField.get(ActionField.code == "HF1")
    contact = make_user("s.yilmaz", name="Selin Yilmaz")
    for number in range(10, 30):
        measure = add_measure(f"M{number}", f"Maßnahme {number}", field, contact=contact)
        Dependency.create(measure=measure, requires=programme["m06"])
        add_report(measure, datetime.date(2024, 6, 1), "2024-Q2", author=contact)
        Comment.create(measure=measure, author=contact, body="x", html="<p>x</p>")
    with count_queries() as many:
        response = client.get(url)
    assert response.status_code == 200
    assert many.count == few.count


# The OpenAPI document

def test_openapi_document_describes_every_path_with_relative_server(client, programme):
    """The document is OpenAPI 3.1, relative to this site, with this instance's codes."""
    document = get_json(client, "/api/openapi.json")
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/api"}]
    assert set(document["paths"]) == {
        "/measures", "/measures/{code}", "/measures/{code}/files", "/fields", "/reports",
        "/rounds", "/rounds/{slug}", "/openapi.json", "/export.json", "/export.csv"}
    parameters = document["components"]["parameters"]
    assert parameters["field"]["schema"]["enum"] == ["HF1", "HF3"]
    assert parameters["measure"]["schema"]["enum"] == ["M01", "M06", "M07"]
    for path in document["paths"].values():
        responses = path["get"]["responses"]
        assert {"200", "401"} <= set(responses)


# Open data (on the demo)

@pytest.fixture
def hidden_on_demo(demo):
    """Hide a comment on the demo's M07."""
    with demo.app_context():
        Comment.create(measure=Measure.by_code("M07"), body=HIDDEN, html=HIDDEN, hidden=True)
    return demo


def test_json_export_has_every_measure_in_german_with_definitions(client, hidden_on_demo):
    """The JSON export is a download: 14 measures, codes beside German words, definitions."""
    response = client.get("/api/export.json?lang=en", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    day = datetime.date.today().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="fahrplan-status-{day}.json"')
    assert HIDDEN not in response.text
    data = json.loads(response.text)
    assert data["programme"]["title"] == Strategy.current().title
    assert data["date"] == day
    rows = {row["code"]: row for row in data["measures"]}
    assert len(rows) == 14
    m07 = rows["M07"]
    assert (m07["status"], m07["status_label"]) == ("operating", "in Betrieb / Roll-out")
    assert (m07["obligation"], m07["obligation_label"]) == (
        "standard", "Standard, künftig verpflichtend")
    assert m07["field"] == "HF3" and m07["url"] == "http://localhost/measures/M07"
    assert m07["delayed"] is True
    definitions = data["definitions"]
    assert [d["code"] for d in definitions["status"]] == [
        "planned", "preparing", "active", "operating", "done", "paused", "dropped"]
    assert [(d["code"], d["label"]) for d in definitions["derived"]] == [
        ("delayed", "verzögert"), ("at_risk", "gefährdet")]
    assert [d["label"] for d in definitions["traffic_light"]] == ["grün", "gelb", "rot"]
    assert all(d["meaning"] for kind in ("status", "derived", "traffic_light", "obligation")
               for d in definitions[kind])
    page = definitions["page"]
    assert page["title"] == "Statusdefinitionen"
    assert page["text"].startswith("# Statusdefinitionen")
    assert "| verzögert |" in page["text"]


def test_csv_export_matches_the_json_export(client, hidden_on_demo):
    """The CSV export: BOM, semicolons, one row per measure, the same values as the JSON."""
    response = client.get("/api/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="fahrplan-measures-')
    assert response.headers["Link"] == '</api/export.csv?table=definitions>; rel="describedby"'
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    exported = {row["code"]: row for row in json.loads(client.get("/api/export.json").text)[
        "measures"]}
    assert [row["code"] for row in rows] == list(exported)
    for row in rows:
        expected = exported[row["code"]]
        assert row["status_label"] == expected["status_label"]
        assert row["title"] == expected["title"]
        assert row["delayed"] == str(int(expected["delayed"]))
        assert row["risk_chain"] == " → ".join(expected["risk_chain"] or [])
        assert row["requires"] == " ".join(expected["requires"])
        assert row["planned_end"] == (expected["planned_end"] or "")
    assert HIDDEN not in response.data.decode("utf-8-sig")


def test_csv_definitions_table(client, hidden_on_demo):
    """?table=definitions sends the meaning of every code, in German."""
    response = client.get("/api/export.csv?table=definitions")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["kind", "code", "label", "meaning"]
    kinds = {(kind, code): label for kind, code, label, _meaning in rows[1:]}
    assert kinds[("status", "paused")] == "zurückgestellt"
    assert kinds[("derived", "at_risk")] == "gefährdet"
    assert kinds[("traffic_light", "red")] == "rot"
    assert kinds[("obligation", "legal")] == "gesetzlich erforderlich"
    assert len(rows) == 1 + 7 + 2 + 3 + 3
    error = get_json(client, "/api/export.csv?table=people", 400)["error"]
    assert error["parameter"] == "table"


def test_csv_cells_cannot_be_formulas(client, programme):
    """A title or owner that starts like a formula is written as text."""
    add_measure("M20", "=HYPERLINK(\"http://example.org\")", ActionField.get(code="HF1"),
                owner="@SUM(A1)")
    response = client.get("/api/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    row = next(row for row in rows if row["code"] == "M20")
    assert row["title"] == "'=HYPERLINK(\"http://example.org\")"
    assert row["owner"] == "'@SUM(A1)"


def test_file_list_gives_each_files_newest_version_with_links(client, programme):
    """/api/measures/M07/files lists the newest version of each file; its url downloads it."""
    contact = programme["m07"].contact
    place = programme["m07"].page
    files.save(io.BytesIO(b"%PDF-1.4\n%eins\n%%EOF\n"), "Beschluss.pdf", "pdf", contact,
               "Rat", page=place)
    files.save(io.BytesIO(b"%PDF-1.4\n%zwei\n%%EOF\n"), "Beschluss.pdf", "pdf", contact,
               "Neu", page=place)
    files.save(io.BytesIO(b"Notiz\n"), "notiz.txt", "txt", None, page=place)
    data = get_json(client, "/api/measures/m07/files")
    assert data["count"] == 2
    first, second = data["items"]
    assert (first["name"], first["version"], first["kind"], first["comment"]) == (
        "Beschluss.pdf", 2, "pdf", "Neu")
    assert (first["media_type"], first["size"], first["author"]) == (
        "application/pdf", 21, "Katrin Becker")
    assert first["url"] == "/measures/M07/files/Beschluss.pdf"
    assert first["versions_url"] == "/measures/M07/files/Beschluss.pdf/versions"
    assert client.get(first["url"]).data == b"%PDF-1.4\n%zwei\n%%EOF\n"
    assert (second["name"], second["author"], second["width"]) == ("notiz.txt", None, None)
    detail = get_json(client, "/api/measures/M07")
    assert detail["file_count"] == 2
    assert detail["links"]["api_files"] == "/api/measures/M07/files"
    assert get_json(client, "/api/measures/M06/files") == {"items": [], "count": 0}
    assert get_json(client, "/api/measures/M99/files", 404)["error"]["status"] == 404
