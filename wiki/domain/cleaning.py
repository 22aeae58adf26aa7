"""Input cleaned at the door: the one place that says what text, codes, numbers and dates may be.

Every form, the API's parameters, the single sign-on headers and the importer pass what they
read through these functions before anything else looks at it:
- all text is NFC; no control characters (C0, DEL, C1) and no lone surrogates, which the
  databases store differently (PostgreSQL refuses NUL) and mails and feeds cannot carry;
- single-line fields (`line`) are stripped at both ends, a pasted trailing line break with them,
  and refuse a line break or tab inside; multi-line text (`text`, `markdown`) keeps tab and
  newline, and "\\r\\n" and a lone "\\r" become "\\n";
- codes, numbers, dates and quarters are ASCII: a fullwidth `M０７` or `２０２４` is refused, never
  folded, so that what is stored is what the user sees and what the API finds;
- dates and quarters lie within DATE_MIN_YEAR–DATE_MAX_YEAR (default 1990–2100).

Each function raises `Refused` (a ValueError) with a German message; with a label the message
names the field (the editors leave it out: their error summary puts the label before it).
`Refused.malformed` tells a text of the wrong form (no date at all) from one that breaks a
rule (a control character, a year out of range), so a form may say the former in its own words.
"""
import html
import re
import unicodedata
from datetime import date

from flask import current_app, has_app_context
from flask_babel import gettext as _

from wiki import config
from wiki.domain import characters, markdown, schedule

# Control characters but tab and newline, DEL, C1 controls, lone surrogates and the two
# non-characters: the same set the outputs strip (wiki/domain/characters.py).
FORBIDDEN = characters.CONTROLS
# What ends a line besides "\n": single-line fields refuse these too, and the tab.
LINE_BREAK = re.compile(f"[\t\n\r{characters.BREAKS}]")
WHOLE = re.compile(r"[0-9]+")
LARGEST_ID = 2**63 - 1  # a bigint column's largest value: beyond it PostgreSQL raises


class Refused(ValueError):
    """Input that is not accepted: a German message, naming the field once it is known."""

    def __init__(self, message, label=None, malformed=False):
        """Keep the message, the field's label if known, and whether the form was wrong."""
        self.message, self.label, self.malformed = str(message), label, malformed
        super().__init__(str(self))

    def __str__(self):
        """Return the message, after the field's label when there is one."""
        return f"{self.label}: {self.message}" if self.label else self.message


def _as_text(value, label):
    """Return a value as text (numbers as written); refuse lists, mappings and booleans."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Refused(_("Muss ein Text sein."), label)
    return str(value)


def normalise(value, multiline=False):
    """Return text in NFC; multi-line text with "\\n" for every line end. Never refuses."""
    text = value or ""
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def check(text, label=None, multiline=False):
    """Refuse text with a control character, or a line break when it must be one line."""
    if not multiline and (found := LINE_BREAK.search(text)):
        if found[0] == "\t":
            raise Refused(_("Tabulatoren sind in diesem Feld nicht erlaubt."), label)
        raise Refused(_("Das Feld muss einzeilig sein; bitte den Zeilenumbruch entfernen."),
                      label)
    if found := FORBIDDEN.search(text):
        raise Refused(_("Unzulässiges Steuerzeichen U+%(code)04X; bitte entfernen.",
                        code=ord(found[0])), label)
    return text


def _limit(text, limit, label):
    """Refuse text longer than limit characters (no limit: None)."""
    if limit and len(text) > limit:
        raise Refused(_("Höchstens %(limit)d Zeichen erlaubt (hier %(length)d).", limit=limit,
                        length=len(text)), label)
    return text


def line(value, label=None, limit=None):
    """Return single-line text: NFC, stripped, without control characters or line breaks."""
    text = normalise(_as_text(value, label)).strip()
    return _limit(check(text, label), limit, label)


def text(value, label=None, limit=None):
    """Return multi-line text: NFC, "\\n" line ends, no blank lines around, no controls."""
    if value is not None and not isinstance(value, str):
        raise Refused(_("Muss ein Text sein."), label)
    cleaned = normalise(value, multiline=True).strip("\n")
    return _limit(check(cleaned, label, multiline=True), limit, label)


def markdown_text(value, label=None, limit=None):
    """Return Markdown cleaned as text, refused when it is too costly to render or shows an image
    without alternative text."""
    cleaned = text(value, label, limit)
    try:
        markdown.check_source(cleaned)
    except ValueError as error:
        raise Refused(str(error), label) from None
    blind = markdown.images_without_text(cleaned)
    if blind:
        source = html.unescape(blind[0]).removeprefix("datei:")
        raise Refused(_("Das Bild „%(source)s“ braucht einen Alternativtext, der sagt, was es "
                        "zeigt: ![Beschreibung](%(target)s).", source=source,
                        target=html.unescape(blind[0])), label)
    return cleaned


def ascii_line(value, label=None, limit=None):
    """Return a single line of ASCII only, such as a code; other letters and digits refused."""
    cleaned = line(value, label, limit)
    if not cleaned.isascii():
        odd = next(char for char in cleaned if not char.isascii())
        raise Refused(_("Nur ASCII-Zeichen erlaubt (Buchstaben A–Z, Ziffern 0–9); »%(text)s« "
                        "enthält »%(char)s«.", text=cleaned, char=odd), label)
    return cleaned


def whole(value, label=None, low=0, high=LARGEST_ID):
    """Return a whole number from low to high written in the digits 0–9."""
    if isinstance(value, int) and not isinstance(value, bool):
        written, number = str(value), value
    else:
        written = line(value, label)
        if not WHOLE.fullmatch(written):
            raise Refused(_("Muss eine ganze Zahl von %(low)d bis %(high)d sein, nicht »%(text)s«.",
                            low=low, high=high, text=written[:40]), label, malformed=True)
        # Python reads at most 4300 digits; more than a bigint's 19 are out of range anyway.
        number = int(written) if len(written) <= 20 else high + 1
    if not low <= number <= high:
        raise Refused(_("Muss eine ganze Zahl von %(low)d bis %(high)d sein, nicht »%(text)s«.",
                        low=low, high=high, text=written[:40]), label)
    return number


def years():
    """Return the first and last year a date may have (DATE_MIN_YEAR, DATE_MAX_YEAR)."""
    settings = current_app.config if has_app_context() else vars(config)
    return settings["DATE_MIN_YEAR"], settings["DATE_MAX_YEAR"]


def plausible(year, label=None):
    """Return a year when it lies in the configured range, else refuse it."""
    first, last = years()
    if not first <= year <= last:
        raise Refused(_("Das Jahr %(year)d liegt außerhalb des erlaubten Bereichs %(first)d–"
                        "%(last)d.", year=year, first=first, last=last), label)
    return year


def day(value, label=None, end=False):
    """Return the date of an ISO date, quarter or half-year (an end: its last day), or None."""
    if isinstance(value, date):
        plausible(value.year, label)
        return schedule.parse_date(value)
    written = ascii_line(value, label)
    if not written:
        return None
    stored = schedule.canonical(written)
    if schedule.QUARTER.match(stored):
        year, number = schedule.parse_quarter(quarter(stored, label))
        return (schedule.quarter_end if end else schedule.quarter_start)(year, number)
    if any(form.match(stored) for form in (schedule.ISO_DATE, schedule.HALF_YEAR, schedule.MONTH)):
        plausible(int(stored[:4]), label)
    try:
        return schedule.parse_date(written, end=end)
    except ValueError as error:
        raise Refused(str(error), label, malformed=True) from None


def iso_day(value, label=None):
    """Return the date of a day (31.12.2027 or 2027-12-31, no period), or None when empty."""
    written = ascii_line(value, label)
    if written and not schedule.ISO_DATE.match(schedule.canonical(written)):
        raise Refused(_("»%(text)s« ist kein Tag; bitte so schreiben: z. B. 31.12.2027 oder "
                        "2027-12-31.", text=written), label, malformed=True)
    return day(written, label)


def quarter(value, label=None):
    """Return a quarter as "2024-Q2" (a lower-case q is read too), or None when empty."""
    written = ascii_line(value, label)
    if not written:
        return None
    try:
        year, number = schedule.parse_quarter(written)  # as people write it, too
    except ValueError as error:
        raise Refused(str(error), label, malformed=True) from None
    plausible(year, label)
    return schedule.quarter_name(year, number)


def period(value, kind="quarter", label=None):
    """Return a report period of a kind ("2024-Q2", "2024-H1", "2024-05"), None when empty."""
    written = ascii_line(value, label)
    if not written:
        return None
    try:
        found, year, number = schedule.parse_period(written, kind)
    except ValueError as error:
        raise Refused(str(error), label, malformed=True) from None
    plausible(year, label)
    return schedule.period_name(found, year, number)


def missing():
    """Refuse an empty required field as malformed, for the form to say what it expects."""
    raise Refused(_("Pflichtfeld fehlt."), malformed=True)


def header(value):
    """Return a header's value as one clean line, or "" when it is not one."""
    try:
        return line(value)
    except Refused:
        return ""
