"""The programme's own words: statuses, markings, report period and code pattern, kept as one
JSON document on the strategy (wiki/domain/vocabulary.py). Empty means the default vocabulary,
so existing programmes keep theirs.

Added in place on both backends: the migrator's add_column would make SQLite copy the table to
set NOT NULL, losing the strategy table's change-counter triggers (migration 0009). The status
and marking columns widen to a key's 40 characters on PostgreSQL; SQLite does not hold to a
VARCHAR's length and needs no change.
"""
from peewee import SqliteDatabase

WIDENED = (("measure", "status"), ("measure", "obligation"), ("status_report", "status"),
           ("report_version", "status"))


def up(migrator, db):
    db.execute_sql("ALTER TABLE strategy ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'")
    if not isinstance(db, SqliteDatabase):
        for table, column in WIDENED:
            db.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE VARCHAR(40)')


def down(migrator, db):
    db.execute_sql("ALTER TABLE strategy DROP COLUMN settings")  # in place, triggers kept
    if not isinstance(db, SqliteDatabase):
        for table, column in WIDENED:
            db.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE VARCHAR(10)')
