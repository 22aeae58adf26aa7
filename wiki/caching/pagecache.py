"""Whole pages kept per worker while nothing changed: measure and wiki pages, histories, overviews.

Every write to a table that a page shows adds one to the database's change counter, in the same
transaction (migration 0009's triggers, so no code path can forget it). A request reads the
counter first: while it is unchanged, the page a worker rendered for the same route, declared
inputs, reader, language, day and live extras (who has the edit form open) is the page it would
render again, and is served from memory. Any change anywhere drops every kept page, in every
worker, at once.

A kept view declares what it reads of the request besides its route: `@kept(args=("field",
"sort"), headers=())`. The key holds the endpoint and its values (so /revisions/01 is
/revisions/1), the declared query parameters, every value in order, and the declared headers;
any other parameter neither misses nor makes an entry, and while the view renders it sees only
the declared ones, so no link it echoes carries another. A declared value longer than LONGEST,
or repeated more than REPEATS times, is answered but not kept. tests/test_cache_keys.py renders
every kept route through recording stand-ins and fails when a view reads a query parameter or
header its declaration leaves out.

What differs per session is not kept: the view renders a random hole, new for every page, where
the CSRF token goes, and each answer gets the request's token in it (content cannot hold the
hole, so it never gets a token). htmx requests, pages with a flash message and anything but a
200 HTML or JSON answer are always rendered. The pages are kept in their share of the one
budget (wiki/caching/store.py).
"""
import contextlib
import functools
import secrets

from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.wrappers import Response

from wiki.caching import store
from wiki.domain import programme
from wiki.models import ChangeCounter

KEPT_TYPES = ("text/html", "application/json")
PACK_OVER = 64 * 1024
# The longest declared value, and the most values of one parameter, of a page that is kept:
# codes, dates, sort keys and page numbers are a few characters; anything more is answered
# afresh instead of taking a place in the store.
LONGEST = 100
REPEATS = 4
NOTHING = ((), ())  # the key part of a view that reads nothing but its route


class Inputs:
    """What a kept view reads of the request besides its route: query parameters, headers."""

    def __init__(self, args=(), headers=()):
        """Declare the names of the query parameters and headers the view and its templates read."""
        self.args, self.headers = tuple(sorted(set(args))), tuple(sorted(set(headers)))

    def key(self):
        """Return the request's declared values as part of a key, or None when too long to keep."""
        if not self.args and not self.headers:
            return NOTHING
        given, args = request.args, []
        for name in self.args:
            values = given.getlist(name)
            if values:
                if len(values) > REPEATS or max(map(len, values)) > LONGEST:
                    return None
                args.append((name, tuple(values)))
        if not self.headers:
            return tuple(args), ()
        headers = tuple(request.headers.get(name, "") for name in self.headers)
        if any(len(value) > LONGEST for value in headers):
            return None
        return tuple(args), headers

    def of(self, given):
        """Return the declared ones of the request's query parameters, every value in order."""
        if all(name in self.args for name in given):
            return given
        return ImmutableMultiDict([(name, value) for name in self.args
                                   for value in given.getlist(name)])


def kept(view=None, *, args=(), headers=()):
    """Serve the decorated GET view from the kept pages, keyed on its route and declared inputs.

    args, headers: the names of the query parameters and headers the view and its templates
    read (none: @kept alone).

    Put it below the route's permission checks (`require`): they run on every request.
    """
    if view is None:
        return functools.partial(kept, args=args, headers=headers)
    inputs = Inputs(args, headers)

    @functools.wraps(view)
    def wrapped(**kwargs):
        pages = store.of("pages")
        given = inputs.key() if pages is not None and _may_keep() else None
        if given is None:
            return _render(view, inputs, kwargs)
        generation, editors = ChangeCounter.with_editors()
        if generation is None:
            return _render(view, inputs, kwargs)
        key = _key(kwargs, given, editors)
        page = pages.get(key, generation)
        if page is not None:
            return _response(page)
        hole = secrets.token_hex(16)
        response = _render(view, inputs, kwargs, hole)
        if _keepable(response):
            page = _page(response, hole.encode())
            pages.put(key, page, len(page[0]), generation)
        return _filled(response, hole.encode())

    wrapped.inputs = inputs
    return wrapped


def _may_keep():
    """Tell whether the request's answer may be a kept page: a plain GET without a message."""
    return (request.method == "GET" and "HX-Request" not in request.headers
            and not session.get("_flashes"))


def _key(kwargs, given, editors):
    """Return what a kept page depends on besides the change counter."""
    user = current_user.id if current_user.is_authenticated else None
    return (request.endpoint, tuple(kwargs.items()), given, str(get_locale()), user,
            programme.today(), editors)


def _render(view, inputs, kwargs, hole=None):
    """Return the view's response, rendered with its declared inputs (and the hole, if given)."""
    with _declared_only(inputs), _token_hole(hole):
        return current_app.make_response(view(**kwargs))


@contextlib.contextmanager
def _declared_only(inputs):
    """Show the view only its declared query parameters while it renders."""
    given = request.args
    request.args = inputs.of(given)
    try:
        yield
    finally:
        request.args = given


@contextlib.contextmanager
def _token_hole(hole):
    """Have flask_wtf's csrf_token() give the hole (if any) while the view renders."""
    if hole is None:
        yield
        return
    token = g.pop("csrf_token", None)
    g.csrf_token = hole  # flask_wtf's generate_csrf gives the token the request has in g
    try:
        yield
    finally:
        del g.csrf_token
        if token is not None:
            g.csrf_token = token


def _keepable(response):
    """Tell whether a response is the same for every request with the same key."""
    return (response.status_code == 200
            and response.mimetype in KEPT_TYPES and not response.is_streamed
            and "Set-Cookie" not in response.headers)


def _page(response, hole):
    """Return (body, status, headers, hole) of a response to keep."""
    body = response.get_data()
    headers = [(name, value) for name, value in response.headers.items()
               if name != "Content-Length"]
    # Compressed, an overview takes a tenth of the memory, and unpacking 2 MB costs 3 ms; a
    # measure page of 30 kB is kept as it is (unpacking would be a tenth of the hit's time).
    if len(body) > PACK_OVER:
        body = store.pack(body)
    return body, response.status_code, headers, hole


def _response(page):
    """Return a kept page as a response, with the request's CSRF token in its hole."""
    body, status, headers, hole = page
    body = store.unpack(body)
    if hole in body:
        body = body.replace(hole, generate_csrf().encode())
    return Response(body, status, headers)


def _filled(response, hole):
    """Return a response just rendered, with the request's CSRF token in its hole."""
    if not response.is_streamed and not response.direct_passthrough:
        body = response.get_data()
        if hole in body:
            response.set_data(body.replace(hole, generate_csrf().encode()))
    return response
