"""What the start page and the embeds show: counts, legal deadlines, risks, milestones, news."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from wiki.domain import programme, rounds, vocabulary
from wiki.domain.asof import end_of_day_utc
from wiki.domain.schedule import CLOSED, assess, quarter_end
from wiki.models import Comment, Dependency, Measure, ReportRound, Revision, StatusReport

LATEST = 5  # reports and comments the start page lists
BAR_WIDTH = 160  # px of an action field's status bar
KINDS = ("start", "end", "deadline", "due")  # a milestone's kinds, in the order of one day
KIND_LABELS = {
    "start": _l("Beginn geplant"),
    "end": _l("Ende geplant"),
    "deadline": _l("Gesetzliche Frist"),
    "due": _l("Berichtsrunde fällig"),
}


@dataclass
class FieldRow:
    """An action field's measures counted by status (field None: the whole programme)."""

    field: object
    counts: list  # [(status, number)] of the statuses that occur, in the programme's order
    total: int
    delayed: int  # open measures past their planned end
    at_risk: int
    bar_width = BAR_WIDTH

    @property
    def segments(self):
        """Return (status, x, width) in px of each part of the status bar."""
        parts, done = [], 0
        for status, number in self.counts:
            x = round(BAR_WIDTH * done / self.total)
            done += number
            parts.append((status, x, round(BAR_WIDTH * done / self.total) - x))
        return parts


@dataclass
class Obligation:
    """A legal obligation and whether the plan meets its deadline.

    verdict: "done", "dropped", "none" (no deadline), "passed" (deadline over, still open),
    "unplanned" (no end planned), "meets" or "misses"; days: how far past the deadline.
    """

    measure: object
    verdict: str
    end: date | None = None
    days: int = 0


@dataclass
class Milestone:
    """A day in the plan: a measure's planned start or end or legal deadline, a round's due date."""

    day: date
    kind: str
    measure: object = None
    round: object = None

    @property
    def label(self):
        """Return what happens on the day, in words."""
        return str(KIND_LABELS[self.kind])

    @property
    def key(self):
        """Return a name that stays the same while the plan moves: measure-M07-planned-end."""
        if self.round is not None:
            return f"round-{self.round.slug}-due"
        what = {"start": "planned-start", "end": "planned-end", "deadline": "legal-deadline"}
        return f"measure-{self.measure.code}-{what[self.kind]}"

    @property
    def pending(self):
        """Tell whether the milestone still lies ahead of the work: not begun, not finished."""
        measure = self.measure
        if measure is None:
            return True
        if vocabulary.category(measure.status) in CLOSED:
            return False
        if self.kind == "start":
            return measure.actual_start is None
        return measure.actual_end is None


@dataclass
class Change:
    """A recent change for the embed: a status report, a revision or a comment."""

    kind: str  # "report", "revision", "comment"
    day: date
    moment: datetime
    row: object


def field_rows(context):
    """Return a row per action field and one for the whole programme (from programme.state)."""
    by_field, assessments = context["measures_by_field"], context["assessments"]
    rows = [_row(field, by_field.get(field.id, []), assessments) for field in context["fields"]]
    return rows, _row(None, context["measures"], assessments)


def _row(field, measures, assessments):
    """Count measures by status, and the open ones that are delayed or at risk."""
    counted = dict.fromkeys(vocabulary.current().status_keys, 0)
    for measure in measures:
        counted[measure.status] = counted.get(measure.status, 0) + 1
    judged = [assessments[m.code] for m in measures]  # closed ones are neither (schedule.py)
    return FieldRow(field, [(s, n) for s, n in counted.items() if n], len(measures),
                    sum(a.delayed for a in judged), sum(a.at_risk for a in judged))


def obligations(measures, assessments, today):
    """Return the legal obligations (marked as a duty, or with a deadline), by deadline."""
    duties = _duties()
    found = [_obligation(m, assessments[m.code].forecast_end, today) for m in measures
             if m.obligation in duties or m.legal_deadline]
    return sorted(found, key=lambda o: (o.measure.legal_deadline or date.max, o.measure.code))


def obligation_of(measure, forecast, today):
    """Return the Obligation of one measure (as obligations() judges it), or None when it is
    neither marked as a duty nor has a legal deadline."""
    if measure.obligation in _duties() or measure.legal_deadline:
        return _obligation(measure, forecast, today)
    return None


def _duties():
    """Return the keys of the markings that mean a legal duty."""
    return {marking.key for marking in vocabulary.current().markings if marking.duty}


def _obligation(measure, forecast, today):
    """Judge one obligation: finished, or does its planned (or forecast) end meet the deadline?"""
    deadline = measure.legal_deadline
    category = vocabulary.category(measure.status)
    if measure.actual_end is not None or category == "done":
        end = measure.actual_end
        late = (end - deadline).days if end and deadline and end > deadline else 0
        return Obligation(measure, "done", end, late)
    if category == "dropped":
        return Obligation(measure, "dropped")
    if deadline is None:
        return Obligation(measure, "none", forecast)
    if deadline < today:
        return Obligation(measure, "passed", forecast, (today - deadline).days)
    if forecast is None:
        return Obligation(measure, "unplanned")
    if forecast <= deadline:
        return Obligation(measure, "meets", forecast)
    return Obligation(measure, "misses", forecast, (forecast - deadline).days)


def risks(context):
    """Return (measure, assessment) of each open measure that is delayed, at risk or in conflict."""
    return [(m, a) for m in context["measures"] if vocabulary.category(m.status) not in CLOSED
            and ((a := context["assessments"][m.code]).delayed or a.at_risk or a.conflicts)]


def milestones(measures, all_rounds=()):
    """Return every planned start and end, legal deadline and round due date, by day."""
    found = []
    for measure in measures:
        days = (("start", measure.planned_start), ("end", measure.planned_end),
                # a measure rebuilt for a past day (wiki.domain.asof) carries no deadline
                ("deadline", getattr(measure, "legal_deadline", None)))
        found += [Milestone(day, kind, measure=measure) for kind, day in days if day]
    found += [Milestone(r.due_date, "due", round=r) for r in all_rounds]
    return sorted(found, key=lambda m: (m.day, KINDS.index(m.kind), m.key))


def horizon(today):
    """Return the last day of the quarter after today's."""
    quarter = (today.month - 1) // 3 + 1
    return quarter_end(today.year + quarter // 4, quarter % 4 + 1)


def upcoming(found, today):
    """Return the pending milestones from today to the end of the next quarter."""
    last = horizon(today)
    return [m for m in found if today <= m.day <= last and m.pending]


def current_round(all_rounds, today):
    """Return the round being reported on: the earliest not long past its due date, or the newest.

    all_rounds: newest first, as ReportRound.newest_first() gives them.
    """
    grace = timedelta(days=current_app.config["CURRENT_ROUND_DAYS"])
    live = [r for r in all_rounds if r.due_date >= today - grace]
    if live:
        return min(live, key=lambda r: (r.due_date, r.period))
    return all_rounds[0] if all_rounds else None


def round_summary(round_):
    """Return a round with its counts and the entries of the measures whose report is missing."""
    # Only the counts and the missing measures are shown: the reports' texts are not read.
    compiled = rounds.compile_round(round_, list(ReportRound.measures()),
                                    list(StatusReport.filed_in([round_.period])))
    missing = [entry for _field, entries in compiled["fields"] for entry in entries
               if entry.state == "missing"]
    return {"round": round_, "counts": compiled["counts"], "overdue": compiled["overdue"],
            "missing": missing}


def latest_reports(day=None, limit=LATEST):
    """Return the newest status reports (dated up to day, if given)."""
    query = StatusReport.newest()
    if day is not None:
        query = query.where(StatusReport.date <= day)
    return list(query.limit(limit))


def latest_comments(day=None, limit=LATEST):
    """Return the newest visible comments (written by the end of day, if given)."""
    query = Comment.newest_visible()
    if day is not None:
        query = query.where(Comment.created < end_of_day_utc(day))
    return list(query.limit(limit))


def changes(limit):
    """Return the newest reports, revisions and visible comments together, newest first."""
    found = [Change("report", r.date, r.created, r) for r in latest_reports(limit=limit)]
    found += [Change("revision", r.created.date(), r.created, r)
              for r in Revision.newest().limit(limit)]
    found += [Change("comment", c.created.date(), c.created, c)
              for c in latest_comments(limit=limit)]
    return sorted(found, key=lambda c: (c.day, c.moment), reverse=True)[:limit]


def start_page(context):
    """Return the start page's sections from the overviews' context (programme.state).

    For a past day (?as_of=) the legal deadlines, the round and its due dates are left out:
    the rebuilt measures carry no deadlines, and rounds keep no history.
    """
    day, today = context["as_of"], context["today"]
    rows, total = field_rows(context)
    all_rounds = [] if day else list(ReportRound.newest_first())
    current = current_round(all_rounds, today)
    return {
        "rows": rows, "total": total, "risks": risks(context), "horizon": horizon(today),
        "milestones": upcoming(milestones(context["measures"], all_rounds), today),
        "obligations": None if day else obligations(context["measures"],
                                                    context["assessments"], today),
        "round": round_summary(current) if current else None, "has_rounds": bool(all_rounds),
        "reports": latest_reports(day), "comments": latest_comments(day),
    }


@dataclass
class Verdicts:
    """What the overviews say about one measure, for its own page (the same functions decide).

    assessment: its schedule Assessment; assessments: every measure's, for the reasons behind a
    risk chain and a date conflict; stale_days: days since its last report (-1: none; None:
    not stale); obligation: dashboard.Obligation of a legal duty or deadline, else None.
    """

    assessment: object
    assessments: dict
    stale_days: int | None
    obligation: object


def verdicts(measure):
    """Return today's Verdicts on one measure, judged with the whole programme's plans."""
    moment = programme.today()
    measures = list(Measure.summaries())
    assessments = assess(programme.plans_of(measures), Dependency.requires_map(), moment)
    assessment = assessments[measure.code]
    return Verdicts(assessment, assessments, programme.stale([measure], moment).get(measure.id),
                    obligation_of(measure, assessment.forecast_end, moment))
