"""Accounts: users, their server-side sessions and the counters of failed logins."""
import hashlib
import math
import unicodedata
from datetime import timedelta

import peewee
from flask_login import UserMixin

from wiki.db import BaseModel, utcnow

ROLES = ("reader", "editor", "admin")


class User(UserMixin, BaseModel):
    """A person who reads or edits; authors of revisions, reports and comments."""

    username = peewee.CharField(max_length=80, unique=True)
    # What names are compared by (key_for), the same on SQLite and PostgreSQL; set by save().
    username_key = peewee.CharField(max_length=255, unique=True)
    name = peewee.CharField(max_length=200, default="")
    email = peewee.CharField(max_length=200, default="")
    role = peewee.CharField(max_length=10, default="reader")
    password_hash = peewee.CharField(max_length=255, null=True)
    active = peewee.BooleanField(default=True)
    created = peewee.DateTimeField(default=utcnow)

    # Set by the session loader: the token of the session this request runs in.
    session_token = None

    @property
    def is_active(self):
        """Tell Flask-Login whether the account may be used."""
        return self.active

    def get_id(self):
        """Identify the login by its server-side session, so ending that session ends the login."""
        return self.session_token

    @property
    def display_name(self):
        """Return the name to show, falling back to the user name."""
        return self.name or self.username

    def has_role(self, role):
        """Tell whether the user holds at least the given role."""
        return ROLES.index(self.role) >= ROLES.index(role)

    def save(self, *args, **kwargs):
        """Store the user, with the key of the user name."""
        self.username_key = self.key_for(self.username)
        return super().save(*args, **kwargs)

    @staticmethod
    def key_for(username):
        """Return the key a user name is compared by: NFC, Unicode case folding, NFC again.

        The databases' own LOWER() differs (SQLite folds ASCII only), so the key is computed
        here and stored: "MÜLLER", "Müller" and a decomposed "Müller" are one account everywhere.
        """
        name = unicodedata.normalize("NFC", username.strip())
        return unicodedata.normalize("NFC", name.casefold())

    @classmethod
    def by_name(cls, username):
        """Return the user with this name (compared by key_for) or None."""
        return cls.get_or_none(cls.username_key == cls.key_for(username))

    @classmethod
    def active_named(cls, usernames):
        """Return the active users with these names (compared by key_for)."""
        keys = {cls.key_for(name) for name in usernames}
        return cls.select().where(cls.active & cls.username_key.in_(list(keys)))

    @classmethod
    def ordered(cls):
        """Return every user, by user name."""
        return cls.select().order_by(cls.username_key)


def token_hash(token):
    """Return the stored form of a session token: only its hash is kept."""
    return hashlib.sha256(token.encode()).hexdigest()


class Session(BaseModel):
    """A server-side login session; deleting the row ends it for real."""

    key = peewee.CharField(max_length=64, primary_key=True)
    user = peewee.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created = peewee.DateTimeField(default=utcnow)
    last_seen = peewee.DateTimeField(default=utcnow)
    address = peewee.CharField(max_length=64, default="")

    @classmethod
    def lookup(cls, token, days):
        """Return the live session for a token, or None when unknown or expired."""
        cutoff = utcnow() - timedelta(days=days)
        return (cls.select(cls, User)
                .join(User)
                .where((cls.key == token_hash(token)) & (cls.last_seen > cutoff))
                .first())

    @classmethod
    def end_all(cls, user, keep=None):
        """End every session of a user, except optionally the one with token keep."""
        query = cls.delete().where(cls.user == user)
        if keep:
            query = query.where(cls.key != token_hash(keep))
        return query.execute()

    @classmethod
    def last_seen_by_user(cls):
        """Return {user id: when their most recently used live session was last used}."""
        return dict(cls.select(cls.user, peewee.fn.MAX(cls.last_seen))
                    .group_by(cls.user)
                    .tuples())


class LoginThrottle(BaseModel):
    """Failed logins of one account or address, counted in one row so that guesses queue.

    Each attempt claims the row before its password is checked (compare-and-set on the whole
    row), so parallel guesses cannot slip past the count; a successful login gives its claim back.
    """

    key = peewee.CharField(max_length=255, primary_key=True)  # user:<name key> or addr:<address>
    failures = peewee.IntegerField(default=0)
    started = peewee.DateTimeField(default=utcnow)  # the first failure counted in this run
    until = peewee.DateTimeField(default=utcnow)  # no attempt is checked before this moment

    @classmethod
    def claim(cls, key, step):
        """Count an attempt for key; return the seconds it must wait instead (0: counted).

        step(failures, started, until, now) returns the row's next (failures, started, until).
        """
        for _attempt in range(100):  # another attempt changed the row in between: read again
            now = utcnow()
            row = cls.get_or_none(cls.key == key)
            if row is None:
                cls.insert(key=key, started=now, until=now).on_conflict_ignore().execute()
                continue
            if row.until > now:
                return math.ceil((row.until - now).total_seconds())
            failures, started, until = step(row.failures, row.started, row.until, now)
            claimed = (cls.update(failures=failures, started=started, until=until)
                       .where((cls.key == key) & (cls.failures == row.failures)
                              & (cls.started == row.started) & (cls.until == row.until))
                       .execute())
            if claimed:
                return 0
        return 1  # never counted: refuse rather than check unthrottled

    @classmethod
    def give_back(cls, key):
        """Return one counted attempt of key (it was no failure), lifting a wait it caused."""
        return (cls.update(failures=cls.failures - 1, until=cls.started)
                .where((cls.key == key) & (cls.failures > 0))
                .execute())

    @classmethod
    def clear(cls, key):
        """Forget every failure of key."""
        return cls.delete().where(cls.key == key).execute()

    @classmethod
    def expired(cls, before):
        """Return a delete of the rows that count nothing: no failures, or none since before."""
        return cls.delete().where((cls.failures == 0) | (cls.until < before))
