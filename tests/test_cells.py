"""One spreadsheet cell as text, a date, a progress or a list of codes (no database)."""
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wiki import config
from wiki.exchange.cells import cell_day, cell_list, cell_progress, cell_text

PLAUSIBLE = st.dates(min_value=date(config.DATE_MIN_YEAR, 1, 1),
                     max_value=date(config.DATE_MAX_YEAR, 12, 31))


@pytest.mark.parametrize("value, text", [
    (None, ""), ("  Radwege  ", "Radwege"), (12, "12"), (12.0, "12"), (1.2, "1.2"),
    (1.1, "1.1"), (0.1 + 0.2, "0.30000000000000004"), (-3, "-3"), (1e20, "1e+20"),
    (date(2027, 1, 2), "02.01.2027"), (datetime(2027, 1, 2, 10, 0), "02.01.2027"),
    ("Stra\u00dfe", "Straße"), ("Cafe\u0301", "Café"),
])
def test_cell_text(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize("value, message", [
    ("a\nb", "einzeilig"), ("a\tb", "Tabulatoren"), ("a\x07b", "Steuerzeichen U\\+0007"),
    ("x" * 301, "Höchstens 300 Zeichen"), (float("nan"), "Ungültige Zahl"),
])
def test_cell_text_refused(value, message):
    with pytest.raises(ValueError, match=message):
        cell_text(value)


def test_cell_text_limit():
    assert cell_text("x" * 1000, limit=1000) == "x" * 1000


@pytest.mark.parametrize("value, end, day", [
    (None, False, None), ("", False, None), ("  ", False, None),
    (date(2027, 12, 31), False, date(2027, 12, 31)),
    (datetime(2027, 12, 31, 18, 30), False, date(2027, 12, 31)),
    ("31.12.2027", False, date(2027, 12, 31)), ("1.2.2027", False, date(2027, 2, 1)),
    ("2027-12-31", False, date(2027, 12, 31)),
    ("2027-12-31 00:00:00", False, date(2027, 12, 31)),
    (46387, False, date(2026, 12, 31)), (46387.75, False, date(2026, 12, 31)),
    ("Q4/2027", False, date(2027, 10, 1)), ("Q4/2027", True, date(2027, 12, 31)),
    ("q1 2027", True, date(2027, 3, 31)), ("2027-Q2", True, date(2027, 6, 30)),
    ("3. Quartal 2027", False, date(2027, 7, 1)), ("3. quartal 2027", True, date(2027, 9, 30)),
    ("1. Halbjahr 2027", False, date(2027, 1, 1)), ("1. Halbjahr 2027", True, date(2027, 6, 30)),
    ("H2/2027", False, date(2027, 7, 1)), ("2027-H2", True, date(2027, 12, 31)),
])
def test_cell_day(value, end, day):
    assert cell_day(value, end=end) == day


@pytest.mark.parametrize("value, message", [
    ("31.12.27", "Zweistellige Jahreszahl"),
    ("4/2027", "mehrdeutig"), ("12/2027", "mehrdeutig"),
    ("31.02.2027", "diesen Tag gibt es nicht"), ("2027-02-30", "diesen Tag gibt es nicht"),
    ("31.12.1900", "außerhalb des erlaubten Bereichs"), ("Q1/2200", "außerhalb"),
    ("demnächst", r"erwartet z\. B\. 31\.12\.2027, 2027-12-31, Q4/2027"),
    ("Q5/2027", "Ungültiges Datum"), ("3. Halbjahr 2027", "Ungültiges Datum"),
    ("３１.１２.２０２７", "Ungültiges Datum"),  # fullwidth digits are refused, never folded
    (2027, "Ungültiges Datum »2027«"), (0, "Ungültiges Datum"), (-5.5, "Ungültiges Datum"),
    (float("inf"), "Ungültiges Datum"), (True, "Ungültiges Datum"),
    (date(1850, 1, 1), "außerhalb"), ("31.12.2027\x00", "Steuerzeichen"),
])
def test_cell_day_refused(value, message):
    with pytest.raises(ValueError, match=message):
        cell_day(value)


@given(PLAUSIBLE, st.booleans())
def test_cell_day_reads_back_german_and_iso(day, end):
    assert cell_day(day.strftime("%d.%m.%Y"), end) == day
    assert cell_day(day.isoformat(), end) == day
    assert cell_day(f"{day.day}.{day.month}.{day.year}", end) == day


@given(PLAUSIBLE)
def test_cell_day_reads_excel_serials(day):
    serial = (day - date(1899, 12, 30)).days
    assert cell_day(serial) == day
    assert cell_day(serial + 0.999) == day


@given(PLAUSIBLE)
def test_cell_day_quarter_and_half_year_hold_the_day(day):
    quarter, half = (day.month - 1) // 3 + 1, (day.month - 1) // 6 + 1
    for written in (f"Q{quarter}/{day.year}", f"{day.year}-Q{quarter}",
                    f"{quarter}. Quartal {day.year}"):
        assert cell_day(written) <= day <= cell_day(written, end=True)
    for written in (f"H{half}/{day.year}", f"{half}. Halbjahr {day.year}"):
        assert cell_day(written) <= day <= cell_day(written, end=True)


@pytest.mark.parametrize("value, progress", [
    (None, None), ("", None), (" ", None), (0, 0), (50, 50), (100, 100), (50.0, 50),
    ("50", 50), ("50 %", 50), ("50%", 50), (" 7\u00a0% ", 7),
])
def test_cell_progress(value, progress):
    assert cell_progress(value) == progress


@pytest.mark.parametrize("value, message", [
    (101, "nicht »101«"), (-1, "nicht »-1«"), (50.5, "nicht »50.5«"),
    (0.5, "als Zahl formatieren"), ("fast fertig", "0 bis 100"), ("1" * 5000, "0 bis 100"),
    ("50,5 %", "0 bis 100"), (True, "0 bis 100"), (date(2027, 1, 1), "0 bis 100"),
])
def test_cell_progress_refused(value, message):
    with pytest.raises(ValueError, match=message):
        cell_progress(value)


@pytest.mark.parametrize("value, items", [
    (None, []), ("", []), ("M01", ["M01"]), ("M01, M02;M03\nM04  M05", [f"M0{n}" for n in
                                                                      range(1, 6)]),
    ("M02, M01, M02,, ;", ["M02", "M01"]), (12, ["12"]), (1.5, ["1.5"]),
    ("Rad\r\nBus\tBahn", ["Rad", "Bus", "Bahn"]),
])
def test_cell_list(value, items):
    assert cell_list(value) == items


@pytest.mark.parametrize("value", [date(2027, 1, 1), True, "M01\x00"])
def test_cell_list_refused(value):
    with pytest.raises(ValueError):
        cell_list(value)
