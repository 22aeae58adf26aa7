"""What every template can use: filters for dates and labels, the navigation, piecewise output."""
import io
import re
from datetime import date
from urllib.parse import urlencode

from flask import current_app, g, request, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from wiki import fileembeds
from wiki.domain import filetypes, vocabulary
from wiki.domain.labels import (
    TRAFFIC_LIGHT_LABELS,
    show_date,
    show_datetime,
    show_quarter,
    show_size,
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


def written_day(text):
    """Return a stored day ("2025-12-31") as the app shows dates (31.12.2025); other text as
    it is (a snapshot's value may be a quarter or anything an old revision held)."""
    try:
        return show_date(date.fromisoformat(text))
    except ValueError:
        return text


def init_app(app):
    """Register the filters and globals the templates use."""
    app.jinja_env.filters.update(
        date=show_date,
        datetime=show_datetime,
        quarter=show_quarter,
        quarter_code=lambda value: quarter_of(value) if value else "–",
        status_label=vocabulary.status_label,
        status_category=vocabulary.category,
        status_definition=vocabulary.status_definition,
        obligation_label=vocabulary.marking_label,
        obligation_hint=vocabulary.marking_hint,
        obligation_icon=vocabulary.marking_icon,
        traffic_light_label=labeller(TRAFFIC_LIGHT_LABELS),
        stored_html=stored_html,
        written_day=written_day,
        size=show_size,
        file_kind=lambda key: filetypes.KINDS[key].short if key in filetypes.KINDS else key,
    )
    app.jinja_env.globals.update(
        files_of=fileembeds.files_of,
        main_navigation=main_navigation,
        language_links=language_links,
        this_path=this_path,
        this_page=this_page,
        vocabulary=vocabulary.current,
        period_hint=period_hint,
        code_hint=code_hint,
    )


# The rules a marking's colour paints: badge, card edge, timeline mark and bar, graph node.
COLOURED = (".marking-{k} {{ background: {c}; color: #fff; }}\n"
            ".measure-card.marked-{k} {{ border-left-color: {c}; }}\n"
            ".mark-{k} {{ fill: {c}; }}\n"
            ".bar-planned.bar-{k} {{ stroke: {c}; }}\n"
            ".node-box.node-{k} {{ stroke: {c}; stroke-width: 2.5; }}\n")
UNCOLOURED = (".marking-{k} {{ background: var(--surface); color: var(--muted); "
              "border-color: var(--line-strong); }}\n"
              ".mark-{k} {{ fill: #ffffff; stroke: var(--line-strong); }}\n")
COLOUR = re.compile(r"^#[0-9a-f]{6}$")


def markings_stylesheet(markings):
    """Return the CSS that gives each marking its colour (keys and colours checked when saved)."""
    rules = []
    for marking in markings:
        if not vocabulary.KEY.match(marking.key):
            continue  # never emit what a checked key cannot be
        coloured = COLOUR.match(marking.colour or "")
        rules.append((COLOURED if coloured else UNCOLOURED).format(k=marking.key,
                                                                    c=marking.colour))
    return "".join(rules)


def code_hint():
    """Return what a measure code may be, for the editor: the programme's pattern in words."""
    words = vocabulary.current()
    if words.code_pattern:
        return words.code_pattern_text or words.code_pattern
    return _l("Bis zu 16 Buchstaben, Ziffern, Punkte oder Bindestriche, z. B. M15, 1.2 oder D-03")


def period_hint():
    """Return how the programme's report period is written, for form hints."""
    kind = vocabulary.current().report_period
    return {"quarter": _l("Quartal, z. B. 2. Quartal 2024, Q2/2024 oder 2024-Q2"),
            "half": _l("Halbjahr, z. B. 1. Halbjahr 2024, H1/2024 oder 2024-H1"),
            "month": _l("Monat, z. B. 05/2024 oder 2024-05")}[kind]


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


def stored_html(html, top=2, page=None):
    """Return stored, sanitised HTML as markup, its headings moved to start at level top, and
    the files it names resolved against the page's (wiki/fileembeds.py)."""
    html = fileembeds.resolve(html, page)
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
