"""How values read in words: traffic lights, dates, quarters (statuses, markings: vocabulary)."""
import datetime

from flask_babel import format_date, format_decimal, format_time, gettext
from flask_babel import lazy_gettext as _l

from wiki.domain.schedule import parse_period

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


def show_size(size):
    """Return a file size in the user's language ("1,2 MB", "830 kB", "12 Bytes")."""
    if size < 1000:
        return gettext("%(count)d Bytes", count=size)
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= factor:
            shown = size / factor
            return f"{format_decimal(shown, '#,##0.#' if shown < 10 else '#,##0')} {unit}"
    return ""


def show_quarter(value):
    """Return the quarter of a date, or a period like "2024-Q2" in words ("2. Quartal 2024")."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        kind, year, number = "quarter", value.year, (value.month - 1) // 3 + 1
    else:
        try:
            kind, year, number = parse_period(value)
        except ValueError:
            return str(value)  # a period in another form is shown as it is
    if kind == "half":
        return gettext("%(number)d. Halbjahr %(year)d", number=number, year=year)
    if kind == "month":
        return format_date(datetime.date(year, number, 1), "MMMM y")
    return gettext("%(number)d. Quartal %(year)d", number=number, year=year)
