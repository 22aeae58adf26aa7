"""Embeds for the intranet start page (server-rendered fragments) and the iCalendar feed.

An embed is a small page of its own for an iframe (framed only by EMBED_FRAME_ORIGINS: CSP
frame-ancestors; wiki.security sends no X-Frame-Options here), or with ?fragment=1 the bare
HTML fragment for a host page that includes it. Links are absolute and open in the top window.
"""
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _

from wiki.domain import dashboard, programme, vocabulary
from wiki.domain.characters import content_line, one_line, printable
from wiki.domain.labels import show_date, show_quarter
from wiki.models import ActionField, Measure, ReportRound, Strategy
from wiki.security import htmx

bp = Blueprint("embed", __name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"
LINE_OCTETS = 75  # RFC 5545 3.1: content lines are folded after at most 75 octets


@bp.after_request
def _headers(response):
    """Vary on what picks the fragment; let the configured origins fetch an embed's HTML."""
    response.vary.update(["HX-Request", "Origin"])
    origin = request.headers.get("Origin")
    if origin and origin in current_app.config["EMBED_FRAME_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response


@bp.route("/embed/fields")
def fields():
    """Show each action field's measures counted by status."""
    context = programme.state()
    rows, total = dashboard.field_rows(context)
    return _embed("fields", _("Stand nach Handlungsfeldern"), "overview/_dashboard_fields.html",
                  ("overview.architecture", _("Zur Architektur")), context["today"],
                  rows=rows, total=total)


@bp.route("/embed/changes")
def changes():
    """Show the newest status reports, revisions and comments together."""
    found = dashboard.changes(current_app.config["EMBED_CHANGES"])
    return _embed("changes", _("Neueste Änderungen"), "embed/_changes.html",
                  ("overview.index", _("Zum Fahrplan")), programme.today(), changes=found)


@bp.route("/embed/milestones")
def milestones():
    """Show the pending milestones up to the end of the next quarter (?field= for one field)."""
    field, today = _field(), programme.today()
    found = dashboard.milestones(_measures(field), ReportRound.newest_first())
    title = _("Termine bis zum %(date)s", date=show_date(dashboard.horizon(today)))
    if field is not None:
        title = f"{title}: {field.code} {field.title}"
    return _embed("milestones", title, "overview/_dashboard_milestones.html",
                  ("overview.timeline", _("Zum Zeitplan")), today,
                  milestones=dashboard.upcoming(found, today), horizon=dashboard.horizon(today))


def _embed(name, title, content, source, today, **values):
    """Render an embed: the bare fragment for ?fragment=1 (or htmx), else its own small page."""
    fragment = request.args.get("fragment") == "1" or bool(htmx)
    return render_template("embed/_fragment.html" if fragment else "embed/page.html",
                           name=name, title=title, content=content, source=source[0],
                           source_label=source[1], today=today, level=2 if fragment else 1,
                           embed=True, dashboard=values)


def _field():
    """Return the action field named by ?field=, None without one, or abort with 404."""
    code = request.args.get("field", "").strip()
    return ActionField.by_code_or_404(code) if code else None


def _measures(field):
    """Return the measures of one action field, or all of them."""
    return list(Measure.in_field(field) if field is not None else Measure.listing())


# --- iCalendar (RFC 5545), written by hand -----------------------------------------------------

@bp.route("/calendar.ics")
def calendar():
    """Serve planned starts and ends, legal deadlines and round due dates (?field= for one)."""
    field = _field()
    strategy = Strategy.current()
    name = strategy.title if strategy else "Fahrplan"
    if field is not None:
        name = f"{name}: {field.code} {field.title}"
    name = ical_text(one_line(name))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Fahrplan//Termine//DE",
             "CALSCALE:GREGORIAN", f"NAME:{name}", f"X-WR-CALNAME:{name}",
             "REFRESH-INTERVAL;VALUE=DURATION:PT12H"]
    host = urlsplit(f"//{request.host}").hostname or "localhost"
    for milestone in dashboard.milestones(_measures(field), ReportRound.newest_first()):
        lines += _event(milestone, host)
    lines.append("END:VCALENDAR")
    body = "".join(fold(line) + "\r\n" for line in lines)
    return body, 200, {"Content-Type": CALENDAR_TYPE,
                       "Content-Disposition": 'inline; filename="fahrplan.ics"'}


def _event(milestone, host):
    """Return the content lines of one all-day event."""
    measure, round_ = milestone.measure, milestone.round
    if round_ is not None:
        summary = f"{milestone.label}: {round_.title}"
        details = [_("Berichtszeitraum: %(period)s", period=show_quarter(round_.period))]
        url, stamp, category = (url_for("rounds.view", slug=round_.slug, _external=True),
                                round_.created, _("Berichtsrunde"))
    else:
        summary = f"{milestone.label}: {measure.code} {measure.title}"
        details = [_("Handlungsfeld: %(code)s %(title)s", code=measure.field.code,
                     title=measure.field.title),
                   _("Status: %(status)s", status=vocabulary.status_label(measure.status)),
                   _("Verantwortlich: %(owner)s", owner=measure.owner or "–")]
        if milestone.kind == "deadline":
            details.insert(0, _("Frist: %(date)s", date=show_date(milestone.day))
                           + (f" ({measure.legal_basis})" if measure.legal_basis else ""))
        url, stamp, category = (url_for("measures.view", code=measure.code, _external=True),
                                measure.page.updated, measure.field.code)
    return ["BEGIN:VEVENT",
            f"UID:{milestone.key}@{host}",
            f"DTSTAMP:{ical_date(stamp)}T{stamp:%H%M%S}Z",
            f"DTSTART;VALUE=DATE:{ical_date(milestone.day)}",
            # An all-day event ends the next day; 9999-12-31 has none, and without DTEND an
            # all-day event lasts one day (RFC 5545 3.6.1).
            *([f"DTEND;VALUE=DATE:{ical_date(milestone.day + timedelta(days=1))}"]
              if milestone.day < date.max else []),
            f"SUMMARY:{ical_text(one_line(summary))}",  # titles are single lines
            f"DESCRIPTION:{ical_text(chr(10).join(details))}",
            f"CATEGORIES:{ical_text(one_line(category))}",
            f"URL:{url}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT"]


def ical_date(day):
    """Return a date as iCalendar writes it, with four digits for any year: 00010101."""
    return day.isoformat()[:10].replace("-", "")


def ical_text(value):
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma, line breaks."""
    return (printable(str(value)).replace("\\", "\\\\").replace(";", "\\;")
            .replace(",", "\\,").replace("\n", "\\n"))


def fold(line):
    """Fold a content line into parts of at most 75 octets, never inside a UTF-8 character.

    A control character left in a value that is no TEXT (a code in UID) is dropped: a line
    break there would start a property of its own.
    """
    parts, part, size = [], "", 0
    for char in content_line(line):
        octets = len(char.encode())
        limit = LINE_OCTETS if not parts else LINE_OCTETS - 1  # a continuation starts with " "
        if size + octets > limit:
            parts.append(part)
            part, size = "", 0
        part += char
        size += octets
    parts.append(part)
    return "\r\n ".join(parts)
