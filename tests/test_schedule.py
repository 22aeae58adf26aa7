"""Quarters and dates, and finding cycles among prerequisites."""
from datetime import date, datetime, timedelta

import pytest

from wiki.domain.schedule import (
    find_cycle,
    format_cycle,
    parse_date,
    parse_period,
    parse_quarter,
    quarter_end,
    quarter_of,
    quarter_start,
)


@pytest.mark.parametrize("text, expected", [
    ("2023-Q1", (2023, 1)),
    ("2024-Q4", (2024, 4)),
    (" 2025-q2 ", (2025, 2)),
    ("Q2/2025", (2025, 2)),
    ("4. Quartal 2027", (2027, 4)),
])
def test_parse_quarter(text, expected):
    """A quarter reads as (year, quarter)."""
    assert parse_quarter(text) == expected


@pytest.mark.parametrize("text", ["2023-Q0", "2023-Q5", "2023Q1", "23-Q1", "2023-01-01", "",
                                  "5. Quartal 2027", "Q4/27"])
def test_parse_quarter_refuses_other_text(text):
    """Anything but a quarter is refused with a German message that shows how to write one."""
    with pytest.raises(ValueError, match=r"ist kein Quartal; bitte so schreiben: z\. B\. "
                                         r"4\. Quartal 2027, Q4/2027 oder 2027-Q4"):
        parse_quarter(text)


@pytest.mark.parametrize("quarter, start, end", [
    (1, date(2024, 1, 1), date(2024, 3, 31)),
    (2, date(2024, 4, 1), date(2024, 6, 30)),
    (3, date(2024, 7, 1), date(2024, 9, 30)),
    (4, date(2024, 10, 1), date(2024, 12, 31)),
])
def test_quarter_bounds(quarter, start, end):
    """A quarter runs from its first to its last day."""
    assert quarter_start(2024, quarter) == start
    assert quarter_end(2024, quarter) == end


def test_every_day_of_a_year_lies_in_its_quarter():
    """quarter_of, parse_quarter, quarter_start and quarter_end agree for every day."""
    day = date(2024, 1, 1)
    while day.year == 2024:
        text = quarter_of(day)
        assert quarter_start(*parse_quarter(text)) <= day <= quarter_end(*parse_quarter(text))
        day += timedelta(days=1)


@pytest.mark.parametrize("text", ["2022-Q1", "2023-Q2", "2024-Q3", "2025-Q4"])
def test_quarter_round_trip(text):
    """A quarter's first and last day give the quarter back."""
    assert quarter_of(parse_date(text)) == text
    assert quarter_of(parse_date(text, end=True)) == text


@pytest.mark.parametrize("text, end, expected", [
    ("2023-05-17", False, date(2023, 5, 17)),
    ("2023-05-17", True, date(2023, 5, 17)),
    ("2023-Q2", False, date(2023, 4, 1)),
    ("2023-Q2", True, date(2023, 6, 30)),
    ("2024-Q1", True, date(2024, 3, 31)),
    (date(2020, 2, 29), True, date(2020, 2, 29)),
    (datetime(2020, 2, 29, 13, 5), False, date(2020, 2, 29)),
    ("17.05.2023", False, date(2023, 5, 17)),
    ("1.2.2027", True, date(2027, 2, 1)),
    ("Q4/2027", True, date(2027, 12, 31)),
    ("4. Quartal 2027", False, date(2027, 10, 1)),
    ("2027 Q4", True, date(2027, 12, 31)),
    ("2. Halbjahr 2027", False, date(2027, 7, 1)),
    ("H1/2027", True, date(2027, 6, 30)),
    ("2027-02", True, date(2027, 2, 28)),
])
def test_parse_date(text, end, expected):
    """ISO dates stand for themselves; a quarter gives its first or (end=True) its last day."""
    assert parse_date(text, end=end) == expected


@pytest.mark.parametrize("text", ["2023-13-01", "2023-02-30", "30.02.2023", "2023-5-1", "bald",
                                  "20230517", "2023-W20-1", "17.05.23", "4/2027", "12/2027"])
def test_parse_date_refuses_other_text(text):
    """Anything but a day or a period is refused, showing in examples how to write one."""
    with pytest.raises(ValueError) as caught:
        parse_date(text)
    assert str(caught.value) == (f"»{text}« ist kein Datum; bitte so schreiben: z. B. 31.12.2027, "
                                 "2027-12-31 oder 4. Quartal 2027.")


@pytest.mark.parametrize("edges", [
    {},
    {"M01": []},
    {"M02": ["M01"], "M03": ["M01", "M02"]},
    {"M05": ["M99"]},  # a successor that is no key has no successors
])
def test_no_cycle(edges):
    """An acyclic graph has no cycle."""
    assert find_cycle(edges) is None


@pytest.mark.parametrize("edges, cycle", [
    ({"M05": ["M05"]}, ["M05", "M05"]),
    ({"M05": ["M07"], "M07": ["M05"]}, ["M05", "M07", "M05"]),
    ({"M01": ["M02"], "M02": ["M03"], "M03": ["M04", "M02"], "M04": []}, ["M02", "M03", "M02"]),
    # Two cycles: the sorted traversal always finds the same one first.
    ({"M09": ["M08"], "M08": ["M09"], "M03": ["M04"], "M04": ["M03"]}, ["M03", "M04", "M03"]),
    ({"M01": {"M03", "M02"}, "M02": ("M01",), "M03": ["M01"]}, ["M01", "M02", "M01"]),
])
def test_find_cycle(edges, cycle):
    """A cycle comes back as a closed path, found by sorted traversal."""
    assert find_cycle(edges) == cycle


def test_format_cycle():
    """A cycle reads with arrows."""
    assert format_cycle(["M05", "M07", "M05"]) == "M05 → M07 → M05"


@pytest.mark.parametrize("text, kind, expected", [
    ("2. Quartal 2024", "quarter", ("quarter", 2024, 2)),
    ("Q2/2024", None, ("quarter", 2024, 2)),
    ("1. Halbjahr 2024", "half", ("half", 2024, 1)),
    ("H1/2024", None, ("half", 2024, 1)),
    ("05/2024", "month", ("month", 2024, 5)),
    ("12.2024", "month", ("month", 2024, 12)),
    ("2024-05", "month", ("month", 2024, 5)),
])
def test_periods_as_people_write_them(text, kind, expected):
    """Report periods are read as people write them; a month as MM/JJJJ only where months are
    the period (in a date field, 4/2027 could be April or the fourth quarter)."""
    assert parse_period(text, kind) == expected


def test_a_written_month_is_no_quarter():
    """"05/2024" is not read as a quarter's period."""
    with pytest.raises(ValueError, match="kein Quartal"):
        parse_period("05/2024", "quarter")
