"""Saving content: every change to a page or measure becomes a new revision, rendered once."""
import re
from urllib.parse import urlencode

import peewee

from wiki.db import db, is_sqlite, utcnow
from wiki.domain import cleaning, markdown, metadata, search
from wiki.models import ActionField, Dependency, Measure, Page, PageAlias, PageLink, Revision, User

# The measure columns that take their value from the cleaned metadata as they are.
PLAIN_FIELDS = ("obligation", "status", "owner", "planned_start", "planned_end", "actual_start",
                "actual_end", "progress", "legal_basis", "legal_deadline")


class Conflict(Exception):
    """The page has a newer revision than the one the edit started from."""


def lock(page):
    """Lock the page's row until the transaction ends; return its current revision count.

    Reading the count before the lock lets two saves from the same base both pass the check
    and take the same revision number. PostgreSQL locks the row (FOR UPDATE); on SQLite the
    IMMEDIATE transaction holds the database's write lock already.
    """
    query = Page.select(Page.revision_count).where(Page.id == page.id)
    page.revision_count = (query if is_sqlite() else query.for_update()).scalar()
    return page.revision_count


def _check_base(page, base):
    """Lock the page and raise Conflict when it has revisions newer than base (None: any)."""
    if lock(page) > base if base is not None else False:
        raise Conflict


def link_slug(target):
    """Return the slug of the page a title or link target names (never a measure's code)."""
    return markdown.slugify(target)


def link_candidates(target):
    """Return the slugs a wiki link target may name: a measure's (when code-shaped), a page's.

    A measure's page has its code in lower case as slug; a plain page the slug of its title.
    Which one the link names is looked up, never guessed from the form of the target.
    """
    code = target.lower() if markdown.CODE.match(target) else None
    return code, markdown.slugify(target)


def slug_taken(slug):
    """Tell whether a page or an old name of a page has this slug."""
    return (Page.select().where(Page.slug == slug).exists()
            or PageAlias.select().where(PageAlias.slug == slug).exists())


def known_slugs(slugs):
    """Return {slug: "measure" or "page"} of these slugs that a page or old name has."""
    slugs = set(slugs) - {None}
    if not slugs:
        return {}
    known = dict(Page.select(Page.slug, Page.kind).where(Page.slug.in_(slugs)).tuples())
    if slugs - set(known):
        known.update((alias, "page") for (alias,) in
                     PageAlias.select(PageAlias.slug).where(PageAlias.slug.in_(slugs - set(known)))
                     .tuples())
    return known


def taken_slugs(slugs):
    """Return which of these slugs a page or an old name of a page has (one or two queries)."""
    return set(known_slugs(slugs))


def _link(target, known):
    """Return (URL, exists, slugs to record) of a link target; known: known_slugs of it.

    A measure with the target as code wins over a page of that name (docs/architecture.md).
    A missing target is offered as a new page, and both of its slugs are recorded, so that
    creating either a measure or a page of that name renders the link anew.
    """
    code, slug = link_candidates(target)
    if code and known.get(code) == "measure":
        return f"/measures/{code.upper()}", True, [code]
    if known.get(slug) == "measure":
        return f"/measures/{slug.upper()}", True, [slug]
    if slug in known:
        return f"/pages/{slug}", True, [slug]
    return f"/pages/new?{urlencode({'title': target})}", False, [s for s in (code, slug) if s]


def resolve_link(target, known=None):
    """Return the URL of a wiki link target (its creation form when missing) and if it exists.

    known: known_slugs of the target's candidates; without it the database is asked.
    """
    if known is None:
        known = known_slugs(link_candidates(target))
    url, exists, _slugs = _link(target, known)
    return url, exists


def render(text):
    """Render Markdown to sanitised HTML, with wiki links resolved against the database."""
    return _render_with_links(text)[0]


def _render_with_links(text):
    """Render the body once; return its HTML and the slugs of the wiki links it contains."""
    slugs = []
    # Every [[…]] in the text, code blocks too: looked up in one go rather than one by one.
    known = known_slugs(slug for match in re.finditer(markdown.WIKI_LINK, text)
                        for slug in link_candidates(match.group(1).strip()))

    def resolve(target):
        url, exists, recorded = _link(target, known)
        slugs.extend(recorded)
        return url, exists

    html = markdown.render(text, resolve=resolve)
    return html, list(dict.fromkeys(slugs))


def normalise_body(body):
    """Return a body in NFC with Unix line ends, without blank lines around (never refuses)."""
    return cleaning.normalise(body, multiline=True).strip("\n")


def unique_slug(title):
    """Return a free slug for a new page with this title (a measure's page has its code's)."""
    base = markdown.slugify(title)
    slug, number = base, 1
    while slug_taken(slug):
        number += 1
        slug = f"{base}-{number}"
    return slug


def new_page(title, slug, kind="page", created=None):
    """Create a page without revisions (the first save gives it one)."""
    created = created or utcnow()
    return Page.create(slug=slug, kind=kind, title=title, created=created, updated=created)


def new_measure(values, created=None):
    """Create a measure page and row for cleaned values, without a revision."""
    page = new_page(values["title"], values["code"].lower(), kind="measure", created=created)
    field = ActionField.get(ActionField.code == values["field"])
    return Measure.create(page=page, code=values["code"], field=field)


def save_page(page, *, title, body, author, summary="", created=None, slug=None, base=None):
    """Save a new revision of a page, creating it when None; Conflict when base is outdated."""
    with db.atomic():
        if page is None:
            page = new_page(title, slug or unique_slug(title), created=created)
        else:
            _check_base(page, base)
        return _save(page, title=title, body=body, meta={}, author=author, summary=summary,
                     created=created, field="")


def save_measure(measure, *, values, body, author, summary="", created=None, base=None):
    """Save a new revision of a measure, creating it when None; Conflict when base is outdated."""
    with db.atomic():
        new = measure is None
        if new:
            measure = new_measure(values, created)
        else:
            _check_base(measure.page, base)
        _apply(measure, values, new)
        meta = metadata.snapshot(measure, values["title"], values["requires"])
        return _save(measure.page, title=values["title"], body=body, meta=meta, author=author,
                     summary=summary, created=created, field=values["field"])


def _apply(measure, values, new=False):
    """Copy cleaned values onto the measure row and replace its prerequisites if they changed."""
    for name in PLAIN_FIELDS:
        setattr(measure, name, values[name])
    measure.field = ActionField.get(ActionField.code == values["field"])
    measure.contact = User.by_name(values["contact"]) if values["contact"] else None
    measure.tags = " ".join(values["tags"])
    measure.save()
    requires = sorted(values["requires"])
    if not new:
        if requires == sorted(m.code for m in measure.prerequisites()):
            return  # most saves change the text only: the rows stay as they are
        Dependency.delete().where(Dependency.measure == measure).execute()
    if requires:
        prerequisites = (Measure.select(peewee.Value(measure.id), Measure.id)
                         .where(Measure.code.in_(requires)))
        Dependency.insert_from(prerequisites, [Dependency.measure, Dependency.requires]).execute()


def _save(page, *, title, body, meta, author, summary, created, field):
    """Store the next revision of a page; refresh the page, its links and its search entry."""
    body = normalise_body(body)
    html, slugs = _render_with_links(body)
    page.revision_count += 1
    page.title = title
    page.updated = created or utcnow()
    page.save()
    _replace_links(page, slugs)
    search.index_page(page, body, field)
    return Revision.create(
        page=page, number=page.revision_count, title=title, body=body, html=html, meta=meta,
        author=author, created=page.updated, summary=summary or "", size=len(body),
    )


def _replace_links(page, slugs):
    """Make the page's links those of its newest revision."""
    kept = [link.target for link in PageLink.select(PageLink.target)
            .where(PageLink.source == page).order_by(PageLink.id)]
    if kept == slugs:
        return  # most saves keep the links: one read instead of a delete and an insert
    PageLink.delete().where(PageLink.source == page).execute()
    if slugs:
        PageLink.insert_many([{"source": page, "target": slug} for slug in slugs]).execute()
