"""Overviews: start page, architecture, timeline, dependencies (each also ?as_of=)."""
import csv
import datetime
import io
import re

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from wiki.caching import fragments, pagecache, rows
from wiki.domain import dashboard, graph, metadata, programme, timeline, vocabulary
from wiki.domain.characters import spreadsheet_cell
from wiki.domain.comparing import slip
from wiki.domain.markdown import code_order
from wiki.exchange import xlsx
from wiki.models import Page, Revision, Strategy
from wiki.presentation import markings_stylesheet, render_in_pieces
from wiki.security import htmx_target

bp = Blueprint("overview", __name__)
# The filters and globals every template uses come with the blueprint every page links to.

# When the accessibility statement was last reviewed; update it with the statement's text.
STATEMENT_DATE = datetime.date(2026, 11, 24)
FILTERS = ("field", "obligation", "status")  # of the timeline and the measure table


@bp.route("/")
@pagecache.kept(args=("as_of",))
def index():
    """Show the programme at a glance: Leitbild, dashboard, action fields, the wiki pages."""
    strategy = Strategy.current()
    leitbild = strategy.leitbild if strategy and strategy.leitbild_id else None
    motto, excerpt = _excerpt(leitbild.latest().html) if leitbild else ("", "")
    context = _state()
    return _render("overview/index.html", strategy=strategy, leitbild=leitbild, motto=motto,
                   excerpt=excerpt, pages=list(Page.wiki_pages()),
                   dashboard=dashboard.start_page(context), **context)


@bp.route("/architecture")
@pagecache.kept(args=("as_of",))
def architecture():
    """Show the architecture: counts by field and status, the fields as columns of cards."""
    context = _state()
    return _render("overview/architecture.html", strategy=Strategy.current(),
                   counts=_counts(context), statuses=vocabulary.current().status_keys,
                   **context)


def _state():
    """Return the overviews' context (programme.state); a past day's fragments are not kept."""
    context = programme.state()
    if context["as_of"]:
        fragments.for_past_day()
    return context


def _counts(context):
    """Return {field id, or None for all: {each status, "sum", "delayed", "at_risk": count}}."""
    keys = (*vocabulary.current().status_keys, "sum", "delayed", "at_risk")
    counts = {field.id: dict.fromkeys(keys, 0) for field in context["fields"]}
    counts[None] = dict.fromkeys(keys, 0)
    for measure in context["measures"]:
        assessment = context["assessments"][measure.code]
        for row in (counts[measure.field_id], counts[None]):
            row[measure.status] = row.get(measure.status, 0) + 1
            row["sum"] += 1
            row["delayed"] += assessment.delayed
            row["at_risk"] += assessment.at_risk
    return counts


@bp.route("/timeline", endpoint="timeline")
@pagecache.kept(args=("as_of", "baseline", *FILTERS))
def timeline_view():
    """Show the roadmap by quarter, grouped by action field, with filters and a table view."""
    context = _state()
    chosen = {key: request.args.get(key, "") for key in FILTERS}
    groups = [(f, shown) for f in context["fields"]
              if (shown := [m for m in context["measures_by_field"].get(f.id, [])
                            if _matches(m, chosen, context["assessments"][m.code])])]
    measures = [m for _, ms in groups for m in ms]
    strategy = Strategy.current() or Strategy()
    start, end = timeline.period(measures, strategy.period_start, strategy.period_end,
                                 context["today"])
    baseline, baseline_day, baseline_error = programme.baseline_plans()
    plan = timeline.layout(groups, context["requires"], start, end, context["today"], baseline)
    template = ("overview/_timeline.html" if htmx_target() == "timeline"
                else "overview/timeline.html")
    bars, arrows, table = rows.timeline(plan, measures, context, _slips(measures), baseline)
    return _render(template, plan=plan, groups=groups, chosen=chosen, bars=bars, arrows=arrows,
                   table=table, statuses=vocabulary.current().status_keys, baseline=baseline,
                   baseline_day=baseline_day,
                   baseline_error=baseline_error, **context)


@bp.route("/dependencies")
@pagecache.kept(args=("as_of",))
def dependencies():
    """Show the prerequisite graph in layers, with at-risk chains marked, and as a list."""
    context = _state()
    requires, measures = context["requires"], context["measures"]
    dependents = {}
    for code, prerequisites in requires.items():
        for prerequisite in prerequisites:
            dependents.setdefault(prerequisite, []).append(code)
    linked = [m.code for m in measures if m.code in requires or m.code in dependents]
    risk_edges = {pair for a in context["assessments"].values() if a.risk_chain
                  for pair in zip(a.risk_chain, a.risk_chain[1:], strict=False)}
    layout = graph.layout(linked, requires, linked)
    nodes, edges, table = rows.dependencies(layout, {m.code: m for m in measures}, dependents,
                                            risk_edges, context)
    shown = set(linked)
    return _render("overview/dependencies.html", graph=layout, nodes=nodes, edges=edges,
                   table=table, unlinked=[m for m in measures if m.code not in shown], **context)


def _status_order():
    """Return {status key: its place in the programme's order}."""
    return {key: index for index, key in enumerate(vocabulary.current().status_keys)}


SORT_KEYS = {
    "code": lambda m: code_order(m.code),
    "title": lambda m: m.title.lower(),
    "field": lambda m: (m.field.position, code_order(m.code)),
    "status": lambda m: (_status_order().get(m.status, 999), m.code),
    "progress": lambda m: (m.progress, m.code),
    "planned_start": lambda m: (m.planned_start or datetime.date.max, m.code),
    "planned_end": lambda m: (m.planned_end or datetime.date.max, m.code),
    "owner": lambda m: ((m.owner or "").casefold(), code_order(m.code)),
}
# Sorted by what the request knows beside the measure: its newest report's light and period.
SORT_BY_REPORT = "report"


@bp.route("/measures", endpoint="measure_table")
@pagecache.kept(args=("as_of", "baseline", *FILTERS, "sort", "dir", "format"))
def measure_table():
    """List the measures in a sortable, filterable table; ?format=csv or xlsx exports them."""
    context = _state()
    chosen = {key: request.args.get(key, "") for key in FILTERS}
    sort = request.args.get("sort", "code")
    sort = sort if sort in SORT_KEYS or sort == SORT_BY_REPORT else "code"
    descending = request.args.get("dir") == "desc"
    lights = context["lights"]
    key = SORT_KEYS.get(sort) or (lambda m: ((lights.get(m.id) or ("", ""))[1],
                                             code_order(m.code)))
    shown = sorted((m for m in context["measures"]
                    if _matches(m, chosen, context["assessments"][m.code])),
                   key=key, reverse=descending)
    if request.args.get("format") == "csv":
        return _csv(shown, context)
    if request.args.get("format") == "xlsx":
        return _xlsx(shown, context)
    baseline, baseline_day, baseline_error = programme.baseline_plans()
    template = ("overview/_measure_table.html" if htmx_target() == "table"
                else "overview/measures.html")
    return _render(template, shown=shown, chosen=chosen, sort=sort, descending=descending,
                   statuses=vocabulary.current().status_keys, baseline=baseline,
                   baseline_day=baseline_day,
                   baseline_error=baseline_error, **context)


def _csv(measures, context):
    """Return the shown measures as CSV (semicolon-separated, as German spreadsheets expect)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["code", "title", "field", "obligation", "status", "delayed", "at_risk",
                     "progress", "planned_start", "planned_end", "actual_start", "actual_end",
                     "requires"])
    for m in measures:
        a = context["assessments"][m.code]
        cells = [m.code, m.title, m.field.code, m.obligation, m.status, int(a.delayed),
                 " → ".join(a.risk_chain or []), m.progress,
                 *[d.isoformat() if d else "" for d in (
                     m.planned_start, m.planned_end, m.actual_start, m.actual_end)],
                 " ".join(sorted(context["requires"].get(m.code, [])))]
        writer.writerow([spreadsheet_cell(cell) for cell in cells])
    day = context["today"].isoformat()
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="massnahmen-{day}.csv"'})


def _xlsx(measures, context):
    """Return the shown measures as a workbook: the programme's words, dates and numbers typed."""
    dates = ("planned_start", "planned_end", "actual_start", "actual_end")
    header = [(metadata.LABELS[name], "text") for name in ("code", "title", "field",
                                                          "obligation", "status")]
    header += [(_("Verzögert"), "text"), (_("Gefährdet durch"), "text"),
               (metadata.LABELS["progress"], "number"),
               *[(metadata.LABELS[name], "date") for name in dates],
               (metadata.LABELS["requires"], "text")]
    rows = []
    for m in measures:
        a = context["assessments"][m.code]
        rows.append([m.code, m.title, m.field.code, vocabulary.marking_label(m.obligation),
                     vocabulary.status_label(m.status), _("ja") if a.delayed else _("nein"),
                     " → ".join(a.risk_chain or []), m.progress,
                     *[getattr(m, name) for name in dates],
                     ", ".join(sorted(context["requires"].get(m.code, [])))])
    data = xlsx.workbook([(_("Maßnahmen"), header, rows)])
    day = context["today"].isoformat()
    return Response(data, mimetype=xlsx.MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="massnahmen-{day}.xlsx"'})


def _render(template, **context):
    """Render an overview; a bad date answers 400 with the message on the page."""
    bad = context.get("as_of_error") or context.get("baseline_error")
    return render_in_pieces(template, **context), 400 if bad else 200


def _slips(measures):
    """Return {code: days the planned end moved since the first plan}."""
    firsts = Revision.first_values("planned_end")
    return {m.code: slip({"planned_end": firsts.get(m.page_id)},
                         {"planned_end": m.planned_end and m.planned_end.isoformat()})
            for m in measures}


def _matches(measure, chosen, assessment):
    """Tell whether a measure passes the timeline's filters."""
    status = chosen["status"]
    return ((not chosen["field"] or measure.field.code == chosen["field"])
            and (not chosen["obligation"] or measure.obligation == chosen["obligation"])
            and (not status or measure.status == status
                 or (status == "delayed" and assessment.delayed)
                 or (status == "at_risk" and assessment.at_risk)))


def _excerpt(html):
    """Return the plain text of the first heading and the first paragraph of stored HTML."""
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    paragraph = re.search(r"<p>(.*?)</p>", html, re.S)
    # striptags only reads the sanitised markup; what it returns is plain text, escaped on output.
    return tuple(Markup(match[1]).striptags() if match else ""  # noqa: S704  # nosec B704
                 for match in (heading, paragraph))


@bp.route("/markings.css")
def markings_css():
    """Send the colours of the programme's markings; kept a year under a versioned URL."""
    words = vocabulary.current()
    response = Response(markings_stylesheet(words.markings), mimetype="text/css")
    if request.args.get("v") == words.stamp:
        response.cache_control.public = True
        response.cache_control.max_age = 365 * 24 * 3600
    else:
        response.cache_control.no_cache = True
    return response


@bp.route("/accessibility")
def accessibility():
    """Show the accessibility statement (Erklärung zur Barrierefreiheit)."""
    return render_template("overview/accessibility.html", statement_date=STATEMENT_DATE,
                           contact=current_app.config["ACCESSIBILITY_CONTACT"])
