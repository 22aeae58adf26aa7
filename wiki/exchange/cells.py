"""One spreadsheet cell as a typed value: text, a date, a progress or a list of codes (pure).

A cell comes as sheets.py reads it (str, int, float, date or None). Each function raises a
ValueError with a German message; the caller adds the row and column. Text passes through
wiki/domain/cleaning.py, the one door for input: NFC, no control characters.

Codes should be formatted as text in the sheet: Excel stores "1.2" typed into a number cell as
the number 1.2 and "1.10" as 1.1, so the trailing zero is gone before the file is written.
"""
import math
import re
from datetime import date, datetime, timedelta

from wiki.domain import cleaning, schedule

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 because Excel counts 1900-02-29
DAY_FORMS = "erwartet z. B. 31.12.2027, 2027-12-31, Q4/2027 oder 1. Halbjahr 2027"
SHORT_YEAR = re.compile(r"([0-9]{1,2})\.\s*([0-9]{1,2})\.\s*([0-9]{2})")
# A date, perhaps with the midnight a program wrote after it: "2027-12-31 00:00:00".
ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T][0-9:.]+)?")
AMBIGUOUS = re.compile(r"[0-9]{1,2}\s*/\s*[0-9]{4}")  # month or quarter? "4/2027"
PERCENT = re.compile(r"([0-9]+)\s*%?")
SEPARATORS = re.compile(r"[,;\s]+")
LARGEST_SERIAL = 2_958_465  # 9999-12-31, the last day Excel knows


def cell_text(value, limit=300):
    """Return a cell as one clean line of at most limit characters; empty gives ""."""
    if isinstance(value, float):
        value = _number(value)
    elif isinstance(value, datetime):
        value = value.date().strftime("%d.%m.%Y")
    elif isinstance(value, date):
        value = value.strftime("%d.%m.%Y")
    return cleaning.line(value, limit=limit)


def _number(value):
    """Return a float as written: 12.0 as "12", 1.2 as "1.2" (the shortest exact form)."""
    if not math.isfinite(value):
        raise ValueError(f"Ungültige Zahl »{value}«.")
    if value.is_integer() and abs(value) < 1e15:  # beyond, repr's exponent is clearer
        return str(int(value))
    return repr(value)


def _shown(value):
    """Return a value as an error message quotes it: numbers as written, at most 40 characters."""
    if isinstance(value, float) and math.isfinite(value):
        return _number(value)
    return str(value)[:40]


def cell_day(value, end=False):
    """Return the date a cell means (a quarter's or half-year's last day with end=True)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        cleaning.plausible(value.year)
        return value
    if isinstance(value, bool):
        raise ValueError(f"Ungültiges Datum »{value}«; {DAY_FORMS}.")
    if isinstance(value, int | float):
        return _serial(value)
    written = cleaning.line(value)
    if not written:
        return None
    return _written_day(written, end)


def _serial(value):
    """Return the date of an Excel serial number; its time of day is dropped."""
    if math.isfinite(value) and 1 <= value <= LARGEST_SERIAL:
        day = EXCEL_EPOCH + timedelta(days=math.floor(value))
        first, last = cleaning.years()
        if first <= day.year <= last:
            return day
    # A year alone (2027) or a count: no date the programme could mean.
    raise ValueError(f"Ungültiges Datum »{_shown(value)}«; {DAY_FORMS}.")


def _written_day(written, end):
    """Return the date of a text: a day, quarter or half-year as the forms read them (German
    31.12.2027, Q4/2027, 1. Halbjahr 2027: schedule.canonical), or ISO with a time after it."""
    stored = schedule.canonical(written)
    if match := ISO.fullmatch(stored):
        return _day(written, int(match[1]), int(match[2]), int(match[3]))
    if schedule.QUARTER.match(stored) or schedule.HALF_YEAR.match(stored):
        cleaning.plausible(int(stored[:4]))
        return schedule.parse_date(stored, end=end)
    text = written.casefold()
    if SHORT_YEAR.fullmatch(text):
        raise ValueError(f"Zweistellige Jahreszahl in »{written}«; bitte das Jahr vierstellig "
                         "schreiben, z. B. 31.12.2027.")
    if AMBIGUOUS.fullmatch(text):
        raise ValueError(f"»{written}« ist mehrdeutig (Monat oder Quartal?); bitte z. B. "
                         "30.04.2027 oder Q4/2027 schreiben.")
    raise ValueError(f"Ungültiges Datum »{written[:40]}«; {DAY_FORMS}.")


def _day(written, year, month, day):
    """Return a date from its parts, refusing one that does not exist or lies out of range."""
    cleaning.plausible(year)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"Ungültiges Datum »{written}«: diesen Tag gibt es nicht.") from None


def cell_progress(value):
    """Return a progress as a whole number from 0 to 100, or None for an empty cell."""
    if value is None:
        return None
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        written = cleaning.line(value)
        if not written:
            return None
        if match := PERCENT.fullmatch(written):
            number = int(match[1]) if len(match[1]) <= 4 else 101
    if number is None or not 0 <= number <= 100:
        hint = ("; eine als Prozent formatierte Zelle bitte als Zahl formatieren"
                if isinstance(value, float) and 0 < value < 1 else "")
        raise ValueError(f"Fortschritt muss eine ganze Zahl von 0 bis 100 sein, nicht "
                         f"»{_shown(value)}«{hint}.")
    return number


def cell_list(value):
    """Return the codes in a cell, split at commas, semicolons, line breaks and blanks."""
    if value is None:
        return []
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = cell_text(value)
    if not isinstance(value, str):
        raise ValueError(f"Erwartet eine Liste wie »M01, M02«, nicht »{value}«.")
    items = []
    for item in SEPARATORS.split(cleaning.text(value)):
        if item and item not in items:
            items.append(item)
    return items
