"""The programme's state for the overviews: today's, or as it was on ?as_of=YYYY-MM-DD."""

from flask import current_app, request
from flask_babel import gettext as _

from wiki.domain import cleaning, vocabulary
from wiki.domain.asof import end_of_day_utc, measures_as_of
from wiki.domain.clock import today  # noqa: F401 (the overviews' today; tests set it here)
from wiki.domain.markdown import code_order
from wiki.domain.schedule import CLOSED, Plan, assess
from wiki.models import ActionField, Comment, Dependency, Measure, StatusReport


def past_day(name, label):
    """Return (day or None, German error or None) from a date parameter of the request."""
    text = request.args.get(name, "").strip()
    if not text:
        return None, None
    try:
        day = cleaning.iso_day(text, label)
    except cleaning.Refused as error:
        if not error.malformed:
            return None, str(error)
        return None, _("»%(text)s« ist für »%(label)s« kein Tag; bitte so schreiben: z. B. "
                       "31.12.2025 oder 2025-12-31.", label=label, text=text)
    if day > today():
        return None, _("»%(label)s« liegt in der Zukunft (%(text)s).", label=label, text=text)
    return day, None


def baseline_plans():
    """Return ({code: (planned start, planned end)} on ?baseline=, day, error)."""
    day, error = past_day("baseline", _("Vergleich mit Plan vom"))
    if day is None:
        return None, None, error
    return {m.code: (m.planned_start, m.planned_end) for m in measures_as_of(day)}, day, None


def state():
    """Return the overviews' context: measures, prerequisites, schedule, staleness, date."""
    day, error = past_day("as_of", _("Stand am"))
    if day is None:
        measures, requires = list(Measure.summaries()), Dependency.requires_map()
        measures.sort(key=lambda m: (m.field.position, m.field.code, code_order(m.code)))
    else:
        measures = measures_as_of(day)
        requires = {m.code: m.requires for m in measures if m.requires}
    moment = day or today()
    plans = plans_of(measures)
    return {
        "measures": measures, "requires": requires, "today": moment, "as_of": day,
        "as_of_error": error, "fields": list(ActionField.ordered()),
        "measures_by_field": group_by_field(measures),
        "assessments": assess(plans, requires, moment),
        "stale": stale(measures, moment, day),
        "comment_counts": Comment.counts(day and end_of_day_utc(day)),
        "lights": lights(day),
    }


def plans_of(measures):
    """Return {code: Plan} of measures, each status as its lifecycle category."""
    words = vocabulary.current()
    return {m.code: Plan(m.code, words.category(m.status), m.planned_start, m.planned_end,
                         m.actual_start, m.actual_end) for m in measures}


def lights(day=None):
    """Return {measure id: (traffic light, period)} of each newest report (as of a day)."""
    return StatusReport.newest_lights(day)


def group_by_field(measures):
    """Return {action field id: [measures]}, keeping the measures' order."""
    grouped = {}
    for measure in measures:
        grouped.setdefault(measure.field_id, []).append(measure)
    return grouped


def stale(measures, moment, day=None):
    """Return {measure id: days since its last report (-1: none)} for open, stale measures."""
    limit = current_app.config["STALE_REPORT_DAYS"]
    # One measure (its page) reads its own reports only, not those of the whole programme.
    few = day is None and len(measures) <= 10
    latest = StatusReport.latest_dates(day, [m.id for m in measures] if few else None)
    found = {}
    for measure in measures:
        if vocabulary.category(measure.status) in (*CLOSED, "not_started"):
            continue
        last = latest.get(measure.id)
        if last is None or (moment - last).days > limit:
            found[measure.id] = -1 if last is None else (moment - last).days
    return found
