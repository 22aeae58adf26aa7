"""Files on measures and pages through the browser's routes: upload, list, download, versions,
restore, delete; what is refused (size, type, scanner, names) and how files are served."""
import hashlib
import io
import shlex
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests import file_samples
from wiki.models import Blob, FileVersion, Page, StoredFile

pytestmark = pytest.mark.postgres

SCANNER = Path(__file__).parent / "scanner_stand_in.py"


@pytest.fixture
def editor(app, demo, client, login):
    """Log in as an editor."""
    login("editor")
    return client


def send(client, url, *named, comment="", headers=None, extra=()):
    """Upload files given as (name, bytes) to a files URL.

    The body is encoded in memory: werkzeug's test client spools a large one to a temporary file
    that it leaves open when the view does not read it all.
    """
    fields = MultiDict([("file", FileStorage(io.BytesIO(content), filename=name))
                        for name, content in named] + [("comment", comment), *extra])
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}",
                       headers=headers)


def stored(app):
    """Return (name, version count) of every stored file, with the blobs' count."""
    with app.app_context():
        return ([(f.name, f.version_count) for f in StoredFile.select().order_by(StoredFile.id)],
                Blob.select().count())


def test_upload_list_and_download(app, editor):
    """A PDF and a PNG uploaded together to M07 are listed and come back byte for byte."""
    pdf, png = file_samples.pdf("Ratsbeschluss zur E-Akte"), file_samples.png(40, 30)
    response = send(editor, "/measures/M07/files", ("Beschluss.pdf", pdf), ("roadmap.png", png),
                    comment="Ratssitzung")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/measures/M07/files")
    page = BeautifulSoup(editor.get("/measures/M07/files").text, "html.parser")
    links = {a.get_text(): a["href"] for a in page.select("table.files tbody th a")}
    assert links == {"Beschluss.pdf": "/measures/M07/files/Beschluss.pdf",
                     "roadmap.png": "/measures/M07/files/roadmap.png"}
    got = editor.get("/measures/m07/files/beschluss.PDF")
    assert got.status_code == 200 and got.data == pdf
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("inline")
    with app.app_context():
        version = FileVersion.get(FileVersion.kind == "png")
        assert (version.width, version.height, version.comment) == (40, 30, "Ratssitzung")


@pytest.mark.parametrize("url", ["/pages/leitbild/files", "/measures/M07/files"])
def test_both_places_take_files(app, editor, url):
    """A wiki page takes files as a measure does."""
    assert send(editor, url, ("notiz.txt", b"Notiz\n")).status_code == 303
    assert editor.get(url + "/notiz.txt").data == b"Notiz\n"


def test_a_measures_page_has_its_files_under_its_code(editor):
    """/pages/m07/files is no place: the measure's files live at /measures/M07/files."""
    assert editor.get("/pages/m07/files").status_code == 404


def test_files_are_served_safely(app, editor):
    """Every file response: its type, nosniff, a sandbox CSP; documents as attachments."""
    send(editor, "/measures/M07/files", ("liste.csv", b"a;b\n1;2\n"),
         ("Kalkulation.xlsx", file_samples.xlsx()))
    for name, disposition in (("liste.csv", "attachment"), ("Kalkulation.xlsx", "attachment")):
        response = editor.get(f"/measures/M07/files/{name}")
        assert response.headers["Content-Disposition"].startswith(disposition)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert editor.get("/measures/M07/files/liste.csv").headers["Content-Type"].startswith(
        "text/csv")


def test_names_are_shown_as_uploaded_and_sent_in_both_forms(app, editor):
    """A German name keeps its letters; the header carries an ASCII and a UTF-8 form."""
    send(editor, "/measures/M07/files", ("Übersicht März.pdf", file_samples.pdf("x")))
    response = editor.get("/measures/M07/files/Übersicht März.pdf")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert 'filename="Ubersicht Marz.pdf"' in disposition
    assert "filename*=UTF-8''%C3%9Cbersicht%20M%C3%A4rz.pdf" in disposition


def test_same_name_is_a_new_version_and_restore_brings_back_the_old(app, editor):
    """Version 2 replaces the download; restoring version 1 makes version 3 of it."""
    one, two = file_samples.pdf("eins"), file_samples.pdf("zwei")
    send(editor, "/measures/M07/files", ("plan.pdf", one))
    send(editor, "/measures/M07/files", ("PLAN.pdf", two), comment="Neue Fassung")
    assert editor.get("/measures/M07/files/plan.pdf").data == two
    assert editor.get("/measures/M07/files/plan.pdf/versions/1").data == one
    page = BeautifulSoup(editor.get("/measures/M07/files/plan.pdf/versions").text, "html.parser")
    assert "Neue Fassung" in page.select_one("tbody tr").get_text()
    response = editor.post("/measures/M07/files/plan.pdf/versions/1/restore")
    assert response.status_code == 303
    assert editor.get("/measures/M07/files/plan.pdf").data == one
    assert stored(app) == ([("plan.pdf", 3)], 2)
    assert editor.post("/measures/M07/files/plan.pdf/versions/9/restore").status_code == 404


def test_delete_is_soft(app, editor):
    """A deleted file leaves the list and is not served; its versions stay stored."""
    send(editor, "/measures/M07/files", ("plan.pdf", file_samples.pdf("x")))
    assert editor.post("/measures/M07/files/plan.pdf/delete").status_code == 303
    assert editor.get("/measures/M07/files/plan.pdf").status_code == 404
    assert "plan.pdf" not in editor.get("/measures/M07/files").text
    with app.app_context():
        assert StoredFile.get().deleted is not None and FileVersion.select().count() == 1


def test_ranges_and_conditional_requests(app, editor):
    """A range request gets 206 with its bytes; a known ETag gets 304."""
    data = file_samples.pdf("Seite " * 200)
    send(editor, "/measures/M07/files", ("lang.pdf", data))
    part = editor.get("/measures/M07/files/lang.pdf", headers={"Range": "bytes=10-99"})
    assert part.status_code == 206 and part.data == data[10:100]
    assert part.headers["Content-Range"] == f"bytes 10-99/{len(data)}"
    etag = editor.get("/measures/M07/files/lang.pdf").headers["ETag"]
    assert etag == f'"{hashlib.sha256(data).hexdigest()}"'
    again = editor.get("/measures/M07/files/lang.pdf", headers={"If-None-Match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize("name, content, status, words", [
    ("setup.pdf", file_samples.exe(), 415, "Windows-Programm"),
    ("seite.html", file_samples.html(), 415, "HTML"),
    ("bild.svg", file_samples.svg_with_script(), 415, "SVG"),
    ("leer.pdf", b"", 415, "leer"),
])
def test_what_is_refused_for_its_type(app, editor, name, content, status, words):
    """A renamed program, HTML, SVG with a script, an empty file: 415 naming what it is."""
    before = stored(app)
    response = send(editor, "/measures/M07/files", (name, content))
    assert response.status_code == status and words in response.text
    assert stored(app) == before


def test_a_refused_file_stops_the_whole_upload(app, editor):
    """Two files, one of them refused: neither is stored."""
    response = send(editor, "/measures/M07/files", ("gut.pdf", file_samples.pdf("gut")),
                    ("böse.pdf", file_samples.exe()))
    assert response.status_code == 415 and stored(app) == ([], 0)


def test_a_path_in_the_name_is_dropped(app, editor):
    """../../x.pdf is stored as x.pdf, where it belongs."""
    send(editor, "/measures/M07/files", ("../../x.pdf", file_samples.pdf("x")))
    assert stored(app)[0] == [("x.pdf", 1)]


def test_too_large_is_413_with_the_limit(app, editor):
    """A file over FILE_MAX_MB is refused with the limit named; a request far over it too."""
    app.config["FILE_MAX_MB"] = 1
    big = file_samples.pdf("x") + b"0" * (1024 * 1024)
    response = send(editor, "/measures/M07/files", ("gross.pdf", big))
    assert response.status_code == 413 and "1 MB" in response.text
    huge = b"0" * (3 * 1024 * 1024)
    assert send(editor, "/measures/M07/files", ("riesig.pdf", huge)).status_code == 413
    assert stored(app) == ([], 0)


def test_the_scanner_refuses_what_it_flags(app, editor):
    """A file the (stand-in) scanner flags is refused and nothing is stored."""
    app.config["SCAN_COMMAND"] = f"{shlex.quote(sys.executable)} {shlex.quote(str(SCANNER))}"
    response = send(editor, "/measures/M07/files", ("eicar.txt", file_samples.eicar()))
    assert response.status_code == 400 and "Virenprüfung" in response.text
    assert stored(app) == ([], 0)
    assert send(editor, "/measures/M07/files", ("ok.txt", b"sauber\n")).status_code == 303


def test_no_file_and_a_bad_comment_are_refused(app, editor):
    """An empty upload and a comment with a control character: 400 and a German reason."""
    response = editor.post("/measures/M07/files", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Bitte eine Datei wählen" in response.text
    response = send(editor, "/measures/M07/files", ("a.txt", b"a\n"), comment="a\x00b")
    assert response.status_code == 400 and "Kommentar" in response.text


def test_readers_download_but_do_not_upload(app, demo, client, login):
    """A reader sees the list without the form and cannot post to it."""
    login("reader")
    page = BeautifulSoup(client.get("/measures/M07/files").text, "html.parser")
    assert page.select_one("form.file-upload") is None
    assert send(client, "/measures/M07/files", ("a.txt", b"a\n")).status_code == 403


def test_identical_content_is_stored_once(app, editor):
    """The same bytes on a measure and a page are one blob."""
    data = file_samples.pdf("gleich")
    send(editor, "/measures/M07/files", ("a.pdf", data))
    send(editor, "/pages/leitbild/files", ("b.pdf", data))
    assert stored(app) == ([("a.pdf", 1), ("b.pdf", 1)], 1)


def test_the_files_of_a_missing_place_are_not_found(editor):
    """No such measure or page, no such file: 404."""
    assert editor.get("/measures/M99/files").status_code == 404
    assert editor.get("/pages/gibtsnicht/files").status_code == 404
    assert editor.get("/measures/M07/files/fehlt.pdf").status_code == 404
    assert editor.get("/measures/M07/files/fehlt.pdf/versions").status_code == 404


def test_the_list_is_one_query_however_many_files(app, editor):
    """Listing a place's files costs the same for one file as for eight."""
    from playhouse.test_utils import count_queries

    send(editor, "/measures/M07/files", ("a.txt", b"a\n"))
    with app.test_request_context(), count_queries() as one:
        list(FileVersion.newest_in(f"page:{Page.get(Page.slug == 'm07').id}"))
    send(editor, "/measures/M07/files", *[(f"{n}.txt", b"%d\n" % n) for n in range(8)])
    with app.test_request_context(), count_queries() as many:
        found = list(FileVersion.newest_in(f"page:{Page.get(Page.slug == 'm07').id}"))
        [v.file.name for v in found]
    assert len(found) == 9 and many.count == one.count


def test_two_app_instances_serve_a_file_the_other_received(app, workers):
    """Two app servers on one database share nothing else: a file uploaded through one is
    listed, downloaded (also in ranges) and found by the other."""
    first, second = workers
    pdf = file_samples.pdf("Gemeinsamer Speicher für zwei Anwendungsserver")
    assert send(first, "/measures/M07/files", ("geteilt.pdf", pdf)).status_code == 303
    listing = BeautifulSoup(second.get("/measures/M07/files").text, "html.parser")
    assert [a.get_text() for a in listing.select("table.files tbody th a")] == ["geteilt.pdf"]
    got = second.get("/measures/M07/files/geteilt.pdf")
    assert got.status_code == 200 and got.data == pdf
    part = second.get("/measures/M07/files/geteilt.pdf", headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == pdf[:10]
    found = BeautifulSoup(second.get("/search?q=Anwendungsserver").text, "html.parser")
    assert [a["href"] for a in found.select("ol.search-hits a")] == [
        "/measures/M07/files/geteilt.pdf"]


HTMX = {"HX-Request": "true"}


def test_an_htmx_upload_answers_with_the_new_list_and_form(app, editor):
    """htmx sends the form: the answer is the part below the heading, with what was saved."""
    response = send(editor, "/measures/M07/files", ("a.txt", b"A\n"), ("b.txt", b"B\n"),
                    headers=HTMX)
    assert response.status_code == 200
    part = BeautifulSoup(response.text, "html.parser")
    assert not response.text.lstrip().lower().startswith("<!doctype")
    area = part.select_one("div#file-area")
    assert [a.get_text() for a in area.select("table.files tbody th a")] == ["a.txt", "b.txt"]
    assert "„a.txt“ gespeichert (Version 1)." in area.select_one(".flash-success")["data-announce"]
    assert area.select_one("form.file-upload[hx-post='/measures/M07/files']")
    assert editor.get("/measures/M07").status_code == 200  # nothing left to flash
    assert "gespeichert" not in editor.get("/measures/M07/files").text


@pytest.mark.parametrize("named, status", [
    (("bericht.pdf", file_samples.exe()), 415),
    (("leer.txt", b""), 415),
])
def test_a_refused_htmx_upload_answers_with_the_errors_in_the_part(app, editor, named, status):
    """A refused upload sent by htmx gets the same part with its errors (swapped, not a page)."""
    response = send(editor, "/measures/M07/files", named, headers=HTMX)
    assert response.status_code == status
    assert not response.text.lstrip().lower().startswith("<!doctype")
    part = BeautifulSoup(response.text, "html.parser")
    assert part.select_one("div#file-area .error-summary li")
    assert part.select_one("#f-file")["aria-invalid"] == "true"
    assert stored(app) == ([], 0)


def test_a_report_form_takes_files_for_its_measure(app, editor):
    """The report form shows the measure's files with an upload form of their own (outside the
    report's form, so that its text stays); htmx keeps it beside the report; without JavaScript
    it opens in a new tab."""
    send(editor, "/measures/M07/files", ("Vergabeplan.pdf", file_samples.pdf("Plan")))
    page = BeautifulSoup(editor.get("/measures/M07/reports/new").text, "html.parser")
    section = page.select_one("section#report-files")
    assert "Vergabeplan.pdf" in section.select_one("table.files").get_text()
    upload = section.select_one("form.file-upload")
    assert upload["action"] == "/measures/M07/files" and upload["target"] == "_blank"
    assert upload.select_one("input[name=beside]")["value"] == "report"
    assert not upload.find_parent("form") and not section.find_parent("form")
    assert len(page.select("#f-file")) == 1 and len(page.select("#f-comment")) <= 1
    answer = send(editor, "/measures/M07/files", ("Anlage.txt", b"Anlage\n"), headers=HTMX,
                  extra=[("beside", "report")])
    part = BeautifulSoup(answer.text, "html.parser")
    assert part.select_one("form.file-upload")["target"] == "_blank"
    assert "Anlage.txt" in part.select_one("table.files").get_text()
    plain = BeautifulSoup(send(editor, "/measures/M07/files", ("b.txt", b"b\n"), headers=HTMX)
                          .text, "html.parser")
    assert not plain.select_one("form.file-upload").has_attr("target")
