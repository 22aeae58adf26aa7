"""Administration: the audit log of admin actions, and the change counter."""
import secrets
from datetime import timedelta

import peewee

from wiki.db import BaseModel, JSONField, utcnow
from wiki.models.accounts import User
from wiki.models.content import EDITING_MINUTES, EditPresence


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


class ChangeCounter(BaseModel):
    """The one row counting the changes to the programme (migration 0009's triggers bump n).

    epoch is renewed by a restore, whose copy may repeat numbers that were counted before it.
    """

    epoch = peewee.CharField(max_length=32)
    n = peewee.BigIntegerField()

    class Meta:
        primary_key = False

    @classmethod
    def current(cls):
        """Return (epoch, n) as committed now, or None if the row is missing."""
        # Plain SQL: asked by every request, and building the query cost more than running it.
        return cls._meta.database.execute_sql("SELECT epoch, n FROM change_counter").fetchone()

    @classmethod
    def with_editors(cls):
        """Return ((epoch, n), {(page id, user id) of each open edit form}) in one query.

        Together, because a kept page (wiki/pagecache.py) depends on both and each round trip
        to PostgreSQL costs a request 0.2–0.3 ms. Plain SQL: building the query cost more.
        """
        database = cls._meta.database
        since = EditPresence.seen.db_value(utcnow() - timedelta(minutes=EDITING_MINUTES))
        sql = ("SELECT c.epoch, c.n, p.page_id, p.user_id FROM change_counter c "  # noqa: S608 (the driver's placeholder)  # nosec B608
               f"LEFT JOIN edit_presence p ON p.seen > {database.param}")  # nosec B608
        rows = database.execute_sql(sql, (since,)).fetchall()
        if not rows:
            return None, frozenset()
        return rows[0][:2], frozenset(row[2:] for row in rows if row[2] is not None)

    @classmethod
    def renew(cls):
        """Give the counter a new epoch, so nothing kept before it counts as current."""
        cls.update(epoch=secrets.token_hex(8)).execute()
