"""The search page, and the results as you type in the header (htmx)."""
from flask import Blueprint, render_template, request

from wiki.domain import search
from wiki.models import ActionField
from wiki.routing import page_arg
from wiki.security import htmx_target

bp = Blueprint("search", __name__)


@bp.route("/search")
def index():
    """Search the wiki; htmx requests get only the result list."""
    query = request.args.get("q", "").strip()
    kind = request.args.get("kind") if request.args.get("kind") in search.KINDS else None
    field = request.args.get("field") or None
    page = max(page_arg(), 1)
    size = search.PAGE_SIZE
    hits, total = search.find(query, kind, field, size, (page - 1) * size)
    context = dict(query=query, kind=kind, field=field, hits=hits, total=total, page=page,
                   groups=search.grouped(hits),
                   pages=(total + size - 1) // size, kinds=search.KIND_LABELS,
                   fields=list(ActionField.ordered()))
    target = htmx_target()
    if target == "header-results":  # the header box shows a short list
        context["hits"], context["compact"] = hits[:8], True
        context["groups"] = [(hit, []) for hit in hits[:8]]  # a short list, not grouped
    if target in ("search-results", "header-results"):
        return render_template("search/_results.html", **context)
    return render_template("search/index.html", **context)
