"""Quarters, cycles, delays and risk among prerequisites (pure functions, no database)."""
import calendar
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

QUARTER = re.compile(r"^([0-9]{4})-[Qq]([1-4])$")  # ASCII digits: \d takes any script's
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
HALF_YEAR = re.compile(r"^[0-9]{4}-[Hh][12]$")
# A report period: a quarter (2024-Q2), a half-year (2024-H1) or a month (2024-05).
PERIOD = re.compile(r"^([0-9]{4})-(?:[Qq]([1-4])|[Hh]([12])|(0[1-9]|1[0-2]))$")
MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
# How each kind of report period may be written, in words for hints and messages.
PERIOD_FORMS = {"quarter": _l("z. B. 4. Quartal 2027, Q4/2027 oder 2027-Q4"),
                "half": _l("z. B. 2. Halbjahr 2027, H2/2027 oder 2027-H2"),
                "month": _l("z. B. 12/2027 oder 2027-12")}
DATE_FORMS = _l("z. B. 31.12.2027, 2027-12-31 oder 4. Quartal 2027")
# What people type, as the app shows dates and German offices write them, and the stored form
# each becomes: 31.12.2027 → 2027-12-31, Q4/2027 and 4. Quartal 2027 → 2027-Q4, 2. Halbjahr
# 2027 → 2027-H2. Only ASCII digits (cleaning.ascii_line comes first).
WRITTEN = [
    (re.compile(r"([0-9]{1,2})\. ?([0-9]{1,2})\. ?([0-9]{4})"),
     lambda m: f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"),
    (re.compile(r"[Qq] ?([1-4]) ?[/ .-] ?([0-9]{4})"), lambda m: f"{m[2]}-Q{m[1]}"),
    (re.compile(r"([1-4])\. ?(?:Quartal|Qu\.?) ?([0-9]{4})", re.IGNORECASE),
     lambda m: f"{m[2]}-Q{m[1]}"),
    (re.compile(r"([0-9]{4}) ?[/ ] ?[Qq] ?([1-4])"), lambda m: f"{m[1]}-Q{m[2]}"),
    (re.compile(r"[Hh] ?([12]) ?[/ .-] ?([0-9]{4})"), lambda m: f"{m[2]}-H{m[1]}"),
    (re.compile(r"([12])\. ?(?:Halbjahr|Hj\.?) ?([0-9]{4})", re.IGNORECASE),
     lambda m: f"{m[2]}-H{m[1]}"),
]
# A month as a report period (only there: in a date field "4/2027" could be April or Q4).
WRITTEN_MONTH = re.compile(r"(0[1-9]|1[0-2]) ?[/.] ?([0-9]{4})")


def canonical(text):
    """Return a date or period as stored ("2027-12-31", "2027-Q4", "2027-H2") when it is written
    in one of the forms people use (WRITTEN), else the text as it is (stripped)."""
    value = str(text).strip()
    if len(value) <= 40:
        for pattern, write in WRITTEN:
            if found := pattern.fullmatch(value):
                return write(found)
    return value


def parse_quarter(text):
    """Return (year, quarter) for a quarter like "2023-Q1"."""
    match = QUARTER.match(canonical(text))
    if match is None or match[1] == "0000":  # no year 0: its quarters have no days
        raise ValueError(_("»%(text)s« ist kein Quartal; bitte so schreiben: %(form)s.",
                           text=str(text).strip(), form=PERIOD_FORMS["quarter"]))
    return int(match[1]), int(match[2])


def quarter_start(year, quarter):
    """Return the first day of a quarter."""
    return date(year, 3 * quarter - 2, 1)


def quarter_end(year, quarter):
    """Return the last day of a quarter."""
    month = 3 * quarter
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_name(year, quarter):
    """Return a quarter as stored and shown, like "2023-Q1"; always four digits for the year."""
    return f"{year:04d}-Q{quarter}"


def quarter_of(day):
    """Return the quarter a date falls in, like "2023-Q1"."""
    return quarter_name(day.year, (day.month - 1) // 3 + 1)


def parse_period(text, kind=None):
    """Return (kind, year, number) of a report period; kind given: only that kind is read."""
    written = canonical(text)
    if kind == "month" and (month := WRITTEN_MONTH.fullmatch(written)):
        written = f"{month[2]}-{month[1]}"
    match = PERIOD.match(written)
    found = match and ("quarter" if match[2] else "half" if match[3] else "month")
    if match is None or match[1] == "0000" or kind and found != kind:
        if kind in (None, "quarter"):
            parse_quarter(text)  # its own message, which names the quarter's form
        raise ValueError(_("»%(text)s« ist kein Berichtszeitraum; bitte so schreiben: %(form)s.",
                           text=str(text).strip(), form=PERIOD_FORMS[kind]))
    return found, int(match[1]), int(match[2] or match[3] or match[4])


def period_name(kind, year, number):
    """Return a period as stored: "2024-Q2", "2024-H1" or "2024-05"."""
    if kind == "quarter":
        return quarter_name(year, number)
    return f"{year:04d}-H{number}" if kind == "half" else f"{year:04d}-{number:02d}"


def period_of(day, kind="quarter"):
    """Return the period of a kind that a date falls in."""
    if kind == "half":
        return period_name(kind, day.year, 1 if day.month <= 6 else 2)
    if kind == "month":
        return period_name(kind, day.year, day.month)
    return quarter_of(day)


def quarter_days(period):
    """Return the first and last day of a stored period, or (None, None) for one unreadable."""
    try:
        kind, year, number = parse_period(period)
    except ValueError:  # a row from before the checks, or written to the database directly
        return None, None
    first, last = {"quarter": (3 * number - 2, 3 * number), "half": (6 * number - 5, 6 * number),
                   "month": (number, number)}[kind]
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def parse_date(text, end=False):
    """Return the date of a day, a quarter, a half-year or a month, in a stored form or as
    people write it (canonical); a period gives its first day, or its last with end=True."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    value = canonical(text)
    if QUARTER.match(value):
        return (quarter_end if end else quarter_start)(*parse_quarter(value))
    if (HALF_YEAR.match(value) or MONTH.match(value)) and value[:4] != "0000":
        return quarter_days(value)[1 if end else 0]
    try:
        if ISO_DATE.match(value):
            return date.fromisoformat(value)
    except ValueError:
        pass  # a well-formed but impossible date, such as 2023-02-30
    raise ValueError(_("»%(text)s« ist kein Datum; bitte so schreiben: %(form)s.",
                       text=str(text).strip(), form=DATE_FORMS))


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


# --- Delay and risk --------------------------------------------------------------------------

CLOSED = ("done", "dropped")  # finished or given up: neither delayed nor at risk any more


@dataclass(frozen=True)
class Plan:
    """The dates and status of one measure, as the schedule logic needs them."""

    code: str
    status: str
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None


@dataclass
class Assessment:
    """What the schedule says about one measure."""

    delayed: bool = False  # still open past its planned end (is_delayed: the one definition)
    delay_days: int = 0  # how many days past its planned end an open measure is
    finished_late_days: int = 0  # how many days after its planned end a measure finished
    forecast_end: date | None = None
    conflicts: list = field(default_factory=list)  # prerequisites ending after our start
    risk_chain: list | None = None  # e.g. ["M07", "M05"]: late M07 endangers M05

    @property
    def at_risk(self):
        """Tell whether a late prerequisite (directly or further up) endangers this measure."""
        return self.risk_chain is not None


def is_delayed(plan, today):
    """Tell whether a measure is delayed: still open (neither finished nor given up, no actual
    end) and past its planned end. The one definition every page, the API, the feeds and the
    exports use; a measure that finished late is not delayed (finished_late_days says by how
    much)."""
    if plan.status in CLOSED or plan.planned_end is None or plan.actual_end is not None:
        return False
    return plan.planned_end < today


def delay_days(plan, today):
    """Return how many days a delayed measure is past its planned end (0 if it is not)."""
    return (today - plan.planned_end).days if is_delayed(plan, today) else 0


def finished_late_days(plan):
    """Return how many days after its planned end a measure actually ended (0: in time, or not
    ended)."""
    if plan.actual_end is None or plan.planned_end is None or plan.status == "dropped":
        return 0
    return max(0, (plan.actual_end - plan.planned_end).days)


def forecast_end(plan, today):
    """Return when a measure is expected to end: actually, as planned, or not before today."""
    if plan.actual_end is not None:
        return plan.actual_end
    if plan.planned_end is not None and plan.status not in CLOSED and plan.planned_end < today:
        return today
    return plan.planned_end


def date_conflicts(plans, requires, today):
    """Return {code: [prerequisite codes ending (forecast) after the measure's planned start]}."""
    found = {}
    for code, prerequisites in requires.items():
        plan = plans[code]
        if plan.status in CLOSED or plan.planned_start is None:
            continue
        late = sorted(p for p in prerequisites if p in plans
                      and (forecast_end(plans[p], today) or date.min) > plan.planned_start)
        if late:
            found[code] = late
    return found


def assess(plans, requires, today):
    """Assess every measure: delay, forecast, date conflicts and the risk chain.

    plans: {code: Plan}; requires: {code: prerequisite codes}. A measure is at risk when a
    prerequisite is late (delayed, in conflict, or itself at risk), following the chain down.
    """
    result = {code: Assessment(delayed=is_delayed(plan, today),
                               delay_days=delay_days(plan, today),
                               finished_late_days=finished_late_days(plan),
                               forecast_end=forecast_end(plan, today))
              for code, plan in plans.items()}
    for code, late in date_conflicts(plans, requires, today).items():
        result[code].conflicts = late
    dependents = {}
    for code, prerequisites in requires.items():
        for prerequisite in prerequisites:
            dependents.setdefault(prerequisite, []).append(code)
    sources = sorted(c for c, a in result.items() if a.delayed or a.conflicts)
    queue = deque([source] for source in sources)
    while queue:  # breadth first: each measure gets the shortest chain from a late source
        chain = queue.popleft()
        for dependent in sorted(dependents.get(chain[-1], ())):
            found = result.get(dependent)
            if found is None or found.at_risk or plans[dependent].status in CLOSED:
                continue
            found.risk_chain = chain + [dependent]
            queue.append(found.risk_chain)
    return result
