"""XLSX exports: the measure table and a report round, with typed cells and a frozen header."""
import csv
import io
from datetime import datetime

from bs4 import BeautifulSoup
from openpyxl import load_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(response):
    """Return the first sheet of an XLSX response, after checking its type and name."""
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.freeze_panes == "A2"
    return sheet


def records(sheet):
    """Return the rows of a sheet as dicts by header."""
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_measure_table_as_xlsx(demo, client):
    """The workbook holds the CSV's rows, in the programme's words, dates and numbers typed."""
    query = "/measures?field=HF3&sort=code&dir=desc&format="
    rows = records(workbook(client.get(query + "xlsx")))
    shown = list(csv.DictReader(io.StringIO(client.get(query + "csv").text.lstrip("\ufeff")),
                                delimiter=";"))
    assert [row["Kürzel"] for row in rows] == [row["code"] for row in shown] == ["M08", "M07",
                                                                                "M06"]
    m07 = rows[1]
    assert m07["Geplantes Ende"] == datetime(2026, 6, 30)
    assert isinstance(m07["Fortschritt"], int)
    assert m07["Status"] in {"geplant", "in Vorbereitung", "in Umsetzung",
                             "in Betrieb / Roll-out", "abgeschlossen"}
    assert rows[0]["Gefährdet durch"] == "M07 → M08" and rows[0]["Voraussetzungen"] == "M06, M07"
    page = BeautifulSoup(client.get("/measures?field=HF3").text, "html.parser")
    assert page.find("a", href="/measures?field=HF3&format=xlsx")


def test_round_as_xlsx(demo, client):
    """One row per measure: its report's state in words, light, status, progress and date."""
    rows = records(workbook(client.get("/reports/2024-q2.xlsx")))
    assert len(rows) == 14
    assert {row["Bericht"] for row in rows} <= {"vorliegend", "fehlt", "nicht fällig"}
    done = next(row for row in rows if row["Bericht"] == "vorliegend")
    assert isinstance(done["Datum"], datetime) and isinstance(done["Fortschritt"], int)
    assert done["Ampel"] in {"grün", "gelb", "rot"} and done["Autor"]
    assert all(row["Datum"] is None for row in rows if row["Bericht"] != "vorliegend")
    page = BeautifulSoup(client.get("/reports/2024-q2").text, "html.parser")
    assert page.find("a", href="/reports/2024-q2.xlsx")
    assert client.get("/reports/nope.xlsx").status_code == 404
