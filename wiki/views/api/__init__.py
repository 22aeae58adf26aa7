"""Read-only JSON API with an OpenAPI description, and the programme's status as open data."""
import csv
import io
import re

from flask import Blueprint, Response, abort, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from wiki.caching import pagecache
from wiki.domain import cleaning, files, markdown, programme, rounds, schedule, vocabulary
from wiki.domain.characters import spreadsheet_cell
from wiki.domain.labels import TRAFFIC_LIGHT_LABELS
from wiki.errors import error_response, json_response
from wiki.models import (
    ActionField,
    Comment,
    Dependency,
    FileVersion,
    Measure,
    Page,
    ReportRound,
    StatusReport,
    StoredFile,
    Strategy,
)
from wiki.models.reports import TRAFFIC_LIGHTS
from wiki.views.api import openapi
from wiki.views.api.openapi import (
    DERIVED,
    MEANINGS,
    as_entry,
    as_field,
    as_file,
    as_measure,
    as_report,
    as_round,
    day,
    moment,
)

bp = Blueprint("api", __name__, url_prefix="/api")

PER_PAGE, MAX_PER_PAGE, MAX_PAGE = 20, 100, 100_000
NUMBER = re.compile(r"[0-9]{1,7}")
CODE = markdown.CODE  # any programme's measure code
# The API reads report periods in their stored form only (the forms take what people write).
API_PERIOD_FORMS = {"quarter": "JJJJ-QN, z. B. 2024-Q2", "half": "JJJJ-HN, z. B. 2024-H1",
                    "month": "JJJJ-MM, z. B. 2024-05"}
EXPORT_TABLES = ("measures", "definitions")
DEFINITIONS_SLUG = "statusdefinitionen"  # the wiki page with the instance's own definitions
EXPORT_COLUMNS = ("code", "title", "field", "field_title", "obligation", "obligation_label",
                  "status", "status_label", "delayed", "at_risk", "risk_chain", "traffic_light",
                  "traffic_light_label", "report_period", "progress", "planned_start",
                  "planned_end", "actual_start", "actual_end", "legal_basis", "legal_deadline",
                  "owner", "requires", "url")


class BadParameter(Exception):
    """A query parameter with a value the API does not accept."""

    def __init__(self, name, message):
        """Remember the parameter's name and the German message."""
        super().__init__(message)
        self.name, self.message = name, message


@bp.errorhandler(BadParameter)
def _bad_parameter(error):
    """Answer a bad query parameter with 400, naming it."""
    return error_response(400, error.message, parameter=error.name)


@bp.after_request
def _caching(response):
    """Let clients revalidate cheaply; what they get depends on their login and language."""
    response.headers.setdefault("Cache-Control", "private, no-cache")
    response.vary.update(("Cookie", "Accept-Language"))
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.add_etag()
        response.make_conditional(request)
    return response


@bp.route("/measures")
@pagecache.kept(args=("field", "status", "obligation"))
def measure_list():
    """List the measures with their derived state, filtered by ?field=, ?status=, ?obligation=."""
    chosen = {"field": _choice("field", [f.code for f in ActionField.ordered()]),
              "status": _choice("status", vocabulary.current().status_keys + DERIVED),
              "obligation": _choice("obligation", vocabulary.current().marking_keys)}
    state = _programme()
    items = [as_measure(m, state) for m in state["measures"]
             if _matches(m, chosen, state["assessments"][m.code])]
    return json_response({"items": items, "count": len(items)})


@bp.route("/measures/<code>")
@pagecache.kept
def measure_detail(code):
    """Show one measure: its summary, legal facts, tags, text, latest report and links."""
    if not CODE.fullmatch(code):
        abort(404)
    measure = Measure.by_code_or_404(code)
    state = _programme()
    revision = measure.page.latest()
    latest = StatusReport.of(measure).first()  # first() limits its query: count another
    dependents = sorted(c for c, required in state["requires"].items() if measure.code in required)
    return json_response({
        **as_measure(measure, state),
        "legal_basis": measure.legal_basis, "legal_deadline": day(measure.legal_deadline),
        "tags": measure.tag_list, "dependents": dependents,
        "forecast_end": day(state["assessments"][measure.code].forecast_end),
        "body": revision.body, "body_html": revision.html,
        "latest_report": as_report(latest, measure.code) if latest else None,
        "report_count": StatusReport.of(measure).count(),
        "revision_count": measure.page.revision_count,
        "file_count": StoredFile.in_place(files.place_of(measure.page)).count(),
        "updated": moment(measure.page.updated),
        "links": {
            "page": url_for("measures.view", code=measure.code),
            "history": url_for("history.measures_history", code=measure.code),
            "reports": url_for("reports.index", code=measure.code),
            "feed": url_for("feeds.measure", code=measure.code, kind="reports"),
            "api_reports": url_for(".report_list", measure=measure.code),
            "files": url_for("files.listing", code=measure.code),
            "api_files": url_for(".file_list", code=measure.code),
        },
    })


@bp.route("/measures/<code>/files")
@pagecache.kept
def file_list(code):
    """List a measure's files, the newest version of each, with links to download them."""
    if not CODE.fullmatch(code):
        abort(404)
    measure = Measure.by_code_or_404(code)
    items = [as_file(version, measure.code)
             for version in FileVersion.newest_in(files.place_of(measure.page))]
    return json_response({"items": items, "count": len(items)})


@bp.route("/fields")
def field_list():
    """List the action fields with their measures counted by status, delayed and at risk."""
    state = _programme()
    fields = list(ActionField.ordered())
    keys = vocabulary.current().status_keys + DERIVED
    counts = {field.id: dict.fromkeys(keys, 0) for field in fields}
    for measure in state["measures"]:
        assessment = state["assessments"][measure.code]
        row = counts[measure.field_id]
        row[measure.status] = row.get(measure.status, 0) + 1
        counts[measure.field_id]["delayed"] += assessment.delayed
        counts[measure.field_id]["at_risk"] += assessment.at_risk
    return json_response({"items": [as_field(field, counts[field.id]) for field in fields]})


@bp.route("/reports")
def report_list():
    """List status reports, newest first, by ?measure= and ?period=, a page at a time."""
    measure = _measure_parameter("measure")
    period = _period("period")
    page = _number("page", 1, MAX_PAGE)
    per_page = _number("per_page", PER_PAGE, MAX_PER_PAGE)
    query = StatusReport.newest()
    if measure is not None:
        query = query.where(StatusReport.measure == measure)
    if period is not None:
        query = query.where(StatusReport.period == period)
    total = query.count()
    filters = {"measure": measure and measure.code, "period": period, "per_page": per_page}
    return json_response({
        "items": [as_report(r, r.measure.code) for r in query.paginate(page, per_page)],
        "page": page, "per_page": per_page, "total": total,
        "next": _page_url(page + 1, filters) if page * per_page < total else None,
        "previous": _page_url(page - 1, filters) if page > 1 else None,
    })


@bp.route("/rounds")
def round_list():
    """List the report rounds, newest first, with their counts of done, missing and not due."""
    found = list(ReportRound.newest_first())
    measures = list(ReportRound.measures())
    reports = list(StatusReport.in_periods({round_.period for round_ in found}))
    return json_response({"items": [as_round(r, rounds.compile_round(r, measures, reports))
                            for r in found]})


@bp.route("/rounds/<slug>")
def round_detail(slug):
    """Show a round: intro, counts, and per action field each measure's state and report."""
    if not rounds.SLUG.fullmatch(slug):
        abort(404)
    context = rounds.compiled(ReportRound.get_or_404(ReportRound.slug == slug))
    round_ = context["round"]
    return json_response({
        **as_round(round_, context),
        "body": round_.body, "body_html": round_.html,
        "projects": round_.projects, "projects_html": round_.projects_html,
        "fields": [{"code": field.code, "title": field.title,
                    "entries": [as_entry(entry) for entry in entries]}
                   for field, entries in context["fields"]],
    })


@bp.route("/openapi.json")
def openapi_document():
    """Serve the OpenAPI 3.1 description of this API, with this instance's codes as choices."""
    return json_response(openapi.document(
        server=request.script_root + bp.url_prefix,
        fields=[field.code for field in ActionField.ordered()],
        measures=sorted(measure.code for measure in Measure.listing())))


@bp.route("/export.json")
def export_json():
    """Send the programme's status as open data (JSON): every measure and the definitions."""
    with force_locale("de"):
        state = _programme()
        strategy = Strategy.current()
        data = {
            "programme": strategy and {
                "title": strategy.title, "period_start": day(strategy.period_start),
                "period_end": day(strategy.period_end)},
            "date": day(programme.today()),
            "measures": [_export_row(m, state) for m in state["measures"]],
            "definitions": _definitions(),
        }
    return json_response(data, filename=f"fahrplan-status-{data['date']}.json")


@bp.route("/export.csv")
def export_csv():
    """Send the measures' status (or ?table=definitions) as CSV for spreadsheets."""
    table = _choice("table", EXPORT_TABLES) or "measures"
    out = io.StringIO()
    with force_locale("de"):
        csv.writer(out, delimiter=";").writerows(_csv_rows(table))
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="fahrplan-{table}-{day(programme.today())}.csv"')
    response.headers["Link"] = f'<{url_for(".export_csv", table="definitions")}>; rel="describedby"'
    return response


def _csv_rows(table):
    """Yield the header and rows of an export table, as spreadsheet cells."""
    if table == "definitions":
        yield ("kind", "code", "label", "meaning")
        for kind, entries in _definitions().items():
            if kind != "page":
                yield from ([_cell(kind), *(_cell(d[k]) for k in ("code", "label", "meaning"))]
                            for d in entries)
        return
    state = _programme()
    yield EXPORT_COLUMNS
    for measure in state["measures"]:
        row = _export_row(measure, state)
        yield [_cell(row[key], " → " if key == "risk_chain" else " ") for key in EXPORT_COLUMNS]


# --- Query parameters ----------------------------------------------------------------------

def _one(name):
    """Return the single value of a query parameter, None when absent; refuse repeats."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise BadParameter(name, _("Der Parameter »%(name)s« darf nur einmal angegeben werden.",
                                   name=name))
    return values[0] if values else None


def _choice(name, allowed):
    """Return a query parameter that must be one of allowed, None when absent."""
    value = _one(name)
    if value is not None and value not in allowed:
        raise BadParameter(name, _("Unbekannter Wert »%(value)s« für den Parameter »%(name)s«; "
                                   "möglich sind: %(allowed)s.", value=value, name=name,
                                   allowed=", ".join(allowed)))
    return value


def _period(name):
    """Return a report period like 2024-Q2 from a query parameter, None when absent."""
    value = _one(name)
    kind = vocabulary.current().report_period
    try:
        period = cleaning.period(value, kind, name)
        if value is not None and period != value:  # the API takes the canonical form only
            raise cleaning.Refused("", name, malformed=True)
        return period
    except cleaning.Refused as error:
        if error.malformed:
            raise BadParameter(name, _("Ungültiger Wert »%(value)s« für den Parameter "
                                       "»%(name)s« (erwartet %(form)s).", value=value, name=name,
                                       form=API_PERIOD_FORMS[kind])) from None
        raise BadParameter(name, str(error)) from None  # a year out of the plausible range


def _measure_parameter(name):
    """Return the measure a query parameter names by its exact code, None when absent."""
    value = _one(name)
    if value is None:
        return None
    measure = Measure.by_code(value) if CODE.fullmatch(value) else None
    if measure is None or measure.code != value:
        raise BadParameter(name, _("Unbekannte Maßnahme »%(value)s« im Parameter »%(name)s« "
                                   "(Kürzel in Großbuchstaben, z. B. M07 oder D-03).", value=value,
                                   name=name))
    return measure


def _number(name, default, largest):
    """Return a whole-number query parameter from 1 to largest, default when absent."""
    value = _one(name)
    if value is None:
        return default
    if not NUMBER.fullmatch(value) or not 1 <= int(value) <= largest:
        raise BadParameter(name, _("Der Parameter »%(name)s« muss eine ganze Zahl von 1 bis "
                                   "%(largest)d sein, nicht »%(value)s«.", name=name,
                                   largest=largest, value=value))
    return int(value)


def _page_url(page, filters):
    """Return the URL of another page of the report list, with the same filters."""
    return url_for(".report_list", page=page,
                   **{key: value for key, value in filters.items() if value is not None})


# --- What the answers contain ----------------------------------------------------------------

def _programme():
    """Return today's measures (with contacts), prerequisites, schedule, lights, comment counts."""
    measures = list(Measure.with_contacts())
    requires = Dependency.requires_map()
    plans = programme.plans_of(measures)
    return {"measures": measures, "requires": requires,
            "assessments": schedule.assess(plans, requires, programme.today()),
            "lights": StatusReport.newest_lights(), "comments": Comment.counts()}


def _matches(measure, chosen, assessment):
    """Tell whether a measure passes the chosen filters (None: not filtered)."""
    status = chosen["status"]
    return ((chosen["field"] is None or measure.field.code == chosen["field"])
            and (chosen["obligation"] is None or measure.obligation == chosen["obligation"])
            and (status is None or measure.status == status
                 or (status == "delayed" and assessment.delayed)
                 or (status == "at_risk" and assessment.at_risk)))


def _export_row(measure, state):
    """Return one measure as an open-data row: codes beside their German words."""
    summary = as_measure(measure, state)
    return {**{key: summary[key] for key in EXPORT_COLUMNS if key in summary},
            "field": measure.field.code, "field_title": measure.field.title,
            "legal_basis": measure.legal_basis,
            "legal_deadline": day(measure.legal_deadline),
            "url": url_for("measures.view", code=measure.code, _external=True)}


def _definitions():
    """Return what every status, derived state, traffic light and marking means."""
    page = Page.get_or_none(Page.slug == DEFINITIONS_SLUG)
    words = vocabulary.current()
    return {
        "status": [{"code": s.key, "label": vocabulary.shown(s.name),
                    "meaning": vocabulary.shown(s.definition)} for s in words.statuses],
        "derived": _meanings(DERIVED, vocabulary.DERIVED, MEANINGS),
        "traffic_light": _meanings(TRAFFIC_LIGHTS, TRAFFIC_LIGHT_LABELS, MEANINGS),
        "obligation": [{"code": m.key, "label": vocabulary.shown(m.name),
                        "meaning": vocabulary.shown(m.definition)} for m in words.markings],
        "page": page and {"title": page.title, "text": page.latest().body,
                          "url": url_for("pages.view", slug=page.slug, _external=True)},
    }


def _meanings(codes, labels, meanings):
    """Return code, word and meaning of each code."""
    return [{"code": code, "label": str(labels[code]), "meaning": str(meanings[code])}
            for code in codes]


def _cell(value, separator=" "):
    """Return a value as a spreadsheet cell: lists joined, booleans 1/0, no formulas."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list):
        value = separator.join(value)
    if value is None:
        return ""
    return spreadsheet_cell(value)
