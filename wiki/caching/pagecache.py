"""Whole pages kept per worker while nothing changed: measure and wiki pages, histories, overviews.

Every write to a table that a page shows adds one to the database's change counter, in the same
transaction (migration 0009's triggers, so no code path can forget it). A request reads the
counter first: while it is unchanged, the page a worker rendered for the same address, reader,
language, day and live extras (who has the edit form open) is the page it would render again,
and is served from memory. Any change anywhere drops every kept page, in every worker, at once.

What differs per session is not kept: the CSRF token is cut out and filled in per request;
htmx fragments, pages with a flash message and anything but a 200 HTML or JSON answer are
always rendered. The pages are kept in their share of the one budget (wiki/caching/store.py).
"""
import functools

from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from wiki.caching import store
from wiki.domain import programme
from wiki.models import ChangeCounter

# Stands for the request's CSRF token in a kept page.
TOKEN_HOLE = b"\x00csrf-token\x00"
KEPT_TYPES = ("text/html", "application/json")
PACK_OVER = 64 * 1024


def kept(view):
    """Serve the decorated GET view from the kept pages.

    Put it below the route's permission checks (`require`): they run on every request.
    """
    @functools.wraps(view)
    def wrapped(**kwargs):
        pages = store.of("pages")
        if pages is None or not _may_keep():
            return view(**kwargs)
        generation, editors = ChangeCounter.with_editors()
        if generation is None:
            return view(**kwargs)
        key = _key(editors)
        page = pages.get(key, generation)
        if page is not None:
            return _response(page)
        response = current_app.make_response(view(**kwargs))
        if _keepable(response):
            page = _page(response)
            pages.put(key, page, len(page[0]), generation)
        return response
    return wrapped


def _may_keep():
    """Tell whether the request's answer may be a kept page: a plain GET without a message."""
    return (request.method == "GET" and "HX-Request" not in request.headers
            and not session.get("_flashes"))


def _key(editors):
    """Return what a kept page depends on besides the change counter."""
    user = current_user.id if current_user.is_authenticated else None
    return (request.url, str(get_locale()), user, programme.today(), editors)


def _keepable(response):
    """Tell whether a response is the same for every request with the same key."""
    return (response.status_code == 200
            and response.mimetype in KEPT_TYPES and not response.is_streamed
            and "Set-Cookie" not in response.headers)


def _page(response):
    """Return (body, status, headers) of a response to keep, its CSRF token cut out."""
    body = response.get_data()
    token = g.get("csrf_token")
    if token:
        body = body.replace(token.encode(), TOKEN_HOLE)
    headers = [(name, value) for name, value in response.headers.items()
               if name != "Content-Length"]
    # Compressed, an overview takes a tenth of the memory, and unpacking 2 MB costs 3 ms; a
    # measure page of 30 kB is kept as it is (unpacking would be a tenth of the hit's time).
    if len(body) > PACK_OVER:
        body = store.pack(body)
    return body, response.status_code, headers


def _response(page):
    """Return a kept page as a response, with the request's CSRF token filled in."""
    body, status, headers = page
    body = store.unpack(body)
    if TOKEN_HOLE in body:
        body = body.replace(TOKEN_HOLE, generate_csrf().encode())
    return Response(body, status, headers)
