"""The typed metadata of a measure: its fields, labels, cleaning and revision snapshot."""
import re
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from wiki.domain import cleaning, vocabulary
from wiki.domain.markdown import CODE

LABELS = {
    "code": _l("Kürzel"),
    "title": _l("Titel"),
    "field": _l("Handlungsfeld"),
    "obligation": _l("Verbindlichkeit"),
    "status": _l("Status"),
    "owner": _l("Verantwortlich"),
    "contact": _l("Ansprechperson"),
    "planned_start": _l("Geplanter Beginn"),
    "planned_end": _l("Geplantes Ende"),
    "actual_start": _l("Tatsächlicher Beginn"),
    "actual_end": _l("Tatsächliches Ende"),
    "progress": _l("Fortschritt"),
    "requires": _l("Voraussetzungen"),
    "legal_basis": _l("Rechtsgrundlage"),
    "legal_deadline": _l("Gesetzliche Frist"),
    "tags": _l("Schlagwörter"),
}
FIELDS = tuple(LABELS)
REQUIRED = ("code", "title", "field")
DATES = ("planned_start", "planned_end", "actual_start", "actual_end", "legal_deadline")
# (start, end, message when the end lies before the start)
SPANS = (
    ("planned_start", "planned_end", _l("Geplantes Ende liegt vor dem geplanten Beginn.")),
    ("actual_start", "actual_end", _l("Tatsächliches Ende liegt vor dem tatsächlichen Beginn.")),
)
TEXT_LIMIT = 300  # the length of the title, owner and legal basis columns
TAGS_LIMIT = 500
PROGRESS_ERROR = _l("Fortschritt muss eine ganze Zahl von 0 bis 100 sein.")


def clean_text(value, limit=None):
    """Return a value as one clean line (cleaning.line) of at most limit characters."""
    return cleaning.line(value, limit=limit)


def clean_code(value):
    """Return a measure code in upper case, or "" when empty.

    Any programme's code has the form CODE; a programme may set a pattern of its own, which a
    code must match too. Codes are kept in upper case: "d-03" and "D-03" are one measure.
    """
    text = cleaning.ascii_line(value)
    if text and not CODE.match(text):
        raise ValueError(_("Ungültiges Kürzel »%(code)s«; erlaubt sind 1 bis 16 Buchstaben, "
                           "Ziffern, Punkt, Bindestrich und Unterstrich, am Anfang ein Buchstabe "
                           "oder eine Ziffer, z. B. M07, 1.2 oder D-03.", code=text))
    words = vocabulary.current()
    if text and words.code_pattern and not code_pattern(words.code_pattern).fullmatch(
            text.upper()):
        raise ValueError(_("Kürzel »%(code)s« passt nicht zum Schema der Strategie: %(rule)s.",
                           code=text, rule=words.code_pattern_text or words.code_pattern))
    return text.upper()


@lru_cache(maxsize=16)
def code_pattern(pattern):
    """Return a programme's code pattern compiled, matching regardless of case."""
    return re.compile(pattern, re.IGNORECASE | re.ASCII)


def clean_choice(value, options, unknown, default=None):
    """Return a value from options (or the default when empty); unknown names the error."""
    text = clean_text(value)
    if not text and default:
        return default
    if text not in options:
        raise ValueError(_("%(unknown)s »%(text)s«; erlaubt: %(options)s.", unknown=unknown,
                           text=text, options=", ".join(options)))
    return text


def clean_status(value, default=True):
    """Return the key of the programme's status a key or name gives (empty: the first)."""
    words = vocabulary.current()
    found = words.find_status(clean_text(value))
    if found is None:
        return clean_choice(value, words.status_keys, _l("Unbekannter Status"),
                            words.default_status if default else None)
    return found


def clean_marking(value):
    """Return the key of the programme's marking a key or name gives (empty: the default)."""
    words = vocabulary.current()
    text = clean_text(value)
    found = words.find_marking(text)
    if found is None and (text or words.default_marking):
        return clean_choice(value, words.marking_keys, _l("Unbekannte Verbindlichkeit"),
                            words.default_marking)
    return found or ""


def clean_date(value, end=False):
    """Return a date from an ISO date or a quarter (its last day with end=True), or None."""
    return cleaning.day(value, end=end)


def clean_progress(value):
    """Return a progress as a whole number from 0 to 100; nothing gives 0."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(str(PROGRESS_ERROR))
    try:
        return cleaning.whole(value, low=0, high=100)
    except cleaning.Refused:
        raise ValueError(str(PROGRESS_ERROR)) from None


def _items(value):
    """Return a list value as a list; text is split at commas and blanks."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.replace(",", " ").split()
    if not isinstance(value, list):
        raise ValueError(_("Muss eine Liste sein."))
    return value


def clean_codes(value):
    """Return measure codes as a sorted list without repeats."""
    return sorted({clean_code(item) for item in _items(value)} - {""})


def clean_tags(value):
    """Return tags (single words) as a list without repeats, in their order."""
    tags = []
    for item in _items(value):
        tag = clean_text(item)
        if not tag or any(char.isspace() for char in tag):
            raise ValueError(_("Ungültiges Schlagwort »%(tag)s«: ein Wort ohne Leerzeichen.",
                               tag=tag))
        if tag not in tags:
            tags.append(tag)
    if len(" ".join(tags)) > TAGS_LIMIT:
        raise ValueError(_("Zusammen höchstens %(limit)d Zeichen erlaubt.", limit=TAGS_LIMIT))
    return tags


CLEANERS = {
    "code": clean_code,
    "title": lambda value: clean_text(value, TEXT_LIMIT),
    "field": clean_text,
    "obligation": lambda value: clean_marking(value),
    "status": lambda value: clean_status(value),
    "owner": lambda value: clean_text(value, TEXT_LIMIT),
    "contact": lambda value: clean_text(value) or None,
    "planned_start": clean_date,
    "planned_end": lambda value: clean_date(value, end=True),
    "actual_start": clean_date,
    "actual_end": lambda value: clean_date(value, end=True),
    "progress": clean_progress,
    "requires": clean_codes,
    "legal_basis": lambda value: clean_text(value, TEXT_LIMIT),
    "legal_deadline": lambda value: clean_date(value, end=True),
    "tags": clean_tags,
}


def clean_measure(raw):
    """Return typed values from raw metadata, and {field: message} for each problem."""
    values, errors = {}, {}
    for name, clean in CLEANERS.items():
        try:
            values[name] = clean(raw.get(name))
        except ValueError as error:
            errors[name] = str(error)
    for name in REQUIRED:
        if name not in errors and not values[name]:
            errors[name] = _("%(label)s fehlt.", label=LABELS[name])
    for start, end, message in SPANS:
        if values.get(start) and values.get(end) and values[end] < values[start]:
            errors[end] = str(message)
    return values, errors


def _iso(day):
    """Return a date as ISO text, or None."""
    return day.isoformat() if day else None


def snapshot(measure, page_title, requires):
    """Return the metadata a revision stores: every field, dates as ISO text, users by name.

    requires: the prerequisites' codes just saved (so they need not be read back).
    """
    meta = {name: getattr(measure, name) for name in ("code", "obligation", "status", "owner",
                                                      "progress", "legal_basis")}
    meta.update({name: _iso(getattr(measure, name)) for name in DATES})
    meta.update(
        title=page_title,
        field=measure.field.code,
        contact=measure.contact.username if measure.contact_id else None,
        requires=sorted(requires),
        tags=measure.tag_list,
    )
    return from_snapshot(meta)


def from_snapshot(meta):
    """Return a snapshot's values in field order, as clean_measure reads them (missing: None)."""
    return {name: meta.get(name) for name in FIELDS}
