"""Whole pages kept per worker while nothing changed: measure and wiki pages, histories, overviews.

Every write to a table that a page shows adds one to the database's change counter, in the same
transaction (migration 0009's triggers, so no code path can forget it). A request reads the
counter first: while it is unchanged, the page a worker rendered for the same address, reader,
language, day and live extras (who has the edit form open) is the page it would render again,
and is served from memory. Any change anywhere drops every kept page, in every worker, at once.

What differs per session is not kept: the CSRF token is cut out and filled in per request;
htmx fragments, pages with a flash message and anything but a 200 HTML or JSON answer are
always rendered.
"""
import functools
import threading
import zlib
from collections import OrderedDict

from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from wiki.domain import programme
from wiki.models import ChangeCounter

# Stands for the request's CSRF token in a kept page.
TOKEN_HOLE = b"\x00csrf-token\x00"
KEPT_TYPES = ("text/html", "application/json")
PACK_OVER = 64 * 1024
PACKED = b"\x00zlib\x00"  # no HTML or JSON page starts with a NUL byte

_lock = threading.Lock()


def kept(view):
    """Serve the decorated GET view from the kept pages.

    Put it below the route's permission checks (`require`): they run on every request.
    """
    @functools.wraps(view)
    def wrapped(**kwargs):
        if not _may_keep():
            return view(**kwargs)
        generation, editors = ChangeCounter.with_editors()
        if generation is None:
            return view(**kwargs)
        key = _key(editors)
        page = _lookup(generation, key)
        if page is not None:
            return _response(page)
        response = current_app.make_response(view(**kwargs))
        if _keepable(response):
            _keep(generation, key, _page(response))
        return response
    return wrapped


def clear(app):
    """Drop the pages app keeps (after a setting changed under a running app, as tests do)."""
    app.extensions.pop("fahrplan_pages", None)


def _store():
    """Return this app's kept pages: each app (a worker, or a test's app) has its own."""
    store = current_app.extensions.get("fahrplan_pages")
    if store is None:
        store = current_app.extensions["fahrplan_pages"] = {
            "generation": None, "pages": OrderedDict(), "bytes": 0}
    return store


def _may_keep():
    return (current_app.config["PAGE_CACHE_MB"] > 0 and request.method == "GET"
            and "HX-Request" not in request.headers and not session.get("_flashes"))


def _key(editors):
    user = current_user.id if current_user.is_authenticated else None
    return (request.url, str(get_locale()), user, programme.today(), editors)


def _lookup(generation, key):
    store = _store()
    with _lock:
        if store["generation"] != generation:
            return None
        page = store["pages"].get(key)
        if page is not None:
            store["pages"].move_to_end(key)
        return page


def _keepable(response):
    return (response.status_code == 200
            and response.mimetype in KEPT_TYPES and not response.is_streamed
            and "Set-Cookie" not in response.headers)


def _older(generation, than):
    return than is not None and generation[0] == than[0] and generation[1] < than[1]


def _page(response):
    body = response.get_data()
    token = g.get("csrf_token")
    if token:
        body = body.replace(token.encode(), TOKEN_HOLE)
    headers = [(name, value) for name, value in response.headers.items()
               if name != "Content-Length"]
    # Compressed, an overview takes a tenth of the memory, and unpacking 2 MB costs 3 ms; a
    # measure page of 30 kB is kept as it is (unpacking would be a tenth of the hit's time).
    if len(body) > PACK_OVER:
        body = PACKED + zlib.compress(body, 1)
    return body, response.status_code, headers


def _keep(generation, key, page):
    limit = current_app.config["PAGE_CACHE_MB"] * 1024 * 1024
    size = len(page[0])
    store = _store()
    with _lock:
        if store["generation"] != generation:
            if _older(generation, store["generation"]):
                return  # a slower request read the counter before the newest one did
            store.update(generation=generation, pages=OrderedDict(), bytes=0)
        pages = store["pages"]
        if key in pages or size > limit:
            return
        pages[key] = page
        store["bytes"] += size
        while store["bytes"] > limit:
            store["bytes"] -= len(pages.popitem(last=False)[1][0])


def _response(page):
    body, status, headers = page
    if body.startswith(PACKED):
        body = zlib.decompress(body[len(PACKED):])
    if TOKEN_HOLE in body:
        body = body.replace(TOKEN_HOLE, generate_csrf().encode())
    return Response(body, status, headers)
