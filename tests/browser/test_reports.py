"""Status reports in a real browser: write one, see it everywhere, edit it, two editors at once."""
import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import USERS, make_live_app, serving
from wiki.models import Measure, ReportVersion, StatusReport

pytestmark = pytest.mark.browser

EDITORS = {"katrin": "Katrin Becker", "thomas": "Thomas Schmitz"}
TODAY = datetime.date.today()


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """Return an app of its own for this module: these tests write reports on M07."""
    people = {**{name: ("editor", full) for name, full in EDITORS.items()}, **USERS}
    return make_live_app(tmp_path_factory.mktemp("reports"), people, "browser-reports")


@pytest.fixture(scope="module")
def live_server(live_app):
    """Serve this module's app on a free port."""
    with serving(live_app) as url:
        yield url


def save(tab):
    """Press the save button and wait for the answer."""
    tab.get_by_role("button", name="Speichern").click()
    tab.wait_for_load_state()


def test_an_editor_writes_a_report_and_it_shows_everywhere(open_as, axe, tmp_path_factory):
    """Katrin reports on M07 for 2026-Q3: measure page, architecture card and round page show it."""
    tab = open_as("katrin")
    tab.goto("/measures/M07")
    tab.get_by_role("link", name="Neuer Sachstandsbericht").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(
        "Neuer Sachstandsbericht zu M07")
    axe(tab)
    tab.get_by_label("Berichtszeitraum").fill("2026-Q3")
    tab.get_by_label("Fortschritt (%)").fill("140")
    save(tab)  # refused: no light, progress too high; the text stays
    expect(tab.locator(".error-summary")).to_contain_text("Ampel")
    expect(tab.locator("#f-progress-error")).to_contain_text("0 bis 100")
    expect(tab.locator("#f-body-error")).to_contain_text("Berichtstext fehlt")
    axe(tab)
    tab.screenshot(path=str(tmp_path_factory.getbasetemp() / "report-errors.png"),
                   full_page=True)
    tab.get_by_label("Fortschritt (%)").fill("78")
    tab.get_by_label("gelb").check()
    tab.get_by_label("Status").select_option(label="in Betrieb / Roll-out")
    tab.locator("#f-body").fill("Weitere **fünf Einheiten** arbeiten mit der E-Akte.")
    expect(tab.locator("#preview strong")).to_have_text("fünf Einheiten")
    save(tab)
    expect(tab.locator("#live")).to_contain_text("Sachstandsbericht 2026-Q3 gespeichert")
    first = tab.locator("#reports article.report").first
    expect(first).to_contain_text("fünf Einheiten arbeiten")
    expect(first).to_contain_text("Ampel: gelb")
    expect(first).to_contain_text("Berichtet von Katrin Becker")
    expect(tab.locator(".facts")).to_contain_text("78 %")
    tab.screenshot(path=str(tmp_path_factory.getbasetemp() / "report-measure.png"),
                   full_page=True)

    tab.goto("/architecture")
    card = tab.locator("article.measure-card", has=tab.locator("#card-M07"))
    expect(card).to_contain_text("in Betrieb / Roll-out")
    expect(card.locator(".progress-value")).to_have_text("78 %")

    tab.goto("/reports/2026-q3")
    row = tab.locator("tr, article, li", has_text="fünf Einheiten").last
    expect(row).to_be_visible()


def test_editing_keeps_the_old_version_in_history(open_as, axe):
    """Thomas corrects the report; its history lists both versions and the diff shows why."""
    tab = open_as("thomas")
    report = StatusReport.of(Measure.by_code("M07")).first()
    tab.goto("/measures/M07")
    tab.locator(f"#report-{report.id}").get_by_role("link", name="Bearbeiten").click()
    axe(tab)
    tab.locator("#f-body").fill(report.body + "\n\nKorrektur: es sind sechs Einheiten.")
    tab.get_by_label("Zusammenfassung der Änderung (optional)").fill("Zahl korrigiert")
    save(tab)
    expect(tab.locator("#live")).to_contain_text("gespeichert")
    tab.locator(f"#report-{report.id}").get_by_role("link", name="2 Versionen").click()
    rows = tab.locator(".history-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Zahl korrigiert")
    axe(tab)
    tab.get_by_role("link", name="Vergleich mit vorheriger").click()
    expect(tab.locator(".diff-body ins")).to_contain_text("sechs Einheiten")
    axe(tab)
    tab.goto(f"/measures/M07/reports/{report.id}/versions/1")
    expect(tab.locator("main section.report")).not_to_contain_text("Korrektur")
    axe(tab)
    assert [v.number for v in ReportVersion.of(report)] == [2, 1]


def test_two_editors_edit_one_report(open_as, axe, tmp_path_factory):
    """Katrin and Thomas edit the same report; Thomas gets the conflict page with both texts."""
    report = StatusReport.of(Measure.by_code("M07")).first()
    url = f"/measures/M07/reports/{report.id}/edit"
    katrin, thomas = open_as("katrin"), open_as("thomas")
    katrin.goto(url)
    thomas.goto(url)
    katrin.locator("#f-body").fill("Vorbemerkung von Katrin.\n\n" + report.body)
    thomas.locator("#f-body").fill(report.body + "\n\nNachsatz von Thomas.")
    thomas.get_by_label("rot").check()
    save(katrin)
    expect(katrin.locator("#live")).to_contain_text("gespeichert")
    save(thomas)
    expect(thomas.locator("h2#conflict-title")).to_have_text("Bearbeitungskonflikt")
    merged = thomas.locator("#f-body").input_value()
    assert "Vorbemerkung von Katrin." in merged and "Nachsatz von Thomas." in merged
    expect(thomas.get_by_label("rot")).to_be_checked()
    axe(thomas)
    thomas.screenshot(path=str(tmp_path_factory.getbasetemp() / "report-conflict.png"),
                      full_page=True)
    save(thomas)
    expect(thomas.locator("#live")).to_contain_text("gespeichert")
    saved = StatusReport.get_by_id(report.id)
    assert "Vorbemerkung von Katrin." in saved.body and "Nachsatz von Thomas." in saved.body
    assert saved.traffic_light == "red"


def test_reports_list_passes_axe(page, axe):
    """The list of a measure's reports passes axe for an anonymous reader."""
    page.goto("/measures/M07/reports")
    expect(page.locator("article.report").first).to_be_visible()
    axe(page)


def test_a_list_typed_as_in_an_email_is_a_list(open_as, axe):
    """Katrin types her report as she writes e-mails: a line, then "- …" items, one nested by
    two spaces. The preview and the saved report show lists, not one run-on paragraph."""
    tab = open_as("katrin")
    tab.goto("/measures/M05/reports/new")
    body = tab.locator("#f-body")
    body.click()
    tab.keyboard.type("Erledigt im 4. Quartal:\n- Ausschreibung veröffentlicht\n"
                      "  - Los 1 vergeben\n- Schulung geplant\n1) Termin finden\n")
    preview = tab.locator("#preview")
    expect(preview.locator("p").first).to_have_text("Erledigt im 4. Quartal:")
    expect(preview.locator("ul > li")).to_have_count(3)
    expect(preview.locator("ul > li > ul > li")).to_have_text(["Los 1 vergeben"])
    expect(preview.locator("ol > li")).to_have_text(["Termin finden"])
    tab.get_by_label("Berichtszeitraum").fill("2026-Q2")
    tab.get_by_label("grün").check()
    save(tab)
    report = tab.locator("#reports article.report").first
    expect(report.locator("ul > li > ul > li")).to_have_text(["Los 1 vergeben"])
    expect(report.locator("p", has_text="Ausschreibung")).to_have_count(0)
    axe(tab)
