"""A change counter: every worker reads it to tell whether a page it keeps is still current.

Triggers on every table whose rows a page shows add one to change_counter.n inside the writing
transaction, so the new number becomes visible together with the change (wiki/pagecache.py).
Not counted: sessions, failed logins and edit presence (read fresh by every request), the search
index (written together with what it indexes), the migration table and the counter itself. A
migration that adds a table adds its triggers the same way; tests/test_pagecache.py fails for a
table that has none and is not named there.

On PostgreSQL the trigger is a deferred constraint trigger: it runs at commit, after every other
lock the transaction takes, so writers queue on the one counter row without deadlocking, and a
transaction-local setting makes it count once per transaction rather than once per row.
"""
import secrets

from peewee import SqliteDatabase, Table

COUNTED = (
    "action_field", "audit_entry", "comment", "comment_version", "dependency", "measure",
    "notification", "page", "page_alias", "page_link", "report_round", "report_version",
    "revision", "status_report", "strategy", "user", "watch",
)

COUNT_ONCE = """
CREATE FUNCTION count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('fahrplan.counted', true) IS DISTINCT FROM 'yes' THEN
    UPDATE change_counter SET n = n + 1;
    PERFORM set_config('fahrplan.counted', 'yes', true);
  END IF;
  RETURN NULL;
END $$"""


def up(migrator, db):
    db.execute_sql("CREATE TABLE change_counter (epoch VARCHAR(32) NOT NULL, n BIGINT NOT NULL)")
    Table("change_counter", ("epoch", "n")).bind(db).insert(epoch=secrets.token_hex(8),
                                                           n=0).execute()
    if isinstance(db, SqliteDatabase):
        for table in COUNTED:  # the names are this file's constants
            for event in ("INSERT", "UPDATE", "DELETE"):
                db.execute_sql(
                    f'CREATE TRIGGER count_{table}_{event.lower()} AFTER {event} ON "{table}" '  # noqa: S608  # nosec B608
                    "BEGIN UPDATE change_counter SET n = n + 1; END")
        return
    db.execute_sql(COUNT_ONCE)
    for table in COUNTED:
        db.execute_sql(
            f'CREATE CONSTRAINT TRIGGER count_change AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_change()")


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for table in COUNTED:
            for event in ("insert", "update", "delete"):
                db.execute_sql(f"DROP TRIGGER count_{table}_{event}")
    else:
        for table in COUNTED:
            db.execute_sql(f'DROP TRIGGER count_change ON "{table}"')
        db.execute_sql("DROP FUNCTION count_change()")
    db.execute_sql("DROP TABLE change_counter")
