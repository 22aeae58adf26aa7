"""Turn wiki Markdown into sanitised HTML: the one place where Markdown becomes HTML."""

import re
import unicodedata
import xml.etree.ElementTree as etree  # builds a tree, parses no XML  # nosec B405
from html import unescape
from itertools import pairwise

import markdown
import nh3
from flask_babel import gettext as _
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString
from markupsafe import Markup, escape

from wiki.domain import markdown_blocks
from wiki.models import content

# What a measure code may be (wiki/models/content.py says it for the lookups).
CODE = content.CODE
NUMBERS = re.compile(r"([0-9]+)")


def code_order(code):
    """Return a sort key that puts codes in the order people count: 1.2 before 1.10, M9 before
    M10 (numbers as numbers, the rest case-insensitively)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower())
                 for part in NUMBERS.split(code) if part)
WIKI_LINK = r"\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]+))?\]\]"
MISSING_TITLE = "Seite existiert noch nicht – anlegen"
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                         "ß": "ss", "ẞ": "SS"})

EXTENSIONS = ["tables", "fenced_code", "footnotes", "toc", "sane_lists",
              markdown_blocks.BlocksAsTyped()]

TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "b", "i", "del", "s", "sup", "sub", "code", "pre", "kbd", "mark",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "img", "div", "span", "abbr",
}
# Removed together with their content, so no script text or foreign markup leaks as text.
DROP_WITH_CONTENT = {
    "script", "style", "template", "svg", "math", "iframe", "object", "embed", "noscript",
    "noembed", "noframes", "textarea", "select", "title", "xmp",
}
CELL = {"align", "colspan", "rowspan"}
# "*" must be given: without it nh3 silently allows `title` and `lang` on every tag.
ATTRIBUTES = {
    "*": set(),
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "a": {"href", "title", "class", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "div": {"class", "id"},
    "span": {"class"},
    "code": {"class"},
    "abbr": {"title"},
    "sup": {"id"},
    "li": {"id"},
    "ol": {"start"},
    "th": CELL,
    "td": CELL,
}
CLASSES = {
    "a": {"wikilink", "missing", "footnote-ref", "footnote-backref"},
    "div": {"footnote", "toc"},
    "span": {"toctitle"},
}
# Only ids made by the toc and footnotes extensions survive, so content never clobbers app ids.
ID_PREFIXES = ("h-", "fn:", "fnref:")
# `datei:` names a file of the same measure or page, resolved when shown (wiki/fileembeds.py).
URL_SCHEMES = {"http", "https", "mailto", "datei"}
LANGUAGE_CLASS = re.compile(r"language-[\w+-]+")
URL_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")


def slugify(title):
    """Return a lowercase ASCII slug for a page title, German umlauts transliterated."""
    text = unicodedata.normalize("NFKD", str(title).translate(UMLAUTS))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].rstrip("-")
    return slug or "seite"


def _default_resolve(target):
    """Return the URL of a page title, assuming it exists (revisions.render looks targets up)."""
    return f"/pages/{slugify(target)}", True


class _WikiLinks(InlineProcessor):
    """Turn `[[Target]]` and `[[Target|label]]` into links and record each target."""

    def __init__(self, resolve, found):
        super().__init__(WIKI_LINK)
        self.resolve = resolve
        self.found = found

    def handleMatch(self, m, data):
        """Return an `<a>` element for the matched wiki link, or leave the text alone."""
        target = m.group(1).strip()
        if not target:
            return None, None, None
        self.found.append(target)
        url, exists = self.resolve(target)
        link = etree.Element("a", href=url)
        link.set("class", "wikilink" if exists else "wikilink missing")
        if not exists:
            link.set("title", MISSING_TITLE)
        link.text = AtomicString((m.group(2) or "").strip() or target)
        return link, m.start(0), m.end(0)


def _convert(text, resolve):
    """Return unsanitised HTML for the Markdown text and the wiki link targets it contains."""
    found = []
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs={
        "tables": {"use_align_attribute": True},
        "toc": {"slugify": lambda value, separator: "h-" + slugify(value), "title": "Inhalt"},
        "footnotes": {"BACKLINK_TITLE": "Zurück zu Fußnote {} im Text"},
    })
    # Above reference links (170) so `[[x]]` is never read as a link; below code spans (190).
    md.inlinePatterns.register(_WikiLinks(resolve, found), "wikilink", 175)
    return md.convert(text or ""), found


def _filter_attribute(tag, attribute, value):
    """Return the attribute value to keep, or None to drop it."""
    if attribute == "id":
        return value if value.startswith(ID_PREFIXES) else None
    if attribute == "class":
        allowed = CLASSES.get(tag, set())
        kept = [name for name in value.split() if name in allowed
                or (tag == "code" and LANGUAGE_CLASS.fullmatch(name))]
        return " ".join(kept) or None
    if attribute in ("href", "src"):
        # Also refuse schemes that only appear once blanks and control characters are removed.
        scheme = URL_SCHEME.match(re.sub(r"[\x00-\x20\x7f]+", "", value).lower())
        return None if scheme and scheme[1] not in URL_SCHEMES else value
    return value


def _sanitise(html):
    """Return the HTML reduced to the explicit allow-list of tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        generic_attribute_prefixes=set(),
    )


def render(text, resolve=None):
    """Render wiki Markdown to sanitised HTML, resolving wiki links with `resolve`.

    Text beyond the bounds of check_source (stored before they held, or imported) is shown
    escaped in a <pre>: rendering it could take minutes or exhaust the recursion limit.
    """
    try:
        check_source(text)
        html, _links = _convert(text, resolve or _default_resolve)
    except (ValueError, RecursionError):
        return Markup("<pre>%s</pre>") % escape(text or "")
    # The one place content is trusted as markup: it has just passed the nh3 allow-list.
    return Markup(_sanitise(html))  # noqa: S704  # nosec B704


TAG_OR_COMMENT = re.compile(r"<[^>]*>")


def plain_text(text):
    """Return Markdown as the reader sees it, without markup: for search entries and their
    snippets ("Digitale Poststelle Ziel …", not "# Digitale Poststelle ## Ziel")."""
    html = str(render(text))
    return " ".join(unescape(TAG_OR_COMMENT.sub(" ", html)).split())


IMAGE_TAG = re.compile(r'<img((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*/?>')
ALT = re.compile(r'\salt="([^"]*)"')
SOURCE = re.compile(r'\ssrc="([^"]*)"')


def images_without_text(text):
    """Return the sources of the images in the text that have no alternative text (BITV asks
    for one): Markdown images `![](…)` and HTML `<img>` alike, as they would be shown."""
    if "![" not in (text or "") and "<img" not in (text or "").lower():
        return []
    found = []
    for match in IMAGE_TAG.finditer(str(render(text))):
        alt = ALT.search(match[1])
        if alt is None or not alt[1].strip():
            source = SOURCE.search(match[1])
            found.append(source[1] if source else "")
    return found


def wiki_links(text):
    """Return the distinct wiki link targets in the text, in order of first appearance."""
    try:
        check_source(text)
        _html, found = _convert(text, _default_resolve)
    except (ValueError, RecursionError):  # shown as plain text, so linking to nothing
        found = []
    return list(dict.fromkeys(found))


# The bounds of what Python-Markdown renders fast, measured as CPU time on the development
# machine, where a 100 kB page of the demo's texts takes 160 ms (weight 3,000, see below).
MAX_CHARS = 120_000
# Lists and quotes nested deeper recurse per level: 500 levels hit the recursion limit.
MAX_DEPTH = 12
# Elements (paragraphs, list items, table rows, headings, rules) count twice; marks (* ` [ < &
# \ and _ outside words) and levels of nesting once: each costs 45–77 µs an element, 25–35 µs a
# mark (nested emphasis), 20 µs a level.
MAX_WEIGHT = 5_000
# Each heading's id is made unique by counting up through the ids taken: 2,000 equal ones
# took 277 ms, 500 took 48 ms.
MAX_HEADINGS = 600
# References to one footnote are numbered the same way: 500 took 296 ms, 1,000 took 1.1 s.
MAX_FOOTNOTES = 200
# Python's HTML parser reads an unclosed tag again for every later one: 1,000 "<a " took
# 191 ms, 2,000 took 678 ms.
MAX_TAGS = 500
# Emphasis nests once per character of a run around a word: 3,491 "*" on each side of one
# exhausted the recursion limit. Rules ("*****" alone on a line) are not emphasis.
MAX_RUN = 100
# Each [TOC] marker gets a copy of the whole table of contents: 2,321 took 428 ms.
MAX_TOCS = 5
# A link reads on from its "[" to the matching "]" (and from "](" to the matching ")"), to the
# end of the paragraph when there is none, for three link patterns: 500,000 characters read
# by 1,000 unclosed "[" took 181 ms.
MAX_SCAN = 150_000
# Every mark matched, and every fence, copies the rest of its paragraph (fences: of the text):
# 3,000 code spans in one 112 kB paragraph (3.4e8 characters) took 139 ms.
MAX_COPY = 200_000_000
# A heading or rule inside a paragraph splits the rest of it into lines again: 1,734 setext
# headings in one paragraph (1,734 × 3,468 lines) took 908 ms, 1,396 rules 193 ms.
MAX_SPLITS = 300_000

MARK = re.compile(r"[*`\[<&\\]|(?<![^\W_])_|_(?![^\W_])")
RUN = re.compile(r"[*_]+")
RULE = re.compile(r"[ \t]{0,3}(?:[-*_][ \t]*){3,}$")
TAG = re.compile(r"<[A-Za-z/!?]")
CONTAINER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))")
LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]")
TABLE_RULE = re.compile(r"\|?[ \t]*+:?-+:?[ \t]*+(?:\|[ \t]*+:?-*+:?[ \t]*+)*+$")
SPLITTER = re.compile(r"[ \t]{0,3}(?:#|(?:[-*_][ \t]*){3,}$|[=-]+[ \t]*$|\[[^\]\n]*\]:)")
QUOTE = re.compile(r"^[ \t]*> ?")
FENCE = re.compile(r"[ \t]{0,3}(?:`{3,}|~{3,})")
BLANK = re.compile(r"\n[ \t]*\n")


def check_source(text):
    """Raise ValueError (a German message without the field's name) when Markdown is too costly.

    The bounds that keep every render fast (size, nesting depth, bracket runs) live here; the
    input cleaning at the door (wiki/domain/cleaning.py) calls it for every Markdown field.
    """
    text = text or ""
    if len(text) > MAX_CHARS:
        raise ValueError(_("Höchstens %(limit)s Zeichen sind möglich, hier sind es %(count)s.",
                           limit=f"{MAX_CHARS:,}".replace(",", "."),
                           count=f"{len(text):,}".replace(",", ".")))
    lines = text.splitlines()
    depths = [_depth(line) for line in lines]
    for number, depth in enumerate(depths, 1):
        if depth > MAX_DEPTH:
            raise ValueError(_("Listen und Zitate lassen sich höchstens %(limit)d Ebenen tief "
                               "verschachteln (Zeile %(line)d).", limit=MAX_DEPTH, line=number))
    # The blocks as Python-Markdown reads them: after a list or table that interrupts a
    # paragraph gets its own block (wiki/domain/markdown_blocks.py).
    units = [unit for unit in _units("\n".join(markdown_blocks.rewrite(text.split("\n"))))
             if unit.strip()]
    splitters = [sum(1 for line in unit.split("\n") if SPLITTER.match(line)) for unit in units]
    counts = [
        (2 * (len(units) + sum(splitters)) + len(MARK.findall(text)) + sum(depths), MAX_WEIGHT,
         _("Der Text ist zu kleinteilig gegliedert: zu viele Zeilen, Ebenen und "
           "Formatierungszeichen (*, _, `, [, <, &, \\). Bitte teilen Sie ihn auf mehrere "
           "Seiten auf.")),
        (sum(1 for line in lines if line.lstrip().startswith("#")), MAX_HEADINGS,
         _("Höchstens %(limit)d Überschriften sind möglich.", limit=MAX_HEADINGS)),
        (text.count("[^"), MAX_FOOTNOTES,
         _("Höchstens %(limit)d Fußnoten und Verweise auf Fußnoten sind möglich.",
           limit=MAX_FOOTNOTES)),
        (max((len(run) for line in lines if not RULE.match(line) for run in RUN.findall(line)),
             default=0), MAX_RUN,
         _("Höchstens %(limit)d Sternchen oder Unterstriche in Folge sind möglich.",
           limit=MAX_RUN)),
        (sum(1 for line in lines if line.strip() == "[TOC]"), MAX_TOCS,
         _("Höchstens %(limit)d Inhaltsverzeichnisse ([TOC]) sind möglich.", limit=MAX_TOCS)),
        (len(TAG.findall(text)), MAX_TAGS,
         _("Höchstens %(limit)d HTML-Tags und spitze Klammern vor einem Buchstaben sind "
           "möglich.", limit=MAX_TAGS)),
    ]
    for count, limit, message in counts:
        if count > limit:
            raise ValueError(message)
    scan = splits = 0
    copy = len(text) * sum(1 for line in lines if FENCE.match(line))
    for unit, splitting in zip(units, splitters, strict=True):
        scan += _brackets(unit) + _parens(unit)
        copy += len(unit) * len(MARK.findall(unit))
        splits += (unit.count("\n") + 1) * splitting
    if scan > MAX_SCAN:
        raise ValueError(_("Zu viele offene oder ineinander verschachtelte eckige Klammern. "
                           "Bitte schließen Sie jede „[“ mit „]“ oder schreiben Sie „\\[“."))
    if copy > MAX_COPY or splits > MAX_SPLITS:
        raise ValueError(_("Ein Absatz ist zu lang für so viele Formatierungszeichen, "
                           "Überschriften oder Trennlinien. Bitte trennen Sie ihn durch "
                           "Leerzeilen in kürzere Absätze."))


def _depth(line):
    """Return how deep a line nests: list and quote markers at its start, and indent levels."""
    depth, position = 0, 0
    while marker := CONTAINER.match(line, position):
        depth, position = depth + 1, marker.end()
    indent = len(line) - len(line.lstrip(" \t"))
    return depth + line[:indent].expandtabs(4).count(" ") // 4


def _units(text):
    """Yield the stretches Python-Markdown gives its inline patterns, or larger ones.

    Blocks end at blank lines; a list is split at its items, a table at its rows, and a quote
    is read again without its markers (what it quotes may be a list).
    """
    for block in BLANK.split(text):
        lines = block.split("\n")
        if QUOTE.match(block):
            yield from _units("\n".join(QUOTE.sub("", line, count=1) for line in lines))
        elif len(lines) > 1 and TABLE_RULE.match(lines[1].strip()) and "|" in lines[0]:
            yield from lines
        elif LIST_ITEM.match(block):
            starts = [i for i, line in enumerate(lines) if LIST_ITEM.match(line)] + [len(lines)]
            yield from ("\n".join(lines[a:b]) for a, b in pairwise(starts))
        else:
            yield block


def _brackets(unit):
    """Return how many characters the links read from each "[" to its "]" (or the end)."""
    total, stack = 0, []
    for match in re.finditer(r"[\[\]]", unit):
        if match.group() == "[":
            stack.append(match.start())
        elif stack:
            total += match.start() - stack.pop()
    return total + sum(len(unit) - start for start in stack)


def _parens(unit):
    """Return how many characters the links read from each "](" to its ")" (or the end)."""
    total, stack = 0, []  # the start of each "](", None for a "(" nested in one
    for match in re.finditer(r"\]\(|[()]", unit):
        if match.group() == "](":
            stack.append(match.start())
        elif match.group() == "(" and stack:
            stack.append(None)
        elif match.group() == ")" and stack and (start := stack.pop()) is not None:
            total += match.start() - start
    return total + sum(len(unit) - start for start in stack if start is not None)
