"""How the programme's values read in words: statuses, markings, traffic lights, dates, quarters."""
import datetime

from flask_babel import format_date, format_time, gettext
from flask_babel import lazy_gettext as _l

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
