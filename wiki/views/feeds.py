"""Atom feeds (RFC 4287) of new status reports and changes: programme, action field, measure."""
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from wiki.domain.characters import xml_text
from wiki.domain.labels import TRAFFIC_LIGHT_LABELS, show_quarter
from wiki.models import (
    ActionField,
    Comment,
    FileVersion,
    Measure,
    Page,
    Revision,
    StatusReport,
    Strategy,
)

bp = Blueprint("feeds", __name__, url_prefix="/feeds")
KIND = "<any(reports, changes):kind>"
LIMIT = 50
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
# A tag URI names a date on which its authority owned the host name. Reports, revisions and
# comments use the day they were created; a feed itself has no such day, so it uses this one.
FEED_DAY = "2026-01-01"


@dataclass
class Scope:
    """What a feed covers: the programme, one action field or one measure."""

    name: str | None  # None: the programme, named by the strategy's title
    key: str  # names the feed in its tag URI; row ids, which neither renames nor edits change
    alternate: str
    field: ActionField | None = None
    measure: Measure | None = None


@dataclass
class Entry:
    """One entry of a feed; kind ("report", "revision", "comment", "file") picks its content
    template."""

    kind: str
    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    author: str | None
    row: object


@bp.app_template_filter("rfc3339")
def rfc3339(value):
    """Return a stored (naive UTC) timestamp as an RFC 3339 date-time: 2026-09-29T08:00:00Z."""
    # isoformat() writes four-digit years where strftime("%Y") writes "1" for the year 1.
    return value.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def tag_uri(day, specific):
    """Return a tag URI (RFC 4151) on this host, without its port: tag:host,day:specific.

    day: a date as text, or the timestamp of when the thing was made.
    """
    host = urlsplit(f"//{request.host}").hostname or "localhost"
    day = day if isinstance(day, str) else day.date().isoformat()
    return f"tag:{host},{day}:{specific}"


@bp.route(f"/{KIND}.atom")
def programme(kind):
    """Serve the feed of the whole programme."""
    scope = Scope(None, "programme", url_for("overview.index", _external=True))
    return _feed(kind, scope, url_for(".programme", kind=kind, _external=True))


@bp.route(f"/fields/<code>/{KIND}.atom")
def field(code, kind):
    """Serve the feed of one action field's measures."""
    field = ActionField.by_code_or_404(code)
    scope = Scope(f"{field.code} {field.title}", f"field/{field.id}",
                  url_for("overview.architecture", _anchor=f"field-{field.code}",
                          _external=True), field=field)
    return _feed(kind, scope, url_for(".field", code=field.code, kind=kind, _external=True))


@bp.route(f"/measures/<code>/{KIND}.atom")
def measure(code, kind):
    """Serve the feed of one measure."""
    measure = Measure.by_code_or_404(code)
    scope = Scope(f"{measure.code} {measure.title}", f"measure/{measure.id}",
                  url_for("measures.view", code=measure.code, _external=True), measure=measure)
    return _feed(kind, scope, url_for(".measure", code=measure.code, kind=kind, _external=True))


def _feed(kind, scope, self_url):
    """Render a feed of reports or changes for a scope as an Atom document."""
    strategy = Strategy.current()
    author = strategy.title if strategy else "Fahrplan"
    entries = reports(scope) if kind == "reports" else changes(scope)
    titles = {"reports": _("Sachstandsberichte"), "changes": _("Änderungen")}
    # Stored text may hold controls that XML forbids anywhere, even as &#1;: one bad comment
    # would make the whole feed unreadable for every subscriber, so the document drops them.
    body = xml_text(render_template(
        "feeds/feed.xml", scope=scope, entries=entries, self_url=self_url,
        feed_id=tag_uri(FEED_DAY, f"feed/{scope.key}/{kind}"),
        title=f"{scope.name or author}: {titles[kind]}", author=author,
        updated=max((entry.updated for entry in entries), default=None) or _created(scope)))
    return body, 200, {"Content-Type": CONTENT_TYPE}


def _created(scope):
    """Return when the scope came to be: the feed's time while it has no entries."""
    if scope.measure is not None:
        return scope.measure.page.created
    return Page.first_created() or datetime.fromisoformat(FEED_DAY)


def _narrow(query, scope):
    """Restrict a query that joins Measure to the scope's field or measure."""
    if scope.measure is not None:
        return query.where(Measure.id == scope.measure.id)
    if scope.field is not None:
        return query.where(Measure.field == scope.field.id)
    return query


def _name(user):
    """Return a user's display name, or None for no user."""
    return user.display_name if user else None


def reports(scope):
    """Return the newest status reports of a scope as entries."""
    return [Entry(
        "report", tag_uri(report.created, f"report/{report.id}"),
        _("%(code)s %(title)s – %(period)s (Ampel %(light)s)", code=report.measure.code,
          title=report.measure.page.title, period=show_quarter(report.period),
          light=TRAFFIC_LIGHT_LABELS.get(report.traffic_light, report.traffic_light)),
        url_for("measures.view", code=report.measure.code, _anchor=f"report-{report.id}",
                _external=True),
        report.created, report.updated, _name(report.author), report)
        for report in _narrow(StatusReport.newest(), scope).limit(LIMIT)]


def changes(scope):
    """Return the newest revisions, visible comments and file uploads of a scope as entries,
    newest first."""
    entries = [_revision_entry(r) for r in _narrow(Revision.newest(), scope).limit(LIMIT)]
    entries += [_comment_entry(c) for c in _narrow(Comment.newest_visible(), scope).limit(LIMIT)]
    entries += [_file_entry(v) for v in _narrow(FileVersion.newest(), scope).limit(LIMIT)]
    return sorted(entries, key=lambda entry: entry.published, reverse=True)[:LIMIT]


def _revision_entry(revision):
    """Return a revision of a measure or page as an entry linking to its diff."""
    page, measure = revision.page, revision.page.measure
    name = f"{measure.code} {revision.title}" if measure else revision.title
    key = {"code": measure.code} if measure else {"slug": page.slug}
    prefix = "measures" if measure else "pages"
    if revision.number == 1:
        title = _("%(name)s angelegt", name=name)
        link = url_for(f"{prefix}.view", **key, _external=True)
    else:
        title = _("%(name)s: Version %(number)d", name=name, number=revision.number)
        link = url_for(f"history.{prefix}_diff", **key, _external=True,
                       **{"from": revision.number - 1, "to": revision.number})
    return Entry("revision", tag_uri(revision.created, f"revision/{revision.id}"),
                 title, link, revision.created, revision.created, _name(revision.author),
                 revision)


def _comment_entry(comment):
    """Return a visible comment as an entry linking to it on its measure's page."""
    author = _name(comment.author)
    measure = comment.measure
    return Entry(
        "comment", tag_uri(comment.created, f"comment/{comment.id}"),
        _("Kommentar von %(name)s zu %(code)s %(title)s", name=author or _("Unbekannt"),
          code=measure.code, title=measure.page.title),
        url_for("measures.view", code=measure.code, _anchor=f"comment-{comment.id}",
                _external=True),
        comment.created, comment.updated, author, comment)


def _file_entry(version):
    """Return an uploaded (or restored) file version as an entry linking to the file's versions."""
    stored = version.file
    page, measure = stored.page, stored.page.measure
    name = f"{measure.code} {page.title}" if measure else page.title
    key = {"code": measure.code} if measure else {"slug": page.slug}
    if version.number == 1:
        title = _("Datei hinzugefügt: %(file)s zu %(name)s", file=stored.name, name=name)
    else:
        title = _("Neue Version %(number)d von %(file)s zu %(name)s", number=version.number,
                  file=stored.name, name=name)
    return Entry("file", tag_uri(version.created, f"file/{version.id}"), title,
                 url_for("files.history", name=stored.name, **key, _external=True),
                 version.created, version.created, _name(version.author), version)
