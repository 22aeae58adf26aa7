"""Editing shared by pages, measures and reports: conflicts and merges, renames, link upkeep."""
import re
from datetime import date

from flask_babel import lazy_gettext as _l

from wiki.db import db
from wiki.domain import cleaning, merge, metadata, revisions
from wiki.domain.diffing import Ops
from wiki.domain.markdown import WIKI_LINK
from wiki.models import EditPresence, Page, PageAlias, Revision

RENAME_SUMMARY = "Link nach Umbenennung angepasst"
SUMMARY_LIMIT = 500  # the summary columns of revisions and report versions
MARKERS_ERROR = _l(
    "Der Text enthält noch Konfliktmarkierungen (<<<<<<<, =======, >>>>>>>). "
    "Bitte entscheiden Sie sich für eine Fassung und entfernen Sie die Markierungen.")


def editors_of(page, user):
    """Return the other users who have this page's edit form open: shown to editors only, who
    might edit at the same time (none for a new page, nor for readers and visitors)."""
    if page is None or not user.is_authenticated or not user.has_role("editor"):
        return []
    return list(EditPresence.others(page, user.id if user.is_authenticated else None))


def body_errors(body):
    """Return {"body": message} for a body with control characters, too costly or with markers.

    The message leaves out the field's name: the editors' error summary puts "Text:" before it.
    """
    try:
        cleaning.markdown_text(body)
    except cleaning.Refused as error:
        return {"body": str(error)}
    return {"body": str(MARKERS_ERROR)} if merge.has_markers(body) else {}


def summary_errors(summary):
    """Return {"summary": message} unless a summary is one clean line of 500 characters."""
    try:
        cleaning.line(summary, limit=SUMMARY_LIMIT)
    except cleaning.Refused as error:
        return {"summary": str(error)}
    return {}


def base_number(form):
    """Return the revision number the form started from (0 for a new page or garbage)."""
    try:
        return cleaning.whole(form.get("base_revision"))
    except cleaning.Refused:
        return 0


def meta_form(values):
    """Return metadata (cleaned values or a revision snapshot) as the edit form shows it."""
    form = {}
    for name in metadata.FIELDS:
        value = values.get(name)
        if name == "requires":
            form[name] = sorted(value or [])
        elif name == "tags":
            form[name] = " ".join(value or [])
        elif isinstance(value, date):
            form[name] = value.isoformat()
        else:
            form[name] = "" if value is None else str(value)
    return form


def conflict(page, base, body, meta):
    """Return the three-way merge of an edit against a newer revision, for the conflict page."""
    base_rev = page.revisions.where(Revision.number == base).first() if base else None
    latest = page.latest()
    base_body = base_rev.body if base_rev else ""
    base_meta = _meta_of(base_rev, meta)
    theirs_meta = _meta_of(latest, meta)
    merged_text = merge.merge_text(base_body, body, latest.body)
    merged_meta, clashes = merge.merge_fields(base_meta, meta, theirs_meta)
    changed = [(name, metadata.LABELS.get(name, name), base_meta[name], theirs_meta[name])
               for name in meta if base_meta[name] != theirs_meta[name]]
    return {
        "since": list(Revision.of(page).where(Revision.number > base)),
        "body_diff": condense(merge.diff_words(base_body, latest.body)),
        "body": merged_text.text(),
        "clean": merged_text.clean and not clashes,
        "changed": changed,
        "clashes": {name: (meta[name], theirs_meta[name]) for name in clashes},
        "merged": merged_meta,
    }


def condense(ops, context=120):
    """Shorten long unchanged stretches of a word diff to their ends around the changes."""
    out = Ops()
    out.coarse = getattr(ops, "coarse", False)
    for i, (op, text) in enumerate(ops):
        if op == "=" and len(text) > 2 * context + 20:
            parts = [text[:context] if i > 0 else "", "…",
                     text[-context:] if i < len(ops) - 1 else ""]
            text = " ".join(part for part in parts if part)
        out.append((op, text))
    return out


def _meta_of(revision, like):
    """Return a revision's title and metadata in form shape, for the keys of like."""
    if revision is None:
        return {name: "" if not isinstance(value, list) else [] for name, value in like.items()}
    values = meta_form(metadata.from_snapshot(revision.meta)) if revision.meta else {}
    values["title"] = revision.title
    return {name: values.get(name, "") for name in like}


def rename(page, title, author):
    """Give a page the slug of its new title, keep the old slug as an alias, fix links to it."""
    old_slug = page.slug
    new_slug = revisions.link_slug(title)
    if new_slug == old_slug:
        return
    with db.atomic():
        PageAlias.delete().where((PageAlias.slug == new_slug) & (PageAlias.page == page)).execute()
        PageAlias.create(slug=old_slug, page=page)
        page.slug = new_slug
        page.save()
        for source in list(Page.linking_to(old_slug)):
            if source.id != page.id:
                _relink(source, old_slug, title, author)
        refresh_links_to(new_slug)


def slug_free_for(page, title):
    """Tell whether a page (None: a new one) may take the slug of title."""
    slug = revisions.link_slug(title)
    if page is not None and slug == page.slug:
        return True
    alias = PageAlias.get_or_none(PageAlias.slug == slug)
    if alias is not None:
        return page is not None and alias.page_id == page.id
    return not Page.select().where(Page.slug == slug).exists()


def _relink(source, old_slug, title, author):
    """Save a new revision of source whose wiki links to old_slug name title instead."""
    latest = source.latest()

    def replace(match):
        if revisions.link_slug(match.group(1).strip()) != old_slug:
            return match.group(0)
        label = match.group(2)
        return f"[[{title}|{label}]]" if label else f"[[{title}]]"

    body = re.sub(WIKI_LINK, replace, latest.body)
    if body == latest.body:
        return
    measure = source.measure_row.first() if source.kind == "measure" else None
    if measure is not None:
        values, _errors = metadata.clean_measure(metadata.from_snapshot(latest.meta))
        revisions.save_measure(measure, values=values, body=body, author=author,
                               summary=RENAME_SUMMARY)
    else:
        revisions.save_page(source, title=latest.title, body=body, author=author,
                            summary=RENAME_SUMMARY)


def refresh_links_to(slug):
    """Re-render the newest revision of pages linking to slug, so a link is no longer missing."""
    for source in Page.linking_to(slug):
        latest = source.latest()
        (Revision.update(html=revisions.render(latest.body))
         .where(Revision.id == latest.id)
         .execute())
