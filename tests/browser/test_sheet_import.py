"""The sheet import in a real browser: a bad row shown by row and column, then a good import."""
import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import make_live_app, serving
from tests.test_sheet_import import GERMAN, xlsx

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """Return an app of its own for this module: the import adds measures."""
    return make_live_app(tmp_path_factory.mktemp("sheets"), secret="browser-sheets")


@pytest.fixture(scope="module")
def live_server(live_app):
    """Serve this module's app on a free port."""
    with serving(live_app) as url:
        yield url


def test_import_with_a_bad_row_then_a_good_file(page, login, axe, tmp_path):
    """The preview names the bad cell, passes axe; a good file is then imported."""
    shots = os.environ.get("FAHRPLAN_SCREENSHOTS") or str(tmp_path)
    bad, good = tmp_path / "liste.xlsx", tmp_path / "korrigiert.xlsx"
    rows = [["M90", "Bürgerportal", "HF1", "in Umsetzung", "Q4/2027", "M01"],
            ["M91", "Terminbuchung", "Digitale Verwaltungsleistungen für Bürgerschaft und "
                                     "Wirtschaft", "geplant", "31.12.2027", "M90"]]
    bad.write_bytes(xlsx(GERMAN, rows[0], [*rows[1][:4], "irgendwann", "M90"]))
    good.write_bytes(xlsx(GERMAN, *rows))
    login("admin")
    page.goto("/admin/")
    page.get_by_role("link", name="Maßnahmen aus Tabelle importieren").click()
    page.screenshot(path=os.path.join(shots, "sheet-upload-1366.png"), full_page=True)
    page.get_by_label("Tabelle (XLSX oder CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Datei prüfen").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("1 Fehler")
    expect(summary.get_by_role("link")).to_have_text(
        "Zeile 3, Spalte E (Geplantes Ende): Ungültiges Datum »irgendwann«; erwartet z. B. "
        "31.12.2027, 2027-12-31, Q4/2027 oder 1. Halbjahr 2027.")
    expect(page.locator("#zeile-3-4")).to_contain_text("Fehler: Ungültiges Datum")
    expect(page.get_by_label("Spalte D »Status«")).to_have_value("status")
    axe(page)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=os.path.join(shots, f"sheet-preview-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_role("button", name="Übernehmen").click()
    expect(page.locator(".error-summary")).to_be_focused()
    page.get_by_role("link", name="Andere Datei wählen").click()
    page.get_by_label("Tabelle (XLSX oder CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Datei prüfen").click()
    expect(page.locator(".sheet-ok")).to_be_visible()
    page.get_by_role("button", name="Übernehmen").click()
    expect(page).to_have_url(re.compile(r"/measures$"))
    expect(page.locator(".flash-success")).to_contain_text("2 angelegt, 0 aktualisiert")
    expect(page.get_by_role("link", name="Terminbuchung")).to_be_visible()
