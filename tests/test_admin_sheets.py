"""The sheet import in the browser: upload, preview with every problem, apply all or nothing."""
import io

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from tests.test_sheet_import import GERMAN, PDF, state, xlsx
from wiki.exchange import columns
from wiki.models import AuditEntry, Measure

BAD_ROW = ["M91", "Zweite", "HF1", "fertig", "irgendwann", ""]


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def upload(client, data, name="liste.xlsx"):
    """Post a file to the upload form."""
    return client.post("/admin/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def form_of(page, **changes):
    """Return the mapping form's fields as the browser would send them, with changes."""
    form = page.find("form", class_="sheet-form")
    fields = {field["name"]: field.get("value", "") for field in form.find_all("input")}
    for select in form.find_all("select"):
        chosen = select.find("option", selected=True)
        fields[select["name"]] = chosen["value"] if chosen else ""
    return {**fields, **changes}


@pytest.mark.parametrize("role, status", [(None, 302), ("editor", 403), ("admin", 200)])
def test_only_admins_import(client, login, demo, role, status):
    """Anonymous visitors go to the login, editors are refused, admins see the form."""
    if role:
        login(role)
    response = client.get("/admin/import")
    assert response.status_code == status
    if role == "admin":
        field = soup(response).find("input", type="file")
        assert field["accept"] == ".xlsx,.csv" and field["id"] == "f-file"
        assert soup(response).find("a", href="/admin/import/template.xlsx")
        assert soup(client.get("/admin/")).find("a", href="/admin/import")


@pytest.mark.parametrize("data, name, status, message", [
    (PDF, "plan.pdf", 415, "Die Datei ist ein PDF, keine Tabelle"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "bild.png", 415, "keine Tabelle im Format XLSX"),
    (xlsx(GERMAN), "leer.xlsx", 400, "keine Zeilen unter der Kopfzeile"),
])
def test_a_file_that_is_no_sheet(client, login, demo, data, name, status, message):
    """A file that is no sheet (or an empty one) gets the form again with a German message."""
    login("admin")
    response = upload(client, data, name)
    assert response.status_code == status
    assert message in soup(response).find(class_="error-summary").text


def test_preview_apply_and_mapping(client, login, demo):
    """The preview names each problem by row and column; nothing is saved until all is well."""
    admin = login("admin")
    sheet = xlsx(GERMAN, ["M90", "Erste", "HF1", "geplant", "Q4/2027", ""], BAD_ROW)
    response = upload(client, sheet)
    assert response.status_code == 200
    page = soup(response)
    summary = page.find(class_="error-summary")
    assert "2 Fehler" in summary.h2.text
    links = [(a["href"], a.text) for a in summary.find_all("a")]
    assert links[0] == ("#zeile-3-3", "Zeile 3, Spalte D (Status): Unbekannter Status "
                                      "»fertig«; erlaubt: »geplant«, »in Vorbereitung«, »in "
                                      "Umsetzung«, »in Betrieb / Roll-out«, »abgeschlossen«, "
                                      "»zurückgestellt«, »eingestellt«.")
    assert links[1][0] == "#zeile-3-4"
    cell = page.find(id="zeile-3-4")
    assert "sheet-error" in cell["class"] and "Fehler: Ungültiges Datum" in cell.text
    assert page.find(id="zeile-2-4").text == "31.12.2027"  # the cleaned value
    assert page.find("label", attrs={"for": "map-3"}).text == "Spalte D »Status«"
    assert page.find("table").caption and page.find("th", scope="row")
    before = state()
    form = form_of(page, action="apply")
    response = client.post("/admin/import/apply", data=form, content_type="multipart/form-data")
    assert response.status_code == 400 and state() == before
    assert soup(response).find(class_="error-summary").has_attr("autofocus")
    # Not taking the two bad columns leaves only good values: the preview, then the import.
    form.update({"column-3": "", "column-4": "", "action": "preview"})
    response = client.post("/admin/import/apply", data=form, content_type="multipart/form-data")
    assert response.status_code == 200 and not soup(response).find(class_="error-summary")
    assert state() == before
    response = client.post("/admin/import/apply", data={**form, "action": "apply"},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and response.location == "/measures"
    flashed = soup(client.get("/measures")).text
    assert "Aus der Tabelle: 2 angelegt, 0 aktualisiert, 0 unverändert." in flashed
    measure = Measure.get(Measure.code == "M91")
    assert measure.page.latest().author_id == admin.id and measure.status == "planned"
    assert AuditEntry.select().where(AuditEntry.action == "measures.import").count() == 1


@pytest.mark.parametrize("carried", ["", "nicht base64!", "eJwDAAAAAAE="])
def test_a_tampered_sheet_is_refused(client, login, demo, carried):
    """A hidden sheet that is missing, broken or empty is refused; nothing is saved."""
    login("admin")
    before = state()
    response = client.post("/admin/import/apply", data={
        "sheet": carried, "column-0": "code", "action": "apply"},
        content_type="multipart/form-data")
    assert response.status_code == 400 and state() == before
    assert soup(response).find(class_="error-summary")


def test_template(client, login, demo):
    """The template is a workbook with the German headers, typed, its header frozen."""
    login("admin")
    response = client.get("/admin/import/template.xlsx")
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [cell.value for cell in sheet[1]] == list(columns.HEADERS.values())
    assert sheet.freeze_panes == "A2"
