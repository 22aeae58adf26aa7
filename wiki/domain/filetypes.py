"""What an uploaded file is, told by its content, and the name it is shown and stored under.

The kind comes from the first bytes (and for Office files from the ZIP's directory), never from
the name or the browser's Content-Type: a program renamed `bericht.pdf` is a program. Reads are
bounded (HEAD bytes, the ZIP's end record and directory, a 100-byte `mimetype` member), so a
30 MB upload is told in milliseconds, and the stream is left at position 0 (pure, no database).

Text is accepted in UTF-8 only (with or without a BOM): other encodings cannot be told apart
from binary data reliably, and every text is served as `charset=utf-8`; the refusal asks for
UTF-8. Markup (HTML, SVG, XML) is never text here, since a browser may run its scripts.
"""
import codecs
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from wiki.domain import archives


@dataclass(frozen=True)
class Kind:
    """A file type Fahrplan accepts: its key, Content-Type, extensions and label."""

    key: str
    mime: str
    extensions: tuple  # the first is the canonical one
    label: object  # lazy: translated when shown
    short: str  # in the list of allowed types: "PDF", "DOCX"
    image: bool = False
    inline: bool = False  # images and PDF may be shown in the browser; the rest is downloaded


OOXML = "application/vnd.openxmlformats-officedocument."
ODF = "application/vnd.oasis.opendocument."
KINDS = {kind.key: kind for kind in (
    Kind("pdf", "application/pdf", (".pdf",), _l("PDF-Dokument"), "PDF", inline=True),
    Kind("docx", OOXML + "wordprocessingml.document", (".docx",), _l("Word-Dokument (DOCX)"),
         "DOCX"),
    Kind("xlsx", OOXML + "spreadsheetml.sheet", (".xlsx",), _l("Excel-Tabelle (XLSX)"), "XLSX"),
    Kind("pptx", OOXML + "presentationml.presentation", (".pptx",),
         _l("PowerPoint-Präsentation (PPTX)"), "PPTX"),
    Kind("odt", ODF + "text", (".odt",), _l("OpenDocument-Text (ODT)"), "ODT"),
    Kind("ods", ODF + "spreadsheet", (".ods",), _l("OpenDocument-Tabelle (ODS)"), "ODS"),
    Kind("odp", ODF + "presentation", (".odp",), _l("OpenDocument-Präsentation (ODP)"), "ODP"),
    Kind("png", "image/png", (".png",), _l("PNG-Bild"), "PNG", image=True, inline=True),
    Kind("jpeg", "image/jpeg", (".jpg", ".jpeg"), _l("JPEG-Bild"), "JPEG", image=True,
         inline=True),
    Kind("gif", "image/gif", (".gif",), _l("GIF-Bild"), "GIF", image=True, inline=True),
    Kind("webp", "image/webp", (".webp",), _l("WebP-Bild"), "WebP", image=True, inline=True),
    Kind("txt", "text/plain; charset=utf-8", (".txt",), _l("Textdatei"), "TXT"),
    Kind("csv", "text/csv; charset=utf-8", (".csv",), _l("CSV-Datei"), "CSV"),
)}
DEFAULT_ALLOWED = tuple(KINDS)

# What a refused file is, as "„x“ ist … und wird nicht angenommen." completes it; the advice
# follows when there is a way to make the file acceptable.
REFUSED = {
    "exe": (_l("ein Windows-Programm (EXE/DLL)"), None),
    "elf": (_l("ein Linux-Programm (ELF)"), None),
    "macho": (_l("ein macOS-Programm (Mach-O)"), None),
    "script": (_l("ein Skript (#!)"), None),
    "java": (_l("eine Java-Klasse"), None),
    "html": (_l("eine HTML-Seite"), None),
    "svg": (_l("eine SVG-Grafik (kann Skripte enthalten)"),
            _l("Bitte als PNG speichern.")),
    "xml": (_l("eine XML-Datei"), None),
    "zip": (_l("ein ZIP-Archiv"), _l("Bitte die enthaltenen Dateien einzeln hochladen.")),
    "archive": (_l("ein gepacktes Archiv (RAR, 7z, GZ …)"),
                _l("Bitte die enthaltenen Dateien einzeln hochladen.")),
    "ole2": (_l("eine alte oder verschlüsselte Office-Datei (DOC/XLS/PPT)"),
             _l("Bitte ohne Kennwort als DOCX, XLSX oder PPTX speichern.")),
    "macros": (_l("eine Office-Datei mit Makros"),
               _l("Bitte ohne Makros als DOCX, XLSX, PPTX oder ODT, ODS, ODP speichern.")),
    "odf": (_l("ein anderes OpenDocument-Format (Zeichnung, Formel oder Vorlage)"), None),
    "rtf": (_l("ein RTF-Dokument"), _l("Bitte als DOCX, ODT oder PDF speichern.")),
    "media": (_l("eine Audio- oder Videodatei"), None),
    "encoding": (_l("eine Textdatei, die nicht in UTF-8 gespeichert ist"),
                 _l("Bitte als UTF-8 speichern.")),
    "empty": (_l("eine leere Datei"), None),
    "unknown": (_l("ein unbekannter Dateityp"), None),
}
# Image formats browsers or Pillow read but Fahrplan does not take: named in the refusal.
OTHER_IMAGES = {"tiff", "bmp", "heic", "avif", "ico", "psd"}
IMAGE_NAMES = {"tiff": "TIFF", "bmp": "BMP", "heic": "HEIC", "avif": "AVIF", "ico": "ICO",
               "psd": "PSD"}

HEAD = 64 * 1024  # bytes looked at; text is checked for UTF-8 over this much
MIMETYPE_LIMIT = 100  # an ODF `mimetype` member is some 40 bytes
SIGNATURES = [  # (prefix, what it is), checked in order at offset 0
    (b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"), (b"GIF89a", "gif"), (b"\x7fELF", "elf"),
    (b"\xfe\xed\xfa\xce", "macho"), (b"\xfe\xed\xfa\xcf", "macho"),
    (b"\xce\xfa\xed\xfe", "macho"), (b"\xcf\xfa\xed\xfe", "macho"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"), (b"Rar!\x1a\x07", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive"), (b"\x1f\x8b", "archive"), (b"BZh", "archive"),
    (b"\xfd7zXZ\x00", "archive"), (b"(\xb5/\xfd", "archive"), (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"), (b"\x00\x00\x01\x00", "ico"), (b"8BPS", "psd"), (b"{\\rtf", "rtf"),
    (b"ID3", "media"), (b"OggS", "media"), (b"fLaC", "media"), (b"\x1aE\xdf\xa3", "media"),
]
HEIF_BRANDS = {b"heic": "heic", b"heix": "heic", b"hevc": "heic", b"mif1": "heic",
               b"msf1": "heic", b"avif": "avif", b"avis": "avif"}
ODF_TYPES = {ODF.encode() + b"text": "odt", ODF.encode() + b"spreadsheet": "ods",
             ODF.encode() + b"presentation": "odp"}
# The main part's content type (in [Content_Types].xml) and the folder of its parts.
OOXML_MAIN = {"docx": ("word/", b"wordprocessingml.document.main+xml"),
              "xlsx": ("xl/", b"spreadsheetml.sheet.main+xml"),
              "pptx": ("ppt/", b"presentationml.presentation.main+xml")}
TYPES_LIMIT = 256 * 1024  # [Content_Types].xml lists a type per part: a few kB
MARKUP = re.compile(rb"<(script|html|svg|!doctype|\?xml|iframe|body|object|embed)\b", re.I)
TEXT_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # all but \t \n \r


def _binary(head):
    """Return the kind or refusal key of binary content by its signature, or None."""
    for prefix, key in SIGNATURES:
        if head.startswith(prefix):
            return key
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" or head[4:8] in (b"ftyp", b"moov", b"mdat"):
        return HEIF_BRANDS.get(head[8:12], "media") if head[4:8] == b"ftyp" else "media"
    if head[:2] == b"MZ" and b"\x00" in head[2:64]:  # a DOS header has zeros; "MZ-Liste" not
        return "exe"
    if head[:4] == b"\xca\xfe\xba\xbe":  # a fat Mach-O counts architectures, a class versions
        return "macho" if int.from_bytes(head[4:8], "big") < 40 else "java"
    if head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00" and len(head) >= 26:
        return "bmp"
    return None


def _text(head, complete, name):
    """Return the kind or refusal key of content that is not binary: text, markup or neither."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "encoding"  # UTF-16, as Notepad's "Unicode" writes it
    if TEXT_CONTROLS.search(head):
        return "unknown"
    try:  # a character cut at the end of the head is not an error unless the file ends there
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=complete)
    except UnicodeDecodeError:
        return "encoding"
    body = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if body.startswith(b"#!"):
        return "script"
    words = {word.lower() for word in MARKUP.findall(head)}
    if b"svg" in words:  # an SVG often starts with <?xml: the more dangerous name wins
        return "svg"
    if words - {b"?xml"}:
        return "html"
    if words or body.startswith(b"<"):
        return "xml"
    # Both text kinds are equally harmless (plain text, downloaded), so only here may the name
    # choose: between two safe kinds, never into an unsafe one.
    return "csv" if clean_filename(name or "").lower().endswith(".csv") else "txt"


def _zipped(stream):
    """Return the kind or refusal key of a ZIP: an OOXML or ODF document, or an archive."""
    archive = archives.open_zip(stream)
    if archive is None:
        return "zip"
    with archive:
        names = archive.namelist()
        if any(name.endswith("vbaProject.bin") or name.startswith(("Basic/", "Scripts/"))
               for name in names):
            return "macros"
        if "mimetype" in names:
            info = archive.getinfo("mimetype")
            mimetype = archives.read_member(archive, "mimetype", MIMETYPE_LIMIT).strip()
            if info.compress_type != zipfile.ZIP_STORED or not mimetype.startswith(ODF.encode()):
                return "zip"
            return ODF_TYPES.get(mimetype, "odf")
        if "[Content_Types].xml" in names:
            return _ooxml(names, archives.read_member(archive, "[Content_Types].xml",
                                                      TYPES_LIMIT))
    return "zip"


def _ooxml(names, types):
    """Return the kind of an OOXML package by its main part's content type and its folder."""
    found = {key for key, (folder, main) in OOXML_MAIN.items()
             if main in types and any(name.startswith(folder) for name in names)}
    if len(found) == 1:  # a package claiming to be Word and Excel at once is neither
        return found.pop()
    # A template (DOTX), a binary workbook (XLSB) or a macro-enabled file declares another type.
    return "macros" if b"macroEnabled" in types else "zip"


def _sniff(stream, name):
    """Return the key of what the content is: a kind's key or a refusal's (REFUSED, images)."""
    stream.seek(0)
    head = stream.read(HEAD)
    if not head.removeprefix(codecs.BOM_UTF8):  # a BOM alone is an empty text
        return "empty"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zipped(stream)
    return _binary(head) or _text(head, len(head) < HEAD, name)


def _what(key):
    """Return what a kind or refusal key is, in German: a kind's label, else with article."""
    if key in KINDS:
        return str(KINDS[key].label)
    if key in OTHER_IMAGES:
        return _("ein Bild im Format %(format)s", format=IMAGE_NAMES[key])
    return str(REFUSED[key][0])


def _key(stream, name):
    """Return the key of what a stream holds, leaving the stream at position 0."""
    try:
        return _sniff(stream, name)
    finally:
        stream.seek(0)


def identify(stream, name=""):
    """Return (kind, what) of a seekable binary stream; kind None when Fahrplan takes no such file.

    what is the kind's label, or for other content a German phrase with its article ("ein
    Windows-Programm (EXE/DLL)") for the refusal. The name only tells CSV from plain text.
    """
    key = _key(stream, name)
    return KINDS.get(key), _what(key)


def allowed_labels(allowed=DEFAULT_ALLOWED):
    """Return the allowed kinds' short names for a form's hint ("PDF, DOCX, PNG")."""
    return ", ".join(KINDS[known].short for known in KINDS if known in allowed)


def check(stream, filename, allowed=DEFAULT_ALLOWED):
    """Return (kind, None) for a file of an allowed kind, else (None, a German message)."""
    key = _key(stream, filename)
    if key in KINDS and key in allowed:
        return KINDS[key], None
    name, what, types = clean_filename(filename), _what(key), allowed_labels(allowed)
    if key in KINDS:
        return None, _("„%(name)s“ ist als %(what)s erkannt; dieser Dateityp wird hier nicht "
                       "angenommen. Erlaubt sind: %(types)s.", name=name, what=what, types=types)
    if key == "empty":
        return None, _("Die Datei „%(name)s“ ist leer.", name=name)
    if key in OTHER_IMAGES:
        return None, _("„%(name)s“ ist %(what)s; dieses Bildformat wird nicht unterstützt. "
                       "Bitte als PNG oder JPEG speichern.", name=name, what=what)
    advice = " " + str(REFUSED[key][1]) if REFUSED[key][1] else ""
    return None, _("„%(name)s“ ist %(what)s und wird nicht angenommen.%(advice)s Erlaubt "
                   "sind: %(types)s.", name=name, what=what, advice=advice, types=types)


NAME_LIMIT = 120
EXTENSION_LIMIT = 16  # a longer "extension" is part of the name: "protokoll.sitzung vom mai"
DEFAULT_NAME = "datei"
# Characters that look like a slash or backslash but separate nothing: shown in a name they
# fake a path, and NFKC (which some tools apply) turns the fullwidth ones into real ones.
SLASHES = "\u2044\u2215\u29f8\uff0f\u2216\u29f9\ufe68\uff3c"
RESERVED = re.compile(r"(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|(COM|LPT)[1-9¹²³])", re.I)


def _visible(char):
    """Return a character as a name keeps it: a space for whitespace, "" for the invisible."""
    if char.isspace():
        return " "
    if char in SLASHES:
        return "_"
    # Cc: C0, DEL, C1; Cf: bidi controls (U+202E shows "exe.pdf" for "fdp.exe"), zero-width
    # characters, BOM, soft hyphen; Cs: lone surrogates no file system can store.
    if unicodedata.category(char) in ("Cc", "Cf", "Cs") or char in "\ufffe\uffff":
        return ""
    return char


def _shorten(name):
    """Return a name cut to NAME_LIMIT characters, its extension kept."""
    if len(name) <= NAME_LIMIT:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) >= EXTENSION_LIMIT:
        return name[:NAME_LIMIT].rstrip(" .")
    return stem[:NAME_LIMIT - len(extension) - 1].rstrip(" .") + "." + extension


def clean_filename(name):
    """Return a file's name as shown and stored: its last path part, visible, one line, short."""
    text = unicodedata.normalize("NFC", "".join(map(_visible, name or "")))
    text = re.split(r"[/\\]", text)[-1]
    text = unicodedata.normalize("NFC", " ".join(text.split()).strip(" ."))
    text = _shorten(text)
    if RESERVED.fullmatch(text.split(".")[0].strip()):  # Windows opens the device, not a file
        text = _shorten("_" + text)
    return text or DEFAULT_NAME


def name_for(name, kind):
    """Return the cleaned name ending in one of the kind's extensions (the canonical one added)."""
    cleaned = clean_filename(name)
    if cleaned.lower().endswith(kind.extensions):
        return cleaned
    return clean_filename(cleaned + kind.extensions[0])
