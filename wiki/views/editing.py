"""The editor's helpers over htmx: the live preview and who else has an edit form open."""
from flask import Blueprint, abort, redirect, render_template, request
from flask_login import current_user

from wiki.domain import markdown, revisions
from wiki.models import EditPresence, Page
from wiki.security import require, safe_next

bp = Blueprint("editing", __name__)
SLUG_LIMIT = 120


@bp.route("/preview", methods=["POST"])
@require("edit")
def preview():
    """Render the posted body as it would be saved (the htmx live preview), or say why not.

    A refused text answers 200 all the same: htmx swaps only successful answers into #preview.
    """
    body = request.form.get("body", "")
    slug = request.form.get("page", "")
    # The page whose files `datei:` names mean (wiki/fileembeds.py); a slug is at most 120 long.
    page = Page.get_or_none(Page.slug == slug) if 0 < len(slug) <= SLUG_LIMIT else None
    try:
        markdown.check_source(body)
    except ValueError as problem:
        return render_template("edit/_preview.html", problem=problem)
    return render_template("edit/_preview.html", preview=revisions.render(body),
                           files_page=page)


@bp.route("/presence/<slug>/leave", methods=["POST"])
@require("edit")
def leave(slug):
    """Forget that the current user has this page's edit form open: they cancelled, or closed
    the tab (app.js sends a beacon). A form goes on to `next`, a beacon or htmx gets 204."""
    page = Page.get_or_none(Page.slug == slug) if len(slug) <= SLUG_LIMIT else None
    if page is not None:
        EditPresence.leave(page, current_user.id)
    if "next" not in request.args:
        return "", 204
    return redirect(safe_next(request.args["next"]), 303)


@bp.route("/presence/<slug>", methods=["POST"])
@require("edit")
def presence(slug):
    """Note that the current user still has this page's edit form open; list the others."""
    page = Page.get_or_none(Page.slug == slug)
    if page is None:
        abort(404)
    EditPresence.touch(page, current_user.id)
    return render_template("edit/_presence.html", editors=list(
        EditPresence.others(page, current_user.id)))
