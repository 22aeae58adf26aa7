"""Import and export of the exchange format: checks, all-or-nothing import, exact round trip."""
import os
from datetime import date, datetime
from pathlib import Path

import peewee
import pytest
import yaml
from bs4 import BeautifulSoup

from wiki import exchange
from wiki.cli import DEMO
from wiki.domain import search
from wiki.exchange import files
from wiki.models import (
    MODELS,
    ActionField,
    ChangeCounter,
    Comment,
    Dependency,
    Measure,
    Page,
    ReportRound,
    Revision,
    StatusReport,
    Strategy,
    User,
)

pytestmark = pytest.mark.postgres

DELETE = object()


def programme():
    """Return a small valid programme as {path: [front matter, body]}."""
    return {
        "strategy.md": [{"title": "Digitale Stadt", "period_start": "2022-Q1",
                         "period_end": "2026-Q4"}, "Unser Leitbild: [[Ziele]]."],
        "fields/HF1.md": [{"code": "HF1", "title": "Bürgerservice", "position": 1},
                          "Online-Dienste."],
        "fields/HF2.md": [{"code": "HF2", "title": "Akten", "position": 2, "summary": "E-Akte"},
                          ""],
        "pages/ziele.md": [{"title": "Ziele", "author": "k.becker", "date": "2022-01-05"},
                           "Siehe [[M02]] und [[Glossar]]."],
        "measures/M01.md": [{
            "code": "M01", "title": "Serviceportal", "field": "HF1", "obligation": "legal",
            "status": "active", "owner": "FB 1", "contact": "t.schmitz",
            "planned_start": "2022-Q1", "planned_end": "2023-Q4", "progress": 40,
            "author": "t.schmitz", "date": "2023-01-10",
        }, "Das Portal."],
        "measures/M02.md": [{
            "code": "M02", "title": "E-Payment", "field": "HF1", "status": "active",
            "planned_start": "2022-Q3", "planned_end": "2023-Q2", "requires": ["M01"],
            "progress": 20, "tags": ["zahlung"], "author": "k.becker", "date": "2023-03-15T10:30",
            "summary": "Neuplanung",
            "history": [{"date": "2022-01-10", "author": "k.becker", "summary": "Erstanlage",
                         "planned_end": "2023-Q1", "status": "planned", "progress": 0,
                         "body": "Entwurf."}],
        }, "Bezahlen im Portal."],
        "reports/M01/2024-06-30.md": [{"date": "2024-Q2", "period": "2024-Q2", "status": "active",
                                       "progress": 40, "traffic_light": "yellow",
                                       "author": "t.schmitz"}, "Läuft."],
        "rounds/2024-q2.md": [{"title": "Sachstand 2024/II", "period": "2024-Q2",
                               "due_date": "2024-07-15"}, "Bitte berichten."],
        "comments/M01/001.md": [{"date": "2024-07-01T10:30", "author": "k.becker",
                                 "report": "2024-06-30"}, "Danke!"],
        "users/k.becker.md": [{"name": "Katrin Becker", "role": "editor",
                               "email": "k.becker@example.org"}, ""],
        "users/t.schmitz.md": [{"name": "Thomas Schmitz"}, ""],
    }


def write_folder(root, content):
    """Write {path: [front matter, body] or text} into root and return root."""
    for path, item in content.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(item, list):
            meta, body = item
            item = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n"
            item += f"\n{body}\n" if body else ""
        target.write_bytes(item if isinstance(item, bytes) else item.encode())
    return root


def changed(path, key, value):
    """Return the small programme with one front matter field set (or deleted)."""
    content = programme()
    meta = content[path][0]
    if value is DELETE:
        del meta[key]
    else:
        meta[key] = value
    return content


def tree(root):
    """Return {relative path: text} of every file below root."""
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
            for path in root.rglob("*") if path.is_file()}


def row_counts():
    """Return the number of rows of every model."""
    return {model.__name__: model.select().count() for model in MODELS}


def wipe():
    """Delete every row, leaving an empty database."""
    for model in reversed(MODELS):
        if model is not ChangeCounter:  # its one row belongs to the schema
            model.delete().execute()


def revision_rows():
    """Return every revision's page, number, content, metadata, author, time and summary."""
    query = (Revision.select(Revision, Page, User)
             .join(Page)
             .switch(Revision)
             .join(User, peewee.JOIN.LEFT_OUTER)
             .order_by(Page.slug, Revision.number))
    return [(r.page.slug, r.number, r.title, r.body, r.html, r.meta,
             r.author.username if r.author_id else None, r.created, r.summary, r.size)
            for r in query]


def assert_problem(problems, path, field, message):
    """Assert that one problem names this file and field and contains the message."""
    found = [str(p) for p in problems if (p.path, p.field) == (path, field)]
    assert any(message in text for text in found), [str(p) for p in problems]


def test_import_small_folder(app, tmp_path):
    """A valid folder imports completely: strategy, fields, pages, measures with history, …"""
    assert exchange.import_folder(write_folder(tmp_path / "in", programme())) == []
    strategy = Strategy.current()
    assert (strategy.title, strategy.period_start, strategy.period_end) == (
        "Digitale Stadt", date(2022, 1, 1), date(2026, 12, 31))
    assert (strategy.leitbild.slug, strategy.leitbild.title) == ("leitbild", "Leitbild")
    assert [(f.code, f.summary, f.position) for f in ActionField.ordered()] == [
        ("HF1", "", 1), ("HF2", "E-Akte", 2)]
    assert [(m.code, m.status, m.progress) for m in Measure.listing()] == [
        ("M01", "active", 40), ("M02", "active", 20)]
    assert list(Dependency.edges()) == [("M02", "M01")]
    m01 = Measure.by_code("M01")
    assert (m01.obligation, m01.owner, m01.contact.username) == ("legal", "FB 1", "t.schmitz")
    assert (m01.planned_start, m01.planned_end) == (date(2022, 1, 1), date(2023, 12, 31))


def test_import_keeps_history_as_revisions(app, tmp_path):
    """History entries become the earlier revisions, each with its own metadata, author, time."""
    exchange.import_folder(write_folder(tmp_path / "in", programme()))
    first, second = Revision.of(Measure.by_code("M02").page).order_by(Revision.number)
    assert (first.number, first.body, first.summary, first.author.username) == (
        1, "Entwurf.", "Erstanlage", "k.becker")
    assert (first.meta["status"], first.meta["planned_end"], first.meta["progress"]) == (
        "planned", "2023-03-31", 0)
    assert first.meta["planned_start"] == second.meta["planned_start"] == "2022-07-01"
    assert (second.number, second.body, second.summary) == (2, "Bezahlen im Portal.", "Neuplanung")
    assert (second.meta["status"], second.meta["planned_end"]) == ("active", "2023-06-30")
    # Files give local (Berlin) time; the database keeps UTC.
    assert first.created == datetime(2022, 1, 9, 23)
    assert second.created == datetime(2023, 3, 15, 9, 30)


def test_import_reports_rounds_comments_users(app, tmp_path):
    """Reports get version 1, comments refer to their report, users come without password."""
    exchange.import_folder(write_folder(tmp_path / "in", programme()))
    report = StatusReport.get()
    assert (report.date, report.period, report.traffic_light, report.author.username) == (
        date(2024, 6, 30), "2024-Q2", "yellow", "t.schmitz")
    assert [(v.number, v.body) for v in report.versions] == [(1, "Läuft.")]
    assert ReportRound.get().due_date == date(2024, 7, 15)
    comment = Comment.get()
    assert (comment.report, comment.created, comment.html) == (
        report, datetime(2024, 7, 1, 8, 30), "<p>Danke!</p>")
    assert [(v.number, v.body) for v in comment.versions] == [(1, "Danke!")]
    users = {u.username: (u.name, u.role, u.email, u.password_hash) for u in User.select()}
    assert users == {"k.becker": ("Katrin Becker", "editor", "k.becker@example.org", None),
                     "t.schmitz": ("Thomas Schmitz", "reader", "", None)}


def test_import_fills_the_search_index(app, tmp_path):
    """Pages, measures, reports and comments can be found right after the import."""
    exchange.import_folder(write_folder(tmp_path / "in", programme()))
    kinds = {word: sorted(hit["kind"] for hit in search.find(word)[0])
             for word in ("leitbild", "portal", "läuft", "danke")}
    assert kinds == {"leitbild": ["page"], "portal": ["measure", "measure"], "läuft": ["report"],
                     "danke": ["comment"]}


def test_links_resolve_against_the_whole_folder(app, tmp_path):
    """A link to a page imported later is not missing; a link to no page is."""
    exchange.import_folder(write_folder(tmp_path / "in", programme()))
    leitbild = BeautifulSoup(Strategy.current().leitbild.latest().html, "html.parser")
    assert leitbild.a["class"] == ["wikilink"]
    ziele = BeautifulSoup(Page.get(Page.slug == "ziele").latest().html, "html.parser")
    assert {a.get_text(): a["class"] for a in ziele.find_all("a")} == {
        "M02": ["wikilink"], "Glossar": ["wikilink", "missing"]}
    assert [p.slug for p in Page.linking_to("m02")] == ["ziele"]


def test_users_without_user_files_are_created(app, tmp_path):
    """Without users/, every named author and contact becomes a reader without password."""
    content = {path: item for path, item in programme().items() if not path.startswith("users/")}
    User.create(username="K.Becker", role="admin")
    assert exchange.import_folder(write_folder(tmp_path / "in", content)) == []
    users = {u.username: (u.role, u.password_hash) for u in User.select()}
    assert users == {"K.Becker": ("admin", None), "t.schmitz": ("reader", None)}


def test_import_finds_accounts_by_their_case_folded_name(app, tmp_path):
    """An existing account "Straße" is the contact "STRASSE" (Unicode folding, not lower())."""
    User.create(username="Straße", role="editor")
    folder = write_folder(tmp_path / "in", changed("measures/M01.md", "contact", "STRASSE"))
    assert exchange.import_folder(folder) == []
    assert User.select().where(User.username_key == "strasse").count() == 1


ERRORS = [
    # file, field, value, then the file and field the problem names, and its message
    ("measures/M01.md", "planned_start", "2023-13-01", None, None,
     "measures/M01.md: planned_start: »2023-13-01« ist kein Datum; bitte so schreiben: z. B. "
     "31.12.2027, 2027-12-31 oder 4. Quartal 2027."),
    ("measures/M01.md", "planned_end", "2023-Q5", None, None, "»2023-Q5« ist kein Datum"),
    ("measures/M01.md", "status", "finished", None, None,
     "Unbekannter Status »finished«; erlaubt: planned, preparing, active"),
    ("measures/M01.md", "obligation", "red", None, None, "Unbekannte Verbindlichkeit »red«"),
    ("measures/M01.md", "progress", 120, None, None,
     "Fortschritt muss eine ganze Zahl von 0 bis 100 sein."),
    ("measures/M01.md", "colour", "rot", None, None, "Unbekanntes Feld; erlaubt: code, title"),
    ("measures/M01.md", "title", DELETE, None, None, "Titel fehlt."),
    ("measures/M01.md", "code", "M 7", None, None, "Ungültiges Kürzel »M 7«"),
    ("measures/M01.md", "code", "M03", None, None,
     "Kürzel »M03« passt nicht zum Dateinamen »M01.md«."),
    ("measures/M01.md", "code", "M02", "measures/M02.md", "code",
     "Kürzel »M02« kommt doppelt vor (auch in measures/M01.md)."),
    ("measures/M01.md", "field", "HF9", None, None,
     "Unbekanntes Handlungsfeld »HF9« (keine Datei fields/HF9.md)."),
    ("measures/M01.md", "requires", ["M99"], None, None,
     "Unbekannte Voraussetzung »M99« (keine Datei measures/M99.md)."),
    ("measures/M01.md", "requires", ["M02"], None, None,
     "Die Voraussetzungen bilden einen Kreis: M01 → M02 → M01."),
    ("measures/M01.md", "requires", ["M01"], None, None,
     "Die Voraussetzungen bilden einen Kreis: M01 → M01."),
    ("measures/M01.md", "contact", "nobody", None, None,
     "Unbekannter Benutzer »nobody« (keine Datei users/nobody.md und kein Konto)."),
    ("measures/M01.md", "author", "nobody", None, None, "Unbekannter Benutzer »nobody«"),
    ("measures/M01.md", "planned_end", "2021-Q4", None, None,
     "Geplantes Ende liegt vor dem geplanten Beginn."),
    ("measures/M01.md", "date", "gestern", None, None, "Ungültiger Zeitpunkt »gestern«"),
    ("measures/M01.md", "history", "früher anders", None, None,
     "Muss eine Liste von Einträgen sein."),
    ("measures/M01.md", "history", ["anders"], None, "history[1]",
     "Ein Eintrag braucht Felder der Form »name: Wert«."),
    ("measures/M01.md", "history", [{"date": "2022-01-01", "colour": "rot"}], None,
     "history[1].colour", "Unbekanntes Feld"),
    ("measures/M01.md", "history", [{"date": "2022-01-01", "code": "M09"}], None,
     "history[1].code", "Unbekanntes Feld"),
    ("measures/M01.md", "history", [{"summary": "ohne Datum"}], None, "history[1].date",
     "Pflichtfeld fehlt."),
    ("measures/M01.md", "history", [{"date": "2022-01-01"}, {"date": "2022-01-01",
                                                             "planned_start": "bald"}],
     None, "history[2].planned_start", "»bald« ist kein Datum"),
    ("measures/M01.md", "history", [{"date": "2022-01-01", "contact": "nobody"}], None,
     "history[1].contact", "Unbekannter Benutzer »nobody«"),
    ("measures/M01.md", "history", [{"date": "2022-01-01", "requires": ["M98"]}], None,
     "history[1].requires", "Unbekannte Voraussetzung »M98«"),
    ("measures/M01.md", "history", [{"date": "2022-01-01", "planned_end": "2021-Q1"}], None,
     "history[1].planned_end", "Geplantes Ende liegt vor dem geplanten Beginn."),
    ("measures/M01.md", "history", [{"date": "2022-05-01"}, {"date": "2022-04-01"}], None,
     "history[2].date", "Liegt vor dem Datum der vorigen Version"),
    ("measures/M01.md", "history", [{"date": "2023-05-01"}], None, "date",
     "Liegt vor dem Datum der vorigen Version"),
    ("pages/ziele.md", "title", DELETE, None, None, "Pflichtfeld fehlt."),
    ("pages/ziele.md", "history", [{"date": "2021-01-01", "status": "done"}], None,
     "history[1].status", "Unbekanntes Feld; erlaubt: author, date, summary, title, body."),
    ("pages/ziele.md", "author", "nobody", None, None, "Unbekannter Benutzer »nobody«"),
    ("strategy.md", "period_start", "2022-Q0", None, None, "»2022-Q0« ist kein Datum"),
    ("strategy.md", "period_end", "2021-12-31", None, None, "Das Ende liegt vor dem Beginn."),
    ("strategy.md", "title", DELETE, None, None, "Pflichtfeld fehlt."),
    ("fields/HF1.md", "code", "HF7", None, None,
     "Kürzel »HF7« passt nicht zum Dateinamen »HF1.md«."),
    ("fields/HF1.md", "position", "erste", None, None, "Muss eine ganze Zahl sein."),
    ("reports/M01/2024-06-30.md", "date", "2024-06-29", None, None,
     "Datum 2024-06-29 passt nicht zum Dateinamen »2024-06-30.md«."),
    ("reports/M01/2024-06-30.md", "date", "2024-Q3", None, None,
     "Datum 2024-09-30 passt nicht zum Dateinamen"),
    ("reports/M01/2024-06-30.md", "traffic_light", "blue", None, None,
     "Unbekannte Ampelfarbe »blue«; erlaubt: green, yellow, red."),
    ("reports/M01/2024-06-30.md", "period", "2024/II", None, None, "»2024/II« ist kein Quartal"),
    ("reports/M01/2024-06-30.md", "status", "finished", None, None, "Unbekannter Status"),
    ("reports/M01/2024-06-30.md", "progress", "viel", None, None,
     "Fortschritt muss eine ganze Zahl von 0 bis 100 sein."),
    ("reports/M01/2024-06-30.md", "status", DELETE, None, None, "Pflichtfeld fehlt."),
    ("reports/M01/2024-06-30.md", "author", "nobody", None, None, "Unbekannter Benutzer"),
    ("rounds/2024-q2.md", "due_date", "2024-Q9", None, None, "»2024-Q9« ist kein"),
    ("rounds/2024-q2.md", "period", DELETE, None, None, "Pflichtfeld fehlt."),
    ("comments/M01/001.md", "report", "2024-03-31", None, None,
     "Unbekannter Bericht 2024-03-31 (keine Datei reports/M01/2024-03-31.md)."),
    ("comments/M01/001.md", "date", "gestern", None, None, "Ungültiger Zeitpunkt »gestern«"),
    ("comments/M01/001.md", "author", "nobody", None, None, "Unbekannter Benutzer"),
    ("users/k.becker.md", "role", "boss", None, None,
     "Unbekannte Rolle »boss«; erlaubt: reader, editor, admin."),
    ("users/k.becker.md", "password", "geheim", None, None, "Unbekanntes Feld"),
]


@pytest.mark.parametrize("path, key, value, where, field, message", ERRORS,
                         ids=[f"{e[0]}:{e[1]}={e[2]!r}"[:60] for e in ERRORS])
def test_import_refuses_wrong_value(app, tmp_path, path, key, value, where, field, message):
    """A wrong value is reported with its file and field, and nothing is imported."""
    problems = exchange.import_folder(write_folder(tmp_path / "in", changed(path, key, value)))
    if message.startswith(f"{path}: "):
        assert message in [str(p) for p in problems]
    assert_problem(problems, where or path, field or key, message.split(": ", 2)[-1])
    assert not Page.select().exists()


BROKEN_FILES = [
    ("measures/M01.md", "---\ncode: M01\ntitle: E: Akte\n---\n", None,
     "Ungültiges YAML in Zeile 3: mapping values are not allowed here."),
    ("measures/M01.md", "code: M01\n", None, "Keine Kopfdaten: die Datei muss mit einer "
                                             "Zeile »---« beginnen."),
    ("measures/M01.md", "---\ncode: M01\n", None, "nicht mit einer Zeile »---« abgeschlossen"),
    ("measures/M01.md", "---\n- code\n---\n", None, "Felder der Form »name: Wert«"),
    ("pages/ziele.md", b"---\ntitle: Gr\xfc\xdfe\n---\n", None, "nicht in UTF-8 kodiert"),
    ("pages/leitbild.md", [{"title": "Leitbild"}, ""], None, "dem Leitbild vorbehalten"),
    ("pages/m01.md", [{"title": "M01"}, ""], None, "der Maßnahme M01 vorbehalten"),
    ("pages/Über uns.md", [{"title": "Über uns"}, ""], None, "etwa »ueber-uns.md«"),
    ("rounds/Runde 1.md", [{"title": "R", "period": "2024-Q1", "due_date": "2024-04-01"}, ""],
     None, "Ungültiger Dateiname"),
    ("reports/M09/2024-06-30.md", programme()["reports/M01/2024-06-30.md"], None,
     "Unbekannte Maßnahme »M09« (keine Datei measures/M09.md)."),
    ("reports/M01/neu.md", [{"date": "2024-06-30", "period": "2024-Q2", "status": "active",
                             "traffic_light": "red"}, ""], None,
     "Der Dateiname muss das Datum des Berichts sein"),
    ("comments/M01/erster.md", [{"date": "2024-07-01"}, ""], None, "muss eine Nummer sein"),
    ("comments/M77/001.md", [{"date": "2024-07-01"}, ""], None, "Unbekannte Maßnahme »M77«"),
    ("measures/notes.txt", "Notizen", None, "Unbekannte Datei; erwartet: strategy.md"),
    ("README.md", "# Ordner", None, "Unbekannte Datei"),
]


@pytest.mark.parametrize("path, text, field, message", BROKEN_FILES,
                         ids=[case[0] for case in BROKEN_FILES])
def test_import_refuses_broken_file(app, tmp_path, path, text, field, message):
    """A file that cannot be read, or does not belong, is reported with its path."""
    problems = exchange.import_folder(write_folder(tmp_path / "in", programme() | {path: text}))
    assert_problem(problems, path, field, message)


def test_missing_strategy_is_reported(app, tmp_path):
    """A folder needs strategy.md."""
    content = programme()
    del content["strategy.md"]
    problems = exchange.import_folder(write_folder(tmp_path / "in", content))
    assert [str(p) for p in problems] == ["strategy.md: Die Datei fehlt."]


def test_duplicate_code_by_file_name_case(app, tmp_path):
    """Two files for one code are a duplicate (where the file system tells them apart)."""
    content = programme() | {"measures/m01.md": programme()["measures/M01.md"]}
    folder = write_folder(tmp_path / "in", content)
    if len(os.listdir(folder / "measures")) < 3:
        pytest.skip("case-insensitive file system")
    problems = exchange.import_folder(folder)
    assert_problem(problems, "measures/m01.md", "code", "Kürzel »M01« kommt doppelt vor")


def test_history_errors_taken_from_the_file_are_reported_once(app, tmp_path):
    """A wrong value an entry inherits from the file is reported for the file only."""
    content = changed("measures/M02.md", "planned_start", "bald")
    problems = exchange.import_folder(write_folder(tmp_path / "in", content))
    assert [str(p) for p in problems] == [
        "measures/M02.md: planned_start: »bald« ist kein Datum; bitte so schreiben: z. B. "
        "31.12.2027, 2027-12-31 oder 4. Quartal 2027."]


def test_every_problem_is_listed(app, tmp_path):
    """Problems in many files are all reported, each with file and field."""
    content = programme()
    content["measures/M01.md"][0].update(status="finished", progress=101)
    content["measures/M02.md"][0].update(planned_end="2023-13-01", requires=["M01", "M42"])
    content["reports/M01/2024-06-30.md"][0]["traffic_light"] = "blau"
    content["users/t.schmitz.md"][0]["role"] = "chef"
    content["pages/ziele.md"] = "kein Kopf"
    problems = exchange.import_folder(write_folder(tmp_path / "in", content))
    assert sorted((p.path, p.field) for p in problems) == [
        ("measures/M01.md", "progress"),
        ("measures/M01.md", "status"),
        ("measures/M02.md", "planned_end"),
        ("measures/M02.md", "requires"),
        ("pages/ziele.md", None),
        ("reports/M01/2024-06-30.md", "traffic_light"),
        ("users/t.schmitz.md", "role"),
    ]
    assert all(str(p).startswith(f"{p.path}: ") for p in problems)


def test_failed_import_changes_nothing(app, tmp_path):
    """When any file is wrong, not a single row is written (users neither)."""
    User.create(username="admin", role="admin")
    content = {path: item for path, item in programme().items() if not path.startswith("users/")}
    content["comments/M01/001.md"][0]["report"] = "2020-01-01"
    before = row_counts()
    assert exchange.import_folder(write_folder(tmp_path / "in", content))
    assert row_counts() == before


def test_import_needs_an_empty_programme(app, tmp_path):
    """A database that already holds a programme gets one problem and no changes."""
    ActionField.create(code="HF1", title="Vorhanden")
    before = row_counts()
    problems = exchange.import_folder(write_folder(tmp_path / "in", programme()))
    assert len(problems) == 1
    assert "Die Datenbank enthält schon ein Programm" in str(problems[0])
    assert row_counts() == before


def round_trip(folder, tmp_path):
    """Import folder, export A, import A into an empty database, export B; return A and B."""
    assert exchange.import_folder(folder) == []
    exchange.export_folder(tmp_path / "A")
    first = revision_rows()
    wipe()
    assert exchange.import_folder(tmp_path / "A") == []
    exchange.export_folder(tmp_path / "B")
    assert revision_rows() == first
    return tree(tmp_path / "A"), tree(tmp_path / "B")


def test_round_trip_small_folder(app, tmp_path):
    """Export then import gives the same files and the same revisions."""
    exported, again = round_trip(write_folder(tmp_path / "in", programme()), tmp_path)
    assert exported == again
    assert set(exported) == {path for path in programme()}


def test_export_writes_history_as_differences(app, tmp_path):
    """An earlier revision is written as the fields that differ from the newest one."""
    exchange.import_folder(write_folder(tmp_path / "in", programme()))
    exchange.export_folder(tmp_path / "out")
    text = (tmp_path / "out" / "measures" / "M02.md").read_text()
    meta, body = files.parse(text)
    assert list(meta) == ["code", "title", "field", "obligation", "status", "planned_start",
                          "planned_end", "progress", "requires", "tags", "author", "date",
                          "summary", "history"]
    assert meta["history"] == [{
        "date": "2022-01-10", "author": "k.becker", "summary": "Erstanlage", "status": "planned",
        "planned_end": "2023-03-31", "progress": 0, "body": "Entwurf.",
    }]
    assert (meta["date"], meta["planned_end"], body) == ("2023-03-15T10:30", "2023-06-30",
                                                         "Bezahlen im Portal.")
    assert "requires: [M01]\n" in text


def test_round_trip_demo(app, tmp_path):
    """The demo survives import, export, import, export byte for byte."""
    if not os.path.isdir(DEMO):
        pytest.skip("no demo content yet")
    exported, again = round_trip(Path(DEMO), tmp_path)
    assert exported == again
    assert Measure.select().count() == 14


def test_export_leaves_out_deleted_comments(app, tmp_path):
    """A deleted or hidden comment is not exported (the format has no place for it)."""
    content = programme()
    content["comments/M01/002.md"] = [{"date": "2024-07-02", "author": "t.schmitz"}, "Später."]
    exchange.import_folder(write_folder(tmp_path / "in", content))
    Comment.update(deleted=True).where(Comment.body == "Danke!").execute()
    exchange.export_folder(tmp_path / "out")
    assert sorted(tree(tmp_path / "out" / "comments")) == ["M01/001.md"]
    assert files.parse((tmp_path / "out" / "comments" / "M01" / "001.md").read_text()) == (
        {"date": "2024-07-02", "author": "t.schmitz"}, "Später.")


def test_export_refuses_a_folder_with_files(app, tmp_path):
    """Export never mixes with old files."""
    exchange.import_folder(write_folder(tmp_path / "in", programme()))
    with pytest.raises(FileExistsError):
        exchange.export_folder(tmp_path / "in")


@pytest.mark.parametrize("text, stored, written", [
    ("2024-01-15", datetime(2024, 1, 14, 23), "2024-01-15"),
    ("2024-07-01T10:30", datetime(2024, 7, 1, 8, 30), "2024-07-01T10:30"),
    ("2024-07-01T10:30:05.250000", datetime(2024, 7, 1, 8, 30, 5, 250000),
     "2024-07-01T10:30:05.250000"),
    ("2024-07-01T10:30Z", datetime(2024, 7, 1, 10, 30), "2024-07-01T12:30"),
    # The hour that repeats when summer time ends keeps its offset on the second pass.
    ("2024-10-27T02:30", datetime(2024, 10, 27, 0, 30), "2024-10-27T02:30"),
    ("2024-10-27T02:30+01:00", datetime(2024, 10, 27, 1, 30), "2024-10-27T02:30+01:00"),
])
def test_time_stamps_are_local_in_files(app, text, stored, written):
    """Files give Berlin time; the database keeps naive UTC; export writes it back the same."""
    assert files.parse_stamp(text) == stored
    assert files.format_stamp(stored) == written
    assert files.parse_stamp(written) == stored


def test_cli_import_lists_errors_and_fails(runner, tmp_path):
    """`fahrplan import` prints every problem and exits non-zero."""
    content = changed("measures/M01.md", "planned_start", "2023-13-01")
    content["reports/M01/2024-06-30.md"][0]["traffic_light"] = "blau"
    result = runner.invoke(args=["import", str(write_folder(tmp_path / "in", content))])
    assert result.exit_code != 0
    assert ("measures/M01.md: planned_start: »2023-13-01« ist kein Datum; bitte so schreiben: "
            "z. B. 31.12.2027, 2027-12-31 oder 4. Quartal 2027.") in result.output
    assert "reports/M01/2024-06-30.md: traffic_light: Unbekannte Ampelfarbe »blau«" in result.output
    assert "2 Fehler; es wurde nichts importiert." in result.output
    assert not Page.select().exists()


def test_cli_import_and_export(runner, tmp_path):
    """`fahrplan import` then `fahrplan export` writes the folder back."""
    result = runner.invoke(args=["import", str(write_folder(tmp_path / "in", programme()))])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "measures" / "M02.md").is_file()
