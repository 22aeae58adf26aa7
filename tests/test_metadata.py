"""The typed metadata of a measure: field list, cleaning with German messages, snapshot."""
from datetime import date

import pytest

from wiki.domain import revisions
from wiki.domain.metadata import FIELDS, LABELS, clean_measure, from_snapshot, snapshot
from wiki.models import ActionField, User

pytestmark = pytest.mark.postgres

MINIMAL = {"code": "m07", "title": "  E-Akte ", "field": "HF3"}
NOT_A_DATE = ("ist kein Datum; bitte so schreiben: z. B. 31.12.2027, 2027-12-31 oder "
              "4. Quartal 2027.")


def clean(**changes):
    """Clean the minimal metadata with some fields changed."""
    return clean_measure(MINIMAL | changes)


def test_fields_in_order_with_german_labels():
    """The form and the files share one field list, in this order."""
    assert FIELDS == (
        "code", "title", "field", "obligation", "status", "owner", "contact", "planned_start",
        "planned_end", "actual_start", "actual_end", "progress", "requires", "legal_basis",
        "legal_deadline", "tags",
    )
    assert LABELS["planned_start"] == "Geplanter Beginn"
    assert LABELS["actual_end"] == "Tatsächliches Ende"


def test_minimal_metadata_gets_defaults():
    """Only code, title and action field are needed; the rest has defaults."""
    values, errors = clean_measure(MINIMAL)
    assert errors == {}
    assert values == {
        "code": "M07", "title": "E-Akte", "field": "HF3", "obligation": "internal",
        "status": "planned", "owner": "", "contact": None, "planned_start": None,
        "planned_end": None, "actual_start": None, "actual_end": None, "progress": 0,
        "requires": [], "legal_basis": "", "legal_deadline": None, "tags": [],
    }


@pytest.mark.parametrize("name, value, expected", [
    ("planned_start", "2023-Q1", date(2023, 1, 1)),
    ("planned_end", "2023-Q1", date(2023, 3, 31)),
    ("actual_start", "2023-Q3", date(2023, 7, 1)),
    ("actual_end", "2023-Q3", date(2023, 9, 30)),
    ("legal_deadline", "2022-Q4", date(2022, 12, 31)),
    ("planned_start", "2023-02-14", date(2023, 2, 14)),
    ("planned_start", date(2023, 2, 14), date(2023, 2, 14)),
    ("planned_start", "", None),
    ("progress", "45", 45),
    ("progress", 100, 100),
    ("progress", None, 0),
    ("requires", ["m05", "M03", "M05"], ["M03", "M05"]),
    ("requires", "M05, m03", ["M03", "M05"]),
    ("tags", ["dms", "e-akte", "dms"], ["dms", "e-akte"]),
    ("tags", "dms e-akte", ["dms", "e-akte"]),
    ("tags", None, []),
    ("obligation", "legal", "legal"),
    ("status", "operating", "operating"),
    ("contact", " t.schmitz ", "t.schmitz"),
    ("owner", 42, "42"),
])
def test_clean_field(name, value, expected):
    """Each field is parsed to its Python value; quarters end on their last day for ends."""
    values, errors = clean(**{name: value})
    assert errors == {}
    assert values[name] == expected


CODE_RULE = ("erlaubt sind 1 bis 16 Buchstaben, Ziffern, Punkt, Bindestrich und Unterstrich, am "
             "Anfang ein Buchstabe oder eine Ziffer, z. B. M07, 1.2 oder D-03.")


@pytest.mark.parametrize("name, value, message", [
    ("code", "M 07", "Ungültiges Kürzel »M 07«; " + CODE_RULE),
    ("code", ".5", "Ungültiges Kürzel ».5«; " + CODE_RULE),
    ("code", "A" * 17, f"Ungültiges Kürzel »{'A' * 17}«; " + CODE_RULE),
    ("code", None, "Kürzel fehlt."),
    ("title", "", "Titel fehlt."),
    ("title", "x" * 301, "Höchstens 300 Zeichen erlaubt (hier 301)."),
    ("title", ["a"], "Muss ein Text sein."),
    ("field", None, "Handlungsfeld fehlt."),
    ("obligation", "red", "Unbekannte Verbindlichkeit »red«; erlaubt: legal, standard, internal."),
    ("status", "finished", "Unbekannter Status »finished«; erlaubt: planned, preparing, active, "
                           "operating, done, paused, dropped."),
    ("planned_start", "2023-13-01", "»2023-13-01« " + NOT_A_DATE),
    ("planned_end", "2023-Q5", "»2023-Q5« " + NOT_A_DATE),
    ("legal_deadline", "31.12.22", "»31.12.22« " + NOT_A_DATE),
    ("progress", 101, "Fortschritt muss eine ganze Zahl von 0 bis 100 sein."),
    ("progress", -1, "Fortschritt muss eine ganze Zahl von 0 bis 100 sein."),
    ("progress", "viel", "Fortschritt muss eine ganze Zahl von 0 bis 100 sein."),
    ("progress", 12.5, "Fortschritt muss eine ganze Zahl von 0 bis 100 sein."),
    ("progress", True, "Fortschritt muss eine ganze Zahl von 0 bis 100 sein."),
    ("requires", ["M05", "Akten/Plan"], "Ungültiges Kürzel »Akten/Plan«; " + CODE_RULE),
    ("requires", {"M05": 1}, "Muss eine Liste sein."),
    ("tags", ["zwei Wörter"], "Ungültiges Schlagwort »zwei Wörter«: ein Wort ohne Leerzeichen."),
    ("tags", ["x" * 300, "y" * 300], "Zusammen höchstens 500 Zeichen erlaubt."),
])
def test_clean_field_refuses(name, value, message):
    """A wrong value gives one German message for its field."""
    values, errors = clean(**{name: value})
    assert errors == {name: message}


@pytest.mark.parametrize("changes, name, message", [
    ({"planned_start": "2024-Q2", "planned_end": "2024-Q1"}, "planned_end",
     "Geplantes Ende liegt vor dem geplanten Beginn."),
    ({"actual_start": "2024-05-02", "actual_end": "2024-05-01"}, "actual_end",
     "Tatsächliches Ende liegt vor dem tatsächlichen Beginn."),
])
def test_end_before_start(changes, name, message):
    """An end before its start is refused at the end."""
    assert clean(**changes)[1] == {name: message}


def test_a_quarter_may_start_and_end_a_measure():
    """The same quarter as start and end spans the whole quarter."""
    values, errors = clean(planned_start="2024-Q2", planned_end="2024-Q2")
    assert errors == {}
    assert (values["planned_start"], values["planned_end"]) == (date(2024, 4, 1), date(2024, 6, 30))


def test_every_problem_is_reported():
    """Several wrong fields give one message each."""
    _, errors = clean_measure({"code": "7 x", "status": "x", "progress": 200})
    assert set(errors) == {"code", "title", "field", "status", "progress"}


def test_snapshot_and_back(app):
    """A snapshot holds every field as JSON-ready values; cleaning it gives the values back."""
    ActionField.create(code="HF3", title="Akten")
    User.create(username="t.schmitz")
    values, _ = clean(planned_start="2023-Q1", planned_end="2026-Q2", contact="t.schmitz",
                      tags=["dms"], legal_deadline="2024-Q4", progress=30)
    revisions.save_measure(None, values=values | {"code": "M06", "title": "Aktenplan"}, body="",
                           author=None)
    values["requires"] = ["M06"]
    revision = revisions.save_measure(None, values=values, body="", author=None)
    measure = revision.page.measure_row.get()
    assert revision.meta["requires"] == [m.code for m in measure.prerequisites()] == ["M06"]
    meta = snapshot(measure, "E-Akte", ["M06"])
    assert meta == {
        "code": "M07", "title": "E-Akte", "field": "HF3", "obligation": "internal",
        "status": "planned", "owner": "", "contact": "t.schmitz", "planned_start": "2023-01-01",
        "planned_end": "2026-06-30", "actual_start": None, "actual_end": None, "progress": 30,
        "requires": ["M06"], "legal_basis": "", "legal_deadline": "2024-12-31", "tags": ["dms"],
    }
    assert list(meta) == list(FIELDS)
    assert revision.meta == meta
    assert clean_measure(from_snapshot(meta)) == (values, {})
