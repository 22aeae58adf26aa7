"""Measures: wiki pages with typed metadata, and their prerequisites."""
import peewee

from wiki.db import BaseModel, found
from wiki.models.accounts import User
from wiki.models.content import CODE, ActionField, Page

DATE_FIELDS = ("planned_start", "planned_end", "actual_start", "actual_end", "legal_deadline")


class Measure(BaseModel):
    """A Maßnahme: the typed metadata of a measure page (its newest revision's snapshot)."""

    page = peewee.ForeignKeyField(Page, unique=True, backref="measure_row", on_delete="CASCADE")
    code = peewee.CharField(max_length=20, unique=True)
    field = peewee.ForeignKeyField(ActionField, backref="measures", on_delete="RESTRICT")
    obligation = peewee.CharField(max_length=40, default="internal")  # a marking's key
    legal_basis = peewee.CharField(max_length=300, default="")
    legal_deadline = peewee.DateField(null=True)
    status = peewee.CharField(max_length=40, default="planned")  # a status's key
    owner = peewee.CharField(max_length=300, default="")
    contact = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    planned_start = peewee.DateField(null=True)
    planned_end = peewee.DateField(null=True)
    actual_start = peewee.DateField(null=True)
    actual_end = peewee.DateField(null=True)
    progress = peewee.IntegerField(default=0)
    tags = peewee.CharField(max_length=500, default="")  # space-separated words

    @property
    def title(self):
        """Return the title, which lives on the page."""
        return self.page.title

    @property
    def tag_list(self):
        """Return the tags as a list."""
        return self.tags.split()

    @classmethod
    def listing(cls):
        """Return every measure with its page and action field, in architecture order."""
        return (cls.select(cls, Page, ActionField)
                .join(Page, on=(cls.page == Page.id))
                .switch(cls)
                .join(ActionField)
                .order_by(ActionField.position, cls.code))

    @classmethod
    def summaries(cls):
        """Return the listing with only the page and field columns the overviews show.

        A thousand rows each carrying their action field's texts cost memory for nothing.
        """
        return (cls.select(cls, Page.id, Page.slug, Page.title, Page.revision_count,
                           Page.updated, ActionField.id, ActionField.code, ActionField.title,
                           ActionField.position)
                .join(Page, on=(cls.page == Page.id))
                .switch(cls)
                .join(ActionField)
                .order_by(ActionField.position, cls.code))

    @classmethod
    def with_contacts(cls):
        """Return the listing with each measure's contact person joined (or None)."""
        return (cls.listing()
                .select_extend(User)
                .switch(cls)
                .join(User, peewee.JOIN.LEFT_OUTER, on=(cls.contact == User.id)))

    @classmethod
    def in_field(cls, field):
        """Return the measures of one action field, by code."""
        return cls.listing().where(cls.field == field)

    @classmethod
    def by_code(cls, code):
        """Return the measure with this code (case-insensitive) or None (also for text no code
        can be, which is not looked up: PostgreSQL refuses a NUL)."""
        if not CODE.match(code):
            return None
        return cls.listing().where(cls.code == code.upper()).first()

    @classmethod
    def by_code_or_404(cls, code):
        """Return the measure with this code (case-insensitive), or raise 404."""
        return found(cls.by_code(code))

    @classmethod
    def count_by_field(cls):
        """Return {action field id: number of its measures}."""
        return dict(cls.select(cls.field, peewee.fn.COUNT(cls.id)).group_by(cls.field).tuples())

    @classmethod
    def ids_by_page(cls):
        """Return {page id: measure id}."""
        return dict(cls.select(cls.page, cls.id).tuples())

    def prerequisites(self):
        """Return the measures this one requires."""
        return (Measure.listing()
                .join(Dependency, on=(Dependency.requires == Measure.id))
                .where(Dependency.measure == self))

    def dependents(self):
        """Return the measures that require this one."""
        return (Measure.listing()
                .join(Dependency, on=(Dependency.measure == Measure.id))
                .where(Dependency.requires == self))


class Dependency(BaseModel):
    """Measure requires another measure to finish first (finish-to-start)."""

    measure = peewee.ForeignKeyField(Measure, backref="requirements", on_delete="CASCADE")
    requires = peewee.ForeignKeyField(Measure, backref="enables", on_delete="CASCADE")

    class Meta:
        indexes = ((("measure", "requires"), True),)

    @classmethod
    def edges(cls):
        """Return every (dependent code, prerequisite code) pair."""
        prerequisite = Measure.alias()
        return (cls.select(Measure.code, prerequisite.code.alias("requires_code"))
                .join(Measure, on=(cls.measure == Measure.id))
                .switch(cls)
                .join(prerequisite, on=(cls.requires == prerequisite.id))
                .tuples())

    @classmethod
    def requires_map(cls):
        """Return {measure code: [prerequisite codes]}."""
        requires = {}
        for code, prerequisite in cls.edges():
            requires.setdefault(code, []).append(prerequisite)
        return requires
