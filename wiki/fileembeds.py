"""Files named in a text, resolved when it is shown: `![Alt](datei:plan.png)` and
`[Beschluss](datei:beschluss.pdf)` (wiki/domain/markdown.py keeps the `datei:` scheme).

Stored HTML keeps the names, so a file uploaded, replaced or deleted after the text was saved
shows as it is now. An image becomes its resized variants with width and height, linked to the
original; a link leads to the download; a name without a file becomes a visible "Datei fehlt"
link to the place's file list, never a broken image. The page cache counts file changes, so a
kept page is made again when a file changes (migrations/0013_files.py).
"""
import html as entities
import re
from urllib.parse import unquote

from flask import g, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from wiki.domain import files, images
from wiki.models import FileVersion, Measure

SCHEME = "datei:"
# A tag as nh3 writes it: attribute values in double quotes, a quote inside one as &quot;.
TAG = re.compile(r'<(/?)(a|img)((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*/?>')
ATTRIBUTE = re.compile(r'([a-zA-Z-]+)(?:="([^"]*)")?')
# The text column is at most 48rem wide; a phone shows an image across the screen.
SIZES = "(max-width: 48rem) 100vw, 48rem"
SHOWN_WIDTH = 960


def resolve(html, page):
    """Return stored HTML with its `datei:` links and images resolved against a page's files.

    page: the page (a measure's too) whose files the names mean; None where a text has no
    place (its file names are then shown as text).
    """
    html = str(html or "")
    if SCHEME not in html:
        return html
    place = _place(page) if page is not None else None
    parts, last, inside = [], 0, 0
    for match in TAG.finditer(html):
        closing, tag, attributes = match[1], match[2], _attributes(match[3])
        target = attributes.get("src" if tag == "img" else "href", "")
        parts.append(html[last:match.start()])
        last = match.end()
        if closing:
            inside = max(0, inside - 1)
            parts.append(match[0])
        elif not target.startswith(SCHEME):
            inside += tag == "a"
            parts.append(match[0])
        elif tag == "a":
            inside += 1
            parts.append(_link(place, _name(target), attributes))
        else:
            parts.append(_image(place, _name(target), attributes, inside))
    parts.append(html[last:])
    return "".join(parts)


def _attributes(text):
    """Return a tag's attributes as {name: unescaped value}."""
    return {match[1]: entities.unescape(match[2] or "") for match in ATTRIBUTE.finditer(text)}


def _name(target):
    """Return the file name a `datei:` URL names (percent-encoding allowed for blanks)."""
    return unquote(target[len(SCHEME):]).strip()


def _tag(name, attributes):
    """Return an opening tag with escaped attribute values (None values left out)."""
    written = "".join(f' {key}="{escape(value)}"' for key, value in attributes.items()
                      if value is not None)
    return f"<{name}{written}>"


def _link(place, name, attributes):
    """Return the opening tag of a link to a file, or of a "Datei fehlt" link."""
    version = place.files.get(name.casefold()) if place else None
    if version is None:
        return _missing(place, name, attributes.get("title"), opening_only=True)
    return _tag("a", {"href": place.url("files.download", version.file.name),
                      "class": "file-link", "title": attributes.get("title")})


def _image(place, name, attributes, inside_link):
    """Return an embedded image (its variants, linked to the original) or a "Datei fehlt" link."""
    alt = attributes.get("alt", "")
    version = place.files.get(name.casefold()) if place else None
    if version is None:
        return _missing(place, name, alt)
    if not version.width:  # a document written as an image: a link to it, its text the alt
        link = _tag("a", {"href": place.url("files.download", version.file.name),
                          "class": "file-link"})
        return f"{link}{escape(alt or version.file.name)}</a>"
    original = place.url("files.download", version.file.name)
    widths = [] if version.kind == "gif" else images.widths(version.width)
    if widths:
        shown = min(widths, key=lambda width: (width < SHOWN_WIDTH, abs(width - SHOWN_WIDTH)))
        source = place.url("files.variant", version.file.name, width=shown)
        srcset = ", ".join(f"{place.url('files.variant', version.file.name, width=width)} "
                           f"{min(width, version.width)}w" for width in widths)
    else:
        shown, source, srcset = version.width, original, None
    width = min(shown, version.width)
    height = max(1, round(version.height * width / version.width))
    image = _tag("img", {"src": source, "srcset": srcset, "sizes": SIZES if srcset else None,
                         "width": str(width), "height": str(height), "alt": alt,
                         "title": attributes.get("title"), "loading": "lazy"})
    if inside_link:
        return image
    label = _("%(name)s in voller Größe", name=version.file.name)
    return _tag("a", {"href": original, "class": "file-image", "title": label}) + image + "</a>"


def _missing(place, name, label, opening_only=False):
    """Return a visible link to the place's file list for a name no file has (any more)."""
    note = escape(_("Datei fehlt: %(name)s", name=name))
    if place is None:  # no place to look in: the name as text (a link without href is text)
        if opening_only:
            return _tag("a", {"class": "file-missing"})
        return f'<span class="file-missing">{note}</span>'
    link = _tag("a", {"href": place.listing, "class": "file-missing", "title": label or None})
    if opening_only:  # the link's own text and </a> follow in the HTML
        return f'{link}<span class="file-missing-note">{note} – </span>'
    return f"{link}{note}</a>"


class _Place:
    """A page's files (the newest version of each, by casefolded name) and their URLs."""

    def __init__(self, page):
        self.page = page
        self.arguments = _arguments(page)
        self.files = {version.file.name_key: version
                      for version in FileVersion.newest_in(files.place_of(page))}
        self.listing = url_for("files.listing", **self.arguments)

    def __repr__(self):
        """Name the page and each file's newest version: a fragment showing files keys on it."""
        newest = ",".join(f"{key}={version.id}" for key, version in sorted(self.files.items()))
        return f"<files of page {self.page.id}: {newest}>"

    def url(self, endpoint, name, **extra):
        """Return the URL of a file view for a file of this place."""
        return url_for(endpoint, name=name, **self.arguments, **extra)


def files_of(page):
    """Return a page's files for its "Dateien" section: .files (newest versions by name),
    .url(endpoint, name) and .listing (looked up once per request, shared with the text)."""
    return _place(page)


def _place(page):
    """Return the page's files, looked up once per request."""
    cache = g.setdefault("file_places", {})
    if page.id not in cache:
        cache[page.id] = _Place(page)
    return cache[page.id]


def _arguments(page):
    """Return the URL arguments of a page's files: a measure's code, else the page's slug."""
    if page.kind == "measure":
        measure = Measure.get_or_none(Measure.page == page)
        if measure is not None:
            return {"code": measure.code}
    return {"slug": page.slug}


def markup(html, page):
    """Return resolve() as markup: the HTML was sanitised when saved, the additions escaped."""
    return Markup(resolve(html, page))  # noqa: S704  # nosec B704
