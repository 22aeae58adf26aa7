"""The typed metadata of a measure: its fields, German labels, cleaning and revision snapshot."""
from datetime import date

from wiki.domain import schedule
from wiki.domain.markdown import MEASURE_CODE
from wiki.models.measures import OBLIGATIONS, STATUSES

LABELS = {
    "code": "Kürzel",
    "title": "Titel",
    "field": "Handlungsfeld",
    "obligation": "Verbindlichkeit",
    "status": "Status",
    "owner": "Verantwortlich",
    "contact": "Ansprechperson",
    "planned_start": "Geplanter Beginn",
    "planned_end": "Geplantes Ende",
    "actual_start": "Tatsächlicher Beginn",
    "actual_end": "Tatsächliches Ende",
    "progress": "Fortschritt",
    "requires": "Voraussetzungen",
    "legal_basis": "Rechtsgrundlage",
    "legal_deadline": "Gesetzliche Frist",
    "tags": "Schlagwörter",
}
FIELDS = tuple(LABELS)
REQUIRED = ("code", "title", "field")
DATES = ("planned_start", "planned_end", "actual_start", "actual_end", "legal_deadline")
# (start, end, message when the end lies before the start)
SPANS = (
    ("planned_start", "planned_end", "Geplantes Ende liegt vor dem geplanten Beginn."),
    ("actual_start", "actual_end", "Tatsächliches Ende liegt vor dem tatsächlichen Beginn."),
)
TEXT_LIMIT = 300  # the length of the title, owner and legal basis columns
TAGS_LIMIT = 500
PROGRESS_ERROR = "Fortschritt muss eine ganze Zahl von 0 bis 100 sein."


def clean_text(value, limit=None):
    """Return a value as stripped text of at most limit characters; nothing gives ""."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("Muss ein Text sein.")
    text = str(value).strip()
    if limit and len(text) > limit:
        raise ValueError(f"Höchstens {limit} Zeichen erlaubt (hier {len(text)}).")
    return text


def clean_code(value):
    """Return a measure code in upper case (M and two to four digits), or "" when empty."""
    text = clean_text(value)
    if text and not MEASURE_CODE.match(text):
        raise ValueError(f"Ungültiges Kürzel »{text}«; erwartet M und zwei bis vier Ziffern, "
                         "z. B. M07.")
    return text.upper()


def clean_choice(value, options, unknown, default=None):
    """Return a value from options (or the default when empty); unknown names the error."""
    text = clean_text(value)
    if not text and default:
        return default
    if text not in options:
        raise ValueError(f"{unknown} »{text}«; erlaubt: {', '.join(options)}.")
    return text


def clean_date(value, end=False):
    """Return a date from an ISO date or a quarter (its last day with end=True), or None."""
    if isinstance(value, date):
        return schedule.parse_date(value)
    text = clean_text(value)
    return schedule.parse_date(text, end=end) if text else None


def clean_progress(value):
    """Return a progress as a whole number from 0 to 100; nothing gives 0."""
    if value is None or value == "":
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValueError(PROGRESS_ERROR)
    return value


def _items(value):
    """Return a list value as a list; text is split at commas and blanks."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.replace(",", " ").split()
    if not isinstance(value, list):
        raise ValueError("Muss eine Liste sein.")
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
            raise ValueError(f"Ungültiges Schlagwort »{tag}«: ein Wort ohne Leerzeichen.")
        if tag not in tags:
            tags.append(tag)
    if len(" ".join(tags)) > TAGS_LIMIT:
        raise ValueError(f"Zusammen höchstens {TAGS_LIMIT} Zeichen erlaubt.")
    return tags


CLEANERS = {
    "code": clean_code,
    "title": lambda value: clean_text(value, TEXT_LIMIT),
    "field": clean_text,
    "obligation": lambda value: clean_choice(value, OBLIGATIONS, "Unbekannte Verbindlichkeit",
                                             "internal"),
    "status": lambda value: clean_choice(value, STATUSES, "Unbekannter Status", "planned"),
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
    """Return typed values from raw metadata, and {field: German message} for each problem."""
    values, errors = {}, {}
    for name, clean in CLEANERS.items():
        try:
            values[name] = clean(raw.get(name))
        except ValueError as error:
            errors[name] = str(error)
    for name in REQUIRED:
        if name not in errors and not values[name]:
            errors[name] = f"{LABELS[name]} fehlt."
    for start, end, message in SPANS:
        if values.get(start) and values.get(end) and values[end] < values[start]:
            errors[end] = message
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
