"""Status reports with their versions, report rounds, and comments."""
import peewee

from wiki.db import BaseModel, utcnow
from wiki.models.accounts import User
from wiki.models.measures import Measure

TRAFFIC_LIGHTS = ("green", "yellow", "red")


class StatusReport(BaseModel):
    """A Sachstandsbericht: a dated report on one measure; edits keep versions."""

    measure = peewee.ForeignKeyField(Measure, backref="reports", on_delete="CASCADE")
    date = peewee.DateField(index=True)
    period = peewee.CharField(max_length=10, index=True)  # a quarter: "2024-Q2"
    status = peewee.CharField(max_length=10)
    traffic_light = peewee.CharField(max_length=10)
    progress = peewee.IntegerField(default=0)
    body = peewee.TextField(default="")
    html = peewee.TextField(default="")
    author = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created = peewee.DateTimeField(default=utcnow)
    updated = peewee.DateTimeField(default=utcnow)
    version = peewee.IntegerField(default=1)

    @classmethod
    def of(cls, measure):
        """Return a measure's reports, newest first, with their authors."""
        return (cls.select(cls, User)
                .join(User, peewee.JOIN.LEFT_OUTER)
                .where(cls.measure == measure)
                .order_by(cls.date.desc(), cls.id.desc()))


    @classmethod
    def latest_dates(cls, until=None):
        """Return {measure id: date of its newest report} (up to a day, if given)."""
        query = cls.select(cls.measure, peewee.fn.MAX(cls.date)).group_by(cls.measure)
        if until is not None:
            query = query.where(cls.date <= until)
        return dict(query.tuples())


class ReportVersion(BaseModel):
    """An earlier or current state of a status report."""

    report = peewee.ForeignKeyField(StatusReport, backref="versions", on_delete="CASCADE")
    number = peewee.IntegerField()
    date = peewee.DateField()
    period = peewee.CharField(max_length=10)
    status = peewee.CharField(max_length=10)
    traffic_light = peewee.CharField(max_length=10)
    progress = peewee.IntegerField(default=0)
    body = peewee.TextField(default="")
    html = peewee.TextField(default="")
    author = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created = peewee.DateTimeField(default=utcnow)
    summary = peewee.CharField(max_length=500, default="")

    class Meta:
        indexes = ((("report", "number"), True),)


class ReportRound(BaseModel):
    """A Berichtsrunde: a reporting period with a due date and an intro."""

    slug = peewee.CharField(max_length=60, unique=True)
    title = peewee.CharField(max_length=300)
    period = peewee.CharField(max_length=10, index=True)
    due_date = peewee.DateField()
    body = peewee.TextField(default="")
    html = peewee.TextField(default="")
    created = peewee.DateTimeField(default=utcnow)

    @classmethod
    def newest_first(cls):
        """Return every round, the latest period first."""
        return cls.select().order_by(cls.period.desc(), cls.due_date.desc())


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

    @classmethod
    def thread(cls, measure):
        """Return a measure's comments, oldest first, with their authors."""
        return (cls.select(cls, User)
                .join(User, peewee.JOIN.LEFT_OUTER)
                .where(cls.measure == measure)
                .order_by(cls.created, cls.id))


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
