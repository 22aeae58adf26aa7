"""A file's kind comes from its content; its name is cleaned to one safe, visible line."""
import io
import time
import unicodedata
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import file_samples as samples
from wiki.domain import archives, filetypes
from wiki.domain.filetypes import KINDS, check, clean_filename, identify, name_for


class Counting(io.BytesIO):
    """A stream that counts the bytes read from it."""

    def __init__(self, data):
        """Start with data and nothing read."""
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        """Read as BytesIO does, counting."""
        data = super().read(size)
        self.bytes_read += len(data)
        return data

    def readinto(self, buffer):
        """Read into a buffer as BytesIO does, counting."""
        count = super().readinto(buffer)
        self.bytes_read += count
        return count


@pytest.mark.parametrize(("build", "key"), [
    (samples.pdf, "pdf"), (samples.docx, "docx"), (samples.xlsx, "xlsx"),
    (samples.pptx, "pptx"), (samples.odt, "odt"), (samples.ods, "ods"), (samples.odp, "odp"),
    (samples.png, "png"), (samples.jpeg, "jpeg"), (samples.gif, "gif"), (samples.webp, "webp"),
    (samples.txt, "txt"),
])
def test_every_allowed_kind_is_told_by_its_content(build, key):
    """Each sample is its kind, whatever the name says, and passes the check."""
    assert identify(io.BytesIO(build()), "irgendwas.bin")[0] == KINDS[key]
    assert check(io.BytesIO(build()), "anhang") == (KINDS[key], None)


@pytest.mark.parametrize(("name", "key"), [
    ("tabelle.csv", "csv"), ("TABELLE.CSV", "csv"), ("tabelle.txt", "txt"), ("tabelle", "txt"),
    ("tabelle.csv.exe", "txt"),
])
def test_the_name_chooses_only_between_the_text_kinds(name, key):
    """CSV or plain text by the name; both are text to the browser."""
    assert identify(io.BytesIO(samples.csv()), name)[0].key == key


def test_a_name_does_not_make_binary_content_text():
    """A PNG called .csv stays a PNG."""
    assert identify(io.BytesIO(samples.png()), "daten.csv")[0].key == "png"


@pytest.mark.parametrize(("data", "what"), [
    (samples.exe(), "ein Windows-Programm (EXE/DLL)"),
    (samples.elf(), "ein Linux-Programm (ELF)"),
    (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(24), "ein macOS-Programm (Mach-O)"),
    (b"\xca\xfe\xba\xbe\x00\x00\x00\x02" + bytes(40), "ein macOS-Programm (Mach-O)"),
    (b"\xca\xfe\xba\xbe\x00\x00\x00\x41" + bytes(40), "eine Java-Klasse"),
    (b"#!/bin/sh\nrm -rf ~\n", "ein Skript (#!)"),
    (b"\xef\xbb\xbf  #!/usr/bin/env python\n", "ein Skript (#!)"),
    (samples.html(), "eine HTML-Seite"),
    (b"Hallo\n<script>alert(1)</script>", "eine HTML-Seite"),
    (b"  \n<HTML><p>x</p></HTML>", "eine HTML-Seite"),
    (samples.svg_with_script(), "eine SVG-Grafik (kann Skripte enthalten)"),
    (b"<svg onload=alert(1)>", "eine SVG-Grafik (kann Skripte enthalten)"),
    (b'<?xml version="1.0"?><daten><a>1</a></daten>', "eine XML-Datei"),
    (b"<daten/>", "eine XML-Datei"),
    (samples.zip_other(), "ein ZIP-Archiv"),
    (b"Rar!\x1a\x07\x01\x00" + bytes(20), "ein gepacktes Archiv (RAR, 7z, GZ …)"),
    (b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(20), "ein gepacktes Archiv (RAR, 7z, GZ …)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
     "eine alte oder verschlüsselte Office-Datei (DOC/XLS/PPT)"),
    (samples.docx(macros=True), "eine Office-Datei mit Makros"),
    (samples._zip({"[Content_Types].xml": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                   "xl/workbook.xml": "<x/>"}), "eine Office-Datei mit Makros"),
    (samples.tiff(), "ein Bild im Format TIFF"),
    (samples.bmp(), "ein Bild im Format BMP"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "ein Bild im Format HEIC"),
    (b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00", "eine Audio- oder Videodatei"),
    (b"{\\rtf1\\ansi Hallo}", "ein RTF-Dokument"),
    (b"", "eine leere Datei"),
    (b"\xef\xbb\xbf", "eine leere Datei"),
    (bytes(1000), "ein unbekannter Dateityp"),
    (b"Zeile eins\x00Zeile zwei", "ein unbekannter Dateityp"),
    (b"Gr\xfc\xdfe aus K\xf6ln", "eine Textdatei, die nicht in UTF-8 gespeichert ist"),
    ("Grüße".encode("utf-16"), "eine Textdatei, die nicht in UTF-8 gespeichert ist"),
])
def test_other_content_is_named_for_the_refusal(data, what):
    """Programs, markup, archives, old Office and odd images are no kind, and say what they are."""
    assert identify(io.BytesIO(data), "bericht.pdf") == (None, what)


def test_a_renamed_program_is_refused_as_a_program():
    """setup.pdf holding MZ… is a Windows program; the message names the file and the kinds."""
    kind, message = check(io.BytesIO(samples.exe()), "setup.pdf")
    assert kind is None
    assert message.startswith("„setup.pdf“ ist ein Windows-Programm (EXE/DLL) und wird nicht "
                              "angenommen.")
    assert message.endswith("Erlaubt sind: PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, PNG, JPEG, GIF, "
                            "WebP, TXT, CSV.")


@pytest.mark.parametrize(("data", "piece"), [
    (b"", "Die Datei „x.pdf“ ist leer."),
    (samples.tiff(), "dieses Bildformat wird nicht unterstützt. Bitte als PNG oder JPEG"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "als DOCX, XLSX oder PPTX speichern."),
    (b"Gr\xfc\xdfe", "Bitte als UTF-8 speichern."),
])
def test_refusals_say_what_to_do(data, piece):
    """The message tells how to make an acceptable file where there is a way."""
    assert piece in check(io.BytesIO(data), "x.pdf")[1]


def test_a_kind_not_allowed_here_is_named_with_the_allowed_ones():
    """A Word file where only PDF and images are allowed: named, and the allowed ones listed."""
    kind, message = check(io.BytesIO(samples.docx()), "../konzept.docx", ("pdf", "png", "jpeg"))
    assert kind is None
    assert message == ("„konzept.docx“ ist als Word-Dokument (DOCX) erkannt; dieser Dateityp "
                       "wird hier nicht angenommen. Erlaubt sind: PDF, PNG, JPEG.")


OOXML = "<Override ContentType='application/vnd.openxmlformats-officedocument.{}.main+xml'/>"
WORD, EXCEL = OOXML.format("wordprocessingml.document"), OOXML.format("spreadsheetml.sheet")


@pytest.mark.parametrize("members", [
    {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"},
    {"[Content_Types].xml": WORD + EXCEL, "word/document.xml": "<w/>", "xl/workbook.xml": "<x/>"},
    {"[Content_Types].xml": WORD, "docProps/app.xml": "<x/>"},
    {"[Content_Types].xml": WORD.replace("document.main", "template.main"),
     "word/document.xml": "<w/>"},
    {"word/document.xml": "<w/>"},
])
def test_a_zip_that_is_not_clearly_one_document_is_an_archive(members):
    """No main type, two, a type without its folder, a template, no content types: an archive."""
    assert identify(io.BytesIO(samples._zip(members)))[1] == "ein ZIP-Archiv"


@pytest.mark.parametrize(("mimetype", "stored", "what"), [
    ("application/vnd.oasis.opendocument.graphics", True,
     "ein anderes OpenDocument-Format (Zeichnung, Formel oder Vorlage)"),
    ("application/vnd.oasis.opendocument.text", False, "ein ZIP-Archiv"),
    ("text/html", True, "ein ZIP-Archiv"),
])
def test_odf_needs_a_stored_mimetype_of_its_kind(mimetype, stored, what):
    """A compressed mimetype entry or a foreign one is no OpenDocument file we take."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype,
                         zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", "<x/>")
    assert identify(buffer)[1] == what


@pytest.mark.parametrize("build", [samples.pdf, samples.docx, samples.odt, samples.txt,
                                   samples.exe, samples.zip_other])
def test_the_stream_is_left_at_its_start(build):
    """Identifying reads and seeks, then rewinds, so the caller can save the file."""
    stream = io.BytesIO(build())
    stream.seek(7)
    identify(stream)
    assert stream.tell() == 0
    check(stream, "x")
    assert stream.tell() == 0


def test_a_large_stream_is_told_from_its_head():
    """30 MB of zeros: identified in a fraction of a second, reading at most the head."""
    stream = Counting(bytes(30 * 1024 * 1024))
    started = time.perf_counter()
    assert identify(stream) == (None, "ein unbekannter Dateityp")
    assert stream.bytes_read <= filetypes.HEAD
    assert time.perf_counter() - started < 1


def test_a_zip_with_a_huge_member_is_told_without_unpacking_it():
    """A DOCX-shaped bomb (200 MB of zeros): its directory is read, the member is not."""
    stream = Counting(samples.zip_bomb())
    started = time.perf_counter()
    assert identify(stream)[0] == KINDS["docx"]
    assert stream.bytes_read < 200_000  # the file is 900 kB; its head and tail are read
    assert time.perf_counter() - started < 1


def test_a_zip_with_too_many_entries_is_not_listed(monkeypatch):
    """A central directory beyond the limits is not parsed: the file is an archive."""
    monkeypatch.setattr(archives, "ENTRY_LIMIT", 2)
    assert identify(io.BytesIO(samples.docx()))[1] == "ein ZIP-Archiv"


def test_a_broken_zip_is_an_archive():
    """A ZIP cut in half cannot be listed: refused as an archive, without raising."""
    data = samples.docx()
    assert identify(io.BytesIO(data[:len(data) // 2]))[1] == "ein ZIP-Archiv"


@pytest.mark.parametrize(("name", "cleaned"), [
    ("../../x", "x"),
    ("C:\\Temp\\a.pdf", "a.pdf"),
    ("/etc/passwd", "passwd"),
    ("ordner/", "datei"),
    ("", "datei"),
    (None, "datei"),
    ("...", "datei"),
    (" .htaccess ", "htaccess"),
    ("bericht.pdf.", "bericht.pdf"),
    ("Bericht  \t zum\nHaushalt.pdf", "Bericht zum Haushalt.pdf"),
    ("rechnung\u202efdp.exe", "rechnungfdp.exe"),
    ("a\u200bb\u200c\u200dc\u2060d\ufeffe\u200e\u200f\u061c\u2066\u2069.pdf", "abcde.pdf"),
    ("null\x00byte\x1b\x7f\x9b.txt", "nullbyte.txt"),
    ("zeile\x85zwei\u2028drei.txt", "zeile zwei drei.txt"),
    ("..\uff0f..\uff0fgeheim.txt", "_.._geheim.txt"),
    ("a\u2215b.pdf", "a_b.pdf"),
    ("Gru\u0308\u00dfe.pdf", "Grüße.pdf"),
    *[(name, name) for name in ("Prüfbericht (Entwurf) – 2024, Nr. 3 & 4.docx",
                                "Straße_Übersicht #2 [final] {alt} @Amt 50%.xlsx")],
    ("CON", "_CON"),
    ("con.txt", "_con.txt"),
    ("LPT1.tar.gz", "_LPT1.tar.gz"),
    ("COM9 .pdf", "_COM9 .pdf"),
    ("CONTROL.pdf", "CONTROL.pdf"),
    ("COM10.pdf", "COM10.pdf"),
])
def test_names_are_cleaned(name, cleaned):
    """Paths, invisible and control characters, blanks, dots and device names are dealt with."""
    assert clean_filename(name) == cleaned


def test_a_long_name_keeps_its_extension():
    """120 characters at most; the extension survives the cut."""
    cleaned = clean_filename("Sehr langer Bericht " * 20 + ".docx")
    assert len(cleaned) == 120
    assert cleaned.endswith("Bericht.docx") or cleaned.endswith(".docx")
    assert not cleaned.removesuffix(".docx").endswith(" ")


def test_a_long_name_without_an_extension_is_cut():
    """A long last part that is no extension is cut like the rest."""
    cleaned = clean_filename("a" * 200 + "." + "b" * 40)
    assert len(cleaned) == 120 and cleaned == "a" * 120


@pytest.mark.parametrize(("name", "key", "result"), [
    ("bericht", "pdf", "bericht.pdf"),
    ("bericht.PDF", "pdf", "bericht.PDF"),
    ("roadmap.pdf", "png", "roadmap.pdf.png"),
    ("foto.jpeg", "jpeg", "foto.jpeg"),
    ("foto.JPG", "jpeg", "foto.JPG"),
    ("foto.png", "jpeg", "foto.png.jpg"),
    ("", "docx", "datei.docx"),
    ("x" * 130 + ".pdf", "png", "x" * 116 + ".png"),
])
def test_the_name_ends_in_an_extension_of_its_kind(name, key, result):
    """A name that lies about the kind gets the right extension added, not replaced."""
    assert name_for(name, KINDS[key]) == result


def test_kinds_are_complete():
    """Thirteen kinds, all allowed by default; images and PDF inline, text with a charset."""
    assert set(filetypes.DEFAULT_ALLOWED) == set(KINDS) and len(KINDS) == 13
    assert {key for key, kind in KINDS.items() if kind.inline} == {
        "pdf", "png", "jpeg", "gif", "webp"}
    assert {key for key, kind in KINDS.items() if kind.image} == {"png", "jpeg", "gif", "webp"}
    assert KINDS["txt"].mime == "text/plain; charset=utf-8"
    assert KINDS["jpeg"].extensions[0] == ".jpg"
    assert all(kind.extensions[0].startswith(".") for kind in KINDS.values())


any_name = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF),
                   max_size=300)
NAMEY = st.text(st.sampled_from(list("aZ .\\/:ü\u0308\u202e\u200b\x00\t\uff0f")), max_size=300)


@given(name=any_name | NAMEY)
def test_a_cleaned_name_is_safe_short_and_stable(name):
    """Whatever comes in: no separator or control, not empty, at most 120, cleaned once for all."""
    cleaned = clean_filename(name)
    assert cleaned and len(cleaned) <= 120
    assert "/" not in cleaned and "\\" not in cleaned
    assert not any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in cleaned)
    assert cleaned == cleaned.strip(" .") and "  " not in cleaned
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean_filename(cleaned) == cleaned
