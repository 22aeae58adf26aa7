"""A file's searchable text: found in PDF and Office files, bounded, never an exception."""
import io
import time
import zipfile

import pytest

from tests import file_samples as samples
from wiki.domain import filetext
from wiki.domain.filetext import extract

WORDS = "Radverkehr und Schulwegsicherung\nPrüfung der Maßnahme (Entwurf)"


@pytest.mark.parametrize(("key", "build"), [
    ("pdf", samples.pdf), ("docx", samples.docx), ("odt", samples.odt), ("pptx", samples.pptx),
    ("ods", samples.ods), ("odp", samples.odp),
])
def test_the_words_of_a_document_are_found(key, build):
    """Each line of the sample is a line of the text, umlauts and parentheses included."""
    text = extract(key, io.BytesIO(build(WORDS)))
    assert text.splitlines() == WORDS.splitlines()


def test_a_workbook_gives_its_cell_texts():
    """Strings of the sheets, one per line."""
    assert extract("xlsx", io.BytesIO(samples.xlsx())).splitlines() == [
        "Maßnahme", "Status", "M07", "läuft"]


def test_word_headers_come_first_and_markup_stays_text():
    """Header before body; escaped markup and references are text, tags are not."""
    data = samples.docx("A &amp; B <b>fett</b> &#228; &#x2013;\nZweite", header="Kopfzeile")
    assert extract("docx", io.BytesIO(data)) == (
        "Kopfzeile\nA &amp; B <b>fett</b> &#228; &#x2013;\nZweite")


def test_office_xml_becomes_lines_and_blanks():
    """Paragraph ends are line ends, tabs and breaks blanks, entities resolved, tags gone."""
    xml = (b'<w:body><w:p><w:r><w:t>eins</w:t><w:tab/><w:t>zwei</w:t></w:r></w:p>'
           b"<w:p><w:r><w:t>&lt;drei&gt; &amp; &#246;&#x00FC;</w:t><w:br/><w:t>vier</w:t>"
           b"</w:r></w:p></w:body>")
    assert filetext._tidy(filetext.xml_text(xml)) == "eins zwei\n<drei> & öü vier"


@pytest.mark.parametrize(("key", "data", "text"), [
    ("txt", "Grüße\r\n\r\n  aus\tKöln\x00\x07".encode(), "Grüße\naus Köln"),
    ("csv", samples.csv(), "Kürzel;Titel\nM07;Radwege ausbauen"),
    ("txt", b"kaputt \xff\xfe text", "kaputt \ufffd\ufffd text"),
])
def test_text_files_are_decoded_and_tidied(key, data, text):
    """UTF-8 (a BOM dropped, errors replaced), blanks collapsed, controls gone."""
    assert extract(key, io.BytesIO(data)) == text


@pytest.mark.parametrize("key", ["png", "jpeg", "gif", "webp", "exe", "unbekannt"])
def test_other_kinds_have_no_text(key):
    """Images and anything else: no text."""
    assert extract(key, io.BytesIO(samples.png())) == ""


@pytest.mark.parametrize(("key", "data"), [
    ("pdf", samples.pdf()[:300]),
    ("pdf", samples.pdf()[300:]),
    ("pdf", b"%PDF-1.7\n" + bytes(range(256)) * 50),
    ("pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\ntrailer << /Root 1 0 R"
            b" >>\n%%EOF"),
    ("pdf", b""),
    ("docx", samples.docx()[:400]),
    ("docx", b"PK\x03\x04 kein zip"),
    ("odt", samples.zip_other()),
    ("xlsx", bytes(100)),
])
def test_a_broken_file_gives_no_text_and_no_error(key, data):
    """Truncated, garbage or self-referencing files: "" (or what was read), quickly."""
    started = time.perf_counter()
    assert extract(key, io.BytesIO(data)) == ""
    assert time.perf_counter() - started < 5


def test_a_zip_bomb_is_read_only_to_the_cap(monkeypatch):
    """200 MB of zeros in word/document.xml: at most XML_LIMIT bytes are unpacked."""
    data = samples.zip_bomb()
    started = time.perf_counter()
    assert extract("docx", io.BytesIO(data)) == ""
    assert time.perf_counter() - started < 5
    unpacked = []
    real = filetext.archives.read_member
    monkeypatch.setattr(filetext.archives, "read_member",
                        lambda *args: unpacked.append(real(*args)) or unpacked[-1])
    extract("docx", io.BytesIO(data))
    assert sum(map(len, unpacked)) == filetext.XML_LIMIT


def test_a_lying_size_in_the_zip_header_does_not_lift_the_cap():
    """A member whose header claims a terabyte still yields no more than the cap."""
    archive = zipfile.ZipFile(io.BytesIO(samples.zip_bomb(size=8 * 1024 * 1024)))
    archive.getinfo("word/document.xml").file_size = 2**40
    assert len(filetext.archives.read_member(archive, "word/document.xml", 1000)) == 1000


def test_a_long_pdf_is_cut_at_the_page_cap():
    """A PDF of 400 pages: the first MAX_PAGES are read, no more, in a few seconds."""
    data = samples.pdf("Seitentext", pages=400)
    started = time.perf_counter()
    text = extract("pdf", io.BytesIO(data))
    assert time.perf_counter() - started < 5
    assert f"Seite {filetext.MAX_PAGES}" in text.splitlines()
    assert f"Seite {filetext.MAX_PAGES + 1}" not in text.splitlines()


def test_text_is_cut_at_the_character_cap():
    """However long the file, the text has at most MAX_CHARS characters."""
    assert len(extract("txt", io.BytesIO(b"Wort " * 1_000_000))) == filetext.MAX_CHARS


def test_the_stream_is_left_at_its_start():
    """Extracting rewinds, so the caller can store the file after reading its text."""
    stream = io.BytesIO(samples.pdf())
    extract("pdf", stream)
    assert stream.tell() == 0
