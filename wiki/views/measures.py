"""Measures: the measure page with its metadata, reports and comments, and its editor."""
import peewee
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wiki.caching import pagecache
from wiki.domain import dashboard, editing, metadata, prerequisites, revisions, schedule, vocabulary
from wiki.models import (
    ActionField,
    Comment,
    EditPresence,
    Measure,
    Page,
    StatusReport,
    User,
)
from wiki.security import require

bp = Blueprint("measures", __name__, url_prefix="/measures")

# The fields in the order the form shows them: the first one with an error gets the focus.
FORM_ORDER = ("code", "title", "field", "obligation", "legal_basis", "legal_deadline", "status",
              "progress", "owner", "contact", "planned_start", "planned_end", "actual_start",
              "actual_end", "requires", "tags", "body", "summary")


@bp.route("/<code>")
@pagecache.kept
def view(code):
    """Show a measure: metadata, body, prerequisites, reports, comments."""
    measure = Measure.by_code_or_404(code)
    if code != measure.code:
        return redirect(url_for(".view", code=measure.code), 301)
    reports = list(StatusReport.of(measure))
    return render_template(
        "measures/view.html",
        measure=measure,
        revision=measure.page.latest(),
        prerequisites=list(measure.prerequisites()),
        dependents=list(measure.dependents()),
        reports=reports,
        reports_by_id={report.id: report for report in reports},
        comments=list(Comment.thread(measure)),
        backlinks=list(Page.linking_to(measure.page.slug)),
        editors=editing.editors_of(measure.page, current_user),
        verdicts=dashboard.verdicts(measure),
    )


@bp.route("/new", methods=["GET", "POST"])
@require("edit")
def create():
    """Show the form for a new measure, or save it."""
    return _edit(None)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@require("edit")
def edit(code):
    """Show the edit form of a measure, or save it."""
    return _edit(Measure.by_code_or_404(code))


def _edit(measure):
    """Show the form; preview, refuse with errors, answer a stale base with a merge, or save."""
    page = measure.page if measure else None
    if request.method == "GET":
        if page is not None:
            EditPresence.touch(page, current_user.id)
        return _form(measure, _initial(measure))
    form = request.form
    raw = {name: form.get(name, "") for name in metadata.FIELDS}
    raw.update(requires=form.getlist("requires"), code=measure.code if measure else raw["code"])
    state = {"raw": raw, "body": revisions.normalise_body(form.get("body")),
             "summary": form.get("summary", ""), "base": editing.base_number(form)}
    values, errors = metadata.clean_measure(raw)
    errors.update(check(values, errors, measure), **editing.body_errors(state["body"]),
                  **editing.summary_errors(state["summary"]))
    if form.get("action") == "preview":
        return _form(measure, state, preview=revisions.render(state["body"]))
    if errors:
        return _form(measure, state, errors=errors), 400
    try:  # the base is checked under the page's lock: two saves from one base never both win
        revision = revisions.save_measure(measure, values=values, body=state["body"],
                                          author=current_user.id, base=state["base"],
                                          summary=state["summary"].strip())
    except peewee.IntegrityError:  # the code was taken by a measure saved since the check
        return _form(measure, state, errors=check(values, {}, measure)), 400
    except revisions.Conflict:
        merged = editing.conflict(page, state["base"], state["body"], editing.meta_form(values))
        state.update(raw=merged["merged"], body=merged["body"], base=page.revision_count)
        return _form(measure, state, conflict=merged), 409
    EditPresence.leave(revision.page, current_user.id)
    if measure is None:
        editing.refresh_links_to(revision.page.slug)
    flash(_("Maßnahme %(code)s gespeichert.", code=values["code"]), "success")
    return redirect(url_for(".view", code=values["code"]))


def _initial(measure):
    """Return the form state of a measure's newest revision, or of a new measure."""
    if measure is None:
        words = vocabulary.current()
        raw = editing.meta_form({"status": words.default_status,
                                 "obligation": words.default_marking, "progress": 0,
                                 "code": request.args.get("code", "").upper()})
        return {"raw": raw, "body": "", "summary": "", "base": 0}
    latest = measure.page.latest()
    raw = editing.meta_form(metadata.from_snapshot(latest.meta))
    raw["title"] = latest.title
    return {"raw": raw, "body": latest.body, "summary": "", "base": measure.page.revision_count}


def _form(measure, state, errors=None, **extra):
    """Render the measure form with its choices, errors and what the user typed."""
    errors = errors or {}
    extra.setdefault("preview", revisions.render(state["body"]))
    others = Measure.listing().where(Measure.id != measure.id) if measure else Measure.listing()
    return render_template(
        "measures/edit.html", measure=measure, errors=errors,
        first_error=next((name for name in FORM_ORDER if name in errors), None),
        choices=_choices(state["raw"]), others=list(others), labels=metadata.LABELS,
        editors=editing.editors_of(measure.page if measure else None, current_user),
        **state, **extra)


def _choices(raw):
    """Return the options of the select fields as (value, German text) pairs."""
    users = User.select().where(User.active).order_by(User.name, User.username)
    words = vocabulary.current()
    contacts = [("", _("– niemand –"))] + [(u.username, f"{u.display_name} ({u.username})")
                                           for u in users]
    if raw["contact"] and raw["contact"] not in dict(contacts):
        contacts.append((raw["contact"], raw["contact"]))  # unknown: shown with its error
    return {
        "field": [("", "–")] + [(f.code, f"{f.code} {f.title}") for f in ActionField.ordered()],
        "obligation": [(o, vocabulary.marking_label(o)) for o in words.marking_keys],
        "status": [(s, vocabulary.status_label(s)) for s in words.status_keys],
        "contact": contacts,
    }


def check(values, errors, measure):
    """Return errors that need the database: unknown field, contact or prerequisite, a cycle."""
    found = {}
    if "field" not in errors and not ActionField.exists_with(values["field"]):
        found["field"] = _("Unbekanntes Handlungsfeld »%(code)s«.", code=values["field"])
    if "contact" not in errors and values["contact"] and User.by_name(values["contact"]) is None:
        found["contact"] = _("Unbekannte Person »%(name)s«.", name=values["contact"])
    if "code" not in errors and measure is None and values["code"] and (
            revisions.slug_taken(values["code"].lower())):
        found["code"] = _("Das Kürzel %(code)s ist schon vergeben.", code=values["code"])
    if "requires" not in errors:
        found.update(_check_requires(values, measure))
    return found


def _check_requires(values, measure):
    """Return an error for unknown prerequisites or for prerequisites that make a cycle."""
    unknown, cycle = prerequisites.problems(values.get("code") or "(neu)", values["requires"],
                                            measure)
    if unknown:
        return {"requires": _("Unbekannte Maßnahme: %(codes)s.", codes=", ".join(unknown))}
    if cycle:
        return {"requires": _("Voraussetzungen ergeben einen Kreis: %(cycle)s",
                              cycle=schedule.format_cycle(cycle))}
    return {}
