"""Accounts: users, their server-side sessions and failed logins."""
import hashlib
from datetime import timedelta

import peewee
from flask_login import UserMixin

from wiki.db import BaseModel, utcnow

ROLES = ("reader", "editor", "admin")


class User(UserMixin, BaseModel):
    """A person who reads or edits; authors of revisions, reports and comments."""

    username = peewee.CharField(max_length=80, unique=True)
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

    @classmethod
    def by_name(cls, username):
        """Return the user with this name (case-insensitive) or None."""
        return cls.get_or_none(peewee.fn.LOWER(cls.username) == username.strip().lower())

    @classmethod
    def active_named(cls, usernames):
        """Return the active users with these names (given in lower case)."""
        return cls.select().where(cls.active & peewee.fn.LOWER(cls.username).in_(list(usernames)))

    @classmethod
    def ordered(cls):
        """Return every user, by user name."""
        return cls.select().order_by(peewee.fn.LOWER(cls.username))


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


class LoginFailure(BaseModel):
    """A failed login, counted per account and per address to throttle guessing."""

    key = peewee.CharField(max_length=200, index=True)
    created = peewee.DateTimeField(default=utcnow, index=True)

    @classmethod
    def recent(cls, key, minutes):
        """Count failures for a key within the last minutes."""
        cutoff = utcnow() - timedelta(minutes=minutes)
        return cls.select().where((cls.key == key) & (cls.created > cutoff)).count()
