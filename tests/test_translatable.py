"""Every German string the user reads goes through gettext; the rest is allowed by name, with why.

Read from the source like the layer test: a bare German literal cannot be seen by the catalogue
test, so the English UI would show it in German. A literal reads as German when it
- has an umlaut or ß inside a word of two letters or more (a lone "ä" of a transliteration
  table is no prose),
- or is text with a blank holding a German function word (WORDS) or a word with a German
  ending (ENDINGS: -ung, -keit, -lich, -ige …), words English does not use,
- or is a German message of the English catalogue whose translation differs ("Geplanter
  Beginn", "Titel"): the UI already says it, so a bare copy would stay German in English.
"""
import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parent.parent / "wiki"
# The demo is content in the exchange format, the catalogues are the translations themselves.
SKIPPED = ("demo", "translations")
GETTEXT = {"_": 1, "_l": 1, "N_": 1, "gettext": 1, "lazy_gettext": 1, "ngettext": 2,
           "lazy_ngettext": 2}
UMLAUT_WORD = re.compile(r"\w*[äöüÄÖÜß]\w*")
WORDS = re.compile(r"\b(der|die|das|und|nicht|ist|sind|ein|eine|einen|keine|kein|bitte|wurde|"
                   r"werden|oder|noch|nur|muss|mit|vom|zum|zur|auf|bei|nach|fehlt|liegt|sie|ihre)\b",
                   re.IGNORECASE)
ENDINGS = re.compile(r"\b\w{3,}(ung|ungen|keit|heit|lich|liche|lichen|ige|igen|iger|isch|ische|"
                     r"schaft)\b", re.IGNORECASE)
CATALOG = PACKAGE / "translations" / "en" / "LC_MESSAGES" / "messages.po"

# Strings that stay German whatever the UI language: (module or folder, a piece of the literal,
# why). No piece allows the whole module: those speak to the operator on the console or in the
# log, outside any request, so no language has been chosen, and the operations guide is German.
ALLOWED = [
    ("wiki/cli.py", None, "the `fahrplan` commands' output, for the operator"),
    ("wiki/backup.py", None, "backup and restore errors, printed by `fahrplan backup/restore`"),
    ("wiki/mail.py", None, "the mail queue's log lines and `fahrplan mail` output"),
    ("wiki/sso.py", None, "configuration errors raised or logged while the app starts"),
    ("wiki/scanning.py", "Virenprüfung", "the virus check's log lines, for the operator"),
    ("wiki/security.py", "keine ganze Zahl",
     "FAHRPLAN_PROXY_HOPS: a configuration error raised while the app starts"),
    ("wiki/exchange/", None, "`fahrplan import/export` errors; they point into German files of "
     "the German exchange format"),
    ("wiki/domain/reports.py", "aus dem Sachstandsbericht",
     "MEASURE_SUMMARY: a revision summary stored in the history, written once for all readers"),
    ("wiki/domain/editing.py", "Link nach Umbenennung",
     "RENAME_SUMMARY: a revision summary stored in the history"),
    ("wiki/domain/privacy.py", "Ehemalige Person",
     "PSEUDONYM_NAME: replaces a person's name in the stored data"),
    ("wiki/domain/rounds.py", "Maßnahmenübergreifende Projekte",
     "PROJECTS_HEADING: a heading of the stored council text and of the exchange format"),
    ("wiki/domain/merge.py", "Fassung",
     "conflict markers: written into the text the editor saves, not shown by the UI"),
    ("wiki/domain/markdown.py", "Seite existiert noch nicht",
     "MISSING_TITLE: the rendered HTML is stored with the revision, one for every reader"),
    ("wiki/domain/markdown.py", "Zurück zu Fußnote",
     "the footnotes' back-link title, in the stored HTML like MISSING_TITLE"),
    ("wiki/domain/markdown.py", "Inhalt", "the table of contents' title, in the stored HTML"),
    ("wiki/config.py", "Digitalisierungsteam",
     "ACCESSIBILITY_CONTACT: a default the operator replaces with the real contact"),
]


def known_messages():
    """Return the catalogue's German messages that read differently in English."""
    with CATALOG.open("rb") as fh:
        return {message.id for message in read_po(fh)
                if isinstance(message.id, str) and message.id and message.string
                and message.string != message.id}


KNOWN = known_messages()


def german(text):
    """Return whether a literal reads as German prose."""
    if any(len(word) > 1 for word in UMLAUT_WORD.findall(text)) or text in KNOWN:
        return True
    return " " in text.strip() and bool(WORDS.search(text) or ENDINGS.search(text))


def name_of(func):
    """Return the called name of a call's function (`_`, `gettext`, `babel.gettext` …)."""
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def exempt(tree):
    """Return the ids of the literal nodes that are docstrings or gettext's messages."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
        elif isinstance(node, ast.Call) and name_of(node.func) in GETTEXT:
            # Only plain literals count: babel cannot extract an f-string's message.
            found.update(id(arg) for arg in node.args[:GETTEXT[name_of(node.func)]]
                         if isinstance(arg, ast.Constant))
    return found


def bare_german(source, module="<test>"):
    """Return (line, text) of each German literal of a source that is not translatable."""
    tree = ast.parse(source, module)
    skip = exempt(tree)
    allowed = [piece or "" for path, piece, _why in ALLOWED if module.startswith(path)]
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in skip and german(node.value)
            and not any(piece in node.value for piece in allowed)]


def modules():
    """Return {relative path: source} of every module checked."""
    return {path.relative_to(PACKAGE.parent).as_posix(): path.read_text()
            for path in sorted(PACKAGE.rglob("*.py"))
            if path.relative_to(PACKAGE).parts[0] not in SKIPPED}


def test_every_german_string_is_translatable():
    """No German literal outside gettext, docstrings and the allow-list."""
    found = [f"{module}:{line}: {text!r}" for module, source in modules().items()
             for line, text in bare_german(source, module)]
    assert not found, "wrap in _() or _l() (or allow here, saying why):\n" + "\n".join(found)


@pytest.mark.parametrize("path, piece, why", ALLOWED)
def test_every_allowance_is_still_needed(path, piece, why):
    """Each allow-list entry matches a German literal that would be flagged (none goes stale)."""
    saved = ALLOWED[:]
    ALLOWED.remove((path, piece, why))
    try:
        found = [text for module, source in modules().items() if module.startswith(path)
                 for _line, text in bare_german(source, module) if (piece or "") in text]
    finally:
        ALLOWED[:] = saved
    assert found, why


@pytest.mark.parametrize("source", [
    'LABEL = "Geplanter Beginn"',
    'NAME = "Ehemalige Person {number}"',
    'raise ValueError(f"Höchstens {limit} Zeichen erlaubt")',
    'flash("Bitte melden Sie sich an")',
    'message = "Der Titel fehlt."',
    'errors = {"body": "Text ist leer"}',
    '_(f"Höchstens {limit} Zeichen")',
    'gettext("Kürzel", "Ungültiges Kürzel")',
    'def f():\n    x = 1\n    "Zweiter Ausdruck, kein Docstring"',
])
def test_a_bare_german_string_is_found(source):
    """The check flags bare German literals (so it cannot pass by accident)."""
    assert bare_german(source)


@pytest.mark.parametrize("source", [
    'LABEL = _l("Geplanter Beginn")',
    'raise ValueError(_("Höchstens %(limit)d Zeichen", limit=3))',
    'text = ngettext("%(num)d Maßnahme", "%(num)d Maßnahmen", 2)',
    'def f():\n    """Gib die Maßnahme zurück."""',
    'SLUG = {"ä": "ae", "ß": "ss"}',
    'HEADER = "Content-Type"',
    'query = "SELECT title FROM page"',
])
def test_translatable_and_technical_strings_pass(source):
    """gettext's messages, docstrings and technical text are not flagged."""
    assert bare_german(source) == []
