"""Status reports with their versions, report rounds, and comments."""
import peewee

from wiki.db import BaseModel, utcnow
from wiki.models.accounts import User
from wiki.models.content import Page
from wiki.models.measures import Measure

TRAFFIC_LIGHTS = ("green", "yellow", "red")


class StatusReport(BaseModel):
    """A Sachstandsbericht: a dated report on one measure; edits keep versions."""

    measure = peewee.ForeignKeyField(Measure, backref="reports", on_delete="CASCADE")
    date = peewee.DateField(index=True)
    period = peewee.CharField(max_length=10, index=True)  # a quarter: "2024-Q2"
    status = peewee.CharField(max_length=40)
    traffic_light = peewee.CharField(max_length=10)
    progress = peewee.IntegerField(default=0)
    body = peewee.TextField(default="")
    html = peewee.TextField(default="")
    author = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created = peewee.DateTimeField(default=utcnow)
    updated = peewee.DateTimeField(default=utcnow)
    version = peewee.IntegerField(default=1)

    class Meta:
        # Each measure's newest report (lights, staleness) is read from the index alone.
        indexes = ((("measure", "date"), False),)

    @classmethod
    def of(cls, measure):
        """Return a measure's reports, newest first, with their authors."""
        return (cls.select(cls, User)
                .join(User, peewee.JOIN.LEFT_OUTER)
                .where(cls.measure == measure)
                .order_by(cls.date.desc(), cls.id.desc()))

    @classmethod
    def newest(cls):
        """Return every report, newest first, with its measure, the measure's page and author."""
        return (cls.select(cls, Measure, Page, User)
                .join(Measure)
                .join(Page)
                .switch(cls)
                .join(User, peewee.JOIN.LEFT_OUTER)
                .order_by(cls.date.desc(), cls.created.desc(), cls.id.desc()))

    @classmethod
    def written_by(cls, user):
        """Return the reports a user wrote, oldest first, with their measures."""
        return (cls.select(cls, Measure)
                .join(Measure)
                .where(cls.author == user)
                .order_by(cls.date, cls.id))

    @classmethod
    def in_periods(cls, periods):
        """Return the reports of these periods with their authors, newest first."""
        return (cls.select(cls, User)
                .join(User, peewee.JOIN.LEFT_OUTER)
                .where(cls.period.in_(list(periods)))
                .order_by(cls.date.desc(), cls.id.desc()))

    @classmethod
    def filed_in(cls, periods):
        """Return which measure reported when in these periods (no texts), newest first."""
        return (cls.select(cls.id, cls.measure, cls.period, cls.date)
                .where(cls.period.in_(list(periods)))
                .order_by(cls.date.desc(), cls.id.desc()))

    @classmethod
    def on_day(cls, measure, day, besides=None):
        """Return a measure's reports of one day, leaving out the report besides if given."""
        query = cls.select().where((cls.measure == measure) & (cls.date == day))
        if besides is not None:
            query = query.where(cls.id != besides.id)
        return query

    @classmethod
    def newest_lights(cls, until=None):
        """Return {measure id: (traffic light, period)} of each measure's newest report."""
        other = cls.alias()
        newest = other.select(peewee.fn.MAX(other.date)).where(other.measure == cls.measure)
        if until is not None:
            newest = newest.where(other.date <= until)
        query = cls.select(cls.measure, cls.traffic_light, cls.period).where(cls.date == newest)
        return {measure: (light, period) for measure, light, period in query.tuples()}

    @classmethod
    def latest_dates(cls, until=None, measures=None):
        """Return {measure id: date of its newest report} (up to a day, of some ids, if given)."""
        query = cls.select(cls.measure, peewee.fn.MAX(cls.date)).group_by(cls.measure)
        if until is not None:
            query = query.where(cls.date <= until)
        if measures is not None:
            query = query.where(cls.measure.in_(list(measures)))
        return dict(query.tuples())


class ReportVersion(BaseModel):
    """An earlier or current state of a status report."""

    report = peewee.ForeignKeyField(StatusReport, backref="versions", on_delete="CASCADE")
    number = peewee.IntegerField()
    date = peewee.DateField()
    period = peewee.CharField(max_length=10)
    status = peewee.CharField(max_length=40)
    traffic_light = peewee.CharField(max_length=10)
    progress = peewee.IntegerField(default=0)
    body = peewee.TextField(default="")
    html = peewee.TextField(default="")
    author = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created = peewee.DateTimeField(default=utcnow)
    summary = peewee.CharField(max_length=500, default="")

    class Meta:
        indexes = ((("report", "number"), True),)

    @classmethod
    def written_by(cls, user):
        """Return the report versions a user saved, oldest first, with report and measure."""
        return (cls.select(cls, StatusReport, Measure)
                .join(StatusReport)
                .join(Measure)
                .where(cls.author == user)
                .order_by(cls.created, cls.id))

    @classmethod
    def of(cls, report):
        """Return a report's versions, newest first, with their authors."""
        return (cls.select(cls, User)
                .join(User, peewee.JOIN.LEFT_OUTER)
                .where(cls.report == report)
                .order_by(cls.number.desc()))


class ReportRound(BaseModel):
    """A Berichtsrunde: a reporting period with a due date and an intro."""

    slug = peewee.CharField(max_length=60, unique=True)
    title = peewee.CharField(max_length=300)
    period = peewee.CharField(max_length=10, index=True)
    due_date = peewee.DateField()
    body = peewee.TextField(default="")
    html = peewee.TextField(default="")
    projects = peewee.TextField(default="")  # Maßnahmenübergreifende Projekte, Markdown
    projects_html = peewee.TextField(default="")
    created = peewee.DateTimeField(default=utcnow)
    version = peewee.IntegerField(default=1)

    @classmethod
    def newest_first(cls):
        """Return every round, the latest period first."""
        return cls.select().order_by(cls.period.desc(), cls.due_date.desc())

    @classmethod
    def by_slug(cls, slug):
        """Return the round with this slug or None."""
        return cls.get_or_none(cls.slug == slug)

    @classmethod
    def measures(cls):
        """Return every measure a round lists, with page, action field and contact person."""
        return (Measure.listing()
                .select_extend(User)
                .switch(Measure)
                .join(User, peewee.JOIN.LEFT_OUTER, on=(Measure.contact == User.id)))

    @classmethod
    def save_over(cls, round_id, base, **values):
        """Save values over version base; return False when a newer version was saved since."""
        return bool(cls.update(version=cls.version + 1, **values)
                    .where((cls.id == round_id) & (cls.version == base))
                    .execute())


class Comment(BaseModel):
    """A colleague's remark on a measure, optionally on one report; deleting is soft."""

    measure = peewee.ForeignKeyField(Measure, backref="comments", on_delete="CASCADE")
    report = peewee.ForeignKeyField(StatusReport, null=True, backref="comments",
                                    on_delete="SET NULL")
    author = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    body = peewee.TextField(default="")
    html = peewee.TextField(default="")
    created = peewee.DateTimeField(default=utcnow, index=True)
    updated = peewee.DateTimeField(default=utcnow)
    version = peewee.IntegerField(default=1)
    deleted = peewee.BooleanField(default=False)
    hidden = peewee.BooleanField(default=False)

    class Meta:
        # The comment counts of the overviews are read from the index alone.
        indexes = ((("measure", "deleted", "hidden"), False),)

    @classmethod
    def thread(cls, measure):
        """Return a measure's comments, oldest first, with their authors."""
        return (cls.select(cls, User)
                .join(User, peewee.JOIN.LEFT_OUTER)
                .where(cls.measure == measure)
                .order_by(cls.created, cls.id))

    @classmethod
    def written_by(cls, user):
        """Return every comment a user wrote (deleted and hidden ones too), with its measure."""
        return (cls.select(cls, Measure)
                .join(Measure)
                .where(cls.author == user)
                .order_by(cls.created, cls.id))

    @classmethod
    def newest_visible(cls):
        """Return the comments neither deleted nor hidden, newest first, with measure and author."""
        return (cls.select(cls, Measure, Page, User)
                .join(Measure)
                .join(Page)
                .switch(cls)
                .join(User, peewee.JOIN.LEFT_OUTER)
                .where(~cls.deleted & ~cls.hidden)
                .order_by(cls.created.desc(), cls.id.desc()))

    @classmethod
    def counts(cls, until=None):
        """Return {measure id: visible comments}, created before until if given."""
        query = (cls.select(cls.measure, peewee.fn.COUNT(cls.id))
                 .where(~cls.deleted & ~cls.hidden)
                 .group_by(cls.measure))
        if until is not None:
            query = query.where(cls.created < until)
        return dict(query.tuples())


class CommentVersion(BaseModel):
    """An earlier or current text of a comment."""

    comment = peewee.ForeignKeyField(Comment, backref="versions", on_delete="CASCADE")
    number = peewee.IntegerField()
    body = peewee.TextField(default="")
    html = peewee.TextField(default="")
    author = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("comment", "number"), True),)

    @classmethod
    def written_by(cls, user):
        """Return the comment versions a user saved, oldest first."""
        return cls.select().where(cls.author == user).order_by(cls.created, cls.id)

    @classmethod
    def of(cls, comment):
        """Return a comment's versions, newest first, with their authors."""
        return (cls.select(cls, User)
                .join(User, peewee.JOIN.LEFT_OUTER)
                .where(cls.comment == comment)
                .order_by(cls.number.desc()))

    @classmethod
    def numbered(cls, comment, number):
        """Return version number of a comment, or None."""
        return cls.get_or_none((cls.comment == comment) & (cls.number == number))
