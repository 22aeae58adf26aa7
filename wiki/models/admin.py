"""Administration: the audit log of admin actions."""
import peewee

from wiki.db import BaseModel, JSONField, utcnow
from wiki.models.accounts import User


class AuditEntry(BaseModel):
    """One admin action: who, when, what, on which target, from which address.

    target and details never name a person: users appear as their id ("user/7").
    """

    user = peewee.ForeignKeyField(User, null=True, backref="audit_entries", on_delete="SET NULL")
    created = peewee.DateTimeField(default=utcnow, index=True)
    action = peewee.CharField(max_length=60, index=True)
    target = peewee.CharField(max_length=200, default="")
    details = JSONField(default=dict)
    address = peewee.CharField(max_length=64, default="")

    @classmethod
    def newest(cls, action=None):
        """Return the entries, newest first, with their actors, optionally of one action."""
        query = (cls.select(cls, User)
                 .join(User, peewee.JOIN.LEFT_OUTER)
                 .order_by(cls.created.desc(), cls.id.desc()))
        return query.where(cls.action == action) if action else query

    @classmethod
    def actions(cls):
        """Return the distinct actions that occur in the log, sorted."""
        return [row[0] for row in cls.select(cls.action).distinct().order_by(cls.action).tuples()]
