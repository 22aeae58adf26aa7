"""What a URL may carry: ids in paths and whole numbers in query parameters, bounded to a bigint,
and text segments (codes, slugs) without control characters.

Beyond 2^63 - 1 PostgreSQL refuses to compare an id column and SQLite cannot offset a query,
so an id or page number out of range answered 500; here it is no such page, or a bad request.
A NUL in a slug or code reached the database, which PostgreSQL refuses (a 500): a segment with a
control character matches no route, so it is no such page either.
"""
from flask import Request, abort, current_app, request
from werkzeug.routing import IntegerConverter, UnicodeConverter

from wiki.domain import cleaning

MAX_PAGE = 100_000  # page numbers beyond it show the last (empty) page, not a 500
MEGABYTE = 1024 * 1024
# What a file upload sends besides the files: the CSRF token, a comment, the multipart framing.
UPLOAD_FORM = 64 * 1024


def accepts_files(view):
    """Mark a view that receives uploaded files: its requests may be FILE_MAX_MB large."""
    view.accepts_files = True
    return view


class SizedRequest(Request):
    """A request whose size limit is the file limit for views that take files, else the forms'.

    The limit must be known before anything reads the body, the CSRF check included, so it is
    decided from the matched route rather than set inside the view.
    """

    @property
    def max_content_length(self):
        """Return the bytes this request may send (werkzeug answers 413 beyond them)."""
        view = current_app.view_functions.get(self.endpoint) if self.endpoint else None
        if getattr(view, "accepts_files", False):
            return current_app.config["FILE_MAX_MB"] * MEGABYTE + UPLOAD_FORM
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value):
        """Keep flask's per-request override."""
        Request.max_content_length.fset(self, value)


class IdConverter(IntegerConverter):
    """`<id:name>`: a row id from 1 to 2^63 - 1 in ASCII digits; anything else is a 404."""

    regex = r"[0-9]+"

    def __init__(self, url_map):
        """Bound the ids to what a bigint column holds."""
        super().__init__(url_map, min=1, max=cleaning.LARGEST_ID)


class TextConverter(UnicodeConverter):
    """`<name>` and `<string:name>`: one path segment without control characters (else a 404)."""

    def __init__(self, url_map, *args, **kwargs):
        """Keep the length options of werkzeug's converter; leave out C0, DEL and C1 controls."""
        super().__init__(url_map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f-\\x9f]", 1)


def number_arg(name):
    """Return a whole-number query parameter from 1 to 2^63 - 1, None when absent; else 400."""
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return cleaning.whole(value, low=1)
    except cleaning.Refused:
        abort(400)


def page_arg(name="page"):
    """Return the number of ?page= (1 when absent or no number), at most MAX_PAGE + 1.

    A view shows page 1 for 0 or answers 404 for it, as for a page past its last one.
    """
    text = request.args.get(name, "")
    if not cleaning.WHOLE.fullmatch(text):
        return 1
    return MAX_PAGE + 1 if len(text) > len(str(MAX_PAGE)) else min(int(text), MAX_PAGE + 1)


def init_app(app):
    """Register the `id` and text converters and the request class that knows its size limit;
    call before the blueprints add their rules."""
    app.request_class = SizedRequest
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
