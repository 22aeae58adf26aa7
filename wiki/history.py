"""Revision history: field-by-field comparison and re-plans with their slip (pure functions)."""
from datetime import date

PLAN_FIELDS = ("planned_start", "planned_end")


def compare_meta(old, new, labels):
    """Return the metadata fields that differ as (name, label, old value, new value)."""
    return [(name, labels.get(name, name), old.get(name), new.get(name))
            for name in labels if old.get(name) != new.get(name)]


def _day(value):
    """Return an ISO date string as a date (None stays None)."""
    return date.fromisoformat(value) if value else None


def replans(revisions):
    """Return each revision that changed the planned dates, oldest first, with the change.

    revisions are oldest first and carry .meta, .number, .summary, .created and .author.
    """
    changes, previous = [], None
    for revision in revisions:
        plan = tuple(revision.meta.get(f) for f in PLAN_FIELDS)
        if previous is not None and plan != previous:
            changes.append({"revision": revision, "old": previous, "new": plan,
                            "end_shift": _shift(previous[1], plan[1])})
        previous = plan
    return changes


def _shift(old, new):
    """Return the days a date moved (positive: later), or None when either is missing."""
    if not old or not new:
        return None
    return (_day(new) - _day(old)).days


def slip(first, current):
    """Return the days the planned end moved from the first plan to the current one."""
    return _shift(first.get("planned_end"), current.get("planned_end"))
