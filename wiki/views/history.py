"""Revision history of pages and measures: list, old revision, compare, restore, re-plans."""
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wiki.caching import pagecache
from wiki.caching.replans import keep_replans, kept_replans
from wiki.db import db
from wiki.domain import comparing, metadata, revisions
from wiki.models import Measure, Page, Revision, User
from wiki.routing import number_arg, page_arg
from wiki.security import require

bp = Blueprint("history", __name__)
PER_PAGE = 50
# The columns a history row shows: never the body or its HTML, which can be large.
LIST_COLUMNS = (Revision.id, Revision.number, Revision.title, Revision.summary, Revision.size,
                Revision.created, Revision.author, User)


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
        endpoint = f"{self.kind}.view" if view == "view" else f"history.{self.kind}_{view}"
        return url_for(endpoint, **self.key, **args)

    def diff_url(self, old, new):
        """Return the URL comparing two revision numbers."""
        return self.url("diff", **{"from": old, "to": new})


def get_subject_or_404(code=None, slug=None):
    """Return the measure or page named in the URL, or abort with 404."""
    if code is not None:
        measure = Measure.by_code_or_404(code)
        return Subject(measure.page, measure)
    page = Page.get_or_404(Page.slug == slug)
    if page.kind == "measure":
        abort(404)  # a measure's history lives under /measures/<code>
    return Subject(page)


def get_revision_or_404(subject, number):
    """Return a revision of the subject's page by number, or abort with 404."""
    revision = Revision.of(subject.page).where(Revision.number == number).first()
    if revision is None:
        abort(404)
    return revision


def history(code=None, slug=None):
    """List a page's revisions, newest first and paginated; for measures also the re-plans."""
    subject = get_subject_or_404(code, slug)
    number = page_arg()
    last = max(1, -(-subject.page.revision_count // PER_PAGE))
    if not 1 <= number <= last:
        abort(404)
    rows = list(Revision.of(subject.page).select(*LIST_COLUMNS)
                .offset((number - 1) * PER_PAGE).limit(PER_PAGE + 1))
    extra = rows.pop() if len(rows) > PER_PAGE else None  # only for the last row's size change
    plan = _plan(subject) if subject.measure and number == 1 else None
    # Translated once for all rows (Flask-Babel formats only when given values).
    return render_template("history/history.html", subject=subject, rows=comparing.size_changes(
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
        fields = comparing.PLAN_FIELDS
        query = (Revision.select(Revision.number, *map(Revision.meta_value, fields))
                 .where(Revision.page == page, Revision.number <= page.revision_count)
                 .order_by(Revision.number))
        snapshots = [SimpleNamespace(number=number, meta=dict(zip(fields, plan, strict=True)))
                     for number, *plan in db.execute(query).fetchall()]
        changes = [{"number": change["revision"].number, "end_shift": change["end_shift"],
                    "old": tuple(map(comparing.day, change["old"])),
                    "new": tuple(map(comparing.day, change["new"]))}
                   for change in comparing.replans(snapshots)]
        slip = comparing.slip(snapshots[0].meta, snapshots[-1].meta) if snapshots else None
        found = keep_replans(page, (changes[::-1], slip))
    return found


def revision(number, code=None, slug=None):
    """Show an old revision: its title, metadata snapshot and stored HTML."""
    subject = get_subject_or_404(code, slug)
    return _revision_page(subject, get_revision_or_404(subject, number))


def _revision_page(subject, old, error=None):
    """Render a revision, with the reason a restore failed, if it did."""
    fields = [(metadata.LABELS[name], comparing.shown(name, value)) for name, value in
              metadata.from_snapshot(old.meta).items()] if subject.measure else []
    return render_template("history/revision.html", subject=subject, revision=old,
                           fields=fields, error=error), 409 if error else 200


def diff(code=None, slug=None):
    """Compare two revisions: title, body word by word and, for measures, field by field."""
    subject = get_subject_or_404(code, slug)
    numbers = [number_arg(name) for name in ("from", "to")]
    if None in numbers:
        abort(400)
    found = {r.number: r for r in Revision.of(subject.page).where(Revision.number.in_(numbers))}
    if any(n not in found for n in numbers):
        abort(404)
    old, new = (found[n] for n in sorted(numbers))
    changed = comparing.compare_meta(old.meta, new.meta, metadata.LABELS) if subject.measure else []
    fields = [(label, comparing.shown(name, before), comparing.shown(name, after))
              for name, label, before, after in changed]
    return render_template("history/diff.html", subject=subject, old=old, new=new,
                           swapped=numbers[0] > numbers[1], fields=fields,
                           body=comparing.body_diff(old.body, new.body) if old != new else [])


@require("edit")
def restore(number, code=None, slug=None):
    """Save an old revision's content as a new revision (never rewriting the history)."""
    subject = get_subject_or_404(code, slug)
    old = get_revision_or_404(subject, number)
    author = current_user._get_current_object()
    summary = _("Version %(number)d wiederhergestellt", number=number)
    if subject.measure:
        values, error = comparing.restorable(subject.measure, old)
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


ROUTES = (
    ("/history", pagecache.kept(history, args=("page",)), ["GET"]),
    ("/diff", pagecache.kept(diff, args=("from", "to")), ["GET"]),
    ("/revisions/<id:number>", pagecache.kept(revision), ["GET"]),
    ("/restore/<id:number>", restore, ["POST"]),
)
for kind, prefix in (("measures", "/measures/<code>"), ("pages", "/pages/<slug>")):
    for rule, view, methods in ROUTES:  # as history.measures_history, history.pages_diff, …
        bp.add_url_rule(prefix + rule, f"{kind}_{view.__name__}", view, methods=methods)
