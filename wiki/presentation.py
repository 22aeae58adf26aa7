"""How values look in the UI: dates, quarters, labels for statuses and markings, the navigation."""
import datetime
import io
import re
from urllib.parse import urlencode

from flask import current_app, g, request, url_for
from flask_babel import format_date, format_time, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from wiki.domain.schedule import quarter_of
from wiki.i18n import LANGUAGES
from wiki.views.auth import can

STATUS_LABELS = {
    "planned": _l("geplant"),
    "preparing": _l("in Vorbereitung"),
    "active": _l("in Umsetzung"),
    "operating": _l("in Betrieb / Roll-out"),
    "done": _l("abgeschlossen"),
    "paused": _l("zurückgestellt"),
    "dropped": _l("eingestellt"),
    "delayed": _l("verzögert"),
    "at_risk": _l("gefährdet"),
}
OBLIGATION_LABELS = {
    "legal": _l("gesetzlich erforderlich"),
    "standard": _l("Standard, künftig verpflichtend"),
    "internal": _l("verwaltungsintern"),
}
# What the marking colour stands for, in the legend beside every marked list.
OBLIGATION_HINTS = {
    "legal": _l("Umsetzung ist gesetzlich vorgeschrieben (rot)."),
    "standard": _l("Standard in Behörden, der verpflichtend werden kann (blau)."),
    "internal": _l("Liegt ganz in der Hand der Verwaltung (ohne Farbe)."),
}
# A symbol beside the colour, so the marking never relies on colour alone.
OBLIGATION_ICONS = {"legal": "§", "standard": "◆", "internal": "○"}
TRAFFIC_LIGHT_LABELS = {
    "green": _l("grün"),
    "yellow": _l("gelb"),
    "red": _l("rot"),
}
HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])")
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
# The main navigation in order; an entry shows only once its view exists.
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
        has_endpoint=has_endpoint,
        main_navigation=main_navigation,
        language_links=language_links,
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


def has_endpoint(endpoint):
    """Tell whether a view exists, so templates link only to routes that are there."""
    return endpoint in current_app.view_functions


def show_date(value, style="medium"):
    """Return a date in the user's language ("01.01.2023"), or an empty string for None."""
    if value is None:
        return ""
    return format_date(value, style)


def show_datetime(value):
    """Return a UTC timestamp as local date and time ("03.05.2024, 14:05")."""
    if value is None:
        return ""
    return f"{format_date(value, 'medium')}, {format_time(value, 'short')}"


def show_quarter(value):
    """Return the quarter of a date or of a period like "2024-Q2" ("2. Quartal 2024")."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        year, number = value.year, (value.month - 1) // 3 + 1
    else:
        year_text, _, quarter_text = str(value).upper().partition("-Q")
        if not (year_text.isdigit() and quarter_text.isdigit()):
            return str(value)  # a period in another form is shown as it is
        year, number = int(year_text), int(quarter_text)
    return gettext("%(number)d. Quartal %(year)d", number=number, year=year)


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
    """Return (url, label, current) for each main navigation entry whose view exists."""
    return [(url_for(endpoint), label, request.endpoint == endpoint)
            for endpoint, label in NAVIGATION if has_endpoint(endpoint)
            and (endpoint not in ADMIN_NAVIGATION or can("admin"))]


def language_links():
    """Return (code, name, url) for each language: this page again, in that language."""
    args = request.args.to_dict()
    links = []
    for code in LANGUAGES:
        query = urlencode({**args, "lang": code})
        links.append((code, LANGUAGE_NAMES[code], f"{request.path}?{query}"))
    return links
