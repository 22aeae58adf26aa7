"""Every rule of the URL map with who may use it, real demo objects to fill it, and a snapshot.

The authorisation matrix and the CSRF test both walk this table; a rule missing from ACCESS
fails them, so a new route must be classified here before it can be merged.
"""
import base64
import io
import zlib
from dataclasses import dataclass

import peewee

from tests import file_samples
from wiki.db import db
from wiki.domain import files
from wiki.models import (
    MODELS,
    Comment,
    CommentVersion,
    Measure,
    Notification,
    Page,
    ReportRound,
    StatusReport,
    User,
)

# Who may use an endpoint: public (everyone, even with reading closed), read (everyone while
# reading is open), account (any logged-in user), edit, admin; author: the comment's author or
# an admin; own_author: the comment's author only; recipient: the notification's user only.
ACCESS = {
    "overview.index": "read", "overview.accessibility": "public", "overview.architecture": "read",
    "overview.timeline": "read", "overview.dependencies": "read",
    "overview.measure_table": "read", "overview.markings_css": "public", "static": "public",
    "auth.login": "public", "auth.logout": "read", "auth.password": "account",
    "privacy.account": "account", "privacy.data": "account", "privacy.pseudonymise": "admin",
    "admin.index": "admin", "admin.audit_log": "admin", "admin.fields": "admin",
    "admin.field_create": "admin", "admin.field_edit": "admin", "admin.field_delete": "admin",
    "admin.rounds": "admin", "admin.settings": "admin",
    "admin.vocabulary_edit": "admin", "admin.setup": "admin", "admin.users": "admin",
    "admin.user": "admin", "admin.user_create": "admin", "admin.user_disable": "admin",
    "admin.user_enable": "admin", "admin.user_password": "admin", "admin.user_role": "admin",
    "admin.sheet_import_form": "admin", "admin.sheet_import_apply": "admin",
    "admin.sheet_template": "admin", "admin.files_overview": "admin",
    "admin.file_undelete": "admin", "admin.file_purge": "admin",
    "api.export_csv": "read", "api.export_json": "read", "api.field_list": "read",
    "api.measure_list": "read", "api.measure_detail": "read", "api.openapi_document": "read",
    "api.file_list": "read",
    "api.report_list": "read", "api.round_list": "read", "api.round_detail": "read",
    "embed.calendar": "read", "embed.changes": "read", "embed.fields": "read",
    "embed.milestones": "read",
    "feeds.programme": "read", "feeds.field": "read", "feeds.measure": "read",
    "comments.show": "read", "comments.versions": "read", "comments.new": "edit",
    "comments.create": "edit", "comments.edit": "author", "comments.delete": "own_author",
    "comments.hide": "admin", "comments.unhide": "admin",
    "measures.view": "read", "measures.create": "edit", "measures.edit": "edit",
    "history.measures_history": "read", "history.measures_diff": "read",
    "history.measures_revision": "read", "history.measures_restore": "edit",
    "reports.index": "read", "reports.create": "edit", "reports.edit": "edit",
    "reports.history": "read", "reports.version": "read", "reports.diff": "read",
    "pages.index": "read", "pages.wanted": "read", "pages.view": "read", "pages.create": "edit",
    "pages.edit": "edit", "history.pages_history": "read", "history.pages_diff": "read",
    "history.pages_revision": "read", "history.pages_restore": "edit",
    "editing.preview": "edit", "editing.presence": "edit", "editing.leave": "edit",
    "notifications.index": "account", "notifications.read_all": "account",
    "notifications.read_one": "recipient", "notifications.watch_field": "account",
    "notifications.watch_measure": "account",
    "rounds.index": "read", "rounds.view": "read", "rounds.council": "read",
    "rounds.council_markdown": "read", "rounds.table": "read", "rounds.create": "admin",
    "rounds.edit": "admin",
    "search.index": "read",
    "files.listing": "read", "files.upload": "edit", "files.download": "read",
    "files.version": "read", "files.history": "read", "files.restore": "edit",
    "files.delete": "edit", "files.variant": "read",
}
# Endpoints whose objects belong to someone: they are tried on an own and a foreign object.
OWNED = {"comments.show", "comments.versions", "comments.edit", "comments.delete",
         "comments.hide", "comments.unhide", "notifications.read_one"}
# Query strings some GET routes need to show something rather than a 400.
QUERIES = {"history.measures_diff": "?from=1&to=1", "history.pages_diff": "?from=1&to=1",
           "reports.diff": "?from=1&to=1", "search.index": "?q=Serviceportal"}
# Forms that an allowed user's request would save: a refused one must still change nothing.
FORMS = {
    "comments.create": {"body": "Eingeschleust"},
    "comments.edit": {"body": "Eingeschleust", "base_revision": "1"},
    "pages.create": {"title": "Eingeschleust", "body": "Eingeschleust"},
    "pages.edit": {"title": "Leitbild", "body": "Eingeschleust", "base_revision": "1"},
    "notifications.watch_measure": {"watch": "1"}, "notifications.watch_field": {"watch": "1"},
    "admin.user_role": {"role": "admin"},
    "admin.field_create": {"code": "HF9", "title": "Eingeschleust", "position": "9"},
    "rounds.create": {"title": "Eingeschleust", "period": "2030-Q1", "due_date": "2030-04-15"},
    "editing.presence": {}, "editing.leave": {},
    "admin.sheet_import_apply": {"sheet": base64.urlsafe_b64encode(zlib.compress(
        "Kürzel,Titel,Handlungsfeld\r\nM99,Eingeschleust,HF1\r\n".encode())).decode(),
        "column-0": "code", "column-1": "title", "column-2": "field", "action": "apply"},
}
FILE = "plan.pdf"  # a file on the demo measure and page the file routes are tried with
IMAGE, IMAGE_SIZE = "bild.png", (40, 30)  # an image there, for its variants (one: 40 wide)
FOREIGN_USER = "k.becker"  # a demo editor who wrote comments
VICTIM = "t.schmitz"  # the demo account the admin routes act on


@dataclass
class Objects:
    """Real objects of the demo to fill rule arguments with; own ones belong to the tester."""

    measure: str
    field: str
    page: str
    round: str
    report: int
    victim: User
    foreign_comment: int
    foreign_notification: int
    file: int = 0  # a FILE (not deleted: the admin's purge and undelete answer 404)
    own_comment: int | None = None
    own_notification: int | None = None


def demo_objects(user=None):
    """Pick demo objects, and give user (when logged in) a comment and a notification."""
    measure = Measure.select().join(Page).where(Page.slug == "m01").get()
    foreign = User.by_name(FOREIGN_USER)
    found = Objects(
        measure="M01", field="HF1", page=Page.get(Page.kind == "page").slug,
        round=ReportRound.select().order_by(ReportRound.slug).first().slug,
        report=StatusReport.of(measure).first().id, victim=User.by_name(VICTIM),
        foreign_comment=Comment.get(Comment.author == foreign).id,
        foreign_notification=_notification(foreign, Comment.get(Comment.author == foreign)).id)
    for page in (measure.page, Page.get(Page.slug == found.page)):
        found.file = files.save(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), FILE, "pdf", foreign,
                                page=page).file_id
        files.save(io.BytesIO(file_samples.png(*IMAGE_SIZE)), IMAGE, "png", foreign, page=page,
                   size=IMAGE_SIZE)
    if user is not None:
        comment = _comment(user, measure)
        found.own_comment = comment.id
        found.own_notification = _notification(user, comment).id
    return found


def _comment(user, measure):
    """Write a comment by user on measure, with its first version."""
    with db.atomic():
        comment = Comment.create(measure=measure, author=user, body="Eigener Kommentar",
                                 html="<p>Eigener Kommentar</p>")
        CommentVersion.create(comment=comment, number=1, body=comment.body, html=comment.html,
                              author=user)
    return comment


def _notification(user, comment):
    """Give user an unread notification about a comment."""
    return Notification.create(user=user, kind="comment", measure=comment.measure_id,
                               comment=comment, mail="skipped")


def arguments(rule, objects, owner):
    """Return values for every argument of a rule; owner picks the own or the foreign object."""
    comment = objects.own_comment if owner == "own" else objects.foreign_comment
    notification = objects.own_notification if owner == "own" else objects.foreign_notification
    values = {"code": objects.measure, "slug": objects.page, "report_id": objects.report,
              "number": 1, "comment_id": comment, "notification_id": notification,
              "user_id": objects.victim.id, "username": objects.victim.username,
              "kind": "reports", "filename": "style.css", "name": FILE,
              "width": IMAGE_SIZE[0], "file_id": objects.file}
    if rule.endpoint.startswith(("admin.field", "feeds.field", "notifications.watch_field")):
        values["code"] = objects.field
    if rule.endpoint.startswith(("rounds.", "api.round")):
        values["slug"] = objects.round
    if rule.endpoint == "files.variant":
        values["name"] = IMAGE
    return {name: values[name] for name in rule.arguments}


def path(app, rule, objects, owner="foreign"):
    """Return the URL path of a rule filled with real objects, plus any query it needs."""
    with app.test_request_context():
        built = app.url_map.bind("localhost").build(
            rule.endpoint, arguments(rule, objects, owner), append_unknown=False)
    return built + QUERIES.get(rule.endpoint, "")


def rules(app):
    """Return the app's rules, sorted so that a run is repeatable."""
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def snapshot():
    """Return every row of every table (and the search index): what a request could change."""
    state = {}
    for model in MODELS:
        order = model._meta.primary_key or peewee.SQL("1")
        state[model._meta.table_name] = list(model.select().order_by(order).tuples())
    state["search_index"] = list(db.execute_sql(
        "SELECT key, kind, url, field, title, body FROM search_index ORDER BY key").fetchall())
    return state

