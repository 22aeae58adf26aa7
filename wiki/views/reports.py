"""Status reports on a measure: write, edit with versions and conflict handling, history."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wiki import fileplaces
from wiki.domain import (
    editing,
    merge,
    programme,
    revisions,
    schedule,
    vocabulary,
)
from wiki.domain import reports as reporting
from wiki.domain.labels import TRAFFIC_LIGHT_LABELS
from wiki.models import Measure, ReportVersion, StatusReport
from wiki.models.reports import TRAFFIC_LIGHTS
from wiki.routing import number_arg
from wiki.security import require

bp = Blueprint("reports", __name__, url_prefix="/measures/<code>/reports")

def get_report_or_404(measure, report_id):
    """Return a report of this measure by id, or abort with 404."""
    report = StatusReport.of(measure).where(StatusReport.id == report_id).first()
    if report is None:
        abort(404)
    return report


@bp.route("")
def index(code):
    """List every status report of a measure, newest first."""
    measure = Measure.by_code_or_404(code)
    if code != measure.code:
        return redirect(url_for(".index", code=measure.code), 301)
    reports = list(StatusReport.of(measure))
    return render_template("reports/index.html", measure=measure, reports=reports)


@bp.route("/new", methods=["GET", "POST"])
@require("edit")
def create(code):
    """Show the form for a new status report, or save it."""
    return _edit(Measure.by_code_or_404(code), None)


@bp.route("/<id:report_id>/edit", methods=["GET", "POST"])
@require("edit")
def edit(code, report_id):
    """Show the edit form of a status report, or save it as a new version."""
    measure = Measure.by_code_or_404(code)
    return _edit(measure, get_report_or_404(measure, report_id))


def _edit(measure, report):
    """Show the form; preview, refuse with errors, answer a stale base with a merge, or save."""
    if request.method == "GET":
        return _form(measure, report, _initial(measure, report))
    form = request.form
    state = {"raw": {name: form.get(name, "").strip() for name in reporting.FIELDS},
             "body": revisions.normalise_body(form.get("body")),
             "summary": form.get("summary", ""), "base": editing.base_number(form)}
    values, errors = reporting.clean_report(state["raw"], state["body"], programme.today())
    errors.update(reporting.taken(measure, report, values, errors),
                  **editing.summary_errors(state["summary"]))
    if form.get("action") == "preview":
        return _form(measure, report, state, preview=revisions.render(state["body"]))
    if errors:
        return _form(measure, report, state, errors=errors), 400
    try:
        saved = reporting.save_report(measure, values, current_user.id, report, state["base"],
                            state["summary"].strip())
    except reporting.DateTaken:  # another report of that day was saved since the check above
        errors = reporting.taken(measure, report, values, {})
        return _form(measure, report, state, errors=errors), 400
    if saved is None:
        merged = reporting.conflict(report, state)
        state.update(raw=merged["merged"], body=merged["body"], base=merged["version"])
        return _form(measure, report, state, conflict=merged), 409
    flash(_("Sachstandsbericht %(period)s gespeichert.", period=saved.period), "success")
    return redirect(url_for("measures.view", code=measure.code, _anchor=f"report-{saved.id}"))


def _initial(measure, report):
    """Return the form state of a report, or of a new one (this quarter, the measure's state)."""
    if report is None:
        today = programme.today()
        raw = {"period": schedule.period_of(today, vocabulary.current().report_period),
               "date": today.isoformat(),
               "status": measure.status, "traffic_light": "", "progress": str(measure.progress)}
        return {"raw": raw, "body": "", "summary": "", "base": 0}
    return {"raw": reporting.form_values(report), "body": report.body, "summary": "",
            "base": report.version}


def _form(measure, report, state, errors=None, **extra):
    """Render the report form with its choices, errors and what the user typed."""
    errors = errors or {}
    extra.setdefault("preview", revisions.render(state["body"]))
    return render_template(
        "reports/edit.html", measure=measure, report=report, errors=errors, labels=reporting.LABELS,
        first_error=next((n for n in (*reporting.FIELDS, "body", "summary") if n in errors), None),
        statuses=[(s, vocabulary.status_label(s)) for s in vocabulary.current().status_keys],
        lights=[(light, TRAFFIC_LIGHT_LABELS[light]) for light in TRAFFIC_LIGHTS],
        files_area=fileplaces.upload_area(fileplaces.of_measure(measure), beside_report=True),
        **state, **extra)


@bp.route("/<id:report_id>/history")
def history(code, report_id):
    """List the versions of a status report, newest first."""
    measure = Measure.by_code_or_404(code)
    report = get_report_or_404(measure, report_id)
    return render_template("reports/history.html", measure=measure, report=report,
                           versions=list(ReportVersion.of(report)))


@bp.route("/<id:report_id>/versions/<id:number>")
def version(code, report_id, number):
    """Show one version of a status report."""
    measure = Measure.by_code_or_404(code)
    report = get_report_or_404(measure, report_id)
    return render_template("reports/version.html", measure=measure, report=report,
                           version=_version_or_404(report, number))


@bp.route("/<id:report_id>/diff")
def diff(code, report_id):
    """Compare two versions of a status report: fields and text word by word."""
    measure = Measure.by_code_or_404(code)
    report = get_report_or_404(measure, report_id)
    numbers = [number_arg(name) for name in ("from", "to")]
    if None in numbers:
        abort(400)
    old, new = (_version_or_404(report, n) for n in sorted(numbers))
    before, after = reporting.form_values(old), reporting.form_values(new)
    fields = [(reporting.LABELS[name], reporting.shown(name, before[name]),
               reporting.shown(name, after[name]))
              for name in reporting.FIELDS if before[name] != after[name]]
    return render_template("reports/diff.html", measure=measure, report=report, old=old,
                           new=new, fields=fields, body=merge.diff_words(old.body, new.body))


def _version_or_404(report, number):
    """Return a version of a report by number, or abort with 404."""
    found = ReportVersion.of(report).where(ReportVersion.number == number).first()
    if found is None:
        abort(404)
    return found


