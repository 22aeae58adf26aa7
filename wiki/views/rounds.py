"""Report rounds: the measures' reports for one period, compiled into a council report."""

import peewee
from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from wiki import audit
from wiki.db import db
from wiki.domain import editing, labels, programme, revisions, rounds, vocabulary
from wiki.exchange import xlsx
from wiki.models import ReportRound, StatusReport, Strategy
from wiki.security import require

bp = Blueprint("rounds", __name__, url_prefix="/reports")

# The form's fields in the order it shows them: the first one with an error gets the focus.
FORM_ORDER = ("title", "slug", "period", "due_date", "body", "projects")


@bp.route("", strict_slashes=False)
def index():
    """List the rounds, newest first, with their counts of done, missing and not due reports."""
    every = list(ReportRound.newest_first())
    measures = list(ReportRound.measures())
    reports = list(StatusReport.in_periods({round_.period for round_ in every}))
    rows = [(round_, rounds.compile_round(round_, measures, reports)) for round_ in every]
    return render_template("rounds/index.html", rows=rows, today=programme.today())


@bp.route("/<slug>")
def view(slug):
    """Show a round: intro, counts, and per action field each measure with its report."""
    round_ = ReportRound.get_or_404(ReportRound.slug == slug)
    return render_template("rounds/view.html", **rounds.compiled(round_))


@bp.route("/<slug>/council")
def council(slug):
    """Show the council report of a round, laid out for printing on A4."""
    return render_template("rounds/council.html", strategy=Strategy.current(),
                           **rounds.compiled(ReportRound.get_or_404(ReportRound.slug == slug)))


@bp.route("/<slug>/council.md")
def council_markdown(slug):
    """Send the compiled council report as a Markdown file."""
    context = rounds.compiled(ReportRound.get_or_404(ReportRound.slug == slug))
    response = make_response(rounds.council_text(context))
    response.mimetype = "text/markdown"
    response.headers["Content-Disposition"] = f'attachment; filename="ratsbericht-{slug}.md"'
    return response


@bp.route("/<slug>.xlsx")
def table(slug):
    """Send a round as a workbook: one row per measure, its report's state and facts."""
    context = rounds.compiled(ReportRound.get_or_404(ReportRound.slug == slug))
    header = [(_("Kürzel"), "text"), (_("Titel"), "text"), (_("Handlungsfeld"), "text"),
              (_("Bericht"), "text"), (_("Ampel"), "text"), (_("Status"), "text"),
              (_("Fortschritt"), "number"), (_("Datum"), "date"), (_("Autor"), "text")]
    rows = [_table_row(entry) for _field, entries in context["fields"] for entry in entries]
    response = make_response(xlsx.workbook([(context["round"].title, header, rows)]))
    response.mimetype = xlsx.MIMETYPE
    response.headers["Content-Disposition"] = f'attachment; filename="berichte-{slug}.xlsx"'
    return response


def _table_row(entry):
    """Return a round's entry as a row: the measure, the report's state, light and facts."""
    measure, report = entry.measure, entry.report
    state = {"done": _("vorliegend"), "missing": _("fehlt"),
             "not_due": _("nicht fällig")}[entry.state]
    facts = [None] * 5
    if report is not None:
        facts = [labels.TRAFFIC_LIGHT_LABELS.get(report.traffic_light, report.traffic_light),
                 vocabulary.status_label(report.status), report.progress, report.date,
                 report.author.display_name if report.author_id else ""]
    return [measure.code, measure.title, measure.field.code, state, *facts]


@bp.route("/new", methods=["GET", "POST"])
@require("admin")
def create():
    """Show the form for a new round, or save it."""
    return _edit(None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@require("admin")
def edit(slug):
    """Show the edit form of a round, or save it."""
    return _edit(ReportRound.get_or_404(ReportRound.slug == slug))


def _edit(round_):
    """Show the form; refuse bad input, answer a stale version with 409, or save."""
    if request.method == "GET":
        return _form(round_, _initial(round_), round_.version if round_ else 0)
    raw = {name: request.form.get(name, "") for name in FORM_ORDER}
    if round_ is not None:
        raw["slug"] = round_.slug
    base = editing.base_number(request.form)
    values, errors = rounds.clean(raw, round_)
    if errors:
        return _form(round_, raw, base, errors=errors), 400
    values.update(html=revisions.render(values["body"]),
                  projects_html=revisions.render(values["projects"]))
    if round_ is None:
        try:
            with db.atomic():
                ReportRound.create(**values)
        except peewee.IntegrityError:  # taken by someone else since the check
            return _form(None, raw, 0, errors={"slug": rounds.slug_taken(values["slug"])}), 400
    elif not ReportRound.save_over(round_.id, base, **values):
        saved = ReportRound.get_by_id(round_.id)
        return _form(saved, raw, saved.version, conflict=_conflict(saved, values)), 409
    audit.record("round.create" if round_ is None else "round.edit", raw["slug"])
    flash(_("Berichtsrunde „%(title)s“ gespeichert.", title=values["title"]), "success")
    return redirect(url_for(".view", slug=raw["slug"]))


def _initial(round_):
    """Return the form values of a saved round, or of a new one."""
    if round_ is None:
        return dict.fromkeys(FORM_ORDER, "")
    return {"title": round_.title, "slug": round_.slug, "period": round_.period,
            "due_date": round_.due_date.isoformat(), "body": round_.body,
            "projects": round_.projects}


def _conflict(saved, values):
    """Return what is saved now, field by field, marking where it differs from the form."""
    now = _initial(saved)
    return {"version": saved.version, "fields": [
        (name, now[name], now[name] != str(values[name])) for name in FORM_ORDER
        if name != "slug"]}


def _form(round_, raw, base, errors=None, conflict=None):
    """Render the round form with what the user typed, its errors and a newer saved version."""
    errors = errors or {}
    return render_template(
        "rounds/edit.html", round=round_, raw=raw, base=base, errors=errors, conflict=conflict,
        first_error=next((name for name in FORM_ORDER if name in errors), None))


