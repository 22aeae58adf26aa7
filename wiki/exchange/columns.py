"""Which measure field a sheet's column holds, guessed from its header (pure, no database).

The fields carry the exchange format's English names. Headers are compared folded: NFKC, case
and accents ignored ("ß" is "ss", "ä" and "ae" are both "a"), punctuation as blanks, so that
"Fortschritt (%)", "FORTSCHRITT" and "fortschritt in %" are one header.
"""
import re
import unicodedata

# The header each field has in the template sheet and the exports (the measure form's labels).
HEADERS = {
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
    "body": "Beschreibung",
}
FIELDS = tuple(HEADERS)
# Other words people head these columns with; the English name and HEADERS count as well.
SYNONYMS = {
    "code": ("Nr.", "Nummer", "Maßnahmennummer", "Maßnahmen-Nr.", "Kennung", "ID", "Code"),
    "title": ("Maßnahme", "Bezeichnung", "Maßnahmentitel", "Titel der Maßnahme"),
    "field": ("Feld", "Themenfeld", "Handlungsfeld-Kürzel", "Action field"),
    "obligation": ("Kennzeichnung", "Pflicht", "Pflichtaufgabe", "Art der Aufgabe"),
    "status": ("Stand", "Umsetzungsstatus", "Sachstand"),
    "owner": ("Zuständig", "Zuständigkeit", "Federführung", "Federführend",
              "Verantwortliche Stelle", "Verantwortung", "Amt"),
    "contact": ("Ansprechpartner", "Ansprechpartnerin", "Ansprechpartner:in", "Kontakt",
                "Kontaktperson"),
    "planned_start": ("Beginn", "Start", "Beginn (geplant)", "Geplanter Start", "Soll-Beginn",
                      "Planbeginn", "Planned start"),
    "planned_end": ("Ende", "Ende (geplant)", "Abschluss", "Soll-Ende",
                    "Planende", "Planned end"),
    "actual_start": ("Beginn (tatsächlich)", "Ist-Beginn", "Tatsächlicher Start",
                     "Actual start"),
    "actual_end": ("Ende (tatsächlich)", "Ist-Ende", "Tatsächlicher Abschluss", "Actual end"),
    "progress": ("Fortschritt (%)", "Fortschritt in %", "Umsetzungsgrad", "Erledigt (%)",
                 "Progress"),
    "requires": ("Voraussetzung", "Abhängigkeiten", "Abhängig von", "Vorgänger",
                 "Benötigt"),
    "legal_basis": ("Gesetzliche Grundlage", "Rechtliche Grundlage", "Gesetz", "Legal basis"),
    "legal_deadline": ("Frist", "Rechtliche Frist", "Legal deadline"),
    "tags": ("Schlagworte", "Stichwörter", "Stichworte", "Tags"),
    "body": ("Text", "Inhalt", "Erläuterung", "Erläuterungen", "Description"),
}
FIELD_NAMES = {name: (HEADERS[name], *SYNONYMS[name], name) for name in FIELDS}
PUNCTUATION = re.compile(r"[\W_]+")
UMLAUTS = re.compile(r"([aou])e")  # "ae" as written for "ä" where the keyboard lacks it


def fold(text):
    """Return a header as compared: NFKC, case-folded, without accents or punctuation."""
    text = unicodedata.normalize("NFKC", text or "").casefold()  # casefold: "ß" is "ss"
    text = "".join(char for char in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(char))
    return " ".join(PUNCTUATION.sub(" ", UMLAUTS.sub(r"\1", text)).split())


# The folded words of each name, once: (field, words) in the order FIELD_NAMES gives.
_NAMES = [(field, tuple(fold(name).split())) for field, names in FIELD_NAMES.items()
          for name in names]


def guess(header):
    """Return for each column the field its header most likely means, or None.

    An exact name wins over one the header starts with, which wins over one it contains;
    among those the longer name wins. No field is given twice: the first column keeps it.
    """
    guesses = [None] * len(header)
    taken = set()
    candidates = sorted(
        (rank, index, -len(words), field)
        for index, name in enumerate(header)
        for field, words in _NAMES
        if (rank := _rank(tuple(fold(name).split()), words)) is not None
    )
    for _, index, _, field in candidates:
        if guesses[index] is None and field not in taken:
            guesses[index] = field
            taken.add(field)
    return guesses


def _rank(words, name):
    """Return 0 when a header's words are the name's, 1 if they start with it, 2 if they hold it."""
    if not words or not name:
        return None
    if words == name:
        return 0
    if words[:len(name)] == name:
        return 1
    if any(words[start:start + len(name)] == name for start in range(1, len(words))):
        return 2
    return None
