"""Small real files as bytes, built on the fly: each allowed kind and the ones to refuse.

The Office files are the least a reader accepts (or, for PPTX, what sniffing looks at); the
images come from Pillow; the PDF is written by hand so its bytes are known. Nothing here is
stored in the repository as a file, so no virus scanner on a developer's machine trips over it.
"""
import io
import zipfile
from xml.sax.saxutils import escape

from PIL import Image

TEXT = "Fahrplan Testdokument: Radverkehr und Schulwegsicherung"


def _pdf_string(line):
    """Return a line as a PDF string literal in WinAnsi: parentheses escaped, umlauts octal."""
    out = []
    for byte in line.encode("cp1252", errors="replace"):
        char = chr(byte)
        if char in "()\\":
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "(" + "".join(out) + ")"


def pdf(text=TEXT, pages=1):
    """Return a valid PDF of pages pages, each showing the lines of text (WinAnsi characters)."""
    lines = text.split("\n")
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
               3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                  b"/Encoding /WinAnsiEncoding >>"}
    kids = []
    for number in range(pages):
        page, content = 4 + 2 * number, 5 + 2 * number
        shown = lines + ([f"Seite {number + 1}"] if pages > 1 else [])
        operations = " 0 -16 Td ".join(f"{_pdf_string(line)} Tj" for line in shown)
        stream = f"BT /F1 12 Tf 72 720 Td {operations} ET".encode("ascii")
        objects[content] = (b"<< /Length %d >>\nstream\n" % len(stream) + stream
                            + b"\nendstream")
        objects[page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                         b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content)
        kids.append(b"%d 0 R" % page)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for number in sorted(objects):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _zip(members, first=None):
    """Return a ZIP of {name: text or bytes}; first (stored, uncompressed) comes before the rest."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(zipfile.ZipInfo(first[0]), first[1], zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _paragraphs(text, tag, run=""):
    """Return the lines of text as XML paragraphs <tag>…</tag>, inside run when given."""
    inner = (f"<{run}>{{}}</{run.split()[0]}>" if run else "{}")
    return "".join(f"<{tag}>{inner.format(escape(line))}</{tag.split()[0]}>"
                   for line in text.split("\n"))


RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
        '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxml'
        'formats.org/officeDocument/2006/relationships/officeDocument" Target="{}"/>'
        '</Relationships>')
TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
         'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
         'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
         '"application/xml"/><Override PartName="/{}" ContentType="{}"/></Types>')
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


WORD_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def docx(text=TEXT, header=None, macros=False):
    """Return a Word document of the lines of text (a header part too; macros: a DOCM's part)."""
    body = _paragraphs(text, "w:p", "w:r><w:t xml:space=\"preserve\"")
    members = {
        "[Content_Types].xml": TYPES.format("word/document.xml", WORD_TYPE),
        "_rels/.rels": RELS.format("word/document.xml"),
        "word/document.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}>'
                             f"<w:body>{body}</w:body></w:document>",
    }
    if header:
        members["word/header1.xml"] = f"<w:hdr {W}>{_paragraphs(header, 'w:p', 'w:r><w:t')}</w:hdr>"
    if macros:
        members["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    return _zip(members)


def xlsx(rows=(("Maßnahme", "Status"), ("M07", "läuft"))):
    """Return an Excel workbook (openpyxl) of rows."""
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pptx(text=TEXT):
    """Return a minimal PowerPoint package: content types, presentation and one slide."""
    a = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    return _zip({
        "[Content_Types].xml": TYPES.format("ppt/presentation.xml", "application/vnd.openxml"
                                            "formats-officedocument.presentationml."
                                            "presentation.main+xml"),
        "_rels/.rels": RELS.format("ppt/presentation.xml"),
        "ppt/presentation.xml": '<p:presentation xmlns:p="http://schemas.openxmlformats.org/'
                                'presentationml/2006/main"/>',
        "ppt/slides/slide1.xml": f"<p:sld {a}>{_paragraphs(text, 'a:p', 'a:r><a:t')}</p:sld>",
    })


OFFICE = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:'
          'names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:'
          'xmlns:text:1.0" office:version="1.3"><office:body>{}</office:body>'
          "</office:document-content>")


def _odf(subtype, body):
    """Return an OpenDocument package of a subtype: mimetype first and stored, content, manifest."""
    mimetype = f"application/vnd.oasis.opendocument.{subtype}"
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:'
                'oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type='
                '"text/xml"/></manifest:manifest>')
    return _zip({"content.xml": OFFICE.format(body), "META-INF/manifest.xml": manifest},
                first=("mimetype", mimetype))


def odt(text=TEXT):
    """Return an OpenDocument text whose paragraphs are the lines of text."""
    return _odf("text", f"<office:text>{_paragraphs(text, 'text:p')}</office:text>")


def ods(text="Maßnahme"):
    """Return an OpenDocument spreadsheet (the cell text as a paragraph, as sniffing needs)."""
    return _odf("spreadsheet", f"<office:spreadsheet>{_paragraphs(text, 'text:p')}"
                               "</office:spreadsheet>")


def odp(text="Folie eins"):
    """Return an OpenDocument presentation holding the text."""
    return _odf("presentation", f"<office:presentation>{_paragraphs(text, 'text:p')}"
                                "</office:presentation>")


def _image(form, width, height, mode="RGB"):
    """Return a small image in a Pillow format."""
    buffer = io.BytesIO()
    Image.new(mode, (width, height), (30, 120, 200) if mode == "RGB" else 1).save(buffer, form)
    return buffer.getvalue()


def png(width=40, height=30):
    """Return a PNG image."""
    return _image("PNG", width, height)


def jpeg(width=40, height=30):
    """Return a JPEG image."""
    return _image("JPEG", width, height)


def gif(width=40, height=30):
    """Return a GIF image."""
    return _image("GIF", width, height, "P")


def webp(width=40, height=30):
    """Return a WebP image."""
    return _image("WEBP", width, height)


def tiff(width=40, height=30):
    """Return a TIFF image (a format Fahrplan refuses)."""
    return _image("TIFF", width, height)


def bmp(width=40, height=30):
    """Return a BMP image (a format Fahrplan refuses)."""
    return _image("BMP", width, height)


def txt(text="Protokoll der Sitzung\nTeilnehmende: Frau Müller, Herr Öztürk\n"):
    """Return plain UTF-8 text."""
    return text.encode("utf-8")


def csv(rows=(("Kürzel", "Titel"), ("M07", "Radwege ausbauen"))):
    """Return a semicolon-separated CSV in UTF-8 with BOM, as Excel writes "CSV UTF-8"."""
    return ("\ufeff" + "".join(";".join(row) + "\r\n" for row in rows)).encode("utf-8")


def exe():
    """Return the start of a Windows program: DOS header, stub and a PE header."""
    header = bytearray(b"MZ\x90\x00\x03" + bytes(55) + (128).to_bytes(4, "little"))
    stub = b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21This program cannot be run in DOS mode.\r\n$"
    header += stub + bytes(128 - len(header) - len(stub))
    return bytes(header) + b"PE\x00\x00\x4c\x01\x03\x00" + bytes(248)


def elf():
    """Return the start of a Linux program (a 64-bit ELF header)."""
    return b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(44)


def html():
    """Return an HTML page with a script."""
    return b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"


def svg_with_script():
    """Return an SVG image that runs a script when opened in a browser."""
    return (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>\n')


def eicar():
    """Return the 68-byte EICAR anti-virus test file (assembled, so this source is not one)."""
    return (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-" + b"ANTIVIRUS-TEST-FILE!$H+H*")


def zip_other():
    """Return a ZIP archive that is no Office document: two text files."""
    return _zip({"liesmich.txt": "Hallo", "daten/werte.csv": "a;b\r\n1;2\r\n"})


def zip_bomb(member="word/document.xml", size=200 * 1024 * 1024):
    """Return a DOCX-shaped ZIP whose member unpacks to size bytes of zeros (about 200 kB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", TYPES.format(member, WORD_TYPE))
        with archive.open(member, "w", force_zip64=True) as out:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                out.write(chunk)
    return buffer.getvalue()
