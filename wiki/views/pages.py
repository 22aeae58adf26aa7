"""Wiki pages: the list of pages, the page view, the editor and the wanted pages."""
import re

import peewee
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wiki.caching import pagecache
from wiki.db import db
from wiki.domain import cleaning, editing, revisions
from wiki.domain.markdown import WIKI_LINK
from wiki.models import EditPresence, Measure, Page, PageAlias, PageLink
from wiki.security import require

bp = Blueprint("pages", __name__, url_prefix="/pages")
TITLE_LIMIT = 300
RESERVED = {"new", "wanted"}  # slugs of this blueprint's own routes


@bp.route("/")
@pagecache.kept
def index():
    """List the wiki pages by title."""
    return render_template("pages/index.html", pages=list(Page.wiki_pages()))


@bp.route("/wanted")
def wanted():
    """List the link targets that have no page yet, with the pages linking to them."""
    missing = (PageLink.select(PageLink.target, Page)
               .join(Page, on=(PageLink.source == Page.id))
               .where(PageLink.target.not_in(Page.select(Page.slug))
                      & PageLink.target.not_in(PageAlias.select(PageAlias.slug)))
               .order_by(PageLink.target, Page.title))
    targets = {}
    for link in missing:
        targets.setdefault(link.target, []).append(link.source)
    # A missing target is recorded under both slugs it may take (a measure's and a page's).
    wanted = {}
    for slug, sources in targets.items():
        title = _title_of(slug, sources[0])
        known = wanted.setdefault(title, [])
        known += [source for source in sources if source not in known]
    return render_template("pages/wanted.html", targets=[
        (title, sources, _create_url(title)) for title, sources in wanted.items()])


def _create_url(title):
    """Return where a missing link target is created: the page form (a measure wins by lookup)."""
    return url_for(".create", title=title)


def _title_of(slug, source):
    """Return the link text a source page uses for a missing slug (the title to create)."""
    for match in re.finditer(WIKI_LINK, source.latest().body):
        if slug in revisions.link_candidates(match.group(1).strip()):
            return match.group(1).strip()
    return slug


@bp.route("/<slug>")
@pagecache.kept
def view(slug):
    """Show a wiki page; an old slug or a measure's page redirects to where it lives now."""
    alias = PageAlias.get_or_none(PageAlias.slug == slug)
    if alias is not None:
        return redirect(url_for(".view", slug=alias.page.slug), 301)
    page = Page.get_or_404(Page.slug == slug)
    measure = Measure.get_or_none(Measure.page == page) if page.kind == "measure" else None
    if measure is not None:
        return redirect(url_for("measures.view", code=measure.code), 301)
    return render_template("pages/view.html", page=page, revision=page.latest(),
                           backlinks=list(Page.linking_to(page.slug)),
                           editors=editing.editors_of(page, current_user))


@bp.route("/new", methods=["GET", "POST"])
@require("edit")
def create():
    """Show the form for a new page (its title prefilled from a wiki link), or save it."""
    return _edit(None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@require("edit")
def edit(slug):
    """Show the edit form of a page, or save it."""
    page = Page.get_or_404(Page.slug == slug)
    if page.kind == "measure":
        return redirect(url_for("measures.edit", code=page.slug.upper()))
    return _edit(page)


def _edit(page):
    """Show the form; preview, refuse with errors, answer a stale base with a merge, or save."""
    if request.method == "GET":
        if page is not None:
            EditPresence.touch(page, current_user.id)
        return _form(page, _initial(page))
    form = request.form
    state = {"title": cleaning.normalise(form.get("title")).strip(),
             "summary": form.get("summary", ""),
             "body": revisions.normalise_body(form.get("body")),
             "base": editing.base_number(form)}
    errors = {**title_errors(page, state["title"]), **editing.body_errors(state["body"]),
              **editing.summary_errors(state["summary"])}
    if form.get("action") == "preview":
        return _form(page, state, preview=revisions.render(state["body"]))
    if errors:
        return _form(page, state, errors=errors), 400
    try:  # the base is checked under the page's lock: two saves from one base never both win
        with db.atomic():
            if page is not None:
                revisions.lock(page)
                if state["base"] < page.revision_count:
                    raise revisions.Conflict
                editing.rename(page, state["title"], current_user.id)
            revision = revisions.save_page(page, title=state["title"], body=state["body"],
                                           author=current_user.id,
                                           summary=state["summary"].strip(),
                                           slug=revisions.link_slug(state["title"]))
    except peewee.IntegrityError:  # the title was taken by a page saved since the check
        return _form(page, state, errors=title_errors(page, state["title"])), 400
    except revisions.Conflict:
        merged = editing.conflict(page, state["base"], state["body"], {"title": state["title"]})
        state.update(title=merged["merged"]["title"], body=merged["body"], base=page.revision_count)
        return _form(page, state, conflict=merged), 409
    EditPresence.leave(revision.page, current_user.id)
    editing.refresh_links_to(revision.page.slug)
    flash(_("Seite „%(title)s“ gespeichert.", title=state["title"]), "success")
    return redirect(url_for(".view", slug=revision.page.slug))


def _initial(page):
    """Return the form state of a page's newest revision, or of a new page."""
    if page is None:
        return {"title": request.args.get("title", "").strip(), "body": "", "summary": "",
                "base": 0}
    latest = page.latest()
    return {"title": latest.title, "body": latest.body, "summary": "",
            "base": page.revision_count}


def _form(page, state, errors=None, **extra):
    """Render the page form with its errors and what the user typed."""
    errors = errors or {}
    extra.setdefault("preview", revisions.render(state["body"]))
    first_error = next((name for name in ("title", "body", "summary") if name in errors), None)
    return render_template("pages/edit.html", page=page, errors=errors, first_error=first_error,
                           editors=editing.editors_of(page, current_user), **state, **extra)


def title_errors(page, title):
    """Return {"title": message} when the title is no clean line, empty, too long or taken."""
    try:
        cleaning.line(title)
    except cleaning.Refused as error:
        return {"title": str(error)}
    if not title:
        return {"title": _("Titel fehlt.")}
    if len(title) > TITLE_LIMIT:
        return {"title": _("Höchstens %(limit)d Zeichen erlaubt (hier %(length)d).",
                           limit=TITLE_LIMIT, length=len(title))}
    if Measure.by_code(revisions.link_slug(title)) is not None:
        return {"title": _("Ein Seitentitel darf nicht das Kürzel einer Maßnahme sein.")}
    if revisions.link_slug(title) in RESERVED:
        return {"title": _("Dieser Titel ist reserviert; bitte ergänzen Sie ihn.")}
    if not editing.slug_free_for(page, title):
        return {"title": _("Eine andere Seite hat schon diesen Titel.")}
    return {}
