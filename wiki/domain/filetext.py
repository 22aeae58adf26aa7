"""The searchable text of an attached file, read within bounds (pure, no database).

Every reader stops at MAX_CHARS characters; a PDF at MAX_PAGES pages; an Office file's XML at
XML_LIMIT bytes unpacked, whatever its ZIP header claims. A broken or hostile file gives the
text read so far, or "", and never raises: an upload is never refused for its text.

Office XML is turned into text with regular expressions, not an XML parser: nothing is
resolved (no entities, no external references), and a tag soup costs linear time.
"""
import html
import logging
import re

from pypdf import PdfReader

from wiki.domain import archives, characters

MAX_CHARS = 500_000
MAX_PAGES = 300
XML_LIMIT = 20 * 1024 * 1024  # unpacked bytes of one XML part; a 300-page DOCX has some 5 MB
TEXT_LIMIT = 4 * MAX_CHARS  # bytes of a TXT or CSV: a UTF-8 character has at most four
PART_LIMIT = 40  # headers, footers and slides read at most

# The XML parts that hold a document's text, in reading order, by kind.
PARTS = {
    "docx": re.compile(r"word/(header\d*|document|footnotes|endnotes|footer\d*)\.xml"),
    "pptx": re.compile(r"ppt/slides/slide\d+\.xml"),
    "xlsx": re.compile(r"xl/(sharedStrings|worksheets/sheet\d+)\.xml"),
    "odt": re.compile(r"content\.xml"),
    "ods": re.compile(r"content\.xml"),
    "odp": re.compile(r"content\.xml"),
}
DOCX_ORDER = ("header", "document", "footnotes", "endnotes", "footer")
# Paragraph, heading, row and cell ends become line ends; tabs, breaks and ODF's spaces blanks.
LINE_ENDS = re.compile(r"</(?:w:p|text:p|text:h|a:p|si|table:table-row)>")
BLANK_TAGS = re.compile(r"<(?:w:tab|w:br|w:cr|text:tab|text:line-break|text:s|a:br)\b[^>]*>|"
                        r"</(?:table:table-cell|w:tc)>")
TAGS = re.compile(r"<[^>]*>")
# A workbook's text is in <t> elements (shared and inline strings); the rest of a sheet is
# numbers, formulas and indexes into the shared strings, noise to a search.
CELL_TEXT = re.compile(r"<t\b[^>]*>([^<]*)</t>")
SPACES = re.compile(r"[^\S\n]+")
LINES = re.compile(r"\s*\n\s*")


def _tidy(text):
    """Return text without controls, blanks collapsed, at most MAX_CHARS characters."""
    text = characters.printable(text[:MAX_CHARS * 2])
    return LINES.sub("\n", SPACES.sub(" ", text)).strip()[:MAX_CHARS]


def xml_text(data):
    """Return the text of an Office XML part: paragraphs as lines, tags gone, entities resolved."""
    markup = data.decode("utf-8", errors="replace")
    markup = BLANK_TAGS.sub(" ", LINE_ENDS.sub("\n", markup))
    # html.unescape knows the five XML entities and numeric references; it runs after the tags
    # are gone, so an escaped "&lt;b&gt;" stays text.
    return html.unescape(TAGS.sub("", markup))


def _part_order(name):
    """Return where a DOCX part comes in reading order: headers, body, notes, footers."""
    stem = re.sub(r"\d+$", "", name.rsplit("/", 1)[-1].removesuffix(".xml"))
    number = re.search(r"(\d+)\.xml$", name)
    return (DOCX_ORDER.index(stem) if stem in DOCX_ORDER else 0,
            int(number[1]) if number else 0)


def _office(kind_key, stream):
    """Return the text of an OOXML or ODF file from its text-bearing XML parts."""
    archive = archives.open_zip(stream)
    if archive is None:
        return ""
    with archive:
        names = sorted((name for name in archive.namelist() if PARTS[kind_key].fullmatch(name)),
                       key=_part_order)[:PART_LIMIT]
        texts, budget = [], XML_LIMIT
        for name in names:
            data = archives.read_member(archive, name, budget)
            budget -= len(data)
            if kind_key == "xlsx":
                data = "\n".join(CELL_TEXT.findall(data.decode("utf-8", "replace"))).encode()
            texts.append(xml_text(data))
            if budget <= 0 or sum(map(len, texts)) >= MAX_CHARS:
                break
    return "\n".join(texts)


def _pdf(stream):
    """Return the text of at most MAX_PAGES pages of a PDF, or what was read before an error."""
    # pypdf logs every oddity of a damaged file as a warning, which no operator can act on;
    # the error that ends the reading goes to the debug log below.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    texts, length = [], 0
    try:
        reader = PdfReader(stream, strict=False)
        for number in range(min(len(reader.pages), MAX_PAGES)):
            text = reader.pages[number].extract_text() or ""
            texts.append(text)
            length += len(text)
            if length >= MAX_CHARS:
                break
    except Exception as error:  # pypdf raises many types on a hostile file: each ends the reading
        logging.getLogger("wiki.files").debug("PDF text cut short: %r", error)
    return "\n".join(texts)


def _plain(stream):
    """Return a text file's content decoded as UTF-8, at most TEXT_LIMIT bytes of it."""
    data = stream.read(TEXT_LIMIT)
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff")


def extract(kind_key, stream):
    """Return the searchable text of a file of a kind ("" for images and unknown kinds)."""
    try:
        stream.seek(0)
        if kind_key == "pdf":
            text = _pdf(stream)
        elif kind_key in PARTS:
            text = _office(kind_key, stream)
        elif kind_key in ("txt", "csv"):
            text = _plain(stream)
        else:
            text = ""
        return _tidy(text)
    except (OSError, ValueError, MemoryError, RecursionError) as error:
        logging.getLogger("wiki.files").debug("no text from a %s file: %r", kind_key, error)
        return ""
    finally:
        stream.seek(0)
