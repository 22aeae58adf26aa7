"""Measures: the measure page with its metadata, reports and comments."""
from flask import Blueprint, abort, redirect, render_template, url_for

from wiki.models import Comment, Measure, Page, StatusReport

bp = Blueprint("measures", __name__, url_prefix="/measures")


def get_measure_or_404(code):
    """Return the measure with this code (case-insensitive) or abort with 404."""
    measure = Measure.by_code(code)
    if measure is None:
        abort(404)
    return measure


@bp.route("/<code>")
def view(code):
    """Show a measure: metadata, body, prerequisites, reports, comments."""
    measure = get_measure_or_404(code)
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
    )
