"""Admins edit the programme's words in the browser: statuses, markings, period, code pattern."""
import pytest
from bs4 import BeautifulSoup

from wiki.domain import vocabulary
from wiki.models import ActionField, AuditEntry, Measure, ReportRound, StatusReport, Strategy

URL = "/admin/vocabulary"


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def form_of(response):
    """Return the form's fields as a dict, as a browser would send them unchanged."""
    data = {}
    for node in soup(response).select("form.vocabulary-form input, form.vocabulary-form select"):
        name = node.get("name")
        if not name or name == "csrf_token":
            continue
        if node.name == "select":
            chosen = node.find("option", selected=True) or node.find("option")
            data[name] = chosen["value"]
        elif node.get("type") == "checkbox":
            if node.has_attr("checked"):
                data[name] = node["value"]
        else:
            data[name] = node.get("value", "")
    return data


def row_of(data, prefix, key):
    """Return the form prefix ("status-3") of the row holding key."""
    return next(name[:-4] for name, value in data.items()
                if name.startswith(prefix) and name.endswith("-key") and value == key)


def settings():
    """Return the stored settings."""
    return Strategy.current().settings


@pytest.fixture
def admin(client, login, demo):
    """Log in as an admin on the demo and return the client."""
    login("admin")
    return client


def test_roles(client, login, demo):
    """Anonymous visitors go to the login page; editors get 403."""
    assert client.get(URL).status_code == 302
    assert "/login" in client.get(URL).headers["Location"]
    login("editor")
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={}).status_code == 403


def test_unchanged_form_saves_defaults(admin):
    """The form as shown saves the defaults as they are: nothing stored but the audit entry."""
    response = admin.post(URL, data=form_of(admin.get(URL)))
    assert response.status_code == 302, response.text
    assert settings() == {}
    assert AuditEntry.select().where(AuditEntry.action == "vocabulary.edit").count() == 1


@pytest.mark.postgres
def test_rename_keeps_key_and_history_shows_it(admin):
    """A renamed status keeps its key; revisions and /architecture (kept pages and fragments,
    cache on) show the new name right after the save."""
    measure = Measure.select().where(Measure.status == "active").first()
    assert "in Umsetzung" in admin.get("/architecture").text
    data = form_of(admin.get(URL))
    data[row_of(data, "status", "active") + "-name"] = "Läuft gerade"
    assert admin.post(URL, data=data).status_code == 302
    stored = settings()["statuses"]
    assert [s["key"] for s in stored] == [s.key for s in vocabulary.DEFAULT_STATUSES]
    assert stored[2]["name"] == "Läuft gerade"
    page = soup(admin.get("/architecture")).get_text()
    assert "Läuft gerade" in page and "in Umsetzung" not in page
    history = admin.get(f"/measures/{measure.code}/revisions/{measure.page.revision_count}")
    assert history.status_code == 200 and "Läuft gerade" in history.text


def test_add_reorder_and_remove(admin):
    """A blank row adds a status, the position orders it, and an unused one can go."""
    Measure.update(status="active").where(Measure.status == "paused").execute()
    StatusReport.update(status="active").where(StatusReport.status == "paused").execute()
    data = form_of(admin.get(URL))
    new = row_of(data, "status", "")
    data.update({f"{new}-name": "in Prüfung", f"{new}-category": "running",
                 f"{new}-position": "0", row_of(data, "status", "paused") + "-remove": "1"})
    assert admin.post(URL, data=data).status_code == 302
    keys = [s["key"] for s in settings()["statuses"]]
    assert keys[0] == "in_prufung" or keys[0].startswith("in_pr")
    assert "paused" not in keys


@pytest.mark.postgres
def test_removing_a_status_in_use_is_refused(admin):
    """A status measures carry cannot go: 400, the codes named, nothing changed."""
    codes = [m.code for m in Measure.select().where(Measure.status == "active")
             .order_by(Measure.code)]
    data = form_of(admin.get(URL))
    data[row_of(data, "status", "active") + "-remove"] = "1"
    response = admin.post(URL, data=data)
    assert response.status_code == 400
    message = soup(response).select_one(".error-summary").get_text()
    assert "Status »in Umsetzung« wird noch verwendet von:" in message and codes[0] in message
    assert settings() == {}


@pytest.mark.parametrize("change, field, message", [
    ({"-category": "soon"}, "-category", "Unbekannte Kategorie"),
    ({"-name": "IN UMSETZUNG"}, None, "kommt doppelt vor"),
    ({"-name": ""}, "-name", "Pflichtfeld fehlt"),
    ({"-position": "vorne"}, "-position", "ganze Zahl"),
])
def test_bad_status_is_refused_at_its_field(admin, change, field, message):
    """Bad input: 400, the message at the row's field and in the summary, nothing changed."""
    data = form_of(admin.get(URL))
    row = row_of(data, "status", "planned")
    data.update({row + suffix: value for suffix, value in change.items()})
    response = admin.post(URL, data=data)
    assert response.status_code == 400
    page = soup(response)
    assert message in page.select_one(".error-summary").get_text()
    if field:
        assert message in page.find(id=f"{row}{field}-error").get_text()
        assert page.find(id=f"{row}{field}")["aria-invalid"] == "true"
        assert "Status, Zeile 1" in page.select_one(".error-summary").get_text()
    assert settings() == {}


def test_marking_colour(admin):
    """A too-light colour is refused; a dark one is stored, from the text or the picker."""
    data = form_of(admin.get(URL))
    row = row_of(data, "marking", "standard")
    response = admin.post(URL, data={**data, f"{row}-colour": "#ffff00"})
    assert response.status_code == 400
    assert "zu hell" in soup(response).find(id=f"{row}-colour-error").get_text()
    assert admin.post(URL, data={**data, f"{row}-pick": "#004400"}).status_code == 302
    assert settings()["markings"][1]["colour"] == "#004400"
    stamp = vocabulary.Vocabulary.from_settings(settings()).stamp
    assert "#004400" in admin.get(f"/markings.css?v={stamp}").text


def test_code_pattern(admin):
    """A pattern existing codes miss is refused naming them; a fitting one is then enforced."""
    data = form_of(admin.get(URL))
    response = admin.post(URL, data={**data, "code_pattern": "X[0-9]+",
                                      "code_pattern_text": "X und Ziffern"})
    assert response.status_code == 400
    first = Measure.select().order_by(Measure.code).first().code
    assert first in soup(response).find(id="f-code_pattern-error").get_text()
    response = admin.post(URL, data={**data, "code_pattern": "[A-Z0-9.-]+"})
    assert "in Worten" in soup(response).find(id="f-code_pattern_text-error").get_text()
    data.update(code_pattern=r"[A-Z]{1,2}[0-9.-]*", code_pattern_text="Buchstaben, dann Ziffern")
    assert admin.post(URL, data=data).status_code == 302
    response = admin.post("/measures/new", data={"code": "9X", "title": "Neu", "field": "HF1"})
    assert response.status_code == 400
    assert "Buchstaben, dann Ziffern" in response.text


def test_report_period(admin):
    """The period changes only while no report or round has periods of the old kind."""
    data = {**form_of(admin.get(URL)), "report_period": "month"}
    response = admin.post(URL, data=data)
    count = StatusReport.select().count() + ReportRound.select().count()
    assert response.status_code == 400
    assert str(count) in soup(response).find(id="f-report_period-error").get_text()
    StatusReport.delete().execute()
    ReportRound.delete().execute()
    assert admin.post(URL, data=data).status_code == 302
    assert settings()["report_period"] == "month"


def test_without_strategy_links_to_setup(client, login):
    """Before there is a strategy the page says so and links to the setup."""
    login("admin")
    page = soup(client.get(URL))
    assert page.find("a", href="/admin/setup")


def test_field_codes_follow_the_measure_code_rule(admin):
    """An action field's code may be any code of letters, digits, . - _; stored upper-case."""
    response = admin.post("/admin/fields/new", data={"code": "d.1", "title": "Daten",
                                                     "summary": "", "position": "9", "body": ""})
    assert response.status_code == 302
    assert ActionField.get(ActionField.code == "D.1").title == "Daten"


def test_audit_names_what_changed(admin):
    """The audit log says in words which parts of the vocabulary changed."""
    data = form_of(admin.get(URL))
    data[row_of(data, "status", "done") + "-definition"] = "Fertig."
    assert admin.post(URL, data=data).status_code == 302
    entry = soup(admin.get("/admin/audit")).select_one("table tbody tr").get_text()
    assert "Status und Kennzeichnungen geändert" in entry and "Status" in entry
