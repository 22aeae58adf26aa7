"""User names compared by one key on every backend: NFC, Unicode case folding, NFC again.

SQLite's LOWER() folds ASCII only, so "MÜLLER" and "Müller" were two accounts there and one on
PostgreSQL. The key is computed in Python (wiki.models.accounts.User.key_for) and stored with
a unique index. Accounts that already fold to one key (made on SQLite) keep their rows: the
oldest gets the plain key, each later one the key with a tab and its id, which no typed name
can produce (names are printable), and the migration names them so an admin can merge them.
"""
import logging
import unicodedata

from peewee import SqliteDatabase, Table

log = logging.getLogger(__name__)


def key_for(username):
    """Return a user name's key (a frozen copy of User.key_for)."""
    name = unicodedata.normalize("NFC", username.strip())
    return unicodedata.normalize("NFC", name.casefold())


def up(migrator, db):
    # NOT NULL with a default: added in place on both backends (SQLite before 3.53 would copy
    # the whole table, and the user table's triggers with it, for a NOT NULL added later).
    db.execute_sql("ALTER TABLE \"user\" ADD COLUMN username_key VARCHAR(255) NOT NULL DEFAULT ''")
    user = Table("user", ("id", "username", "username_key")).bind(db)
    taken = set()
    for ident, name in user.select(user.id, user.username).order_by(user.id).tuples():
        key = key_for(name)
        if key in taken:
            log.warning("Benutzerkonto %s (id %s) hat denselben Schlüssel wie ein älteres; "
                        "es ist nur noch über die Verwaltung erreichbar.", name, ident)
            key = f"{key}\t{ident}"
        taken.add(key)
        user.update(username_key=key).where(user.id == ident).execute()
    if not isinstance(db, SqliteDatabase):
        # The updates left change-counter triggers (0009) pending until commit, and PostgreSQL
        # builds no index on a table with pending trigger events: fire them now.
        db.execute_sql("SET CONSTRAINTS ALL IMMEDIATE")
        db.execute_sql("SET CONSTRAINTS ALL DEFERRED")
    migrator.migrate(migrator.add_index("user", ("username_key",), True))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("user", "user_username_key"),
        migrator.drop_column("user", "username_key"),
    )
