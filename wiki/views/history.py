"""Revision history of pages and measures: list, old revision, compare, restore, re-plans."""
from datetime import date
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wiki import presentation
from wiki.caching import pagecache
from wiki.caching.replans import keep_replans, kept_replans
from wiki.db import db
from wiki.domain import metadata, revisions, schedule
from wiki.domain.merge import diff_words
from wiki.models import ActionField, Dependency, Measure, Revision, User
from wiki.views.auth import require
from wiki.views.measures import get_measure_or_404
from wiki.views.pages import get_page_or_404

bp = Blueprint("history", __name__)
PER_PAGE = 50
PLAN_FIELDS = ("planned_start", "planned_end")
# The columns a history row shows: never the body or its HTML, which can be large.
LIST_COLUMNS = (Revision.id, Revision.number, Revision.title, Revision.summary, Revision.size,
                Revision.created, Revision.author, User)


# Pure functions: comparing snapshots and following the plan through the revisions.

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


def body_diff(old, new):
    """Return diff_words of two bodies, word-compared only from the first to the last changed line.

    Two revisions mostly differ in a few lines: comparing 500-line bodies word by word took
    10–20 ms. A trimmed line is kept whole when the text beyond it begins with white space, since
    a run of white space is one word of the diff.
    """
    a, b = (old or "").splitlines(keepends=True), (new or "").splitlines(keepends=True)
    top = 0
    while top < min(len(a), len(b)) and a[top] == b[top]:
        top += 1
    while top and any(lines[top:] and lines[top][:1].isspace() for lines in (a, b)):
        top -= 1
    end = 0
    while end < min(len(a), len(b)) - top and a[-1 - end] == b[-1 - end]:
        end += 1
    while end and a[len(a) - end][:1].isspace():
        end -= 1
    middle = diff_words("".join(a[top:len(a) - end]), "".join(b[top:len(b) - end]))
    ops = [("=", "".join(a[:top]))] + middle + [("=", "".join(a[len(a) - end:]))]
    merged = []
    for op, text in ops:
        if merged and op == merged[-1][0] == "=":
            merged[-1] = ("=", merged[-1][1] + text)
        elif text:
            merged.append((op, text))
    return merged


def shown(name, value):
    """Return a snapshot value as the UI shows it: labels for codes, German dates, lists joined."""
    if value is None or value in ("", []):
        return ""
    if name == "status":
        return str(presentation.STATUS_LABELS.get(value, value))
    if name == "obligation":
        return str(presentation.OBLIGATION_LABELS.get(value, value))
    if name in metadata.DATES:
        day = _day(value)
        return f"{presentation.show_date(day)} ({presentation.show_quarter(day)})"
    if name == "progress":
        return f"{value} %"
    return ", ".join(value) if isinstance(value, list) else str(value)


def size_changes(rows, previous_size):
    """Return (row, size change) for rows newest first; previous_size is the row after the last."""
    sizes = [row.size for row in rows[1:]] + [previous_size]
    return [(row, row.size - before) for row, before in zip(rows, sizes, strict=True)]


# The page whose history is shown: a measure's page or a plain page, with its URLs.

class Subject:
    """A page under history, with its measure when it is one, and the URLs of its views."""

    def __init__(self, page, measure=None):
        self.page, self.measure = page, measure
        self.kind = "measures" if measure else "pages"
        self.key = {"code": measure.code} if measure else {"slug": page.slug}
        self.name = f"{measure.code} {page.title}" if measure else page.title

    def url(self, view, **args):
        """Return the URL of one of this page's views (view, history, diff, revision, restore)."""
        return url_for(f"{self.kind}.{view}", **self.key, **args)

    def diff_url(self, old, new):
        """Return the URL comparing two revision numbers."""
        return self.url("diff", **{"from": old, "to": new})


def get_subject_or_404(code=None, slug=None):
    """Return the measure or page named in the URL, or abort with 404."""
    if code is not None:
        measure = get_measure_or_404(code)
        return Subject(measure.page, measure)
    page = get_page_or_404(slug)
    if page.kind == "measure":
        abort(404)  # a measure's history lives under /measures/<code>
    return Subject(page)


def get_revision_or_404(subject, number):
    """Return a revision of the subject's page by number, or abort with 404."""
    revision = Revision.of(subject.page).where(Revision.number == number).first()
    if revision is None:
        abort(404)
    return revision


@bp.record_once
def _register(state):
    """Serve the views under the measure and page URLs, as measures.history, pages.diff, …."""
    for kind, prefix in (("measures", "/measures/<code>"), ("pages", "/pages/<slug>")):
        for rule, view, methods in ROUTES:
            state.app.add_url_rule(prefix + rule, f"{kind}.{view.__name__}", view,
                                   methods=methods)


def history(code=None, slug=None):
    """List a page's revisions, newest first and paginated; for measures also the re-plans."""
    subject = get_subject_or_404(code, slug)
    number = request.args.get("page", 1, type=int)
    last = max(1, -(-subject.page.revision_count // PER_PAGE))
    if not 1 <= number <= last:
        abort(404)
    rows = list(Revision.of(subject.page).select(*LIST_COLUMNS)
                .offset((number - 1) * PER_PAGE).limit(PER_PAGE + 1))
    extra = rows.pop() if len(rows) > PER_PAGE else None  # only for the last row's size change
    plan = _plan(subject) if subject.measure and number == 1 else None
    # Translated once for all rows (Flask-Babel formats only when given values).
    return render_template("history/history.html", subject=subject, rows=size_changes(
        rows, extra.size if extra else 0), number=number, last=last, plan=plan,
        version_label=_("Version %(number)d"))


def _plan(subject):
    """Return the re-plans of a measure and the slip of its planned end against the first plan."""
    changes, total = _replan_numbers(subject.page)
    # Whole rows with authors only for the re-plans, read fresh (an author may be renamed).
    rows = {row.number: row for row in Revision.of(subject.page).select(*LIST_COLUMNS)
            .where(Revision.number.in_([change["number"] for change in changes]))}
    return {"changes": [{**change, "revision": rows[change["number"]]} for change in changes],
            "slip": total}


def _replan_numbers(page):
    """Return ([re-plans, newest first], slip) of a page, kept until it has a new revision.

    Revisions never change, so a page's re-plans change only with its revision count; reading
    the plans of 500 revisions took 3–4 ms. The key holds the page's times, too, in case a
    deleted page's id is given to a new page; each app (worker) keeps its own.
    """
    found = kept_replans(page)
    if found is None:
        # Only the planned dates, through the plain cursor: peewee's row wrapping cost more
        # than the query. Up to the counted revision, so the key matches what was read.
        query = (Revision.select(Revision.number, *map(Revision.meta_value, PLAN_FIELDS))
                 .where(Revision.page == page, Revision.number <= page.revision_count)
                 .order_by(Revision.number))
        snapshots = [SimpleNamespace(number=number, meta=dict(zip(PLAN_FIELDS, plan, strict=True)))
                     for number, *plan in db.execute(query).fetchall()]
        changes = [{"number": change["revision"].number, "end_shift": change["end_shift"],
                    "old": tuple(map(_day, change["old"])), "new": tuple(map(_day, change["new"]))}
                   for change in replans(snapshots)]
        found = keep_replans(page, (changes[::-1], slip(snapshots[0].meta, snapshots[-1].meta)
                                    if snapshots else None))
    return found


def revision(number, code=None, slug=None):
    """Show an old revision: its title, metadata snapshot and stored HTML."""
    subject = get_subject_or_404(code, slug)
    return _revision_page(subject, get_revision_or_404(subject, number))


def _revision_page(subject, old, error=None):
    """Render a revision, with the reason a restore failed, if it did."""
    fields = [(metadata.LABELS[name], shown(name, value)) for name, value in
              metadata.from_snapshot(old.meta).items()] if subject.measure else []
    return render_template("history/revision.html", subject=subject, revision=old,
                           fields=fields, error=error), 409 if error else 200


def diff(code=None, slug=None):
    """Compare two revisions: title, body word by word and, for measures, field by field."""
    subject = get_subject_or_404(code, slug)
    numbers = [request.args.get(name, type=int) for name in ("from", "to")]
    if None in numbers:
        abort(400)
    found = {r.number: r for r in Revision.of(subject.page).where(Revision.number.in_(numbers))}
    if any(n not in found for n in numbers):
        abort(404)
    old, new = (found[n] for n in sorted(numbers))
    fields = [(label, shown(name, before), shown(name, after)) for name, label, before, after
              in compare_meta(old.meta, new.meta, metadata.LABELS)] if subject.measure else []
    return render_template("history/diff.html", subject=subject, old=old, new=new,
                           swapped=numbers[0] > numbers[1], fields=fields,
                           body=body_diff(old.body, new.body) if old != new else [])


@require("edit")
def restore(number, code=None, slug=None):
    """Save an old revision's content as a new revision (never rewriting the history)."""
    subject = get_subject_or_404(code, slug)
    old = get_revision_or_404(subject, number)
    author = current_user._get_current_object()
    summary = _("Version %(number)d wiederhergestellt", number=number)
    if subject.measure:
        values, error = restorable(subject.measure, old)
        if error:
            return _revision_page(subject, old, error)
        with db.atomic():
            revisions.save_measure(subject.measure, values=values, body=old.body, author=author,
                                   summary=summary)
    else:
        revisions.save_page(subject.page, title=old.title, body=old.body, author=author,
                            summary=summary)
    flash(_("Version %(number)d wurde als neue Version wiederhergestellt.", number=number),
          "success")
    return redirect(subject.url("history"))


def restorable(measure, old):
    """Return the cleaned values of an old measure revision, or a German reason it cannot be."""
    values, errors = metadata.clean_measure(metadata.from_snapshot(old.meta))
    if errors:
        return None, _("Version %(number)d enthält ungültige Angaben: %(errors)s",
                       number=old.number, errors="; ".join(errors.values()))
    values["code"] = measure.code
    if not ActionField.select().where(ActionField.code == values["field"]).exists():
        return None, _("Das Handlungsfeld %(field)s aus Version %(number)d gibt es nicht mehr.",
                       field=values["field"], number=old.number)
    known = {code for (code,) in Measure.select(Measure.code).tuples()}
    missing = [code for code in values["requires"] if code not in known]
    if missing:
        return None, _("Die Voraussetzung %(codes)s aus Version %(number)d gibt es nicht mehr.",
                       codes=", ".join(missing), number=old.number)
    edges = {}
    for dependent, prerequisite in Dependency.edges():
        if dependent != measure.code:
            edges.setdefault(dependent, set()).add(prerequisite)
    edges[measure.code] = set(values["requires"])
    cycle = schedule.find_cycle(edges)
    if cycle:
        return None, _("Die Voraussetzungen aus Version %(number)d ergäben einen Kreis: "
                       "%(cycle)s.", number=old.number, cycle=schedule.format_cycle(cycle))
    return values, None


ROUTES = (
    ("/history", pagecache.kept(history), ["GET"]),
    ("/diff", pagecache.kept(diff), ["GET"]),
    ("/revisions/<int:number>", pagecache.kept(revision), ["GET"]),
    ("/restore/<int:number>", restore, ["POST"]),
)
