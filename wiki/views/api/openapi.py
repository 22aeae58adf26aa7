"""How the JSON API's answers look: each resource as JSON, and the OpenAPI 3.1 document.

The functions that build an answer and the schema that describes it live side by side, so
that a change to one is seen next to the other.
"""
from flask import url_for
from flask_babel import lazy_gettext as _l

from wiki.domain import cleaning, filetypes, vocabulary
from wiki.domain.labels import TRAFFIC_LIGHT_LABELS
from wiki.domain.markdown import CODE
from wiki.models.reports import TRAFFIC_LIGHTS

DERIVED = ("delayed", "at_risk")
# What each derived state and traffic light means (a status's meaning is the programme's own,
# wiki/domain/vocabulary.py); the open-data export carries these.
MEANINGS = {
    "delayed": _l("Berechnet, nie gespeichert: nicht abgeschlossen und das geplante Ende ist "
                  "überschritten, oder später als geplant abgeschlossen."),
    "at_risk": _l("Berechnet, nie gespeichert: eine Voraussetzung endet (geplant, tatsächlich "
                  "oder nach Prognose) nach dem geplanten Beginn dieser Maßnahme oder ist selbst "
                  "verzögert oder gefährdet; die Kette nennt die Ursache."),
    "green": _l("Im Plan; keine Entscheidungen nötig."),
    "yellow": _l("Abweichungen bei Termin, Umfang oder Ressourcen, mit eigenen Mitteln "
                 "beherrschbar."),
    "red": _l("Termin oder Ziel sind ohne Entscheidung der Steuerung nicht mehr erreichbar."),
}


# --- The answers -------------------------------------------------------------------------------

def as_measure(measure, state):
    """Return a measure's summary: metadata, derived state, newest traffic light, links."""
    assessment = state["assessments"][measure.code]
    light, period = state["lights"].get(measure.id, (None, None))
    return {
        "code": measure.code, "title": measure.title,
        "field": {"code": measure.field.code, "title": measure.field.title},
        "obligation": measure.obligation,
        "obligation_label": vocabulary.marking_label(measure.obligation),
        "status": measure.status, "status_label": vocabulary.status_label(measure.status),
        "delayed": assessment.delayed, "at_risk": assessment.at_risk,
        "risk_chain": assessment.risk_chain,
        "progress": measure.progress,
        "planned_start": day(measure.planned_start), "planned_end": day(measure.planned_end),
        "actual_start": day(measure.actual_start), "actual_end": day(measure.actual_end),
        "requires": sorted(state["requires"].get(measure.code, [])),
        "owner": measure.owner,
        "contact": measure.contact.display_name if measure.contact_id else None,
        "traffic_light": light, "traffic_light_label": label(TRAFFIC_LIGHT_LABELS, light),
        "report_period": period,
        "comment_count": state["comments"].get(measure.id, 0),
        "url": url_for("measures.view", code=measure.code),
        "api_url": url_for("api.measure_detail", code=measure.code),
    }


def as_report(report, code):
    """Return a status report: period, date, status, light, progress, text, author's name."""
    return {
        "id": report.id, "measure": code, "date": day(report.date), "period": report.period,
        "status": report.status, "status_label": vocabulary.status_label(report.status),
        "traffic_light": report.traffic_light,
        "traffic_light_label": label(TRAFFIC_LIGHT_LABELS, report.traffic_light),
        "progress": report.progress, "body": report.body, "body_html": report.html,
        "author": report.author.display_name if report.author_id else None,
        "created": moment(report.created), "updated": moment(report.updated),
        "version": report.version,
        "url": url_for("measures.view", code=code, _anchor=f"report-{report.id}"),
    }


def as_field(field, counts):
    """Return an action field with its counts and links."""
    return {"code": field.code, "title": field.title, "summary": field.summary,
            "position": field.position,
            "measure_count": sum(n for s, n in counts.items() if s not in DERIVED),
            "counts": counts,
            "url": url_for("overview.architecture", _anchor=f"field-{field.code}"),
            "api_measures": url_for("api.measure_list", field=field.code)}


def as_round(round_, compiled):
    """Return a report round's dates, counts and links."""
    return {"slug": round_.slug, "title": round_.title, "period": round_.period,
            "due_date": day(round_.due_date), "counts": compiled["counts"],
            "overdue": compiled["overdue"],
            "url": url_for("rounds.view", slug=round_.slug),
            "council_url": url_for("rounds.council", slug=round_.slug),
            "api_url": url_for("api.round_detail", slug=round_.slug)}


def as_entry(entry):
    """Return one measure of a round: done, missing or not due, with its report."""
    measure = entry.measure
    return {"code": measure.code, "title": measure.title, "state": entry.state,
            "not_due_reason": entry.not_due, "owner": measure.owner,
            "contact": measure.contact.display_name if measure.contact_id else None,
            "report": as_report(entry.report, measure.code) if entry.report else None,
            "url": url_for("measures.view", code=measure.code),
            "api_url": url_for("api.measure_detail", code=measure.code)}


def as_file(version, code):
    """Return the newest version of a measure's file as the API shows it."""
    stored, kind = version.file, filetypes.KINDS.get(version.kind)
    return {"name": stored.name, "kind": version.kind,
            "media_type": kind.mime if kind else "application/octet-stream",
            "size": version.size, "version": version.number,
            "width": version.width, "height": version.height, "comment": version.comment,
            "author": version.author.display_name if version.author else None,
            "created": moment(version.created),
            "url": url_for("files.download", code=code, name=stored.name),
            "versions_url": url_for("files.history", code=code, name=stored.name)}


def label(labels, code):
    """Return the word for a code in the current language (None for None)."""
    return None if code is None else str(labels.get(code, code))


def day(value):
    """Return a date as ISO text, or None."""
    return value.isoformat() if value else None


def moment(value):
    """Return a stored (naive UTC) timestamp as RFC 3339 text."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


# --- The document ------------------------------------------------------------------------------

CODE_PATTERN = CODE.pattern  # any measure code: letters, digits, . - _ (wiki.domain.markdown)
SLUG_PATTERN = "^[a-z0-9]+(?:-[a-z0-9]+)*$"

STRING = {"type": "string"}
TEXT_OR_NULL = {"type": ["string", "null"]}
INTEGER = {"type": "integer", "minimum": 0}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
MOMENT = {"type": "string", "format": "date-time"}
LINK = {"type": "string", "format": "uri-reference"}
CODES = {"type": "array", "items": STRING}
JSON = "application/json"


def ref(name):
    """Return a reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties, optional=()):
    """Return an object schema; every property is required unless named optional."""
    return {"type": "object", "properties": properties,
            "required": [name for name in properties if name not in optional]}


def schemas():
    """Return the component schemas of every answer, with this programme's words."""
    light = {"enum": [*TRAFFIC_LIGHTS, None]}
    words = vocabulary.current()
    statuses, markings = _enum(words.statuses), _enum(words.markings)
    period = {"type": "string", "pattern": period_pattern(*cleaning.years(), words.report_period)}
    summary = obj({
        "code": STRING, "title": STRING, "field": ref("FieldRef"),
        "obligation": markings, "obligation_label": STRING,
        "status": statuses, "status_label": STRING,
        "delayed": BOOLEAN, "at_risk": BOOLEAN,
        "risk_chain": {"type": ["array", "null"], "items": STRING,
                       "description": "From the late source to this measure; null when not "
                                      "at risk."},
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "planned_start": DATE_OR_NULL, "planned_end": DATE_OR_NULL,
        "actual_start": DATE_OR_NULL, "actual_end": DATE_OR_NULL,
        "requires": CODES, "owner": STRING,
        "contact": {**TEXT_OR_NULL, "description": "Display name of the contact person."},
        "traffic_light": {**light, "description": "Of the newest status report."},
        "traffic_light_label": TEXT_OR_NULL, "report_period": TEXT_OR_NULL,
        "comment_count": {**INTEGER, "description": "Visible comments only."},
        "url": LINK, "api_url": LINK,
    })
    report = obj({
        "id": INTEGER, "measure": STRING, "date": DATE,
        "period": period,
        "status": statuses, "status_label": STRING,
        "traffic_light": {"enum": list(TRAFFIC_LIGHTS)}, "traffic_light_label": STRING,
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "body": {**STRING, "description": "Markdown."},
        "body_html": {**STRING, "description": "Sanitised HTML, rendered when saved."},
        "author": TEXT_OR_NULL, "created": MOMENT, "updated": MOMENT, "version": INTEGER,
        "url": LINK,
    })
    counts = obj({name: INTEGER for name in (*words.status_keys, *DERIVED)})
    round_counts = obj({name: INTEGER for name in ("done", "missing", "not_due")})
    definition = obj({"code": STRING, "label": STRING, "meaning": STRING})
    export_row = obj({
        **{name: summary["properties"][name] for name in (
            "code", "title", "obligation", "obligation_label", "status", "status_label",
            "delayed", "at_risk", "risk_chain", "traffic_light", "traffic_light_label",
            "report_period", "progress", "planned_start", "planned_end", "actual_start",
            "actual_end", "owner", "requires")},
        "field": STRING, "field_title": STRING, "legal_basis": STRING,
        "legal_deadline": DATE_OR_NULL, "url": LINK,
    })
    round_summary = obj({
        "slug": STRING, "title": STRING,
        "period": period, "due_date": DATE,
        "counts": round_counts, "overdue": BOOLEAN, "url": LINK, "council_url": LINK,
        "api_url": LINK,
    })
    return {
        "FieldRef": obj({"code": STRING, "title": STRING}),
        "MeasureSummary": summary,
        "MeasureList": obj({"items": {"type": "array", "items": ref("MeasureSummary")},
                            "count": INTEGER}),
        "MeasureDetail": {"allOf": [ref("MeasureSummary"), obj({
            "legal_basis": STRING, "legal_deadline": DATE_OR_NULL, "tags": CODES,
            "dependents": CODES, "forecast_end": DATE_OR_NULL,
            "body": {**STRING, "description": "Markdown."},
            "body_html": {**STRING, "description": "Sanitised HTML, rendered when saved."},
            "latest_report": {"anyOf": [ref("Report"), {"type": "null"}]},
            "report_count": INTEGER, "revision_count": INTEGER, "updated": MOMENT,
            "file_count": INTEGER,
            "links": obj({name: LINK for name in (
                "page", "history", "reports", "feed", "api_reports", "files", "api_files")}),
        })]},
        "Field": obj({
            "code": STRING, "title": STRING, "summary": STRING, "position": {"type": "integer"},
            "measure_count": INTEGER, "counts": counts, "url": LINK, "api_measures": LINK,
        }),
        "FieldList": obj({"items": {"type": "array", "items": ref("Field")}}),
        "Report": report,
        "File": obj({
            "name": {**STRING, "description": "As uploaded (cleaned); unique in its place "
                                              "without regard to case."},
            "kind": {"enum": list(filetypes.KINDS)},
            "media_type": STRING, "size": {**INTEGER, "description": "Bytes."},
            "version": {"type": "integer", "minimum": 1},
            "width": {"type": ["integer", "null"], "description": "Images only, in pixels."},
            "height": {"type": ["integer", "null"], "description": "Images only, in pixels."},
            "comment": STRING, "author": TEXT_OR_NULL, "created": MOMENT,
            "url": {**LINK, "description": "Downloads the newest version (range requests "
                                            "answered)."},
            "versions_url": LINK,
        }),
        "FileList": obj({"items": {"type": "array", "items": ref("File")}, "count": INTEGER}),
        "ReportPage": obj({
            "items": {"type": "array", "items": ref("Report")},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": INTEGER, "next": {**LINK, "type": ["string", "null"]},
            "previous": {**LINK, "type": ["string", "null"]},
        }),
        "RoundSummary": round_summary,
        "RoundList": obj({"items": {"type": "array", "items": ref("RoundSummary")}}),
        "RoundEntry": obj({
            "code": STRING, "title": STRING, "state": {"enum": ["done", "missing", "not_due"]},
            "not_due_reason": TEXT_OR_NULL, "owner": STRING, "contact": TEXT_OR_NULL,
            "report": {"anyOf": [ref("Report"), {"type": "null"}]}, "url": LINK,
            "api_url": LINK,
        }),
        "RoundDetail": {"allOf": [ref("RoundSummary"), obj({
            "body": STRING, "body_html": STRING, "projects": STRING, "projects_html": STRING,
            "fields": {"type": "array", "items": obj({
                "code": STRING, "title": STRING,
                "entries": {"type": "array", "items": ref("RoundEntry")}})},
        })]},
        "Definition": definition,
        "Definitions": obj({
            **{name: {"type": "array", "items": ref("Definition")}
               for name in ("status", "derived", "traffic_light", "obligation")},
            "page": {"anyOf": [obj({"title": STRING, "text": STRING, "url": LINK}),
                               {"type": "null"}],
                     "description": "The wiki page 'Statusdefinitionen', its text in "
                                    "Markdown."},
        }),
        "ExportRow": export_row,
        "Export": obj({
            "programme": {"anyOf": [obj({"title": STRING, "period_start": DATE,
                                         "period_end": DATE}), {"type": "null"}]},
            "date": DATE, "measures": {"type": "array", "items": ref("ExportRow")},
            "definitions": ref("Definitions"),
        }),
        "Error": obj({"error": obj({
            "status": {"type": "integer"},
            "code": {"type": "string", "description": "English, stable: e.g. "
                                                      "invalid_parameter, not_found."},
            "message": {"type": "string", "description": "German, for people."},
            "parameter": {"type": "string", "description": "The query parameter at fault."},
            "login": {**LINK, "description": "Where to log in (401 only)."},
        }, optional=("parameter", "login"))}),
    }


def _enum(items):
    """Return the schema of a status or marking key, each key's name in the description."""
    return {"enum": [item.key for item in items],
            "description": "; ".join(f"{item.key}: {item.name}" for item in items)}


PERIOD_SUFFIX = {"quarter": "Q[1-4]", "half": "H[12]", "month": "(0[1-9]|1[0-2])"}


def period_pattern(first, last, kind="quarter"):
    """Return the pattern of a report period whose year lies from first to last, by decade."""
    decades = []
    for decade in range(first // 10, last // 10 + 1):
        low, high = max(first, decade * 10) % 10, min(last, decade * 10 + 9) % 10
        decades.append(f"{decade:03d}[{low}-{high}]")
    return f"^({'|'.join(decades)})-{PERIOD_SUFFIX[kind]}$"


def parameters(fields, measures):
    """Return the query and path parameters, the codes of this instance as choices."""
    words = vocabulary.current()
    field_schema = {"type": "string", **({"enum": fields} if fields else {})}
    measure_schema = {"type": "string", **({"enum": measures} if measures else {})}
    return {
        "field": _query("field", field_schema, "Action field code, e.g. HF3."),
        "status": _query("status", {"enum": [*words.status_keys, *DERIVED]},
                        "Status, or a derived state (delayed, at_risk). "
                        + _enum(words.statuses)["description"]),
        "obligation": _query("obligation", {"enum": list(words.marking_keys)},
                             "Marking. " + _enum(words.markings)["description"]),
        "measure": _query("measure", measure_schema, "Measure code in capitals, e.g. M07 or D-03."),
        "period": _query("period", {"type": "string", "pattern": period_pattern(
            *cleaning.years(), words.report_period)},
                        "Reporting period (quarter 2024-Q2, half-year 2024-H1 or month "
                        "2024-05, as the programme reports), within the plausible years "
                        "(DATE_MIN_YEAR–DATE_MAX_YEAR)."),
        "page": _query("page", {"type": "integer", "minimum": 1, "maximum": 100_000,
                               "default": 1}, "Page number."),
        "per_page": _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100,
                                       "default": 20}, "Reports per page."),
        "table": _query("table", {"enum": ["measures", "definitions"], "default": "measures"},
                       "Which table to send."),
        "code": {"name": "code", "in": "path", "required": True,
                 "schema": {"type": "string", "pattern": CODE_PATTERN},
                 "description": "Measure code, e.g. M07 or D-03 (any case)."},
        "slug": {"name": "slug", "in": "path", "required": True,
                 "schema": {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 60},
                 "description": "Round slug, e.g. 2024-q2."},
    }


def _query(name, schema, description):
    """Return an optional query parameter."""
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def _error(description):
    """Return an answer with a JSON error."""
    return {"description": description, "content": {JSON: {"schema": ref("Error")}}}


def responses():
    """Return the shared error and revalidation answers."""
    return {
        "NotModified": {"description": "Unchanged since the ETag sent in If-None-Match."},
        "BadParameter": _error("A query parameter has a value the API does not accept."),
        "LoginRequired": _error("Reading needs a login (setting FAHRPLAN_READ_WITHOUT_LOGIN "
                               "off)."),
        "NotFound": _error("No such measure or round."),
    }


def operation(summary, schema, params=(), media=JSON, not_found=False, download=False):
    """Return a GET operation answering schema (a component name, or a schema) as media."""
    content = {"schema": ref(schema) if isinstance(schema, str) else schema}
    ok = {"description": "Attachment (Content-Disposition)." if download else "OK",
          "content": {media: content}}
    answers = {"200": ok, "304": {"$ref": "#/components/responses/NotModified"}}
    if params:
        answers["400"] = {"$ref": "#/components/responses/BadParameter"}
    answers["401"] = {"$ref": "#/components/responses/LoginRequired"}
    if not_found:
        answers["404"] = {"$ref": "#/components/responses/NotFound"}
    return {"get": {
        "summary": summary,
        "operationId": summary.split(":")[0].lower().replace(" ", "_"),
        "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in params],
        "responses": answers,
    }}


def document(server, fields, measures):
    """Return the OpenAPI document: every path, parameter and answer of the API."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Fahrplan API",
            "version": "1",
            "description": (
                "Read-only JSON API of the strategy programme. It needs the same permissions "
                "as the web pages: when reading without login is off, send the session cookie "
                "of a login (or come through the single sign-on proxy); anonymous requests get "
                "401. Errors are JSON with an English `code` and a German `message`. Labels "
                "(`*_label`) follow the request's language; the open-data export is always "
                "German. Comments are only ever counted, never shown."),
        },
        "servers": [{"url": server}],
        "security": [{}, {"session": []}],
        "paths": {
            "/measures": operation("List measures: metadata and derived state",
                                   "MeasureList", ("field", "status", "obligation")),
            "/measures/{code}": operation("Show measure: details, text and latest report",
                                          "MeasureDetail", ("code",), not_found=True),
            "/measures/{code}/files": operation(
                "List files: a measure's files, newest version each, with download links",
                "FileList", ("code",), not_found=True),
            "/fields": operation("List fields: action fields with counts by status",
                                 "FieldList"),
            "/reports": operation("List reports: newest first, paginated", "ReportPage",
                                  ("measure", "period", "page", "per_page")),
            "/rounds": operation("List rounds: report rounds with counts", "RoundList"),
            "/rounds/{slug}": operation("Show round: each measure done, missing or not due",
                                        "RoundDetail", ("slug",), not_found=True),
            "/openapi.json": operation("Describe API: this document", {"type": "object"}),
            "/export.json": operation("Export JSON: open data with status definitions",
                                      "Export", download=True),
            "/export.csv": operation("Export CSV: semicolons, UTF-8 with BOM",
                                     {"type": "string"}, ("table",), media="text/csv",
                                     download=True),
        },
        "components": {
            "schemas": schemas(),
            "parameters": parameters(fields, measures),
            "responses": responses(),
            "securitySchemes": {"session": {
                "type": "apiKey", "in": "cookie", "name": "session",
                "description": "The web login's session cookie."}},
        },
    }
