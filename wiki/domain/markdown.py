"""Turn wiki Markdown into sanitised HTML: the one place where Markdown becomes HTML."""

import re
import unicodedata
import xml.etree.ElementTree as etree  # builds a tree, parses no XML  # nosec B405

import markdown
import nh3
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString
from markupsafe import Markup

MEASURE_CODE = re.compile(r"^[Mm][0-9]{2,4}$")  # ASCII digits: \d would take M０７ too
WIKI_LINK = r"\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]+))?\]\]"
MISSING_TITLE = "Seite existiert noch nicht – anlegen"
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                         "ß": "ss", "ẞ": "SS"})

EXTENSIONS = ["tables", "fenced_code", "footnotes", "toc", "sane_lists"]

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
URL_SCHEMES = {"http", "https", "mailto"}
LANGUAGE_CLASS = re.compile(r"language-[\w+-]+")
URL_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")


def slugify(title):
    """Return a lowercase ASCII slug for a page title, German umlauts transliterated."""
    text = unicodedata.normalize("NFKD", str(title).translate(UMLAUTS))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].rstrip("-")
    return slug or "seite"


def _default_resolve(target):
    """Return the URL of a measure code or page title, assuming the target exists."""
    if MEASURE_CODE.match(target):
        return f"/measures/{target.upper()}", True
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
    """Render wiki Markdown to sanitised HTML, resolving wiki links with `resolve`."""
    html, _ = _convert(text, resolve or _default_resolve)
    # The one place content is trusted as markup: it has just passed the nh3 allow-list.
    return Markup(_sanitise(html))  # noqa: S704  # nosec B704


def wiki_links(text):
    """Return the distinct wiki link targets in the text, in order of first appearance."""
    _, found = _convert(text, _default_resolve)
    return list(dict.fromkeys(found))


def check_source(text):
    """Raise ValueError (a German message without the field's name) when Markdown is too costly.

    The bounds that keep every render fast (size, nesting depth, bracket runs) live here; the
    input cleaning at the door (wiki/domain/cleaning.py) calls it for every Markdown field.
    """
    return None
