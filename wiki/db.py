"""The database: one proxy, bound in create_app, one connection per request, numbered migrations."""
import json
import os
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import urlparse

import peewee
from playhouse.db_url import connect
from playhouse.pool import PooledSqliteDatabase
from werkzeug.exceptions import NotFound

db = peewee.DatabaseProxy()

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "normal",
    "cache_size": -2000,  # 2 MB per pooled connection; the system's file cache holds the rest
}


def found(row):
    """Return a looked-up row, or raise 404 (werkzeug's NotFound) when there is none."""
    if row is None:
        raise NotFound
    return row


class BaseModel(peewee.Model):
    """Base of every model: bound to the proxy, snake_case table names."""

    class Meta:
        database = db
        legacy_table_names = False

    @classmethod
    def get_or_404(cls, *query, **filters):
        """Return the row matching the query, or raise 404."""
        return found(cls.get_or_none(*query, **filters))


class JSONField(peewee.TextField):
    """Store a JSON document as text, portable between SQLite and PostgreSQL."""

    def db_value(self, value):
        """Serialise to compact, key-sorted JSON."""
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def python_value(self, value):
        """Parse stored JSON."""
        return None if value is None else json.loads(value)


def open_database(url, instance_path):
    """Return a peewee database for a URL; relative SQLite paths live in the instance folder."""
    parsed = urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        path = url.split("://", 1)[1].split("?", 1)[0]
        path = path.removeprefix("/")  # sqlite:////abs or sqlite:///rel
        if path != ":memory:" and not os.path.isabs(path):
            path = os.path.join(instance_path, path)
        # Pooled too: opening a connection and setting its pragmas was a third of what a
        # request for a kept page cost (wiki/pagecache.py).
        return PooledSqliteDatabase(
            path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE", check_same_thread=False,
            max_connections=8, stale_timeout=300,
        )
    if parsed.scheme in ("postgres", "postgresql"):
        # A pool per worker: connecting anew for every request cost 5–15 ms (connect plus a
        # cold server backend); close() at the end of a request hands the connection back.
        return connect(url.replace("://", "+pool://", 1), max_connections=8,
                       stale_timeout=300)
    raise ValueError(f"FAHRPLAN_DATABASE_URL: unbekanntes Schema {parsed.scheme!r}")


def disconnect():
    """Close this process's connections, the pooled idle ones too (SQLite then folds its
    write-ahead log into the file, which can be copied as it is)."""
    if not db.is_closed():
        db.close()
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()


def is_sqlite():
    """Tell whether the bound database is SQLite."""
    return isinstance(db.obj, peewee.SqliteDatabase)


@contextmanager
def erasing():
    """Overwrite what the block deletes or changes in the SQLite file, not only unlink it.

    For pseudonymising a person: secure_delete zeroes freed pages, and the write-ahead log,
    which still holds the old page copies, is emptied afterwards (best effort).
    """
    if is_sqlite():
        db.execute_sql("PRAGMA secure_delete = ON")
    yield
    if is_sqlite():
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def migrate(target=None):
    """Apply pending migrations (up to target); return the applied names."""
    return _runner().up(target)


def rollback(target=None):
    """Revert the newest migration, or every one back through target."""
    return _runner().down(target)


def pending():
    """Return the names of migrations not yet applied."""
    return [m.name for m in _runner().status() if m.applied is None]


def _runner():
    # Imported here: the web workers never migrate, and the module costs each of them 1 MB.
    from playhouse.migrations import Runner

    return Runner(db.obj, MIGRATIONS)


def init_app(app):
    """Bind the database named in the configuration and open one connection per request."""
    db.initialize(open_database(app.config["DATABASE_URL"], app.instance_path))

    @app.before_request
    def _connect():
        db.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc):
        if not db.is_closed():
            db.close()


def utcnow():
    """Return the current time as naive UTC, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)
