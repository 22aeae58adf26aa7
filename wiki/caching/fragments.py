"""Fragments rendered once per distinct content: measure cards, status reports, overview rows.

The overviews show up to thousands of measure cards and rows (wiki/caching/rows.py), a measure
page a dozen reports. Each fragment declares, in FRAGMENTS, what its macro reads of each
argument; its key is those values, read fresh from the database by the request, plus the
language, the URL prefix and what the reader may do. So a kept fragment is never stale, in any
worker: changed content has a new key, and the old fragment is no longer asked for.
tests/test_fragment_keys.py renders every fragment through a recording stand-in and fails when
a macro reads anything its declaration leaves out.
"""
import hashlib
from operator import attrgetter

from flask import g, get_template_attribute, request
from flask_babel import get_locale
from markupsafe import Markup

from wiki import fileembeds
from wiki.caching import store
from wiki.domain import vocabulary
from wiki.security import can

ROWS = "overview/_rows.html"
VALUE = None  # an argument shown as it is: the whole value is in the key
MEASURE = ("code", "title", "obligation", "status")
PLAN = ("planned_start", "planned_end")
# Of a schedule Assessment.
WARNINGS = ("delayed", "delay_days", "finished_late_days", "at_risk", "risk_chain", "conflicts")


class Fragment:
    """A macro kept per distinct content, with the attributes it reads of each argument."""

    def __init__(self, template, macro, *reads):
        """Declare a macro; reads: per argument VALUE, or the attribute paths ("author.name")."""
        self.template, self.macro, self.reads = template, macro, reads
        self.getters = [None if paths is VALUE else attrgetter(*paths) for paths in reads]
        self.plain = all(paths is VALUE for paths in reads)

    def key(self, args):
        """Return what the macro reads of args, as part of the fragment's key."""
        if len(args) != len(self.reads):
            raise TypeError(f"{self.macro} takes {len(self.reads)} arguments, not {len(args)}")
        if self.plain:
            return args
        # A list over a zip checked once: a timeline row's key took 1.4 µs, 2.1 as a tuple of a
        # strict zip (3,000 fragments on a timeline).
        try:
            return [arg if get is None or arg is None else get(arg)
                    for get, arg in zip(self.getters, args, strict=False)]
        except AttributeError:  # e.g. report.author.display_name of a report without author
            return [arg if paths is VALUE or arg is None else _read(paths, arg)
                    for paths, arg in zip(self.reads, args, strict=False)]


def _read(paths, arg):
    """Return the attributes at paths of arg (one path: its value); through None reads None."""
    found = tuple(_follow(arg, path.split(".")) for path in paths)
    return found if len(paths) > 1 else found[0]  # as attrgetter gives them


def _follow(value, names):
    """Return the attribute at a path of names, or None when one on the way is None."""
    for name in names:
        if value is None:
            return None
        value = getattr(value, name)
    return value


FRAGMENTS = {
    "card": Fragment("macros.html", "measure_card",
                     (*MEASURE, "progress"), WARNINGS, VALUE, VALUE, VALUE),
    "report": Fragment("reports/macros.html", "report_article", ("code",), (
        "id", "version", "updated", "period", "date", "status", "traffic_light", "progress",
        "html", "author.display_name"), VALUE, VALUE),
    "timeline-bar": Fragment(ROWS, "timeline_bar", (
        "y", "planned", "actual", "actual_open", "baseline",
        *(f"measure.{name}" for name in MEASURE + PLAN)), VALUE, WARNINGS),
    "timeline-arrow": Fragment(ROWS, "timeline_arrow", *[VALUE] * 6),
    "timeline-row": Fragment(ROWS, "timeline_row", (*MEASURE, *PLAN, "actual_start", "actual_end"),
                             VALUE, VALUE, VALUE, WARNINGS, VALUE),
    "graph-edge": Fragment(ROWS, "graph_edge", *[VALUE] * 7),
    "graph-node": Fragment(ROWS, "graph_node", VALUE, VALUE, VALUE, MEASURE, WARNINGS),
    "dependency-row": Fragment(ROWS, "dependency_row", MEASURE, VALUE, VALUE, WARNINGS, VALUE),
}


def init_app(app):
    """Offer the fragments to the templates."""
    app.jinja_env.globals.update(measure_card=measure_card, report_article=report_article)


def measure_card(measure, assessment=None, stale_days=None, comment_count=None, light=None):
    """Return the HTML of a measure's card (macros.html)."""
    return fragment("card", measure, assessment, stale_days, comment_count, light)


def report_article(measure, report, inline):
    """Return the HTML of a status report as the measure page lists it (reports/macros.html).

    A report that names files (`datei:`) shows its measure's: their newest versions are part
    of its key, so a new upload or a deletion renders it anew.
    """
    named = fileembeds.SCHEME in (report.html or "")
    place = fileembeds.files_of(measure.page) if named else None
    return fragment("report", measure, report, inline, place)


def fragment(name, *args):
    """Return the HTML of a declared fragment for args: kept, or rendered and kept."""
    declared = FRAGMENTS[name]
    prefix, kept = _request_state()
    return render(kept, (prefix, name, declared.key(args)), declared.template, declared.macro,
                  *args)


def for_past_day():
    """Keep none of the fragments this request renders: they show a past day's programme.

    Those are asked for by that day's page only, which is kept whole (wiki/caching/pagecache.py):
    keeping them too would take a third more memory.
    """
    g.past_day = True


def _request_state():
    """Return (what every fragment of this request depends on, the kept fragments or None).

    Read once per request: reading the language, URL root, rights and store for each fragment
    took 2.7 ms per 1,000 kept rows (14.2 against 11.5 ms to give them).
    """
    state = g.get("fragments")
    if state is None:
        state = g.fragments = ((str(get_locale()), request.script_root, can("edit"),
                                vocabulary.current().stamp), store.of("fragments"))
    return state


def render(kept, key, template, macro, *args):
    """Return the fragment kept for key, or render the macro and keep it (kept None: off).

    Kept packed, under a digest of the key: the digest holds no reference to the request's
    objects, and a packed fragment takes a fifth of its string's memory.
    """
    if kept is None:
        return get_template_attribute(template, macro)(*args)
    digest = hashlib.blake2b(repr(key).encode(), digest_size=16).digest()
    packed = kept.get(digest)
    if packed is not None:
        return Markup(store.unpack(packed).decode())  # noqa: S704 (a rendered macro, kept)  # nosec B704
    html = get_template_attribute(template, macro)(*args)
    if g.get("past_day"):
        return html
    packed = store.pack(html.encode())
    kept.put(digest, packed, len(packed))
    return html
