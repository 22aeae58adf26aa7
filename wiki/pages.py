"""Wiki pages: the list of pages and the page view."""
from flask import Blueprint, abort, redirect, render_template, url_for

from wiki.models import Measure, Page, PageAlias

bp = Blueprint("pages", __name__, url_prefix="/pages")


def get_page_or_404(slug):
    """Return the page with this slug or abort with 404."""
    page = Page.get_or_none(Page.slug == slug)
    if page is None:
        abort(404)
    return page


@bp.route("/")
def index():
    """List the wiki pages by title."""
    return render_template("pages/index.html", pages=list(Page.wiki_pages()))


@bp.route("/<slug>")
def view(slug):
    """Show a wiki page; an old slug or a measure's page redirects to where it lives now."""
    alias = PageAlias.get_or_none(PageAlias.slug == slug)
    if alias is not None:
        return redirect(url_for(".view", slug=alias.page.slug), 301)
    page = get_page_or_404(slug)
    measure = Measure.get_or_none(Measure.page == page) if page.kind == "measure" else None
    if measure is not None:
        return redirect(url_for("measures.view", code=measure.code), 301)
    return render_template("pages/view.html", page=page, revision=page.latest(),
                           backlinks=list(Page.linking_to(page.slug)))
