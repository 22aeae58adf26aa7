"""Quarters and dates, and finding cycles among prerequisites."""
from datetime import date, datetime, timedelta

import pytest

from wiki.domain.schedule import (
    find_cycle,
    format_cycle,
    parse_date,
    parse_quarter,
    quarter_end,
    quarter_of,
    quarter_start,
)


@pytest.mark.parametrize("text, expected", [
    ("2023-Q1", (2023, 1)),
    ("2024-Q4", (2024, 4)),
    (" 2025-q2 ", (2025, 2)),
])
def test_parse_quarter(text, expected):
    """A quarter reads as (year, quarter)."""
    assert parse_quarter(text) == expected


@pytest.mark.parametrize("text", ["2023-Q0", "2023-Q5", "2023Q1", "23-Q1", "2023-01-01", ""])
def test_parse_quarter_refuses_other_text(text):
    """Anything but JJJJ-Qn is refused with a German message."""
    with pytest.raises(ValueError, match=r"Ungültiges Quartal .* \(erwartet JJJJ-Qn"):
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
])
def test_parse_date(text, end, expected):
    """ISO dates stand for themselves; a quarter gives its first or (end=True) its last day."""
    assert parse_date(text, end=end) == expected


@pytest.mark.parametrize("text", ["2023-13-01", "2023-02-30", "17.05.2023", "2023-5-1", "bald",
                                  "20230517", "2023-W20-1"])
def test_parse_date_refuses_other_text(text):
    """Anything but an ISO date or a quarter is refused, naming both accepted forms."""
    with pytest.raises(ValueError) as caught:
        parse_date(text)
    assert str(caught.value) == f"Ungültiges Datum »{text}« (erwartet JJJJ-MM-TT oder JJJJ-Qn)."


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
