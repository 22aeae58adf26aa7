"""The programme's own words: its statuses, markings, report period and code pattern.

Each programme names its statuses and markings itself ("in Planung", "Pflichtaufgabe"); what
the schedule logic needs is the lifecycle category each status belongs to (CATEGORIES).
Measures, reports and revisions store a status's or marking's key, which never changes, so a
renamed status shows its new name everywhere, in old revisions too. The vocabulary lives in
the strategy's settings (wiki/models/content.py); a programme that has set none uses DEFAULT,
the demo's words. Names of the default vocabulary are translated; a programme's own are shown
as written.
"""
import hashlib
import json
import re
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from flask import g, has_app_context
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from wiki.models import Strategy

# The fixed lifecycle categories the schedule logic, delay and risk work with.
CATEGORIES = {
    "not_started": _l("noch nicht begonnen"),
    "running": _l("läuft"),
    "operating": _l("in Betrieb"),
    "done": _l("abgeschlossen"),
    "paused": _l("ruht"),
    "dropped": _l("eingestellt"),
}
CLOSED = ("done", "dropped")  # categories: finished or given up, neither delayed nor at risk
PERIODS = {"quarter": _l("Quartal"), "half": _l("Halbjahr"), "month": _l("Monat")}
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # CSS classes and URLs carry it as it is
DERIVED = {"delayed": _l("verzögert"), "at_risk": _l("gefährdet")}


@dataclass(frozen=True)
class Status:
    """A status as the programme names it, and its lifecycle category."""

    key: str
    name: str
    category: str
    definition: str = ""


@dataclass(frozen=True)
class Marking:
    """A marking: name, definition, colour ("" for none) and symbol, never colour alone.

    duty: measures so marked are listed among the legal duties and deadlines on the start page.
    """

    key: str
    name: str
    symbol: str
    colour: str = ""
    definition: str = ""
    duty: bool = False


def N_(text):  # noqa: N802 (gettext's name for "mark for translation, translate later")
    """Return text as it is; marks a message for extraction, shown() translates it."""
    return text


# The demo's words, every programme's until it sets its own.
DEFAULT_STATUSES = (
    Status("planned", N_("geplant"), "not_started", N_("Beschlossen, aber noch nicht begonnen.")),
    Status("preparing", N_("in Vorbereitung"), "running",
           N_("Konzeption, Vergabe oder Abstimmungen laufen; die eigentliche Umsetzung hat noch "
              "nicht begonnen.")),
    Status("active", N_("in Umsetzung"), "running",
           N_("Die Umsetzung hat begonnen; das Ergebnis wird noch nicht im Echtbetrieb genutzt.")),
    Status("operating", N_("in Betrieb / Roll-out"), "operating",
           N_("Das Ergebnis wird genutzt und auf weitere Bereiche ausgeweitet; die Maßnahme ist "
              "noch nicht beendet.")),
    Status("done", N_("abgeschlossen"), "done",
           N_("Der vereinbarte Umfang ist erreicht; die Maßnahme ist beendet.")),
    Status("paused", N_("zurückgestellt"), "paused",
           N_("Die Arbeit ruht auf Entscheidung der Steuerung.")),
    Status("dropped", N_("eingestellt"), "dropped", N_("Die Maßnahme wird nicht weiterverfolgt.")),
)
DEFAULT_MARKINGS = (
    Marking("legal", N_("gesetzlich erforderlich"), "§", "#b42318",
            N_("Umsetzung ist gesetzlich vorgeschrieben (rot)."), duty=True),
    Marking("standard", N_("Standard, künftig verpflichtend"), "◆", "#1d4ed8",
            N_("Standard in Behörden, der verpflichtend werden kann (blau).")),
    Marking("internal", N_("verwaltungsintern"), "○", "",
            N_("Liegt ganz in der Hand der Verwaltung (ohne Farbe).")),
)


@dataclass(frozen=True)
class Vocabulary:
    """A programme's words and rules, as its settings give them."""

    statuses: tuple = DEFAULT_STATUSES
    markings: tuple = DEFAULT_MARKINGS
    report_period: str = "quarter"
    code_pattern: str = ""  # a regular expression every measure code must match ("": none)
    code_pattern_text: str = ""  # the pattern in words, for error messages

    @classmethod
    def from_settings(cls, settings):
        """Return the vocabulary stored settings describe (missing parts: the defaults)."""
        settings = settings or {}
        statuses = tuple(Status(**item) for item in settings.get("statuses") or ())
        markings = tuple(Marking(**item) for item in settings.get("markings") or ())
        return cls(statuses=statuses or DEFAULT_STATUSES, markings=markings or DEFAULT_MARKINGS,
                   report_period=settings.get("report_period") or "quarter",
                   code_pattern=settings.get("code_pattern") or "",
                   code_pattern_text=settings.get("code_pattern_text") or "")

    def settings(self):
        """Return the vocabulary as stored settings: only what differs from the defaults.

        Each status and marking leaves out what is empty, as the exchange format writes it.
        """
        found = {}
        if self.statuses != DEFAULT_STATUSES:
            found["statuses"] = [_present(asdict(status)) for status in self.statuses]
        if self.markings != DEFAULT_MARKINGS:
            found["markings"] = [_present(asdict(marking)) for marking in self.markings]
        if self.report_period != "quarter":
            found["report_period"] = self.report_period
        if self.code_pattern:
            found.update(code_pattern=self.code_pattern, code_pattern_text=self.code_pattern_text)
        return found

    @property
    def status_keys(self):
        """Return the statuses' keys in the programme's order."""
        return tuple(status.key for status in self.statuses)

    @property
    def marking_keys(self):
        """Return the markings' keys in the programme's order."""
        return tuple(marking.key for marking in self.markings)

    def status(self, key):
        """Return the status with this key, or None."""
        return next((status for status in self.statuses if status.key == key), None)

    def marking(self, key):
        """Return the marking with this key, or None."""
        return next((marking for marking in self.markings if marking.key == key), None)

    @property
    def default_status(self):
        """Return the key a new measure starts with: the first status."""
        return self.statuses[0].key

    @property
    def default_marking(self):
        """Return the key of an unmarked measure: the first marking without colour, else ""."""
        return next((marking.key for marking in self.markings if not marking.colour), "")

    def category(self, key):
        """Return the lifecycle category of a status key (an unknown key counts as running)."""
        status = self.status(key)
        return status.category if status else "running"

    def find_status(self, text):
        """Return the key of the status a key or name names (case-insensitive), or None."""
        return _find(self.statuses, text)

    def find_marking(self, text):
        """Return the key of the marking a key or name names (case-insensitive), or None."""
        return _find(self.markings, text)

    @property
    def stamp(self):
        """Return a short digest of the vocabulary: what shown words and colours depend on."""
        text = json.dumps(self.settings(), sort_keys=True, ensure_ascii=False)
        return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def _present(item):
    """Return an item's fields without the empty ones ("", False)."""
    return {name: value for name, value in item.items() if value not in ("", False)}


def _find(items, text):
    """Return the key of the item whose key or name is text (case-insensitive), or None."""
    wanted = str(text or "").strip().casefold()
    for item in items:
        if wanted in (item.key.casefold(), item.name.casefold(),
                      shown(item.name).casefold()):
            return item.key
    return None


def shown(text):
    """Return a name or definition as the reader sees it: the default's translated."""
    return gettext(text) if text else ""


def current():
    """Return the programme's vocabulary, read once per request."""
    if not has_app_context():
        return Vocabulary()
    found = g.get("vocabulary")
    if found is None:
        strategy = Strategy.select(Strategy.settings).order_by(Strategy.id).first()
        found = g.vocabulary = Vocabulary.from_settings(strategy and strategy.settings)
    return found


def forget():
    """Read the vocabulary afresh on its next use (after it was saved)."""
    if has_app_context():
        g.pop("vocabulary", None)


def category(key):
    """Return the lifecycle category of a status key."""
    return current().category(key)


def status_label(key):
    """Return the name of a status (or a derived state) as the reader sees it."""
    if key in DERIVED:
        return str(DERIVED[key])
    status = current().status(key)
    return shown(status.name) if status else str(key or "")


def marking_label(key):
    """Return the name of a marking as the reader sees it ("" for none)."""
    marking = current().marking(key)
    return shown(marking.name) if marking else str(key or "")


def marking_hint(key):
    """Return what a marking means, as the reader sees it."""
    marking = current().marking(key)
    return shown(marking.definition) if marking else ""


def marking_icon(key):
    """Return the symbol of a marking."""
    marking = current().marking(key)
    return marking.symbol if marking else ""


def status_definition(key):
    """Return what a status means, as the reader sees it."""
    status = current().status(key)
    return shown(status.definition) if status else ""


# --- Checking a vocabulary, from the admin's form or a folder's strategy.md -------------------

LIMITS = {"statuses": 30, "markings": 20, "name": 60, "definition": 500, "symbol": 3,
          "pattern": 100, "pattern_text": 200}
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
SETTINGS_KEYS = ("statuses", "markings", "report_period", "code_pattern", "code_pattern_text")


def key_for(name, taken=()):
    """Return a key for a new status or marking named name, unlike the taken ones."""
    from wiki.domain.markdown import slugify

    base = ("k_" + slugify(name).replace("-", "_"))[:36] if name else "k"
    base = base[2:] if base[2:3].isalpha() else base
    key, number = base, 1
    while key in taken:
        number += 1
        key = f"{base}_{number}"
    return key


def contrast_with_white(colour):
    """Return the contrast ratio of white text on a colour "#rrggbb" (WCAG 2.1)."""
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    light = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    return 1.05 / (light + 0.05)


def parse(settings):
    """Return (Vocabulary, {field: German message}) from settings as a form or file gives them.

    settings: a mapping with any of SETTINGS_KEYS; a missing part is the default's.
    """
    errors = {}
    checker = _Checker(errors)
    statuses = checker.items(settings.get("statuses"), "statuses", checker.status)
    markings = checker.items(settings.get("markings"), "markings", checker.marking)
    period = settings.get("report_period") or "quarter"
    if period not in PERIODS:
        errors["report_period"] = gettext("Unbekannter Berichtsrhythmus »%(value)s«; erlaubt: "
                                          "%(allowed)s.", value=period, allowed=", ".join(PERIODS))
    pattern, text = checker.pattern(settings.get("code_pattern"),
                                    settings.get("code_pattern_text"))
    words = Vocabulary(statuses=statuses or DEFAULT_STATUSES, markings=markings or DEFAULT_MARKINGS,
                       report_period=period if period in PERIODS else "quarter",
                       code_pattern=pattern, code_pattern_text=text)
    return words, errors


class _Checker:
    """Check the parts of a vocabulary, collecting every problem under its field's path."""

    def __init__(self, errors):
        self.errors = errors

    def fail(self, where, message):
        """Record a problem (and return None, for "nothing checked")."""
        self.errors.setdefault(where, message)

    def text(self, value, where, limit, required=True):
        """Return a clean line of at most limit characters, or None after recording why not."""
        from wiki.domain import cleaning

        try:
            text = cleaning.line(value if value is not None else "", limit=limit)
        except cleaning.Refused as error:
            return self.fail(where, str(error))
        if required and not text:
            return self.fail(where, gettext("Pflichtfeld fehlt."))
        return text

    def items(self, value, name, check):
        """Return the checked statuses or markings of a list (None: the defaults)."""
        if value is None or value == []:
            return None
        if not isinstance(value, list):
            return self.fail(name, gettext("Muss eine Liste sein."))
        if len(value) > LIMITS[name]:
            return self.fail(name, gettext("Höchstens %(limit)d Einträge erlaubt.",
                                           limit=LIMITS[name]))
        found, keys, names = [], set(), set()
        for index, item in enumerate(value, 1):
            where = f"{name}[{index}]"
            if not isinstance(item, dict):
                self.fail(where, gettext("Ein Eintrag braucht Felder der Form »name: Wert«."))
                continue
            checked = check(item, where, keys)
            if checked is None:
                continue
            if checked.name.casefold() in names:
                self.fail(f"{where}.name", gettext("Der Name »%(name)s« kommt doppelt vor.",
                                                   name=checked.name))
            keys.add(checked.key)
            names.add(checked.name.casefold())
            found.append(checked)
        return tuple(found) if len(found) == len(value) else None

    def key(self, item, where, name, taken):
        """Return an item's key: given (checked), or made from its name."""
        key = item.get("key")
        if key in (None, ""):
            return key_for(name, taken)
        if not isinstance(key, str) or not KEY.match(key):
            return self.fail(f"{where}.key", gettext(
                "Ungültiger Schlüssel »%(key)s«; erlaubt sind bis zu 40 Kleinbuchstaben a–z, "
                "Ziffern und Unterstriche, am Anfang ein Buchstabe.", key=key))
        if key in taken:
            return self.fail(f"{where}.key", gettext("Der Schlüssel »%(key)s« kommt doppelt vor.",
                                                     key=key))
        return key

    def unknown(self, item, where, allowed):
        """Record every field of an item that is not allowed."""
        for name in item:
            if name not in allowed:
                self.fail(f"{where}.{name}", gettext("Unbekanntes Feld; erlaubt: %(allowed)s.",
                                                     allowed=", ".join(allowed)))

    def status(self, item, where, taken):
        """Return one checked status, or None."""
        self.unknown(item, where, ("key", "name", "category", "definition"))
        name = self.text(item.get("name"), f"{where}.name", LIMITS["name"])
        definition = self.text(item.get("definition"), f"{where}.definition",
                               LIMITS["definition"], required=False)
        category = item.get("category")
        if category not in CATEGORIES:
            self.fail(f"{where}.category", gettext(
                "Unbekannte Kategorie »%(value)s«; erlaubt: %(allowed)s.", value=category,
                allowed=", ".join(CATEGORIES)))
            category = None
        key = self.key(item, where, name, taken) if name else None
        if None in (name, definition, category, key):
            return None
        return Status(key, name, category, definition)

    def marking(self, item, where, taken):
        """Return one checked marking, or None."""
        self.unknown(item, where, ("key", "name", "symbol", "colour", "definition", "duty"))
        name = self.text(item.get("name"), f"{where}.name", LIMITS["name"])
        definition = self.text(item.get("definition"), f"{where}.definition",
                               LIMITS["definition"], required=False)
        symbol = self.text(item.get("symbol"), f"{where}.symbol", LIMITS["symbol"])
        if symbol and any(char.isspace() for char in symbol):
            symbol = self.fail(f"{where}.symbol", gettext("Ein Symbol ohne Leerzeichen, z. B. "
                                                          "§ oder ◆."))
        colour = self.colour(item.get("colour"), f"{where}.colour")
        duty = item.get("duty", False)
        if not isinstance(duty, bool):
            duty = self.fail(f"{where}.duty", gettext("Muss true oder false sein."))
        key = self.key(item, where, name, taken) if name else None
        if None in (name, definition, symbol, colour, duty, key):
            return None
        return Marking(key, name, symbol, colour, definition, duty)

    def colour(self, value, where):
        """Return a colour "#rrggbb" dark enough for white text, "" for none, or None."""
        if value in (None, ""):
            return ""
        if not isinstance(value, str) or not COLOUR.match(value):
            return self.fail(where, gettext("Farbe als #RRGGBB angeben, z. B. #b42318."))
        ratio = contrast_with_white(value)
        if ratio < 4.5:
            return self.fail(where, gettext(
                "Die Farbe %(colour)s ist zu hell: weiße Schrift darauf hat einen Kontrast von "
                "%(ratio).1f:1, nötig sind 4,5:1.", colour=value, ratio=ratio))
        return value.lower()

    def pattern(self, value, text):
        """Return (pattern, its description) checked; ("", "") for none."""
        pattern = self.text(value, "code_pattern", LIMITS["pattern"], required=False)
        words = self.text(text, "code_pattern_text", LIMITS["pattern_text"], required=False)
        if not pattern:
            return "", ""
        try:
            re.compile(pattern)
        except re.error as error:
            self.fail("code_pattern", gettext("Das Muster ist kein gültiger regulärer Ausdruck "
                                              "(%(error)s).", error=str(error)))
            return "", ""
        if not words:
            self.fail("code_pattern_text", gettext("Bitte das Muster in Worten beschreiben, "
                                                   "z. B. »M und zwei Ziffern, etwa M07«."))
        return pattern, words or ""


@contextmanager
def using(words):
    """Let the cleaning of this block see words as the programme's (an import's own)."""
    if not has_app_context():
        yield
        return
    before = g.get("vocabulary")
    g.vocabulary = words
    try:
        yield
    finally:
        g.vocabulary = before
