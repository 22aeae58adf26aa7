"""Watching measures and action fields, and the notifications it brings (in the app, by e-mail)."""
from datetime import timedelta

import peewee

from wiki.db import BaseModel, utcnow
from wiki.models.accounts import User
from wiki.models.content import ActionField, Page
from wiki.models.measures import Measure
from wiki.models.reports import Comment, StatusReport

KINDS = ("report", "comment", "mention")
# What becomes of a notification's e-mail: waiting for `fahrplan notify`, sent, never to be
# sent (mail off or no address when it was made, read in the app first, comment gone since), or
# failed (stored text no e-mail could carry, or refused for good: logged, not tried again).
MAIL_STATES = ("pending", "sent", "skipped", "failed")


class Watch(BaseModel):
    """A user follows one measure, or every measure of one action field."""

    user = peewee.ForeignKeyField(User, backref="watches", on_delete="CASCADE")
    measure = peewee.ForeignKeyField(Measure, null=True, on_delete="CASCADE")
    field = peewee.ForeignKeyField(ActionField, null=True, on_delete="CASCADE")
    created = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "measure"), True), (("user", "field"), True))

    @classmethod
    def of(cls, user):
        """Return what a user watches: measures (with page and field) and action fields."""
        return (cls.select(cls, Measure, Page, ActionField)
                .join(Measure, peewee.JOIN.LEFT_OUTER)
                .join(Page, peewee.JOIN.LEFT_OUTER)
                .switch(cls)
                .join(ActionField, peewee.JOIN.LEFT_OUTER,
                      on=(cls.field == ActionField.id))
                .where(cls.user == user)
                .order_by(cls.field.is_null(), ActionField.position, Measure.code))  # fields first

    @classmethod
    def targets(cls, user):
        """Return the ids a user watches: {"measure": {ids}, "field": {ids}}."""
        found = {"measure": set(), "field": set()}
        for measure, field in cls.select(cls.measure, cls.field).where(cls.user == user).tuples():
            if measure is not None:
                found["measure"].add(measure)
            if field is not None:
                found["field"].add(field)
        return found

    @classmethod
    def watchers(cls, measure):
        """Return the active users who watch a measure or its action field."""
        return (User.select()
                .join(cls, on=(cls.user == User.id))
                .where(((cls.measure == measure.id) | (cls.field == measure.field_id))
                       & User.active)
                .order_by(User.id)
                .distinct())


class Notification(BaseModel):
    """Something happened on a watched measure, or someone was mentioned: one user's note."""

    user = peewee.ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    kind = peewee.CharField(max_length=10)  # see KINDS
    measure = peewee.ForeignKeyField(Measure, on_delete="CASCADE")
    report = peewee.ForeignKeyField(StatusReport, null=True, on_delete="CASCADE")
    comment = peewee.ForeignKeyField(Comment, null=True, on_delete="CASCADE")
    actor = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")  # who wrote it
    created = peewee.DateTimeField(default=utcnow, index=True)
    read = peewee.DateTimeField(null=True)  # when it was marked read; None: unread
    mail = peewee.CharField(max_length=10, default="pending", index=True)  # see MAIL_STATES
    mailed = peewee.DateTimeField(null=True)  # when its e-mail (single or digest) went out

    class Meta:
        indexes = ((("user", "read"), False),)

    @property
    def visible(self):
        """Tell whether what it is about may be shown: no comment, or one not deleted or hidden."""
        return self.comment_id is None or not (self.comment.deleted or self.comment.hidden)

    @classmethod
    def listing(cls):
        """Return notifications with measure, page, author, comment and report, newest first."""
        actor = User.alias()
        return (cls.select(cls, Measure, Page, actor, Comment, StatusReport)
                .join(Measure)
                .join(Page)
                .switch(cls)
                .join(actor, peewee.JOIN.LEFT_OUTER, on=(cls.actor == actor.id))
                .switch(cls)
                .join(Comment, peewee.JOIN.LEFT_OUTER)
                .switch(cls)
                .join(StatusReport, peewee.JOIN.LEFT_OUTER,
                      on=(cls.report == StatusReport.id))
                .order_by(cls.created.desc(), cls.id.desc()))

    @classmethod
    def of(cls, user):
        """Return a user's notifications, newest first, with what they are about."""
        return cls.listing().where(cls.user == user)

    @classmethod
    def unread(cls, user):
        """Return a user's unread notifications."""
        return cls.select().where((cls.user == user) & cls.read.is_null())

    @classmethod
    def pending_mail(cls):
        """Return the notifications waiting for their e-mail, oldest first, with what they need."""
        recipient = User.alias()
        return (cls.listing()
                .select_extend(recipient)
                .switch(cls)
                .join(recipient, on=(cls.user == recipient.id))
                .where(cls.mail == "pending")
                .order_by(cls.user, cls.created, cls.id))

    @classmethod
    def older_than(cls, days):
        """Return the query that deletes the notifications made more than days ago."""
        return cls.delete().where(cls.created < utcnow() - timedelta(days=days))
