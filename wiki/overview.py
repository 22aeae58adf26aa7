"""Overviews: the start page and the accessibility statement."""
import datetime
import re

from flask import Blueprint, current_app, render_template, request
from markupsafe import Markup

from wiki import graph, timeline
from wiki.history import slip
from wiki.models import ActionField, Dependency, Measure, Page, Revision, StatusReport, Strategy
from wiki.models.measures import STATUSES
from wiki.schedule import CLOSED

bp = Blueprint("overview", __name__)
# The filters and globals every template uses come with the blueprint every page links to.

# When the accessibility statement was last reviewed; update it with the statement's text.
STATEMENT_DATE = datetime.date(2026, 11, 24)


@bp.after_request
def _vary(response):
    """Tell caches that htmx requests get a fragment."""
    response.vary.update(["HX-Request", "HX-Target"])
    return response


@bp.route("/")
def index():
    """Show the programme: Leitbild, action fields with their measures, and the wiki pages."""
    strategy = Strategy.current()
    measures = list(Measure.listing())
    leitbild = strategy.leitbild if strategy and strategy.leitbild_id else None
    motto, excerpt = _excerpt(leitbild.latest().html) if leitbild else ("", "")
    return render_template(
        "overview/index.html",
        strategy=strategy,
        leitbild=leitbild,
        motto=motto,
        excerpt=excerpt,
        **_programme(measures),
        pages=list(Page.wiki_pages()),
    )


@bp.route("/architecture")
def architecture():
    """Show the architecture: counts by field and status, the fields as columns of cards."""
    measures = list(Measure.listing())
    context = _programme(measures)
    counts = {field.id: dict.fromkeys(STATUSES, 0) for field in context["fields"]}
    for measure in measures:
        counts[measure.field_id][measure.status] += 1
    assessments = context["assessments"]
    return render_template(
        "overview/architecture.html", strategy=Strategy.current(), counts=counts,
        statuses=STATUSES, measures=measures, today=datetime.date.today(),
        delayed={code for code, a in assessments.items() if a.delayed},
        at_risk={code for code, a in assessments.items() if a.at_risk},
        **context)


@bp.route("/timeline", endpoint="timeline")
def timeline_view():
    """Show the roadmap by quarter, grouped by action field, with filters and a table view."""
    today = datetime.date.today()
    chosen = {key: request.args.get(key, "") for key in ("field", "obligation", "status")}
    context = _programme(list(Measure.listing()))
    shown = {f.id: [m for m in context["measures_by_field"].get(f.id, [])
                    if _matches(m, chosen, context["assessments"][m.code])]
             for f in context["fields"]}
    requires = Dependency.requires_map()
    groups = [(f, shown[f.id]) for f in context["fields"] if shown[f.id]]
    measures = [m for _, ms in groups for m in ms]
    strategy = Strategy.current() or Strategy()
    start, end = timeline.period(measures, strategy.period_start, strategy.period_end)
    template = ("overview/_timeline.html" if request.headers.get("HX-Target") == "timeline"
                else "overview/timeline.html")
    return render_template(template, plan=timeline.layout(groups, requires, start, end, today),
                           groups=groups, requires=requires, chosen=chosen,
                           slips=_slips(measures),
                           statuses=STATUSES, today=today, **context)


@bp.route("/dependencies")
def dependencies():
    """Show the prerequisite graph in layers, with at-risk chains marked, and as a list."""
    measures = list(Measure.listing())
    context = _programme(measures)
    requires = Dependency.requires_map()
    dependents = {}
    for code, prerequisites in requires.items():
        for prerequisite in prerequisites:
            dependents.setdefault(prerequisite, []).append(code)
    linked = [m.code for m in measures if m.code in requires or m.code in dependents]
    risk_edges = {pair for a in context["assessments"].values() if a.risk_chain
                  for pair in zip(a.risk_chain, a.risk_chain[1:], strict=False)}
    return render_template("overview/dependencies.html", measures=measures,
                           by_code={m.code: m for m in measures},
                           graph=graph.layout(linked, requires, linked), requires=requires,
                           unlinked=[m for m in measures if m.code not in linked],
                           dependents=dependents, risk_edges=risk_edges,
                           today=datetime.date.today(), **context)


def _slips(measures):
    """Return {code: days the planned end moved since the first plan}."""
    firsts = Revision.first_meta()
    return {m.code: slip(firsts.get(m.page_id, {}),
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


def _programme(measures):
    """Return what the field grid needs: fields, measures by field, schedule and staleness."""
    today = datetime.date.today()
    return {"fields": list(ActionField.ordered()),
            "measures_by_field": _group_by_field(measures),
            "assessments": Measure.assessment(today),
            "stale": _stale(measures, today)}


def _stale(measures, today):
    """Return {measure id: days since its last report (-1: none)} for open, stale measures."""
    limit = current_app.config["STALE_REPORT_DAYS"]
    latest = StatusReport.latest_dates()
    stale = {}
    for measure in measures:
        if measure.status in CLOSED or measure.status == "planned":
            continue
        last = latest.get(measure.id)
        if last is None or (today - last).days > limit:
            stale[measure.id] = -1 if last is None else (today - last).days
    return stale


def _excerpt(html):
    """Return the plain text of the first heading and the first paragraph of stored HTML."""
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    paragraph = re.search(r"<p>(.*?)</p>", html, re.S)
    # striptags only reads the sanitised markup; what it returns is plain text, escaped on output.
    return tuple(Markup(match[1]).striptags() if match else ""  # noqa: S704
                 for match in (heading, paragraph))


def _group_by_field(measures):
    """Return {action field id: [measures]}, keeping the measures' order."""
    grouped = {}
    for measure in measures:
        grouped.setdefault(measure.field_id, []).append(measure)
    return grouped


@bp.route("/accessibility")
def accessibility():
    """Show the accessibility statement (Erklärung zur Barrierefreiheit)."""
    return render_template("overview/accessibility.html", statement_date=STATEMENT_DATE,
                           contact=current_app.config["ACCESSIBILITY_CONTACT"])
