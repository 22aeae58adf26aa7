"""Delay, forecast, date conflicts and risk propagation (pure schedule logic)."""
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiki.domain.schedule import (
    Plan,
    assess,
    date_conflicts,
    delay_days,
    find_cycle,
    finished_late_days,
    forecast_end,
    is_delayed,
)

TODAY = date(2026, 11, 24)


def plan(code, status="active", start=None, end=None, actual_start=None, actual_end=None):
    """Make a plan with ISO date strings."""
    day = lambda s: date.fromisoformat(s) if s else None  # noqa: E731
    return Plan(code, status, day(start), day(end), day(actual_start), day(actual_end))


@pytest.mark.parametrize("p, delayed, days, late", [
    (plan("M1", "active", "2023-01-01", "2026-06-30"), True, 147, 0),
    (plan("M1", "operating", "2023-01-01", "2026-11-23"), True, 1, 0),
    (plan("M1", "active", "2023-01-01", "2026-11-24"), False, 0, 0),
    (plan("M1", "active", "2023-01-01", "2027-06-30"), False, 0, 0),
    (plan("M1", "done", "2023-01-01", "2024-06-30", actual_end="2024-05-01"), False, 0, 0),
    (plan("M1", "done", "2023-01-01", "2024-06-30", actual_end="2024-09-30"), False, 0, 92),
    (plan("M1", "operating", "2023-01-01", "2024-06-30", actual_end="2024-07-01"), False, 0, 1),
    (plan("M1", "done", "2023-01-01", "2024-06-30"), False, 0, 0),
    (plan("M1", "dropped", "2023-01-01", "2024-06-30"), False, 0, 0),
    (plan("M1", "dropped", "2023-01-01", "2024-06-30", actual_end="2024-09-30"), False, 0, 0),
    (plan("M1", "planned"), False, 0, 0),
])
def test_delayed(p, delayed, days, late):
    """Delayed: still open after the planned end, by so many days. Finishing late is not being
    delayed: it is counted apart, in days after the plan."""
    assert is_delayed(p, TODAY) is delayed
    assert delay_days(p, TODAY) == days
    assert finished_late_days(p) == late
    assessment = assess({"M1": p}, {}, TODAY)["M1"]
    assert (assessment.delayed, assessment.delay_days, assessment.finished_late_days) == (
        delayed, days, late)


def test_forecast_end():
    """An open measure past its end is forecast to end no earlier than today."""
    assert forecast_end(plan("M1", "active", end="2026-06-30"), TODAY) == TODAY
    assert forecast_end(plan("M1", "active", end="2027-06-30"), TODAY) == date(2027, 6, 30)
    assert forecast_end(plan("M1", "done", end="2024-06-30", actual_end="2024-07-15"),
                        TODAY) == date(2024, 7, 15)


def demo_like():
    """M06 → M07 → {M05, M08}; M07 overran its plan."""
    plans = {p.code: p for p in [
        plan("M06", "done", "2022-01-01", "2022-12-31", actual_end="2022-12-15"),
        plan("M07", "operating", "2023-01-01", "2026-06-30"),
        plan("M05", "active", "2023-07-01", "2024-12-31"),
        plan("M08", "active", "2027-01-01", "2027-12-31"),
    ]}
    return plans, {"M07": ["M06"], "M05": ["M07"], "M08": ["M06", "M07"]}


def test_late_prerequisite_puts_dependents_at_risk_with_the_chain():
    """A delayed M07 endangers M05 and M08; the chain names the cause."""
    plans, requires = demo_like()
    result = assess(plans, requires, TODAY)
    assert result["M07"].delayed and not result["M07"].at_risk
    assert result["M05"].risk_chain == ["M07", "M05"]
    assert result["M08"].risk_chain == ["M07", "M08"]
    assert not result["M06"].at_risk


def test_date_conflict_when_a_prerequisite_ends_after_the_start():
    """M05 starts before M07 is (forecast to be) finished."""
    plans, requires = demo_like()
    assert date_conflicts(plans, requires, TODAY) == {"M05": ["M07"]}


def test_on_time_prerequisites_put_no_one_at_risk():
    """Nothing late: nothing at risk."""
    plans = {"A": plan("A", "active", "2026-01-01", "2027-01-01"),
             "B": plan("B", "planned", "2027-02-01", "2027-12-31")}
    result = assess(plans, {"B": ["A"]}, TODAY)
    assert not result["B"].at_risk and not result["B"].conflicts


# Property-based: random programmes over a fixed set of codes.
CODES = [f"M{i:02d}" for i in range(1, 9)]
days = st.integers(min_value=-900, max_value=900).map(lambda n: TODAY + timedelta(days=n))


@st.composite
def programmes(draw):
    """Draw plans and an acyclic prerequisite relation (edges only to earlier codes)."""
    plans = {}
    for code in CODES:
        start = draw(days)
        end = start + timedelta(days=draw(st.integers(0, 800)))
        status = draw(st.sampled_from(["planned", "active", "operating", "done", "paused",
                                       "dropped"]))
        actual_end = end + timedelta(days=draw(st.integers(-60, 200))) if status == "done" else None
        plans[code] = Plan(code, status, start, end, None, actual_end)
    requires = {code: sorted(set(draw(st.lists(st.sampled_from(CODES[:i]), max_size=3))))
                for i, code in enumerate(CODES) if i}
    return plans, requires


def closure(plans, requires, sources):
    """Return every measure reachable from a source through open measures (the definition)."""
    reached, stack = set(), list(sources)
    while stack:
        node = stack.pop()
        for code, prerequisites in requires.items():
            if node in prerequisites and code not in reached and plans[code].status not in (
                    "done", "dropped"):
                reached.add(code)
                stack.append(code)
    return reached


@settings(max_examples=200)
@given(programmes())
def test_at_risk_is_the_transitive_closure_from_late_measures(programme):
    """at_risk is exactly what late (delayed or conflicting) measures reach downstream."""
    plans, requires = programme
    result = assess(plans, requires, TODAY)
    late = {c for c, a in result.items()
            if (a.delayed and plans[c].status not in ("done", "dropped")) or a.conflicts}
    assert {c for c, a in result.items() if a.at_risk} == closure(plans, requires, late)
    for code, found in result.items():
        if found.at_risk:
            chain = found.risk_chain
            assert chain[0] in late and chain[-1] == code
            assert all(a in requires.get(b, []) for a, b in zip(chain, chain[1:], strict=False))


@given(programmes())
def test_accepted_prerequisite_sets_have_no_cycle(programme):
    """Prerequisites that point only backwards never form a cycle; adding a back edge does."""
    _plans, requires = programme
    assert find_cycle(requires) is None
    for code, prerequisites in requires.items():
        if prerequisites:
            looped = {**requires, prerequisites[0]: [*requires.get(prerequisites[0], []), code]}
            cycle = find_cycle(looped)
            assert cycle is not None and cycle[0] == cycle[-1]
            break


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_quarter_conversion_round_trips(day):
    """A day lies within its quarter, and a quarter's first and last day give it back."""
    from wiki.domain.schedule import parse_date, quarter_of

    quarter = quarter_of(day)
    first, last = parse_date(quarter), parse_date(quarter, end=True)
    assert first <= day <= last
    assert quarter_of(first) == quarter == quarter_of(last)
