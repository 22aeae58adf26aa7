"""Report rounds in a real browser: axe, the admin form, conflicts, the council report's PDF."""
import os
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, VIEWPORT, make_live_app, serving
from wiki.models import ActionField, Measure, ReportRound

pytestmark = pytest.mark.browser

FIELDS_WITH_MEASURES = ["HF1", "HF2", "HF3", "HF4", "HF5", "HF6"]
INTRO = "Bitte bis Mitte Juli berichten ([[M07]])."
SITE_TEXTS = ["Hauptnavigation", "Abmelden", "Anmelden", "Erklärung zur Barrierefreiheit",
              "Zur Berichtsrunde", "Suchen"]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """Return an app of its own for this module: these tests create and change rounds."""
    return make_live_app(tmp_path_factory.mktemp("rounds"), secret="browser-rounds")


@pytest.fixture(scope="module")
def live_server(live_app):
    """Serve this module's app on a free port."""
    with serving(live_app) as url:
        yield url


@pytest.fixture
def shots(tmp_path_factory):
    """Return the folder for screenshots: $FAHRPLAN_SCREENSHOTS, else a temporary one."""
    folder = os.environ.get("FAHRPLAN_SCREENSHOTS") or str(tmp_path_factory.getbasetemp())
    os.makedirs(folder, exist_ok=True)
    return folder


@pytest.fixture
def admin_tab(browser, live_server):
    """Return a function that opens a new browser context logged in as the admin."""
    contexts = []

    def open_tab():
        context = browser.new_context(base_url=live_server, viewport=VIEWPORT, locale="de-DE")
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = context.new_page()
        tab.goto("/login")
        tab.get_by_label("Benutzername").fill("admin")
        tab.get_by_label("Passwort").fill(PASSWORD)
        tab.get_by_role("button", name="Anmelden").click()
        tab.wait_for_load_state()
        return tab

    yield open_tab
    for context in contexts:
        context.close()


@pytest.mark.parametrize("name, url", [
    ("rounds", "/reports"),
    ("round", "/reports/2026-q3"),
    ("council", "/reports/2024-q2/council"),
])
def test_round_pages_have_no_axe_violations(page, axe, shots, name, url):
    """The list, a round page and the council report pass axe; a screenshot is kept."""
    page.goto(url)
    expect(page.locator("h1")).to_be_visible()
    axe(page)
    page.screenshot(path=os.path.join(shots, f"rounds-{name}.png"), full_page=True)


def test_round_page_leads_to_the_measure_report(page):
    """From the round page a click opens the report on the measure page."""
    page.goto("/reports/2024-q2")
    page.locator("#entry-M07").get_by_role("link", name="Bericht lesen (M07)").click()
    expect(page).to_have_url(re.compile(r"/measures/M07#report-\d+$"))
    report = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"#{report}")).to_contain_text("2. Quartal 2024")


def test_markdown_download(page):
    """The Markdown link downloads a file named after the round."""
    page.goto("/reports/2024-q2")
    with page.expect_download() as info:
        page.get_by_role("link", name="Ratsbericht als Markdown").click()
    download = info.value
    assert download.suggested_filename == "ratsbericht-2024-q2.md"
    with open(download.path(), encoding="utf-8") as file:
        text = file.read()
    assert text.startswith("# Sachstandsbericht 2024/II\n")


def test_admin_creates_a_round_after_fixing_errors(admin_tab, axe, shots):
    """Bad period and date are refused with messages at the fields; fixed, the round is saved."""
    tab = admin_tab()
    tab.goto("/reports")
    tab.get_by_role("link", name="Neue Berichtsrunde").click()
    axe(tab)
    tab.get_by_label("Titel").fill("Sachstandsbericht 2025/II")
    tab.get_by_label("Adresse").fill("2025-q2")
    tab.get_by_label("Zeitraum").fill("2025/II")
    tab.get_by_label("Fällig am").fill("15.7.25")
    tab.get_by_label("Einleitung").fill(INTRO)
    tab.get_by_role("button", name="Speichern").click()
    tab.wait_for_load_state()
    expect(tab.locator(".error-summary")).to_contain_text("Zeitraum")
    expect(tab.locator("#f-period-error")).to_contain_text("z. B. 4. Quartal 2027")
    expect(tab.locator("#f-due_date-error")).to_contain_text("z. B. 15.07.2024 oder 2024-07-15")
    expect(tab.get_by_label("Zeitraum")).to_be_focused()
    expect(tab.get_by_label("Einleitung")).to_have_value(INTRO)
    assert ReportRound.by_slug("2025-q2") is None
    axe(tab)
    tab.screenshot(path=os.path.join(shots, "rounds-form-errors.png"), full_page=True)
    tab.get_by_label("Zeitraum").fill("2. Quartal 2025")  # as people write it
    tab.get_by_label("Fällig am").fill("15.07.2025")
    tab.get_by_role("button", name="Speichern").click()
    expect(tab).to_have_url(re.compile(r"/reports/2025-q2$"))
    expect(tab.locator("#live")).to_contain_text("Berichtsrunde „Sachstandsbericht 2025/II“ "
                                                 "gespeichert.")
    expect(tab.locator(".round-intro a")).to_have_attribute("href", "/measures/M07")
    axe(tab)


def test_two_admins_edit_one_round(admin_tab, axe, shots):
    """The second save against the same version gets the conflict page with both texts."""
    first, second = admin_tab(), admin_tab()
    first.goto("/reports/2022-q4/edit")
    second.goto("/reports/2022-q4/edit")
    first.get_by_label("Titel").fill("Sachstandsbericht 2022/IV (Rat)")
    first.get_by_role("button", name="Speichern").click()
    expect(first.locator("#live")).to_contain_text("gespeichert")
    second.get_by_label("Einleitung").fill("Meine neue Einleitung.")
    second.get_by_role("button", name="Speichern").click()
    second.wait_for_load_state()
    expect(second.locator("h2#conflict-title")).to_have_text("Bearbeitungskonflikt")
    expect(second.locator(".conflict-saved")).to_contain_text("Sachstandsbericht 2022/IV (Rat)")
    expect(second.get_by_label("Einleitung")).to_have_value("Meine neue Einleitung.")
    axe(second)
    second.screenshot(path=os.path.join(shots, "rounds-conflict.png"), full_page=True)
    assert ReportRound.by_slug("2022-q4").title == "Sachstandsbericht 2022/IV (Rat)"
    second.get_by_label("Titel").fill("Sachstandsbericht 2022/IV (Rat)")
    second.get_by_role("button", name="Speichern").click()
    expect(second).to_have_url(re.compile(r"/reports/2022-q4$"))
    saved = ReportRound.by_slug("2022-q4")
    assert (saved.title, saved.body, saved.version) == (
        "Sachstandsbericht 2022/IV (Rat)", "Meine neue Einleitung.", 3)


def pdf_pages(path):
    """Return the text of each page of a PDF, as pdftotext reads it."""
    if shutil.which("pdftotext") is None:
        message = "pdftotext fehlt: apt-get install poppler-utils"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    count = int(re.search(r"^Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", path], capture_output=True, text=True, check=True).stdout, re.M)[1])
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", path, "-"],
                           capture_output=True, text=True, check=True).stdout
            for n in range(1, count + 1)]


@pytest.mark.parametrize("slug", ["2024-q2", "2026-q3"])
def test_council_report_prints_one_field_per_page(page, shots, slug):
    """On A4 the cover and contents come first, then each action field from a page of its own."""
    page.goto(f"/reports/{slug}/council")
    path = os.path.join(shots, f"council-{slug}.pdf")
    page.pdf(path=path, format="A4")
    pages = pdf_pages(path)
    fields = [field for field in ActionField.ordered() if Measure.in_field(field).exists()]
    assert [field.code for field in fields] == FIELDS_WITH_MEASURES
    assert len(pages) >= len(fields) + 1
    firsts = [next((line.strip() for line in text.splitlines() if line.strip()), "")
              for text in pages]
    assert firsts[0].startswith("E-Government-Strategie")
    starts = [n for n, first in enumerate(firsts) if re.match(r"HF\d ", first)]
    assert [firsts[n].split()[0] for n in starts] == FIELDS_WITH_MEASURES
    assert starts[0] >= 1
    for field, start, end in zip(fields, starts, [*starts[1:], len(pages)], strict=True):
        body = "\n".join(pages[start:end])
        assert body.startswith(pages[start]) and field.title.split()[0] in firsts[start]
        for measure in Measure.in_field(field):
            assert f"{measure.code} {measure.title.split()[0]}" in body, measure.code
    everything = "\n".join(pages)
    for text in SITE_TEXTS:
        assert text not in everything
    assert "Inhalt" in pages[0]
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", path,
                        os.path.join(shots, f"council-{slug}")], check=True)
