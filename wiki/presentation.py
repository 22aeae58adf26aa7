"""What every template can use: filters for dates and labels, the navigation, piecewise output."""
import io
import re
from urllib.parse import urlencode

from flask import current_app, g, request, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from wiki.domain.labels import (
    OBLIGATION_HINTS,
    OBLIGATION_ICONS,
    OBLIGATION_LABELS,
    STATUS_LABELS,
    TRAFFIC_LIGHT_LABELS,
    show_date,
    show_datetime,
    show_quarter,
)
from wiki.domain.schedule import quarter_of
from wiki.i18n import LANGUAGES
from wiki.security import can

HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])")
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
# The main navigation in order.
NAVIGATION = [
    ("overview.index", _l("Start")),
    ("overview.architecture", _l("Architektur")),
    ("overview.timeline", _l("Zeitplan")),
    ("overview.dependencies", _l("Abhängigkeiten")),
    ("overview.measure_table", _l("Maßnahmen")),
    ("rounds.index", _l("Berichte")),
    ("pages.index", _l("Seiten")),
    ("search.index", _l("Suche")),
    ("admin.index", _l("Verwaltung")),
]
# Entries only admins see.
ADMIN_NAVIGATION = {"admin.index"}


def init_app(app):
    """Register the filters and globals the templates use."""
    app.jinja_env.filters.update(
        date=show_date,
        datetime=show_datetime,
        quarter=show_quarter,
        quarter_code=lambda value: quarter_of(value) if value else "–",
        status_label=labeller(STATUS_LABELS),
        obligation_label=labeller(OBLIGATION_LABELS),
        obligation_hint=labeller(OBLIGATION_HINTS, ""),
        obligation_icon=lambda value: OBLIGATION_ICONS.get(value, ""),
        traffic_light_label=labeller(TRAFFIC_LIGHT_LABELS),
        stored_html=stored_html,
    )
    app.jinja_env.globals.update(
        main_navigation=main_navigation,
        language_links=language_links,
        this_path=this_path,
        this_page=this_page,
        OBLIGATIONS=tuple(OBLIGATION_LABELS),
    )


def render_in_pieces(template, **context):
    """Render a template as UTF-8 bytes, a few hundred pieces at a time.

    For the overviews, which run to 2 MB at 1,000 measures: render_template would first hold
    all of their hundred thousand pieces at once, twice the page's memory and more.
    """
    app = current_app._get_current_object()
    app.update_template_context(context)
    stream = app.jinja_env.get_or_select_template(template).stream(context)
    stream.enable_buffering(500)
    out = io.BytesIO()
    for chunk in stream:
        out.write(chunk.encode())
    return out.getvalue()


def labeller(labels, missing=None):
    """Return a filter that translates a value's label once per request, not once per use."""
    def label(value):
        cache = g.setdefault("labels", {})
        key = (id(labels), value)
        if key not in cache:
            text = labels.get(value)
            cache[key] = str(text) if text is not None else (value if missing is None else missing)
        return cache[key]
    return label


def stored_html(html, top=2):
    """Return stored, sanitised HTML as markup, its headings moved to start at level top."""
    html = html or ""
    levels = [int(match[2]) for match in HEADING_TAG.finditer(html)]
    shift = max(0, top - min(levels)) if levels else 0
    if shift:
        # nh3 serialises tags as <hN> or <hN attr…> and escapes text: this touches tags only.
        html = HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + shift, 6)}", html)
    return Markup(html)  # noqa: S704 - sanitised by wiki.domain.markdown.render when saved  # nosec B704


def main_navigation():
    """Return (url, label, current) for each main navigation entry the reader may use."""
    return [(url_for(endpoint), label, request.endpoint == endpoint)
            for endpoint, label in NAVIGATION
            if endpoint not in ADMIN_NAVIGATION or can("admin")]


def language_links():
    """Return (code, name, url) for each language: this page again, in that language."""
    args, path = request.args.to_dict(), this_path()
    return [(code, LANGUAGE_NAMES[code], f"{path}?{urlencode({**args, 'lang': code})}")
            for code in LANGUAGES]


def this_path():
    """Return this page's path as its route spells it (/revisions/1 for /revisions/01).

    A kept page (wiki/caching/pagecache.py) is kept for the route and its values, so the links
    it shows must not echo how one request happened to spell them.
    """
    if request.url_rule is None:  # an error page for an address no route knows
        return request.path
    return url_for(request.endpoint, **request.view_args)


def this_page():
    """Return this page's path with the query parameters its view reads."""
    query = urlencode(list(request.args.items(multi=True)))
    return f"{this_path()}?{query}" if query else this_path()
