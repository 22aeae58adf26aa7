"""Files as staff work with them, in Chromium: upload a PDF and a PNG to M07, embed the image
(refused without alternative text), see it in the preview and the page, find the PDF by a word of
its text, upload version 2 and restore version 1 by keyboard; what is refused; axe on every page
type of files, wide and narrow."""
import os
import re
import shlex
import sys

import pytest
from playwright.sync_api import expect

from tests import file_samples
from tests.browser.conftest import make_live_app, serving

pytestmark = pytest.mark.browser

PDF_WORD = "Zuständigkeitsverlagerung"
LONG_NAME = "Übersicht mit einem recht langen Dateinamen März 2027.pdf"


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """Return an app of its own for this module: these tests store files."""
    return make_live_app(tmp_path_factory.mktemp("files"), secret="browser-files")


@pytest.fixture(scope="module")
def live_server(live_app):
    """Serve this module's app on a free port."""
    with serving(live_app) as url:
        yield url


def upload(page, url, *named, comment=""):
    """Choose files (name, bytes, type) in the plain file input and press "Hochladen"."""
    page.goto(url)
    page.get_by_label("Dateien", exact=True).set_input_files(
        [{"name": name, "mimeType": mime, "buffer": data} for name, data, mime in named])
    if comment:
        page.get_by_label("Kommentar (optional)").fill(comment)
    with page.expect_response(lambda answer: answer.request.method == "POST"):
        page.get_by_role("button", name="Hochladen").click()  # htmx sends it
    expect(page.locator("#file-area .flash-success, #file-area .error-summary")).to_be_visible()


def body_with(page, extra):
    """Append a line to M07's body in the editor, as typed."""
    body = page.locator("#f-body")
    body.fill(body.input_value() + "\n\n" + extra)


def test_staff_upload_embed_find_and_restore(page, login, axe):
    """The whole way: upload, embed (alt text required), preview, page, search, versions."""
    login("editor")
    upload(page, "/measures/M07/files",
           ("Ratsbeschluss.pdf", file_samples.pdf(f"Der Rat beschließt die {PDF_WORD}"),
            "application/pdf"),
           ("roadmap.png", file_samples.png(1200, 800), "image/png"), comment="Ratssitzung")
    expect(page.locator(".flash-success").first).to_contain_text("gespeichert")
    rows = page.locator("table.files tbody th a")
    expect(rows).to_have_text(["Ratsbeschluss.pdf", "roadmap.png"])

    page.goto("/measures/M07/edit")
    body_with(page, "![](datei:roadmap.png)")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("braucht einen Alternativtext")
    body = page.locator("#f-body")
    body.fill(body.input_value().replace("![](datei:roadmap.png)",
                                         "![Zeitplan der Einführung](datei:roadmap.png) "
                                         "und [der Beschluss](datei:Ratsbeschluss.pdf)"))
    preview = page.locator("#preview img[alt='Zeitplan der Einführung']")
    expect(preview).to_be_visible()
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()

    page.goto("/measures/M07")
    image = page.locator(".content a.file-image img")
    expect(image).to_have_attribute("alt", "Zeitplan der Einführung")
    assert image.get_attribute("width") and image.get_attribute("height")
    assert "/variants/" in image.get_attribute("src")
    image.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('.content a.file-image img').complete")
    assert image.evaluate("img => img.naturalWidth") > 0  # not a broken image
    link = page.locator(".content a.file-link", has_text="der Beschluss")
    expect(link).to_have_attribute("href", "/measures/M07/files/Ratsbeschluss.pdf")
    expect(page.locator("section.attachments")).to_contain_text("Ratsbeschluss.pdf")
    axe(page)

    page.goto(f"/search?q={PDF_WORD}")
    hit = page.locator("ol.search-hits li a").first
    expect(hit).to_contain_text("Ratsbeschluss.pdf – M07")
    expect(hit).to_have_attribute("href", "/measures/M07/files/Ratsbeschluss.pdf")

    upload(page, "/measures/M07/files",
           ("Ratsbeschluss.pdf", file_samples.pdf("Neue Fassung"), "application/pdf"),
           comment="Zweite Fassung")
    page.goto("/measures/M07/files/Ratsbeschluss.pdf/versions")
    restore = page.locator("tbody tr", has_text="Zweite").locator("xpath=following-sibling::tr[1]")
    restore = restore.get_by_role("button", name=re.compile("Wiederherstellen"))
    restore.focus()
    page.keyboard.press("Enter")  # by keyboard
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_contain_text("jetzt Version 3")
    expect(page.locator("tbody tr").first).to_contain_text("Version 3")
    page.goto(f"/search?q={PDF_WORD}")
    expect(page.locator("ol.search-hits li a").first).to_contain_text("Ratsbeschluss.pdf")


def test_a_missing_file_shows_as_a_link_not_a_broken_image(page, login):
    """A name without a file is a visible "Datei fehlt" link to the file list."""
    login("editor")
    page.goto("/pages/leitbild/edit")
    body_with(page, "![Lageplan](datei:gibt-es-nicht.png)")
    expect(page.locator("#preview a.file-missing")).to_contain_text("Datei fehlt")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    missing = page.locator(".content a.file-missing")
    expect(missing).to_contain_text("Datei fehlt: gibt-es-nicht.png")
    expect(missing).to_have_attribute("href", "/pages/leitbild/files")
    assert page.locator(".content img").count() == 0


@pytest.mark.parametrize("name, data, mime, says", [
    ("bericht.pdf", file_samples.exe(), "application/pdf", "Windows-Programm"),
    ("seite.html", file_samples.html(), "text/html", "HTML-Seite"),
    ("grafik.svg", file_samples.svg_with_script(), "image/svg+xml", "SVG-Grafik"),
    ("../../x.pdf", file_samples.exe(), "application/pdf", "x.pdf"),
])
def test_dangerous_files_are_refused_with_a_reason(page, login, name, data, mime, says):
    """A renamed program, an HTML page and a scripted SVG are refused, saying what they are."""
    login("editor")
    upload(page, "/pages/leitbild/files", (name, data, mime))
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Nichts wurde gespeichert")
    expect(summary).to_contain_text(says)
    expect(page.locator("#f-file")).to_have_attribute("aria-invalid", "true")
    assert page.recorder.dialogs == []


def test_a_stored_table_with_markup_runs_nothing(page, login):
    """A CSV holding markup (a text file with it is refused as HTML) is stored, listed under
    its escaped name and served as a sandboxed attachment: nothing runs anywhere."""
    login("editor")
    name = "<img src=x onerror=alert(1)>.csv"
    upload(page, "/pages/leitbild/files",
           (name, b"Titel;Text\nA;<img src=x onerror=alert(2)>\n",
            "text/csv"))
    expect(page.locator("table.files")).to_contain_text("onerror")
    link = page.locator("table.files tbody th a").first.get_attribute("href")
    response = page.request.get(link)
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["x-content-type-options"] == "nosniff"
    page.goto(link + "/versions")
    expect(page.locator("h1")).to_contain_text("onerror")
    page.goto("/pages/leitbild/files")
    assert page.recorder.dialogs == []


@pytest.mark.parametrize("width", [1366, 390])
def test_file_pages_pass_axe(page, login, axe, live_app, width):
    """The file list, a file's versions, the admins' overview and the purge question pass axe,
    wide and narrow, without sideways scrolling."""
    login("admin")
    upload(page, "/measures/M03/files",
           (LONG_NAME, file_samples.pdf("Übersicht"), "application/pdf"),
           ("alt.txt", b"alt\n", "text/plain"))
    page.locator("form[action$='/alt.txt/delete'] button").click()
    page.wait_for_load_state()
    page.goto("/admin/files")
    purge = page.locator("table.admin-deleted-files a[href$='/purge']").first
    purge = purge.get_attribute("href")
    urls = ["/measures/M03/files",
            f"/measures/M03/files/{LONG_NAME}/versions",
            "/admin/files", purge]
    page.set_viewport_size({"width": width, "height": 900})
    for url in urls:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        folder = os.environ.get("FAHRPLAN_SCREENSHOTS")
        if folder:
            name = url.strip("/").split("?")[0].replace("/", "-")[:60]
            page.screenshot(path=os.path.join(folder, f"files-{name}-{width}.png"),
                            full_page=True)
        axe(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url


def drop_files(page, selector, named):
    """Drop files (name, text) onto an element, as a file manager's drag and drop does."""
    transfer = page.evaluate_handle("""(named) => {
        const transfer = new DataTransfer();
        for (const [name, text] of named) {
            transfer.items.add(new File([text], name, {type: "text/plain"}));
        }
        return transfer;
    }""", named)
    page.dispatch_event(selector, "dragover", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_drop_several_files_and_watch_them_upload(page, login):
    """Files dropped on the field are chosen; htmx sends them with a progress bar; the list and
    a spoken success message come back without a new page, and nothing waits to be flashed."""
    login("editor")
    page.goto("/measures/M05/files")
    page.evaluate("""() => {
        window.progressSeen = 0;
        document.addEventListener("htmx:xhr:progress", (event) => {
            window.progressSeen = Math.max(window.progressSeen, event.detail.loaded);
        });
        window.samePage = true;
    }""")
    drop_files(page, ".file-drop", [("eins.txt", "Erste Notiz\n"), ("zwei.txt", "Zweite\n")])
    assert page.locator("#f-file").evaluate("input => input.files.length") == 2
    page.get_by_label("Kommentar (optional)").fill("Per Ziehen")
    page.get_by_role("button", name="Hochladen").click()
    expect(page.locator("#file-area table.files tbody th a")).to_have_text(
        ["eins.txt", "zwei.txt"])
    expect(page.locator("#live")).to_contain_text("„eins.txt“ gespeichert (Version 1).")
    assert page.evaluate("window.samePage") is True  # no new page was loaded
    assert page.evaluate("window.progressSeen") > 0
    expect(page.locator(".upload-progress")).to_be_hidden()
    page.reload()
    expect(page.locator(".flash-success")).to_have_count(0)


def test_a_refused_drop_shows_its_reason_in_place(page, login, axe):
    """A dropped HTML page is refused (415) and the reason appears in place, focused."""
    login("editor")
    page.goto("/measures/M05/files")
    drop_files(page, ".file-drop", [("seite.txt", "<!DOCTYPE html><html><script>x</script>")])
    page.get_by_role("button", name="Hochladen").click()
    summary = page.locator("#file-area .error-summary")
    expect(summary).to_contain_text("HTML-Seite")
    expect(summary).to_be_focused()
    axe(page)


def test_a_file_over_the_limit_is_refused_before_it_is_sent(page, login):
    """A 26 MB file (the limit is 25) is refused in the form, named, and nothing is sent."""
    login("editor")
    page.goto("/measures/M05/files")
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    big = file_samples.pdf("gross") + b"0" * (26 * 1024 * 1024)
    page.get_by_label("Dateien", exact=True).set_input_files(
        [{"name": "gross.pdf", "mimeType": "application/pdf", "buffer": big}])
    page.get_by_role("button", name="Hochladen").click()
    message = page.locator("#f-file").evaluate("input => input.validationMessage")
    assert "größer als 25 MB" in message
    page.wait_for_timeout(300)
    assert posts == []
    page.reload()
    expect(page.locator("table.files").get_by_text("gross.pdf")).to_have_count(0)


def test_a_file_the_scanner_flags_is_refused_and_not_stored(page, login, live_app):
    """With a scanner configured, the EICAR test file is refused with a reason; nothing listed."""
    scanner = os.path.join(os.path.dirname(os.path.dirname(__file__)), "scanner_stand_in.py")
    live_app.config["SCAN_COMMAND"] = f"{shlex.quote(sys.executable)} {shlex.quote(scanner)}"
    try:
        login("editor")
        upload(page, "/measures/M05/files", ("pruefung.txt", file_samples.eicar(), "text/plain"))
        summary = page.locator(".error-summary")
        expect(summary).to_contain_text("Virenprüfung")
        expect(summary).to_contain_text("Nichts wurde gespeichert")
        page.goto("/measures/M05/files")
        expect(page.locator("table.files").get_by_text("pruefung.txt")).to_have_count(0)
    finally:
        live_app.config["SCAN_COMMAND"] = None


def test_a_report_takes_its_files_without_losing_its_text(page, login, axe):
    """Writing a report, staff upload its attachment below the form (htmx, in place), link it
    in the text, see it in the preview and in the saved report; what they typed stays."""
    login("editor")
    page.goto("/measures/M08/reports/new")
    body = page.locator("#f-body")
    body.fill("Erledigt im Quartal:\n\n- Ausschreibung vorbereitet\n\n"
              "Siehe [Vergabeplan](datei:Vergabeplan.pdf).")
    section = page.locator("#report-files")
    section.get_by_label("Dateien", exact=True).set_input_files(
        [{"name": "Vergabeplan.pdf", "mimeType": "application/pdf",
          "buffer": file_samples.pdf("Vergabeplan 2027")}])
    section.get_by_role("button", name="Hochladen").click()
    expect(section.locator("table.files")).to_contain_text("Vergabeplan.pdf")
    expect(page.locator("#live")).to_contain_text("„Vergabeplan.pdf“ gespeichert")
    assert "Ausschreibung vorbereitet" in body.input_value()  # the report's text stayed
    axe(page)
    body.fill(body.input_value() + " ")  # the preview asks again, now the file is there
    expect(page.locator("#preview a.file-link", has_text="Vergabeplan")).to_have_attribute(
        "href", "/measures/M08/files/Vergabeplan.pdf")
    page.locator("label[for=f-light-green]").click()
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    link = page.locator("article.report a.file-link", has_text="Vergabeplan").first
    expect(link).to_have_attribute("href", "/measures/M08/files/Vergabeplan.pdf")
