"""Timeline layout: measures as bars on a quarter grid, grouped by action field (no database)."""
from dataclasses import dataclass, field
from datetime import date

from wiki.domain import clock

LABEL_WIDTH = 300  # px left of the time axis for codes and titles (two lines of 44 characters)
CHART_WIDTH = 900  # px for the whole period
ROW = 34  # px per measure row
GROUP = 30  # px for an action field's heading row
AXIS = 44  # px for the year and quarter axis on top
# Years the axis shows at most. A programme runs five to fifteen years; a stored date in the
# year 1 or 9999 would otherwise draw 40,000 quarters (7.6 MB of SVG) for every reader.
MAX_YEARS = 25


@dataclass
class Bar:
    """A measure's row: its planned and actual bars in px."""

    measure: object
    y: int
    planned: tuple | None = None  # (x, width)
    actual: tuple | None = None
    actual_open: bool = False  # started, not finished: the bar runs to today
    baseline: tuple | None = None  # the plan on the baseline day, drawn beside today's


@dataclass
class Layout:
    """Everything the SVG needs: size, axis ticks, field groups, bars and arrows."""

    start: date
    end: date
    width: int = LABEL_WIDTH + CHART_WIDTH
    height: int = 0
    years: list = field(default_factory=list)  # (x, width, year)
    quarters: list = field(default_factory=list)  # (x, width, label)
    groups: list = field(default_factory=list)  # (y, action field)
    bars: list = field(default_factory=list)
    arrows: list = field(default_factory=list)  # (x1, y1, x2, y2, from code, to code)
    today: int | None = None
    beyond: list = field(default_factory=list)  # codes with dates outside start–end


def x_of(day, start, end):
    """Return the px position of a day on the time axis."""
    span = (end - start).days or 1
    return LABEL_WIDTH + round(CHART_WIDTH * (day - start).days / span)


def _span(first, last, start, end):
    """Return (x, width) of a bar from first to last, clipped to the period (at its edge)."""
    if last < first:
        return None
    first, last = min(max(first, start), end), max(min(last, end), start)
    x = x_of(first, start, end)
    return x, max(x_of(last, start, end) - x, 3)


def period(measures, start, end, today=None):
    """Widen a strategy period to whole years that hold every measure's dates, at most MAX_YEARS.

    When the dates span more, the window keeps the strategy period (or today) in view and as
    many years around it as fit; bars beyond it are drawn at its edge.
    """
    today = today or clock.today()
    days = [d for m in measures for d in (m.planned_start, m.planned_end, m.actual_start,
                                          m.actual_end) if d]
    first = min([start, *days]) if start else min(days, default=today)
    last = max([end, *days]) if end else max(days, default=today)
    core = ((start or end or today).year, (end or start or today).year)
    first_year, last_year = _window(first.year, last.year, *core, today.year)
    return date(first_year, 1, 1), date(last_year, 12, 31)


def _window(first, last, core_first, core_last, this_year):
    """Return the years first–last, or the MAX_YEARS of them around the years core_first–last."""
    if last - first < MAX_YEARS:
        return first, last
    core_first, core_last = max(core_first, first), min(core_last, last)
    if core_last - core_first >= MAX_YEARS:  # the strategy's own period is too long: today
        core_first = core_last = min(max(this_year, core_first), core_last)
    spare = MAX_YEARS - (core_last - core_first + 1)
    lower = max(first, core_first - spare // 2)
    upper = min(last, core_last + spare - (core_first - lower))
    return max(first, upper - MAX_YEARS + 1), upper


def layout(groups, requires, start, end, today, baseline=None):
    """Lay out [(action field, [measures])] with {code: [prerequisite codes]} on the period.

    baseline: {code: (planned start, planned end)} on a baseline day, drawn beside each bar.
    """
    plan = Layout(start, end)
    for year in range(start.year, end.year + 1):
        x = x_of(date(year, 1, 1), start, end)
        plan.years.append((x, x_of(date(year, 12, 31), start, end) - x, year))
        for q in range(4):
            qx = x_of(date(year, 3 * q + 1, 1), start, end)
            last = date(year, 3 * q + 3, 28)
            plan.quarters.append((qx, x_of(last, start, end) - qx, f"Q{q + 1}"))
    y = AXIS
    for action_field, measures in groups:
        plan.groups.append((y, action_field))
        y += GROUP
        for measure in measures:
            bar = _bar(measure, y, start, end, today)
            if baseline and all(baseline.get(measure.code, (None, None))):
                bar.baseline = _span(*baseline[measure.code], start, end)
            plan.bars.append(bar)
            if _reaches_beyond(measure, start, end):
                plan.beyond.append(measure.code)
            y += ROW
    plan.height = y + 8
    plan.today = x_of(today, start, end) if start <= today <= end else None
    plan.arrows = _arrows(plan.bars, requires)
    return plan


def _bar(measure, y, start, end, today):
    """Return a measure's row with its planned and actual bars."""
    bar = Bar(measure, y)
    if measure.planned_start and measure.planned_end:
        bar.planned = _span(measure.planned_start, measure.planned_end, start, end)
    if measure.actual_start:
        bar.actual_open = measure.actual_end is None
        bar.actual = _span(measure.actual_start, measure.actual_end or today, start, end)
    return bar


def _reaches_beyond(measure, start, end):
    """Tell whether one of a measure's dates lies outside the period the axis shows."""
    return any(day and not start <= day <= end for day in (
        measure.planned_start, measure.planned_end, measure.actual_start, measure.actual_end))


def _arrows(bars, requires):
    """Return an arrow from each shown prerequisite's planned end to its dependent's start."""
    by_code = {bar.measure.code: bar for bar in bars}
    arrows = []
    for bar in bars:
        for code in sorted(requires.get(bar.measure.code, ())):
            source = by_code.get(code)
            if source and source.planned and bar.planned:
                arrows.append((source.planned[0] + source.planned[1], source.y + 10,
                               bar.planned[0], bar.y + 10, code, bar.measure.code))
    return arrows
