"""Wiki content: the strategy, action fields, pages and their revisions and links."""
import re
from datetime import timedelta

import peewee

from wiki.db import BaseModel, JSONField, found, is_sqlite, utcnow
from wiki.models.accounts import User

# What a measure's or an action field's code may be: 1–16 ASCII letters, digits, ".", "-", "_",
# starting with a letter or digit ("M07", "1.2", "D-03", "HF2.M4"). ASCII only: \w or \d would
# take M０７ too; \Z, not $, which would let a trailing line break through.
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,15}\Z")

# An edit form counts as open this long after its last heartbeat.
EDITING_MINUTES = 3


class ActionField(BaseModel):
    """A Handlungsfeld: a column of the architecture."""

    code = peewee.CharField(max_length=20, unique=True)
    title = peewee.CharField(max_length=300)
    summary = peewee.TextField(default="")
    body = peewee.TextField(default="")
    html = peewee.TextField(default="")
    position = peewee.IntegerField(default=0)

    @classmethod
    def exists_with(cls, code):
        """Tell whether an action field has this code."""
        return cls.select().where(cls.code == code).exists()

    @classmethod
    def by_code_or_404(cls, code):
        """Return the action field with this code (case-insensitive), or raise 404.

        Text no code can be (a NUL, 5 kB) is not looked up: PostgreSQL refuses a NUL.
        """
        return found(cls.get_or_none(cls.code == code.upper()) if CODE.match(code) else None)

    @classmethod
    def ordered(cls):
        """Return every action field in architecture order."""
        return cls.select().order_by(cls.position, cls.code)


class Page(BaseModel):
    """A wiki page; a measure is a page with typed metadata (see Measure)."""

    slug = peewee.CharField(max_length=120, unique=True)
    kind = peewee.CharField(max_length=10, default="page")  # "page" or "measure"
    title = peewee.CharField(max_length=300)
    revision_count = peewee.IntegerField(default=0)
    created = peewee.DateTimeField(default=utcnow)
    updated = peewee.DateTimeField(default=utcnow)

    @classmethod
    def wiki_pages(cls):
        """Return the plain pages (not measures), by title."""
        return cls.select().where(cls.kind == "page").order_by(cls.title)

    @classmethod
    def linking_to(cls, slug):
        """Return the pages whose newest revision links to slug."""
        return (cls.select()
                .join(PageLink, on=(PageLink.source == cls.id))
                .where(PageLink.target == slug)
                .order_by(cls.title)
                .distinct())

    def latest(self):
        """Return the newest revision."""
        return self.revisions.where(Revision.number == self.revision_count).get()

    @classmethod
    def first_created(cls):
        """Return when the oldest page was created (None when there are none)."""
        oldest = cls.select(cls.created).order_by(cls.created).first()
        return oldest.created if oldest else None


class Strategy(BaseModel):
    """The programme itself; one row per instance."""

    title = peewee.CharField(max_length=300)
    period_start = peewee.DateField()
    period_end = peewee.DateField()
    leitbild = peewee.ForeignKeyField(Page, null=True, on_delete="SET NULL")
    # The programme's own words and rules (wiki/domain/vocabulary.py); {} for the defaults.
    settings = JSONField(default=dict)

    @classmethod
    def current(cls):
        """Return the programme, or None before anything was imported."""
        return cls.select().order_by(cls.id).first()


class Revision(BaseModel):
    """An immutable snapshot of a page: title, body, rendered HTML, metadata, author, time."""

    page = peewee.ForeignKeyField(Page, backref="revisions", on_delete="CASCADE")
    number = peewee.IntegerField()
    title = peewee.CharField(max_length=300)
    body = peewee.TextField(default="")
    html = peewee.TextField(default="")
    meta = JSONField(default=dict)
    author = peewee.ForeignKeyField(User, null=True, backref="revisions", on_delete="SET NULL")
    created = peewee.DateTimeField(default=utcnow, index=True)
    summary = peewee.CharField(max_length=500, default="")
    size = peewee.IntegerField(default=0)

    class Meta:
        # (page, created, number): each page's newest revision before a moment (?as_of=),
        # from the index alone (migration 0008).
        indexes = ((("page", "number"), True), (("page", "created", "number"), False))

    @classmethod
    def of(cls, page):
        """Return a page's revisions, newest first, with their authors."""
        return (cls.select(cls, User)
                .join(User, peewee.JOIN.LEFT_OUTER)
                .where(cls.page == page)
                .order_by(cls.number.desc()))


    @classmethod
    def newest(cls):
        """Return revisions of every page, newest first, with page, author and measure (if any).

        The body and its HTML stay unread; a plain page's revision has page.measure None.
        """
        # The measure model through the page's back reference: measures.py imports this module.
        Measure = Page.measure_row.rel_model  # noqa: N806

        return (cls.select(cls.id, cls.page, cls.number, cls.title, cls.summary, cls.created,
                           cls.author, Page, Measure, User)
                .join(Page)
                .join(Measure, peewee.JOIN.LEFT_OUTER, on=(Measure.page == Page.id),
                      attr="measure")
                .switch(cls)
                .join(User, peewee.JOIN.LEFT_OUTER)
                .order_by(cls.created.desc(), cls.id.desc()))

    @classmethod
    def written_by(cls, user):
        """Return the revisions a user saved, oldest first, with their pages (bodies unread)."""
        return (cls.select(cls.id, cls.page, cls.number, cls.title, cls.summary, cls.created, Page)
                .join(Page)
                .where(cls.author == user)
                .order_by(cls.created, cls.id))

    @classmethod
    def meta_value(cls, name):
        """Return an SQL expression for one field of the metadata (text, or NULL when absent)."""
        # The database reads the field out of the JSON, not coerced back through JSONField:
        # decoding each document in Python took two to three times as long.
        if is_sqlite():
            return peewee.fn.json_extract(cls.meta, f"$.{name}").coerce(False)
        return peewee.Expression(cls.meta.cast("json"), "->>", name)

    @classmethod
    def first_values(cls, name):
        """Return {page id: the metadata field name in its first revision} (the first plan)."""
        # "page IN (…) AND number = 1" looks each page up in the (page, number) index;
        # number alone would read the whole table. The plain cursor: peewee's row wrapping
        # took longer than the query.
        query = (cls.select(cls.page, cls.meta_value(name))
                 .where(cls.page.in_(Page.select(Page.id)), cls.number == 1))
        return dict(cls._meta.database.execute(query).fetchall())


class PageAlias(BaseModel):
    """An old slug of a renamed page, kept so that old links redirect."""

    slug = peewee.CharField(max_length=120, unique=True)
    page = peewee.ForeignKeyField(Page, backref="aliases", on_delete="CASCADE")


class PageLink(BaseModel):
    """A wiki link from a page's newest revision to a slug (which may not exist yet)."""

    source = peewee.ForeignKeyField(Page, backref="links", on_delete="CASCADE")
    target = peewee.CharField(max_length=120, index=True)

    class Meta:
        indexes = ((("source", "target"), True),)


class EditPresence(BaseModel):
    """Someone has a page's edit form open; shown to others as a note, never a lock."""

    page = peewee.ForeignKeyField(Page, on_delete="CASCADE")
    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    seen = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("page", "user"), True),)

    @classmethod
    def touch(cls, page, user):
        """Record that user has page's edit form open now."""
        (cls.insert(page=page, user=user, seen=utcnow())
         .on_conflict(conflict_target=[cls.page, cls.user], update={cls.seen: utcnow()})
         .execute())

    @classmethod
    def others(cls, page, user, minutes=EDITING_MINUTES):
        """Return the other users who had page's edit form open within the last minutes."""
        cutoff = utcnow() - timedelta(minutes=minutes)
        return (User.select()
                .join(cls, on=(cls.user == User.id))
                .where((cls.page == page) & (cls.user != user) & (cls.seen > cutoff))
                .order_by(User.name))

    @classmethod
    def leave(cls, page, user):
        """Forget that user is editing page (after saving)."""
        cls.delete().where((cls.page == page) & (cls.user == user)).execute()
