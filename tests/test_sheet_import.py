"""Importing measures from a spreadsheet: every bad sheet refused whole, good ones saved once."""
import io
from datetime import date

import pytest
from openpyxl import Workbook

from wiki.domain import vocabulary
from wiki.exchange import sheet_import
from wiki.models import ActionField, Dependency, Measure, Revision, Strategy

GERMAN = ["Kürzel", "Titel", "Handlungsfeld", "Status", "Geplantes Ende", "Voraussetzungen"]
ENGLISH = ["code", "title", "field", "status", "planned_end", "requires"]
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def xlsx(header, *rows):
    """Return the bytes of a workbook with a header row and rows, built in memory."""
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def csv(header, *rows, delimiter=",", encoding="utf-8"):
    """Return the bytes of a CSV file."""
    lines = [delimiter.join(header)] + [delimiter.join(str(cell) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def state():
    """Return how many measures, revisions and prerequisites are stored."""
    return Measure.select().count(), Revision.select().count(), Dependency.select().count()


def run(data, filename="liste.xlsx", author=None):
    """Import a file's bytes; return (problems as text, Summary or None)."""
    problems, summary = sheet_import.import_file(data, filename, author)
    return [str(problem) for problem in problems], summary


def good(*rows, header=GERMAN):
    """Return an XLSX sheet of new demo measures with German headers."""
    return xlsx(header, *rows)


BAD = {
    "unknown column": (xlsx(GERMAN + ["Farbe"], ["M90", "Neu", "HF1", "geplant", None, None,
                                                   "rot"]),
                       "Spalte G (Farbe): Unbekannte Spalte »Farbe«; erkannt werden: Kürzel "
                       "(code), Titel (title)"),
    "missing column": (xlsx(["Kürzel", "Titel"], ["M90", "Neu"]),
                       "Spalte für »Handlungsfeld« fehlt."),
    "duplicate code": (good(["M90", "Neu", "HF1"], ["m90", "Noch mal", "HF2"]),
                       "Zeile 3, Spalte A (Kürzel): Das Kürzel »M90« steht schon in Zeile 2."),
    "bad date": (good(["M90", "Neu", "HF1", None, "2027-12-31"],
                      ["M91", "Neu", "HF1", None, "irgendwann"]),
                 "Zeile 3, Spalte E (Geplantes Ende): Ungültiges Datum »irgendwann«"),
    "unknown status": (good(["M90", "Neu", "HF1", "fertig"]),
                       "Zeile 2, Spalte D (Status): Unbekannter Status »fertig«"),
    "unknown field": (good(["M90", "Neu", "HF9"]),
                      "Zeile 2, Spalte C (Handlungsfeld): Unbekanntes Handlungsfeld »HF9«"),
    "unknown prerequisite": (good(["M90", "Neu", "HF1", None, None, "M01, M99"]),
                             "Zeile 2, Spalte F (Voraussetzungen): Unbekannte Voraussetzung: "
                             "M99"),
    "cycle in the sheet": (good(["M90", "Neu", "HF1", None, None, "M91"],
                                ["M91", "Neu", "HF1", None, None, "M90"]),
                           "Zeile 2, Spalte F (Voraussetzungen): Die Voraussetzungen bilden "
                           "einen Kreis: M90 → M91 → M90."),
    "cycle with the stored": (good(["M06", "Portal", "HF1", None, None, "M08"]),
                              "Zeile 2, Spalte F (Voraussetzungen): Die Voraussetzungen bilden "
                              "einen Kreis: M06 → M08 → M06."),
    "code of a page": (good(["Glossar", "Neu", "HF1"]),
                       "Zeile 2, Spalte A (Kürzel): Der Name »glossar« gehört schon einer "
                       "Wiki-Seite"),
    "header only": (xlsx(GERMAN), "Die Tabelle enthält keine Zeilen unter der Kopfzeile."),
    "empty file": (b"", "Die Tabelle ist leer."),
    "too long": (csv(GERMAN[:3], *[[f"X{n}", "Neu", "HF1"] for n in range(20_000)]),
                 "Die Tabelle hat mehr als 2.000 Zeilen; bitte aufteilen."),
    "pdf": (PDF, "Die Datei ist ein PDF, keine Tabelle"),
    "png": (PNG, "Die Datei ist keine Tabelle im Format XLSX oder CSV."),
}


@pytest.mark.parametrize("name", BAD)
def test_a_bad_sheet_is_refused_whole(ctx, demo, name):
    """Each bad sheet gets a German message naming row and column; nothing is written."""
    data, expected = BAD[name]
    before = state()
    problems, summary = run(data)
    assert summary is None
    assert any(problem.startswith(expected) for problem in problems), problems
    assert state() == before


def test_every_problem_is_reported_at_once(ctx, demo):
    """Three bad rows give three problems; the good row is not saved either."""
    before = state()
    problems, _ = run(good(["M90", "Gut", "HF1"], ["M91", "", "HF1"], ["M92", "Neu", "HF1",
                                                                        "fertig", "morgen"]))
    assert problems == [
        "Zeile 3, Spalte B (Titel): Titel fehlt.",
        "Zeile 4, Spalte D (Status): Unbekannter Status »fertig«; erlaubt: »geplant«, »in "
        "Vorbereitung«, »in Umsetzung«, »in Betrieb / Roll-out«, »abgeschlossen«, "
        "»zurückgestellt«, »eingestellt«.",
        "Zeile 4, Spalte E (Geplantes Ende): Ungültiges Datum »morgen«; erwartet z. B. "
        "31.12.2027, 2027-12-31, Q4/2027 oder 1. Halbjahr 2027.",
    ]
    assert state() == before


@pytest.mark.parametrize("written", [date(2027, 12, 31), 46752, "31.12.2027", "2027-12-31",
                                     "Q4/2027", "4. Quartal 2027", "2027-Q4"])
def test_date_forms(ctx, demo, written):
    """An Excel date or serial, German and ISO dates and quarters (as ends) are one day."""
    problems, summary = run(good(["M90", "Neu", "HF1", "in Umsetzung", written]))
    assert problems == [] and summary.created == 1
    assert Measure.get(Measure.code == "M90").planned_end == date(2027, 12, 31)


@pytest.mark.parametrize("data, filename", [
    (good(["M90", "Bürgerportal", "Digitale Verwaltungsleistungen für Bürgerschaft und "
                                  "Wirtschaft", "in Umsetzung", "Q4/2027", "M01"]), "l.xlsx"),
    (xlsx(ENGLISH, ["m90", "Bürgerportal", "hf1", "active", "2027-12-31", "m01"]), "l.xlsx"),
    (csv(GERMAN, ["M90", "Bürgerportal", "HF1", "In Umsetzung", "31.12.2027", "M01"],
         delimiter=";", encoding="cp1252"), "liste.csv"),
    (csv(ENGLISH, ["M90", "Bürgerportal", "HF1", "active", "2027-12-31", "M01"]), "liste.csv"),
], ids=["german xlsx", "english xlsx", "cp1252 semicolons", "utf-8 commas"])
def test_a_good_sheet_is_imported(ctx, demo, data, filename):
    """German or English headers, XLSX or CSV: the measure is saved with every field."""
    problems, summary = run(data, filename)
    assert problems == []
    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, 0)
    measure = Measure.get(Measure.code == "M90")
    assert (measure.page.title, measure.field.code, measure.status, measure.planned_end) == (
        "Bürgerportal", "HF1", "active", date(2027, 12, 31))
    assert [m.code for m in measure.prerequisites()] == ["M01"]
    revision = measure.page.latest()
    assert (revision.number, revision.summary) == (1, "Aus Tabelle importiert")


@pytest.mark.postgres
def test_reimport_updates_with_revisions_and_keeps_unmapped_fields(ctx, demo):
    """Importing twice adds no measure and no revision; a changed row gets one revision."""
    m01 = Measure.get(Measure.code == "M01")
    owner, revisions = m01.owner, m01.page.revision_count
    sheet = good(["M01", m01.page.title, "HF1", vocabulary.status_label(m01.status), None, ""],
                 ["M90", "Neu", "HF1", None, "Q4/2027", "M91"],
                 ["M91", "Auch neu", "HF2", None, None, None])
    problems, summary = run(sheet)
    assert problems == [] and (summary.created, summary.updated, summary.unchanged) == (2, 1, 0)
    m01 = Measure.get(Measure.code == "M01")
    assert m01.page.revision_count == revisions + 1 and m01.owner == owner
    assert m01.planned_end is None  # a mapped empty cell empties the field
    assert [m.code for m in Measure.get(Measure.code == "M90").prerequisites()] == ["M91"]
    before = state()
    problems, summary = run(sheet)
    assert problems == [] and (summary.created, summary.updated, summary.unchanged) == (0, 0, 3)
    assert state() == before


@pytest.fixture
def programme(ctx):
    """Set up a small programme of its own: two action fields, two statuses of its words."""
    words, errors = vocabulary.parse({"statuses": [
        {"name": "in Planung", "category": "not_started", "definition": "Noch nicht begonnen."},
        {"name": "umgesetzt", "category": "done", "definition": "Fertig."},
    ]})
    assert not errors
    Strategy.create(title="Klimaplan Musterstadt", period_start=date(2025, 1, 1),
                    period_end=date(2030, 12, 31), settings=words.settings())
    ActionField.create(code="MOB", title="Mobilität", position=1)
    ActionField.create(code="EN", title="Energie", position=2)
    vocabulary.forget()
    return ctx


def test_a_programme_of_its_own_words(programme):
    """Statuses by the programme's names, fields by title; unchanged rows make no revision."""
    sheet = xlsx(["Nr.", "Maßnahme", "Themenfeld", "Stand", "Fortschritt", "Beschreibung"],
                 ["K-1", "Radwege", "Mobilität", "umgesetzt", "100 %", "Mehr *Radwege*."],
                 ["K-2", "Solardächer", "energie", "In Planung", None, None])
    problems, summary = run(sheet)
    assert problems == [] and (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    radwege = Measure.get(Measure.code == "K-1")
    assert (radwege.status, radwege.progress, radwege.field.code) == ("umgesetzt", 100, "MOB")
    assert radwege.page.latest().body == "Mehr *Radwege*."
    assert Measure.get(Measure.code == "K-2").status == "in_planung"
    problems, summary = run(xlsx(["Nr.", "Maßnahme", "Themenfeld", "Stand"],
                                 ["K-1", "Radwege", "MOB", "umgesetzt"],
                                 ["K-2", "Solardächer", "EN", "umgesetzt"]))
    assert problems == [] and (summary.updated, summary.unchanged) == (1, 1)
    assert Measure.get(Measure.code == "K-1").page.revision_count == 1
    assert Measure.get(Measure.code == "K-2").page.revision_count == 2


def test_no_programme_no_import(ctx):
    """A database without a programme refuses a sheet with a clear message."""
    problems, summary = run(good(["M90", "Neu", "HF1"]))
    assert summary is None and problems == [sheet_import.NO_PROGRAMME]


def test_command_line(demo, runner, tmp_path):
    """`fahrplan import FILE` prints every problem or the counts; a folder still works."""
    bad, fine = tmp_path / "bad.xlsx", tmp_path / "liste.csv"
    bad.write_bytes(good(["M90", "Neu", "HF1", "fertig"]))
    fine.write_bytes(csv(GERMAN, ["M90", "Neu", "HF1", "geplant", "Q4/2027", ""]))
    result = runner.invoke(args=["import", str(bad)])
    assert result.exit_code != 0
    assert "Zeile 2, Spalte D (Status): Unbekannter Status »fertig«" in result.output
    assert "1 Fehler; es wurde nichts importiert." in result.output
    result = runner.invoke(args=["import", str(fine), "--author", "nobody"])
    assert result.exit_code != 0 and "Benutzer 'nobody' gibt es nicht." in result.output
    result = runner.invoke(args=["import", str(fine)])
    assert result.exit_code == 0, result.output
    assert "1 Maßnahmen angelegt, 0 aktualisiert, 0 unverändert." in result.output
