"""Status reports: writing one updates the measure; edits keep versions; conflicts keep text."""
import datetime

import pytest
from bs4 import BeautifulSoup

from tests.conftest import make_user, restart
from wiki.domain.reports import clean_report
from wiki.models import Measure, ReportVersion, Revision, StatusReport

pytestmark = pytest.mark.postgres

TODAY = datetime.date.today()
PERIOD = f"{TODAY.year}-Q{(TODAY.month - 1) // 3 + 1}"


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def text(node):
    """Return a node's text with whitespace collapsed."""
    return " ".join(node.get_text().split())


def report_form(**values):
    """Return a valid new-report form for today, changed by values."""
    form = {"period": PERIOD, "date": TODAY.isoformat(), "status": "operating",
            "traffic_light": "yellow", "progress": "80",
            "body": "Roll-out in **weiteren** Einheiten.", "action": "save"}
    form.update(values)
    return form


def m07():
    """Return the demo's measure M07."""
    return Measure.by_code("M07")


def state():
    """Return what a refused write must leave unchanged: reports, versions, the measure."""
    measure = m07()
    return (StatusReport.select().count(), ReportVersion.select().count(),
            measure.status, measure.progress, measure.page.revision_count,
            [(r.body, r.version) for r in StatusReport.select().order_by(StatusReport.id)])


# Pure validation.

@pytest.mark.parametrize("field, value, message", [
    ("period", "", "z. B. 4. Quartal 2027, Q4/2027 oder 2027-Q4"),
    ("period", "2024-Q5", "z. B. 4. Quartal 2027, Q4/2027 oder 2027-Q4"),
    ("period", "2. Quartal", "z. B. 4. Quartal 2027, Q4/2027 oder 2027-Q4"),
    ("date", "", "z. B. 30.06.2024 oder 2024-06-30"),
    ("date", "30.06.24", "z. B. 30.06.2024 oder 2024-06-30"),
    ("date", "2024-02-30", "z. B. 30.06.2024 oder 2024-06-30"),
    ("date", (TODAY + datetime.timedelta(days=1)).isoformat(), "Zukunft"),
    ("status", "fertig", "Status"),
    ("status", "", "Status"),
    ("traffic_light", "blue", "Ampelfarbe"),
    ("traffic_light", "", "Ampelfarbe"),
    ("progress", "140", "0 bis 100"),
    ("progress", "-5", "0 bis 100"),
    ("progress", "viel", "0 bis 100"),
    ("progress", "", "0 bis 100"),
])
def test_clean_report_names_the_field(ctx, field, value, message):
    """Each bad value gives a German message for its own field only."""
    raw = {"period": "2024-Q2", "date": "2024-06-30", "status": "active",
           "traffic_light": "green", "progress": "50", field: value}
    with ctx.test_request_context():
        values, errors = clean_report(raw, "Text", TODAY)
    assert set(errors) == {field}
    assert message in errors[field]


def test_clean_report_refuses_a_date_before_the_period_and_an_empty_body(ctx):
    """A report cannot be dated before its quarter, nor be empty or hold conflict markers."""
    raw = {"period": "2024-Q3", "date": "2024-06-30", "status": "active",
           "traffic_light": "green", "progress": "50"}
    with ctx.test_request_context():
        _, errors = clean_report(raw, "  ", TODAY)
        _, marked = clean_report({**raw, "date": "2024-07-02"},
                                 "<<<<<<< Ihre Fassung\na\n=======\nb\n>>>>>>> Gespeicherte "
                                 "Fassung", TODAY)
    assert "2024-Q3" in errors["date"]
    assert "fehlt" in errors["body"]
    assert set(marked) == {"body"}


# Writing a report.

def test_new_report_form_starts_from_this_quarter_and_the_measure(client, demo, login):
    """The form proposes today's quarter and date and the measure's status and progress."""
    login("editor")
    page = soup(client.get("/measures/m07/reports/new"))
    assert page.find(id="f-period")["value"] == PERIOD
    assert page.find(id="f-date")["value"] == TODAY.isoformat()
    assert page.find(id="f-status").find("option", selected=True)["value"] == m07().status
    assert page.find(id="f-progress")["value"] == str(m07().progress)
    assert not page.find("input", attrs={"name": "traffic_light", "checked": True})
    assert page.find("input", attrs={"name": "base_revision"})["value"] == "0"


def test_writing_a_report_updates_the_measure_as_an_attributed_revision(client, demo, login):
    """A new newest report sets status and progress through a measure revision by its author."""
    user = login("editor")
    before = m07().page.revision_count
    response = client.post("/measures/M07/reports/new", data=report_form(status="active",
                                                                          progress="81"))
    report = StatusReport.select().order_by(StatusReport.id.desc()).get()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/measures/M07#report-{report.id}")
    assert (report.period, report.date, report.traffic_light) == (PERIOD, TODAY, "yellow")
    assert "<strong>weiteren</strong>" in report.html
    assert report.author_id == user.id and report.version == 1
    assert [v.number for v in ReportVersion.of(report)] == [1]
    measure = m07()
    assert (measure.status, measure.progress) == ("active", 81)
    assert measure.page.revision_count == before + 1
    revision = measure.page.latest()
    assert revision.author_id == user.id
    assert PERIOD in revision.summary
    assert (revision.meta["status"], revision.meta["progress"]) == ("active", 81)


def test_the_measure_page_shows_the_new_report_first(client, demo, login):
    """Reports are shown newest first; the new one with its light in words."""
    login("editor")
    client.post("/measures/M07/reports/new", data=report_form(body="Ganz neuer Stand."))
    page = soup(client.get("/measures/M07"))
    first = page.select("#reports article.report")[0]
    assert "Ganz neuer Stand." in text(first)
    assert "Ampel: gelb" in text(first)


def test_an_older_report_does_not_overwrite_the_measure(client, demo, login):
    """A report dated before the newest one is stored, but the measure keeps its state."""
    login("editor")
    measure = m07()
    before = (measure.status, measure.progress, measure.page.revision_count)
    response = client.post("/measures/M07/reports/new", data=report_form(
        period="2022-Q1", date="2022-03-30", status="planned", progress="3"))
    assert response.status_code == 302
    measure = m07()
    assert (measure.status, measure.progress, measure.page.revision_count) == before


@pytest.mark.parametrize("period, day", [("1. Quartal 2022", "30.03.2022"),
                                         ("Q1/2022", "30.3.2022")])
def test_period_and_day_as_people_write_them(client, demo, login, period, day):
    """"1. Quartal 2022" and "30.03.2022" are taken and stored as 2022-Q1 and 2022-03-30."""
    login("editor")
    response = client.post("/measures/M07/reports/new", data=report_form(
        period=period, date=day, status="planned", progress="3"))
    assert response.status_code == 302
    report = StatusReport.select().where(StatusReport.measure == m07()).order_by(
        StatusReport.id.desc()).first()
    assert (report.period, report.date.isoformat()) == ("2022-Q1", "2022-03-30")


def test_the_same_state_makes_no_measure_revision(client, demo, login):
    """When status and progress do not change, the measure gets no new revision."""
    login("editor")
    measure = m07()
    count = measure.page.revision_count
    client.post("/measures/M07/reports/new", data=report_form(
        status=measure.status, progress=str(measure.progress)))
    assert m07().page.revision_count == count


@pytest.mark.parametrize("field, value, message", [
    ("body", "", "Der Berichtstext fehlt."),
    ("body", "   \n  ", "Der Berichtstext fehlt."),
    ("progress", "140", "0 bis 100"),
    ("status", "fertig", "Status"),
    ("traffic_light", "lila", "Ampelfarbe"),
    ("period", "2024-Q7", "z. B. 4. Quartal 2027"),
])
def test_bad_input_is_refused_and_changes_nothing(client, demo, login, field, value, message):
    """A bad field gives 400, its German error next to it and in the summary; nothing changes."""
    login("editor")
    before = state()
    response = client.post("/measures/M07/reports/new",
                           data=report_form(**{field: value, "summary": "mein Text"}))
    assert response.status_code == 400
    page = soup(response)
    error = page.find(id=f"f-{field}-error")
    assert message in text(error)
    assert message in text(page.find(class_="error-summary"))
    assert state() == before
    if field != "body":
        assert "Roll-out in **weiteren** Einheiten." in page.find(id="f-body").text
    assert page.find(id="f-summary")["value"] == "mein Text"


def test_a_second_report_on_the_same_day_is_refused(client, demo, login):
    """One report per measure and day (the exchange format names report files by date)."""
    login("editor")
    day = StatusReport.of(m07()).first().date
    before = state()
    response = client.post("/measures/M07/reports/new", data=report_form(
        period=f"{day.year}-Q{(day.month - 1) // 3 + 1}", date=day.isoformat()))
    assert response.status_code == 400
    assert "schon einen Bericht" in text(soup(response).find(id="f-date-error"))
    assert state() == before


@pytest.mark.parametrize("role, status", [("reader", 403), (None, 302)])
def test_only_editors_write_reports(client, demo, login, role, status):
    """Readers get 403, anonymous visitors go to the login; nothing is stored."""
    if role:
        login(role)
    before = state()
    assert client.get("/measures/M07/reports/new").status_code == status
    response = client.post("/measures/M07/reports/new", data=report_form())
    assert response.status_code == (401 if role is None else 403)
    assert state() == before


def test_unknown_measure_or_report_is_404(client, demo, login):
    """Reports of a missing measure, or of another measure, are not found."""
    login("editor")
    other = StatusReport.of(Measure.by_code("M01")).first()
    assert client.get("/measures/M99/reports/new").status_code == 404
    assert client.get(f"/measures/M07/reports/{other.id}/edit").status_code == 404
    assert client.get("/measures/M07/reports/999999/history").status_code == 404


def test_preview_renders_without_saving(client, demo, login):
    """The preview button shows the rendered text and stores nothing."""
    login("editor")
    before = state()
    response = client.post("/measures/M07/reports/new",
                           data=report_form(action="preview", body="# Titel\n\n*kursiv*"))
    assert response.status_code == 200
    assert soup(response).select_one("#preview em").text == "kursiv"
    assert state() == before


# Editing a report: versions, history, diff, conflicts.

def edit_form(report, **values):
    """Return the edit form of a report as its page holds it, changed by values."""
    form = {"period": report.period, "date": report.date.isoformat(), "status": report.status,
            "traffic_light": report.traffic_light, "progress": str(report.progress),
            "body": report.body, "base_revision": str(report.version), "action": "save"}
    form.update(values)
    return form


def newest_m07():
    """Return M07's newest report."""
    return StatusReport.of(m07()).first()


def test_editing_keeps_every_earlier_version(client, demo, login):
    """An edit makes version 2; history lists both and the diff shows the change."""
    login("editor")
    report = newest_m07()
    old_body = report.body
    response = client.post(f"/measures/M07/reports/{report.id}/edit", data=edit_form(
        report, body=old_body + "\n\nNachtrag: Schulungen laufen.", traffic_light="yellow",
        summary="Nachtrag"))
    assert response.status_code == 302
    report = StatusReport.get_by_id(report.id)
    assert report.version == 2 and "Nachtrag" in report.body
    versions = list(ReportVersion.of(report))
    assert [v.number for v in versions] == [2, 1]
    assert versions[1].body == old_body and versions[0].summary == "Nachtrag"
    history = soup(client.get(f"/measures/M07/reports/{report.id}/history"))
    assert [text(th) for th in history.select("tbody th")] == ["2", "1"]
    diff = soup(client.get(f"/measures/M07/reports/{report.id}/diff?from=1&to=2"))
    assert "Nachtrag: Schulungen laufen." in text(diff.select_one(".diff-body ins"))
    assert [text(td) for td in diff.select(".diff-fields td")] == [
        "entfernt: rot", "eingefügt: gelb"]
    old = soup(client.get(f"/measures/M07/reports/{report.id}/versions/1"))
    assert "Nachtrag" not in text(old.find("main").find("section"))
    assert "ältere Version" in text(old.find(class_="old-revision-note"))


def test_editing_the_newest_report_carries_status_and_progress(client, demo, login):
    """Changing the newest report's progress moves the measure's progress too."""
    login("editor")
    report = newest_m07()
    client.post(f"/measures/M07/reports/{report.id}/edit",
                data=edit_form(report, progress="77"))
    assert m07().progress == 77


def test_stale_edit_gets_409_with_merge_and_keeps_text(client, demo, login):
    """Two people edit the same report: the second gets 409, a merge of both and their text."""
    login("editor")
    report = newest_m07()
    first = edit_form(report, body=report.body + "\n\nErster Nachtrag.")
    second = edit_form(report, body="Zweite Fassung oben.\n\n" + report.body,
                       traffic_light="green")
    assert client.post(f"/measures/M07/reports/{report.id}/edit", data=first).status_code == 302
    saved = state()
    response = client.post(f"/measures/M07/reports/{report.id}/edit", data=second)
    assert response.status_code == 409
    assert state() == saved
    page = soup(response)
    body = page.find(id="f-body").text
    assert "Zweite Fassung oben." in body and "Erster Nachtrag." in body
    assert page.find("input", attrs={"name": "base_revision"})["value"] == "2"
    assert page.find(id="f-light-green").has_attr("checked")
    assert "dieser Bericht" in text(page.find(class_="conflict"))
    again = client.post(f"/measures/M07/reports/{report.id}/edit", data=edit_form(
        StatusReport.get_by_id(report.id), body=body, traffic_light="green"))
    assert again.status_code == 302
    assert StatusReport.get_by_id(report.id).version == 3


def test_overlapping_edits_leave_markers_that_must_be_resolved(client, demo, login):
    """When both changed the same line, markers show both and saving them is refused."""
    login("editor")
    report = newest_m07()
    client.post(f"/measures/M07/reports/{report.id}/edit",
                data=edit_form(report, body="Fassung A."))
    response = client.post(f"/measures/M07/reports/{report.id}/edit",
                           data=edit_form(report, body="Fassung B."))
    assert response.status_code == 409
    body = soup(response).find(id="f-body").text
    assert "<<<<<<< Ihre Fassung" in body and "Fassung A." in body and "Fassung B." in body
    current = StatusReport.get_by_id(report.id)
    refused = client.post(f"/measures/M07/reports/{report.id}/edit",
                          data=edit_form(current, body=body))
    assert refused.status_code == 400
    assert StatusReport.get_by_id(report.id).body == "Fassung A."


def test_reader_cannot_edit_and_history_is_public(client, demo, login):
    """Readers see versions but cannot edit."""
    login("reader")
    report = newest_m07()
    assert client.get(f"/measures/M07/reports/{report.id}/history").status_code == 200
    response = client.post(f"/measures/M07/reports/{report.id}/edit", data=edit_form(
        report, body="Nicht erlaubt."))
    assert response.status_code == 403
    assert StatusReport.get_by_id(report.id).body == report.body


def test_reports_list_and_version_links(client, demo, login):
    """/measures/<code>/reports lists every report; lower-case codes redirect."""
    assert client.get("/measures/m07/reports").status_code == 301
    page = soup(client.get("/measures/M07/reports"))
    assert len(page.select("article.report")) == StatusReport.of(m07()).count()
    assert not page.select("a[href$='/edit']")  # anonymous: no edit links
    login("editor")
    page = soup(client.get("/measures/M07/reports"))
    assert page.select_one("a[href='/measures/M07/reports/new']")


def test_diff_needs_both_numbers(client, demo):
    """A diff without from/to is a bad request; a missing version is not found."""
    report = newest_m07()
    assert client.get(f"/measures/M07/reports/{report.id}/diff?from=1").status_code == 400
    assert client.get(f"/measures/M07/reports/{report.id}/diff?from=1&to=9").status_code == 404


def test_report_search_entry_follows_the_edit(client, demo, login):
    """The search index holds the edited text, not the old one."""
    from wiki.domain.search import find

    login("editor")
    report = newest_m07()
    client.post(f"/measures/M07/reports/{report.id}/edit",
                data=edit_form(report, body="Quokkabericht zur Umstellung."))
    with client.application.app_context():
        hits, total = find("Quokkabericht", kind="report")
    assert total == 1 and hits[0]["url"].endswith(f"#report-{report.id}")


def test_measure_page_flags_a_stale_report(client, demo, login):
    """A running measure whose last report is older than the setting is flagged on its page."""
    client.application.config["STALE_REPORT_DAYS"] = 1
    newest = newest_m07()
    assert (TODAY - newest.date).days > 1
    page = soup(client.get("/measures/M07"))
    assert "kein Bericht seit" in text(page.find(class_="page-header"))
    client.application.config["STALE_REPORT_DAYS"] = 100000
    restart(client.application)  # the setting applies after a restart
    page = soup(client.get("/measures/M07"))
    assert "kein Bericht seit" not in text(page.find(class_="page-header"))


def test_author_of_a_revision_is_the_reporter(client, demo, login):
    """The measure revision names the reporter, not the earlier author."""
    make_user("t.schmitz")
    user = login("editor", "k.neu")
    client.post("/measures/M07/reports/new", data=report_form(status="active", progress="82"))
    assert Revision.of(m07().page).first().author_id == user.id


def test_missing_csrf_token_is_refused_and_keeps_the_text(app, client, demo, login):
    """Without its CSRF token a report is refused with 400; nothing stored, the text sent back."""
    login("editor")
    app.config["WTF_CSRF_ENABLED"] = True
    before = state()
    response = client.post("/measures/M07/reports/new", data=report_form(body="Mein Bericht."),
                           headers={"Origin": "http://localhost"})  # sent from this site
    assert response.status_code == 400
    assert state() == before
    kept = {field["name"]: field.get_text() for field in soup(response).select("form textarea")}
    assert kept["body"] == "Mein Bericht." and kept["progress"] == "80"


def test_htmx_post_without_login_keeps_nothing_and_answers_401(client, demo):
    """An expired login on an htmx request is refused with 401 and stores nothing."""
    before = state()
    response = client.post("/measures/M07/reports/new", data=report_form(),
                           headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert state() == before
