"""Comments on measures: posted inline, edited with versions, deleted softly, hidden by admins."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wiki import audit
from wiki.db import db, utcnow
from wiki.domain import cleaning, editing, merge, notifications, revisions, search
from wiki.models import Comment, CommentVersion, Measure, StatusReport
from wiki.security import can, htmx, require

bp = Blueprint("comments", __name__)

MAX_LENGTH = 10_000


@bp.app_template_global("may_edit_comment")
def may_edit(comment):
    """Tell whether the current user may edit a comment: its author, or an admin."""
    return can("edit") and (_is_author(comment) or can("admin"))


@bp.app_template_global("may_delete_comment")
def may_delete(comment):
    """Tell whether the current user may delete a comment: only its author (admins hide)."""
    return can("edit") and _is_author(comment)


def _is_author(comment):
    """Tell whether the current user wrote the comment."""
    return current_user.is_authenticated and comment.author_id == current_user.id


def get_comment_or_404(comment_id):
    """Return a comment the current user may see (hidden ones: admins only) or abort with 404."""
    comment = Comment.get_or_none(Comment.id == comment_id)
    if comment is None or (comment.hidden and not can("admin")):
        abort(404)
    return comment


@bp.route("/measures/<code>/comments/new")
@require("edit")
def new(code):
    """Show the comment form, a status report preselected with ?report= (htmx: the form alone)."""
    measure = Measure.by_code_or_404(code)
    form = {"body": "", "report": request.args.get("report", ""), "errors": {}, "focus": True}
    template = "comments/_form.html" if htmx else "comments/new.html"
    return render_template(template, measure=measure, reports=list(StatusReport.of(measure)),
                           comment_form=form)


@bp.route("/measures/<code>/comments", methods=["POST"])
@require("edit")
def create(code):
    """Post a comment; htmx gets the thread back, a plain form a redirect to the new comment."""
    measure = Measure.by_code_or_404(code)
    reports = list(StatusReport.of(measure))
    form = {"body": revisions.normalise_body(request.form.get("body")),
            "report": request.form.get("report", "").strip()}
    errors = _body_errors(form["body"])
    report = _chosen_report(form["report"], reports, errors)
    if errors:
        form.update(errors=errors, focus=True)
        template = "comments/_thread.html" if htmx else "comments/new.html"
        return render_template(template, **_thread(measure, reports), comment_form=form), 400
    comment = _post(measure, report, form["body"])
    if htmx:
        return render_template("comments/_thread.html", **_thread(measure, reports),
                               new_comment_id=comment.id, announce=_("Kommentar veröffentlicht."))
    flash(_("Kommentar veröffentlicht."), "success")
    return _to_thread(measure, comment)


@bp.route("/comments/<id:comment_id>")
def show(comment_id):
    """Show one comment: alone for htmx (an edit cancelled), else at its place in the thread."""
    comment = get_comment_or_404(comment_id)
    if htmx:
        return _one(comment)
    return _to_thread(_measure_of(comment), comment)


@bp.route("/comments/<id:comment_id>/versions")
def versions(comment_id):
    """List every version of a comment, newest first."""
    comment = get_comment_or_404(comment_id)
    if comment.deleted:
        abort(404)
    return render_template("comments/versions.html", comment=comment,
                           measure=_measure_of(comment),
                           versions=list(CommentVersion.of(comment)))


@bp.route("/comments/<id:comment_id>/edit", methods=["GET", "POST"])
@require("edit")
def edit(comment_id):
    """Show a comment's edit form, or save a new version (409 when another was saved since)."""
    comment = get_comment_or_404(comment_id)
    if not may_edit(comment):
        abort(403)
    if request.method == "GET":
        if comment.deleted:
            abort(404)
        return _edit_form(comment, comment.body, comment.version)
    body = revisions.normalise_body(request.form.get("body"))
    base = editing.base_number(request.form)
    if comment.deleted:
        gone = _("Dieser Kommentar wurde inzwischen gelöscht und kann nicht mehr gespeichert "
                 "werden. Ihr Text ist unten erhalten.")
        return _edit_form(comment, body, base, errors={"body": gone}, gone=True), 409
    errors = _body_errors(body)
    if errors:
        return _edit_form(comment, body, base, errors=errors), 400
    if base != comment.version or (body != comment.body and not _revise(comment, body, base)):
        return _conflict(Comment.get_by_id(comment.id), base, body)
    return _changed(comment, _("Kommentar gespeichert."))


@bp.route("/comments/<id:comment_id>/delete", methods=["GET", "POST"])
@require("edit")
def delete(comment_id):
    """Ask whether to delete one's own comment (GET), or delete it softly (POST)."""
    comment = get_comment_or_404(comment_id)
    if not may_delete(comment):
        abort(403)
    if comment.deleted:
        abort(404)
    if request.method == "GET":
        template = "comments/_confirm.html" if htmx else "comments/delete.html"
        return render_template(template, comment=comment, measure=_measure_of(comment),
                               focus=True)
    _flag(comment, deleted=True)
    return _changed(comment, _("Kommentar gelöscht."))


@bp.route("/comments/<id:comment_id>/hide", methods=["POST"])
@require("admin")
def hide(comment_id):
    """Hide a comment from everyone but admins (it leaves the search index)."""
    comment = get_comment_or_404(comment_id)
    _flag(comment, hidden=True)
    audit.record("comment.hide", f"comment/{comment.id}")
    return _changed(comment, _("Kommentar ausgeblendet."))


@bp.route("/comments/<id:comment_id>/unhide", methods=["POST"])
@require("admin")
def unhide(comment_id):
    """Show a hidden comment again."""
    comment = get_comment_or_404(comment_id)
    _flag(comment, hidden=False)
    audit.record("comment.unhide", f"comment/{comment.id}")
    return _changed(comment, _("Kommentar wieder eingeblendet."))


def _body_errors(body):
    """Return {"body": message} for an empty, overlong or too costly comment text."""
    if not body.strip():
        return {"body": _("Bitte geben Sie einen Text ein: Das Feld „Kommentar“ ist leer.")}
    if len(body) > MAX_LENGTH:
        return {"body": _("Das Feld „Kommentar“ ist zu lang (höchstens %(max)d Zeichen).",
                          max=MAX_LENGTH)}
    try:
        cleaning.markdown_text(body, _("Kommentar"))
    except cleaning.Refused as error:
        return {"body": str(error)}
    return {}


def _chosen_report(value, reports, errors):
    """Return the chosen status report of this measure (None: no reference); note a wrong one."""
    if not value:
        return None
    report = next((r for r in reports if str(r.id) == value), None)
    if report is None:
        errors["report"] = _("Im Feld „Bezug“ ist kein Sachstandsbericht dieser Maßnahme "
                             "gewählt. Bitte wählen Sie einen aus der Liste.")
    return report


def _post(measure, report, body):
    """Save a new comment with its first version and put it into the search index."""
    html = str(revisions.render(body))
    with db.atomic():
        comment = Comment.create(measure=measure, report=report, author=current_user.id,
                                 body=body, html=html)
        CommentVersion.create(comment=comment, number=1, body=body, html=html,
                              author=current_user.id)
        search.index_comment(comment, measure)
        notifications.comment_posted(comment)
    return comment


def _revise(comment, body, base):
    """Save a comment's new text as version base + 1; False when base is no longer current."""
    html = str(revisions.render(body))
    with db.atomic():
        # Only the edit that still holds the current version may write: no lost update.
        changed = (Comment.update(body=body, html=html, version=base + 1, updated=utcnow())
                   .where((Comment.id == comment.id) & (Comment.version == base))
                   .execute())
        if not changed:
            return False
        CommentVersion.create(comment=comment, number=base + 1, body=body, html=html,
                              author=current_user.id)
        search.index_comment(Comment.get_by_id(comment.id), _measure_of(comment))
    return True


def _flag(comment, **flags):
    """Set a comment's deleted or hidden flag and bring the search index up to date."""
    with db.atomic():
        Comment.update(**flags).where(Comment.id == comment.id).execute()
        search.index_comment(Comment.get_by_id(comment.id), _measure_of(comment))


def _conflict(comment, base, body):
    """Answer an edit against an older version: 409, the text merged where clean, else kept."""
    start = CommentVersion.numbered(comment, base)
    merged = merge.merge_text(start.body if start else "", body, comment.body)
    since = list(CommentVersion.of(comment).where(CommentVersion.number > base))
    conflict = {"clean": merged.clean, "since": since}
    text = merged.text() if merged.clean else body
    return _edit_form(comment, text, comment.version, conflict=conflict), 409


def _edit_form(comment, body, base, errors=None, **extra):
    """Render the edit form: alone for htmx, else as a page."""
    template = "comments/_edit.html" if htmx else "comments/edit.html"
    return render_template(template, comment=comment, measure=_measure_of(comment), body=body,
                           base=base, errors=errors or {}, **extra)


def _changed(comment, message):
    """Answer a change: htmx gets the comment again, focused and announced; else a redirect."""
    comment = Comment.get_by_id(comment.id)
    if htmx:
        return _one(comment, announce=message)
    flash(message, "success")
    return _to_thread(_measure_of(comment), comment)


def _one(comment, announce=None):
    """Render one comment of the thread alone, to be swapped into its list item."""
    reports = {comment.report_id: comment.report} if comment.report_id else {}
    return render_template("comments/_comment.html", comment=comment,
                           measure=_measure_of(comment), reports_by_id=reports,
                           new_comment_id=comment.id, announce=announce)


def _thread(measure, reports):
    """Return the context of a measure's comment thread."""
    return {"measure": measure, "comments": list(Comment.thread(measure)), "reports": reports,
            "reports_by_id": {report.id: report for report in reports}}


def _measure_of(comment):
    """Return a comment's measure with its page and action field."""
    return Measure.listing().where(Measure.id == comment.measure_id).get()


def _to_thread(measure, comment):
    """Redirect to a comment at its place on the measure page."""
    return redirect(url_for("measures.view", code=measure.code, _anchor=f"comment-{comment.id}"))
