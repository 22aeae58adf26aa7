"""The measure editor: every field validated, conflicts merged, nothing saved by mistake."""
import pytest
from bs4 import BeautifulSoup
from playhouse.shortcuts import model_to_dict

from tests.conftest import PASSWORD, make_user
from tests.test_security import csrf_client, token  # noqa: F401 (a fixture)
from wiki.domain import merge
from wiki.models import Dependency, EditPresence, Measure, Page, Revision, User

pytestmark = pytest.mark.postgres


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def form_values(response):
    """Return the values the edit form would send, as a dict (checkboxes as a list)."""
    form = soup(response).find("form", class_="editor")
    values = {"requires": []}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.get("type") == "submit":
            continue
        if field.get("type") == "checkbox":
            if field.has_attr("checked"):
                values[name].append(field["value"])
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            values[name] = chosen["value"]
        elif field.name == "textarea":
            values[name] = field.get_text()
        else:
            values[name] = field.get("value", "")
    return values


def state(code="M07"):
    """Return what the database holds for a measure: its row, prerequisites and revisions."""
    measure = Measure.by_code(code)
    if measure is None:
        return None
    return (model_to_dict(measure, recurse=False), sorted(m.code for m in measure.prerequisites()),
            Revision.select().count(), Page.select().count())


@pytest.fixture
def editor(client, demo, login):
    """Log in as an editor on the demo strategy."""
    return login("editor")


def edit_form(client, code="M07"):
    """Fetch the edit form of a measure and return its values."""
    response = client.get(f"/measures/{code}/edit")
    assert response.status_code == 200
    return form_values(response)


def test_form_shows_every_field_and_the_base_revision(client, editor, ctx):
    """The form has a control for every typed field and carries the revision it started from."""
    page = soup(client.get("/measures/M07/edit"))
    names = {f.get("name") for f in page.find_all(["input", "select", "textarea"])}
    assert names >= {"title", "field", "obligation", "legal_basis", "legal_deadline", "status",
                     "owner", "contact", "planned_start", "planned_end", "actual_start",
                     "actual_end", "progress", "requires", "tags", "body", "summary",
                     "base_revision", "csrf_token"}
    base = page.find("input", attrs={"name": "base_revision"})["value"]
    assert int(base) == Measure.by_code("M07").page.revision_count
    status = page.find("select", attrs={"name": "status"})
    assert status.find("option", selected=True).get_text() == "in Betrieb / Roll-out"
    assert page.find("input", attrs={"name": "requires", "value": "M06"}).has_attr("checked")
    assert page.find("input", attrs={"name": "requires", "value": "M07"}) is None


def test_unchanged_form_saves_the_same_metadata(client, editor, ctx):
    """Sending the form unchanged makes a revision with the same metadata."""
    before = Measure.by_code("M07").page.latest()
    response = client.post("/measures/M07/edit", data=edit_form(client))
    assert response.status_code == 302
    after = Measure.by_code("M07").page.latest()
    assert after.number == before.number + 1
    assert after.meta == before.meta
    assert after.body == before.body


def test_saving_changes_metadata_quarters_and_prerequisites(client, editor, ctx):
    """A save stores typed values: quarters become dates, prerequisites are replaced."""
    form = edit_form(client)
    form.update(status="done", progress="100", planned_end="2026-Q4", actual_end="2026-11-01",
                requires=["M06", "M13"], tags="dms e-akte", summary="Fertig",
                contact="k.becker")
    response = client.post("/measures/M07/edit", data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == "/measures/M07"
    measure = Measure.by_code("M07")
    assert (measure.status, measure.progress) == ("done", 100)
    assert measure.planned_end.isoformat() == "2026-12-31"
    assert sorted(m.code for m in measure.prerequisites()) == ["M06", "M13"]
    assert measure.contact.username == "k.becker"
    latest = measure.page.latest()
    assert latest.summary == "Fertig"
    assert latest.author.username == "editor"
    assert "gespeichert" in soup(client.get("/measures/M07")).find(id="live").get_text()


@pytest.mark.parametrize("typed, stored", [
    ({"planned_start": "1.4.2023", "planned_end": "31.12.2027"}, ("2023-04-01", "2027-12-31")),
    ({"planned_start": "Q2/2023", "planned_end": "4. Quartal 2027"}, ("2023-04-01", "2027-12-31")),
    ({"planned_start": "2023-Q2", "planned_end": "2. Halbjahr 2027"}, ("2023-04-01", "2027-12-31")),
    ({"planned_start": "2023-04-01", "planned_end": "2027 Q4"}, ("2023-04-01", "2027-12-31")),
])
def test_dates_as_people_write_them_are_taken(client, editor, ctx, typed, stored):
    """German dates and the ways quarters and half-years are written are read like ISO ones:
    a start is the period's first day, an end its last."""
    form = edit_form(client)
    form.update(typed)
    response = client.post("/measures/M07/edit", data=form)
    assert response.status_code == 302, soup(response).select_one(".error-summary")
    measure = Measure.by_code("M07")
    assert (measure.planned_start.isoformat(), measure.planned_end.isoformat()) == stored


def test_new_measure_is_created_and_links_to_it_are_no_longer_missing(client, editor, ctx):
    """Creating M15 saves it and re-renders pages whose [[M15]] link was missing."""
    form = form_values(client.get("/measures/new?code=M15"))
    assert form["code"] == "M15"
    client.post("/pages/new", data={"title": "Ausblick", "body": "Später: [[M15]]."})
    link = soup(client.get("/pages/ausblick")).find("a", class_="wikilink")
    assert "missing" in link["class"] and link["href"] == "/pages/new?title=M15"
    form.update(title="Digitale Bauakte", field="HF3", owner="FB 6", body="# Bauakte")
    response = client.post("/measures/new", data=form)
    assert response.status_code == 302
    assert Measure.by_code("M15").page.latest().number == 1
    link = soup(client.get("/pages/ausblick")).find("a", class_="wikilink")
    assert "missing" not in link["class"] and link["href"] == "/measures/M15"


BAD_EDITS = [
    ("title", "", "Titel fehlt."),
    ("title", "x" * 301, "Höchstens 300 Zeichen"),
    ("field", "", "Handlungsfeld fehlt."),
    ("field", "HF99", "Unbekanntes Handlungsfeld »HF99«."),
    ("obligation", "optional", "Unbekannte Verbindlichkeit »optional«"),
    ("legal_basis", "§" * 301, "Höchstens 300 Zeichen"),
    ("legal_deadline", "2023-Q5", "»2023-Q5« ist kein Datum"),
    ("status", "fertig", "Unbekannter Status »fertig«"),
    ("progress", "101", "Fortschritt muss eine ganze Zahl von 0 bis 100 sein."),
    ("progress", "-5", "Fortschritt muss eine ganze Zahl von 0 bis 100 sein."),
    ("progress", "viel", "Fortschritt muss eine ganze Zahl von 0 bis 100 sein."),
    ("owner", "o" * 301, "Höchstens 300 Zeichen"),
    ("contact", "niemand", "Unbekannte Person »niemand«."),
    ("planned_start", "2023-02-30", "»2023-02-30« ist kein Datum"),
    ("planned_end", "2022-Q4", "Geplantes Ende liegt vor dem geplanten Beginn."),
    ("actual_start", "bald", "»bald« ist kein Datum; bitte so schreiben: z. B. 31.12.2027"),
    ("actual_end", "2022-12-31", "Tatsächliches Ende liegt vor dem tatsächlichen Beginn."),
    ("requires", ["M99"], "Unbekannte Maßnahme: M99."),
    ("requires", ["X/1"], "Ungültiges Kürzel »X/1«"),
    ("requires", ["M05"], "Voraussetzungen ergeben einen Kreis: M05 → M07 → M05"),
    ("requires", ["M07"], "Voraussetzungen ergeben einen Kreis: M07 → M07"),
    ("tags", "a" * 501, "Zusammen höchstens 500 Zeichen erlaubt."),
    ("body", "<<<<<<< Ihre Fassung\na\n=======\nb\n>>>>>>> Gespeicherte Fassung",
     "Konfliktmarkierungen"),
]


def assert_field_error(response, name, message):
    """Check the 400 answer: the message beside the field, tied to it, summarised and focused."""
    assert response.status_code == 400
    page = soup(response)
    error = page.find(id=f"f-{name}-error")
    assert error is not None and message in error.get_text()
    control = page.find(id=f"f-{name}")
    assert control["aria-invalid"] == "true"
    assert f"f-{name}-error" in control.get("aria-describedby", "") or name == "requires"
    summary = page.find(class_="error-summary")
    assert summary["role"] == "alert"
    assert summary.find("a", href=f"#f-{name}") is not None
    assert [tag["id"] for tag in page.find_all(autofocus=True)] == [f"f-{name}"]
    return page


@pytest.mark.parametrize(("name", "value", "message"), BAD_EDITS)
def test_each_bad_value_is_refused_beside_its_field(client, editor, ctx, name, value, message):
    """A bad value gives 400, a German message at its field, everything typed kept, no change."""
    form = edit_form(client)
    form.update({name: value, "summary": "Meine Zusammenfassung"})
    before = state()
    response = client.post("/measures/M07/edit", data=form)
    page = assert_field_error(response, name, message)
    assert state() == before
    kept = form_values(response)
    assert kept["summary"] == "Meine Zusammenfassung"
    assert kept["body"] == form["body"]
    if name in ("title", "owner", "legal_basis", "tags", "progress", "planned_start"):
        assert kept[name] == value
    assert page.find("title").get_text().startswith("Fehler")


@pytest.mark.parametrize(("value", "message"), [
    ("", "Kürzel fehlt."),
    ("X/15", "Ungültiges Kürzel »X/15«"),
    ("M07", "Das Kürzel M07 ist schon vergeben."),
    ("m07", "Das Kürzel M07 ist schon vergeben."),
])
def test_new_measure_needs_a_free_valid_code(client, editor, ctx, value, message):
    """Creating refuses an empty, malformed or taken code."""
    form = form_values(client.get("/measures/new"))
    form.update(code=value, title="Neu", field="HF1", body="Text")
    before = (Measure.select().count(), Revision.select().count())
    assert_field_error(client.post("/measures/new", data=form), "code", message)
    assert (Measure.select().count(), Revision.select().count()) == before


def test_several_errors_focus_the_first_in_form_order(client, editor, ctx):
    """With several errors the summary lists them all and the first field gets the focus."""
    form = edit_form(client)
    form.update(tags="a" * 501, progress="200", title="")
    page = soup(client.post("/measures/M07/edit", data=form))
    links = [a["href"] for a in page.find(class_="error-summary").find_all("a")]
    assert links == ["#f-title", "#f-progress", "#f-tags"]
    assert [tag["id"] for tag in page.find_all(autofocus=True)] == ["f-title"]


def test_preview_button_renders_without_saving(client, editor, ctx):
    """The Vorschau button shows the rendered body and keeps everything, saving nothing."""
    form = edit_form(client)
    form.update(body="## Neu\n\nMit **Fett** und [[M06]].", action="preview", progress="80")
    before = state()
    response = client.post("/measures/M07/edit", data=form)
    assert response.status_code == 200
    preview = soup(response).find(id="preview")
    assert preview.find("strong").get_text() == "Fett"
    assert preview.find("a", class_="wikilink")["href"] == "/measures/M06"
    assert form_values(response)["progress"] == "80"
    assert state() == before


def test_preview_endpoint_answers_a_fragment(client, editor, ctx):
    """The live preview returns just the rendered body, inside an hx-disable region."""
    response = client.post("/preview", data={"body": "# Titel\n\n<script>x</script>[[Neu]]"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    content = soup(response).find(class_="content")
    assert content.has_attr("hx-disable")
    assert content.find("script") is None
    assert content.find("a", class_="missing")["href"] == "/pages/new?title=Neu"


def test_stale_base_merges_changes_that_do_not_overlap(client, editor, ctx):
    """A save on an old base gets 409 with both edits merged; saving that keeps both."""
    mine = edit_form(client)
    theirs = dict(mine, status="done", body="Erster Absatz neu.\n\n" + mine["body"])
    assert client.post("/measures/M07/edit", data=theirs).status_code == 302
    mine.update(progress="90", body=mine["body"] + "\n\nLetzter Absatz neu.", summary="Meins")
    before = state()
    response = client.post("/measures/M07/edit", data=mine)
    assert response.status_code == 409
    assert state() == before
    merged = form_values(response)
    assert merged["body"].startswith("Erster Absatz neu.")
    assert merged["body"].endswith("Letzter Absatz neu.")
    assert (merged["status"], merged["progress"], merged["summary"]) == ("done", "90", "Meins")
    assert int(merged["base_revision"]) == Measure.by_code("M07").page.revision_count
    conflict = soup(response).find(class_="conflict")
    assert "Status" in conflict.find("table").get_text()
    assert conflict.find("ins").get_text().strip() == "Erster Absatz neu."
    assert client.post("/measures/M07/edit", data=merged).status_code == 302
    measure = Measure.by_code("M07")
    assert (measure.status, measure.progress) == ("done", 90)
    body = measure.page.latest().body
    assert body.startswith("Erster Absatz neu.") and body.endswith("Letzter Absatz neu.")


def test_stale_base_with_overlapping_edits_shows_markers_and_refuses_them(client, editor, ctx):
    """Overlapping edits come back with markers and a marked field; markers cannot be saved."""
    mine = edit_form(client)
    theirs = dict(mine, progress="80", body="Ihre Zeile.\n" + mine["body"])
    client.post("/measures/M07/edit", data=theirs)
    mine.update(progress="85", body="Meine Zeile.\n" + mine["body"])
    response = client.post("/measures/M07/edit", data=mine)
    assert response.status_code == 409
    merged = form_values(response)
    assert merge.has_markers(merged["body"])
    assert "Meine Zeile." in merged["body"] and "Ihre Zeile." in merged["body"]
    assert merged["progress"] == "85"
    page = soup(response)
    assert "Konflikt" in page.find(id="f-progress").find_parent("p").get_text()
    before = state()
    response = client.post("/measures/M07/edit", data=merged)
    assert_field_error(response, "body", "Konfliktmarkierungen")
    assert state() == before
    merged["body"] = "Meine Zeile.\n" + mine["body"].split("\n", 1)[1]
    assert client.post("/measures/M07/edit", data=merged).status_code == 302


def test_reader_may_not_edit(client, demo, login, ctx):
    """A reader gets 403 on the form and on a save, and nothing changes."""
    login("reader")
    assert client.get("/measures/M07/edit").status_code == 403
    before = state()
    response = client.post("/measures/M07/edit", data={"title": "Gekapert", "body": "x",
                                                        "field": "HF3", "base_revision": "99"})
    assert response.status_code == 403
    assert client.post("/preview", data={"body": "x"}).status_code == 403
    assert state() == before
    assert soup(client.get("/measures/M07")).find("a", class_="editor-action") is None


def test_anonymous_get_goes_to_login_and_post_keeps_the_text(client, demo, ctx):
    """Without a session the form redirects to login; a posted form comes back with 401."""
    response = client.get("/measures/M07/edit")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/measures/M07/edit")
    before = state()
    response = client.post("/measures/M07/edit", data={"body": "Mein langer Text", "title": "T",
                                                        "requires": ["M06", "M13"]})
    assert response.status_code == 401
    assert state() == before
    page = soup(response)
    kept = [(t["name"], t.get_text()) for t in page.find_all("textarea")]
    assert ("body", "Mein langer Text") in kept
    assert ("requires", "M06") in kept and ("requires", "M13") in kept
    assert page.find("main").find("form")["action"] == "/measures/M07/edit"
    assert page.find("a", target="_blank")["href"] == "/login"
    assert client.post("/preview", data={"body": "x"},
                       headers={"HX-Request": "true"}).status_code == 401


def test_missing_csrf_token_is_refused_and_keeps_the_text(app, demo, csrf_client):  # noqa: F811
    """A save without the CSRF token gets 400, changes nothing and shows the text again."""
    make_user("editor")
    csrf_client.post("/login", data={"username": "editor", "password": PASSWORD,
                                     "csrf_token": token(csrf_client)})
    with app.app_context():
        before = state()
    response = csrf_client.post("/measures/M07/edit", data={"body": "Mein Text", "title": "T"},
                                headers={"Origin": "http://localhost"})  # sent from this site
    assert response.status_code == 400
    kept = {t["name"]: t.get_text() for t in soup(response).find_all("textarea")}
    assert kept["body"] == "Mein Text"
    with app.app_context():
        assert state() == before


def test_token_of_a_kept_form_survives_logging_in_again(app, demo, csrf_client):  # noqa: F811
    """The token of a form kept while logged out still works after logging in (in another tab)."""
    make_user("editor")
    old = token(csrf_client, "/login")
    csrf_client.post("/login", data={"username": "editor", "password": PASSWORD,
                                     "csrf_token": old})
    form = form_values(csrf_client.get("/measures/M07/edit"))
    form["csrf_token"] = old
    form["progress"] = "77"
    assert csrf_client.post("/measures/M07/edit", data=form).status_code == 302
    with app.app_context():
        assert Measure.by_code("M07").progress == 77


def test_presence_note_is_advisory(app, client, demo, login):
    """While Katrin has the form open, others see a note; they can still save."""
    with app.app_context():  # not around the requests: two users, two separate contexts
        make_user("kb", name="Katrin Becker")
    other = app.test_client()
    other.post("/login", data={"username": "kb", "password": PASSWORD})
    assert other.get("/measures/M07/edit").status_code == 200
    login("editor")
    note = soup(client.get("/measures/M07")).find(class_="presence-note")
    assert "Wird gerade bearbeitet von Katrin Becker" in note.get_text()
    page = soup(client.get("/measures/M07/edit"))
    assert "Katrin Becker" in page.find(class_="presence-note").get_text()
    heartbeat = page.find(id="presence")
    assert heartbeat["hx-trigger"] == "every 60s"
    response = client.post(heartbeat["hx-post"], headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Katrin Becker" in response.text
    assert client.post("/measures/M07/edit", data=edit_form(client)).status_code == 302
    assert other.post("/measures/M07/edit", data=edit_form(other)).status_code == 302
    with app.app_context():
        kb = User.by_name("kb")
        assert not EditPresence.select().where(EditPresence.user == kb).exists()


def test_presence_ends_on_cancel_and_is_shown_to_editors_only(app, client, demo, login):
    """Katrin opens the form: an editor sees the note, a reader and a visitor do not. Her
    "Abbrechen" (a button posting to the leave route) ends it at once; so does the beacon a
    closed tab sends; the page itself is not harmed by a hostile `next`."""
    with app.app_context():
        make_user("kb", name="Katrin Becker")
    katrin = app.test_client()
    katrin.post("/login", data={"username": "kb", "password": PASSWORD})
    form = soup(katrin.get("/measures/M07/edit"))
    assert form.find("form", class_="editor")["data-leave"] == "/presence/m07/leave"
    cancel = form.find("button", string="Abbrechen")
    assert cancel["formaction"] == "/presence/m07/leave?next=/measures/M07"
    assert soup(app.test_client().get("/measures/M07")).find(class_="presence-note") is None
    login("reader")
    assert soup(client.get("/measures/M07")).find(class_="presence-note") is None
    editor = app.test_client()
    make_user("ed", role="editor")
    editor.post("/login", data={"username": "ed", "password": PASSWORD})
    assert soup(editor.get("/measures/M07")).find(class_="presence-note") is not None
    left = katrin.post(cancel["formaction"], data=form_values_of(form))
    assert left.status_code == 303 and left.headers["Location"] == "/measures/M07"
    assert soup(editor.get("/measures/M07")).find(class_="presence-note") is None
    katrin.get("/measures/M07/edit")
    assert katrin.post("/presence/m07/leave").status_code == 204  # the beacon
    assert soup(editor.get("/measures/M07")).find(class_="presence-note") is None
    katrin.get("/measures/M07/edit")
    away = katrin.post("/presence/m07/leave?next=https://evil.example/")
    assert away.status_code == 303 and away.headers["Location"] == "/"
    assert katrin.post("/presence/gibt-es-nicht/leave").status_code == 204
    assert client.post("/presence/m07/leave").status_code == 403  # readers edit nothing


def form_values_of(page):
    """Return the hidden and text values of a parsed edit form (enough to post it)."""
    return {field["name"]: field.get("value", "") for field in
            page.find("form", class_="editor").find_all("input") if field.get("name")}


def test_editor_sees_edit_and_new_links(client, editor, ctx):
    """Editors get the edit button on a measure and the new links on the start page."""
    button = soup(client.get("/measures/M07")).find("a", class_="editor-action")
    assert button["href"] == "/measures/M07/edit"
    links = {a["href"] for a in soup(client.get("/")).find_all("a", class_="editor-action")}
    assert {"/measures/new", "/pages/new"} <= links


def test_cycle_check_leaves_the_graph_alone(client, editor, ctx):
    """A refused cycle changes no dependency."""
    edges = sorted(Dependency.edges())
    form = edit_form(client, "M06")
    form["requires"] = ["M08"]
    response = client.post("/measures/M06/edit", data=form)
    assert response.status_code == 400
    assert "M06 → M07 → M08 → M06" in soup(response).find(id="f-requires-error").get_text() or (
        "Kreis" in soup(response).find(id="f-requires-error").get_text())
    assert sorted(Dependency.edges()) == edges


def test_kept_form_never_echoes_a_password(client, demo):
    """A form posted without a session comes back without any password field."""
    response = client.post("/account/password", data={"current_password": "geheim-alt",
                                                       "new_password": "geheim-neu-123"})
    assert response.status_code == 401
    assert "geheim" not in response.text


def test_a_conflict_shows_dates_as_the_app_does(client, editor, ctx):
    """The table of what others changed shows a moved planned end as 31.12.2027."""
    mine = edit_form(client)
    theirs = dict(mine, planned_end="31.12.2027")
    assert client.post("/measures/M07/edit", data=theirs).status_code == 302
    response = client.post("/measures/M07/edit", data=dict(mine, body=mine["body"] + "\n\nX"))
    assert response.status_code == 409
    table = soup(response).select_one("section.conflict table").get_text(" ")
    assert "31.12.2027" in table and "2027-12-31" not in table
