"""Dates and quarters, and cycles among prerequisites (pure functions, no database)."""
import calendar
import re
from datetime import date, datetime

QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_quarter(text):
    """Return (year, quarter) for a quarter like "2023-Q1"."""
    match = QUARTER.match(str(text).strip())
    if match is None:
        raise ValueError(f"Ungültiges Quartal »{text}« (erwartet JJJJ-Qn, z. B. 2024-Q2).")
    return int(match[1]), int(match[2])


def quarter_start(year, quarter):
    """Return the first day of a quarter."""
    return date(year, 3 * quarter - 2, 1)


def quarter_end(year, quarter):
    """Return the last day of a quarter."""
    month = 3 * quarter
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_of(day):
    """Return the quarter a date falls in, like "2023-Q1"."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def parse_date(text, end=False):
    """Return the date of an ISO date or a quarter (its first day, or its last with end=True)."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    value = str(text).strip()
    if QUARTER.match(value):
        return (quarter_end if end else quarter_start)(*parse_quarter(value))
    try:
        if ISO_DATE.match(value):
            return date.fromisoformat(value)
    except ValueError:
        pass  # a well-formed but impossible date, such as 2023-02-30
    raise ValueError(f"Ungültiges Datum »{value}« (erwartet JJJJ-MM-TT oder JJJJ-Qn).")


def find_cycle(edges):
    """Return one cycle of a graph {node: successors} as a closed path, or None when acyclic."""
    finished = set()
    for start in sorted(edges):
        cycle = _cycle_from(start, edges, [], finished)
        if cycle:
            return cycle
    return None


def _cycle_from(node, edges, path, finished):
    """Search depth-first from node along path; return the first closed path found."""
    if node in path:
        return path[path.index(node):] + [node]
    if node in finished:
        return None
    path.append(node)
    for successor in sorted(edges.get(node, ())):
        cycle = _cycle_from(successor, edges, path, finished)
        if cycle:
            return cycle
    path.pop()
    finished.add(node)
    return None


def format_cycle(path):
    """Return a cycle path as text, like "M05 → M07 → M05"."""
    return " → ".join(path)
