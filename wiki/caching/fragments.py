"""Fragments rendered once per distinct content: measure cards, status reports, overview rows.

The overviews show up to thousands of measure cards and rows (wiki/rows.py), a measure page a
dozen reports. Each
fragment's key is everything it shows, read fresh from the database by the request (for a card:
code, title, marking, status, progress, schedule warnings, staleness, comments, newest light),
plus the language, the URL prefix and what the reader may do. So a kept fragment is never
stale, in any worker: changed content has a new key, and the old fragment is no longer asked for.
"""
import hashlib
import zlib

from flask import g, get_template_attribute, request
from flask_babel import get_locale
from markupsafe import Markup

from wiki.security import can

# Bytes of fragments kept per worker process: at 1,000 measures today's overviews keep about
# 9,000 fragments, 2.3 MB packed (17 MB as Python strings with their keys). When full, all are
# dropped (simpler than an LRU, and a full set renders again within one request).
LIMIT = 4 * 1024 * 1024
_kept = {}
_size = [0]  # bytes in _kept


def init_app(app):
    """Offer the fragments to the templates."""
    app.jinja_env.globals.update(measure_card=measure_card, report_article=report_article)


def measure_card(measure, assessment=None, stale_days=None, comment_count=None, light=None):
    """Return the HTML of a measure's card (macros.html)."""
    key = (prefix(), "card", measure.code, measure.title, measure.obligation, measure.status,
           measure.progress, warnings_key(assessment), stale_days, comment_count, light)
    return render(key, "macros.html", "measure_card",
                   measure, assessment, stale_days, comment_count, light)


def report_article(measure, report, inline):
    """Return the HTML of a status report as the measure page lists it (reports/macros.html)."""
    author = report.author.display_name if report.author else None
    key = (prefix(), "report", measure.code, inline, report.id, report.version, report.updated,
           report.period, report.date, report.status, report.traffic_light, report.progress,
           report.html, author)
    return render(key, "reports/macros.html", "report_article", measure, report, inline)


def prefix():
    """Return what every fragment of this request depends on: language, URL root, editing."""
    if "fragment_prefix" not in g:
        g.fragment_prefix = (str(get_locale()), request.script_root, can("edit"))
    return g.fragment_prefix


def render(key, template, macro, *args):
    """Return the kept fragment for key, or render the macro and keep it.

    Kept packed, under a digest of the key: the digest holds no reference to the request's
    objects, and a packed fragment takes a fifth of its string's memory.
    """
    digest = hashlib.blake2b(repr(key).encode(), digest_size=16).digest()
    packed = _kept.get(digest)
    if packed is not None:
        return Markup(zlib.decompress(packed).decode())  # noqa: S704 (a rendered macro, kept)  # nosec B704
    html = get_template_attribute(template, macro)(*args)
    if request.args.get("as_of"):
        # A past day's fragments are asked for by that day's page only, which is kept whole
        # (wiki/pagecache.py): keeping them too would take a third more memory.
        return html
    packed = zlib.compress(html.encode(), 1)
    if _size[0] + len(packed) > LIMIT:
        _kept.clear()
        _size[0] = 0
    _kept[digest] = packed
    _size[0] += len(packed)
    return html


def warnings_key(assessment):
    """Return what a card shows of a schedule assessment, as a hashable key."""
    if assessment is None:
        return None
    return (assessment.delayed, tuple(assessment.conflicts),
            None if assessment.risk_chain is None else tuple(assessment.risk_chain))
