"""Failed logins as one counter row per account and per address, claimed before each check.

The old table held a row per failure and was counted before the password was checked, so
parallel guesses all saw the count below the limit. login_throttle is updated by
compare-and-set (wiki.models.accounts.LoginThrottle.claim). Not change-counted (migration
0009): no page shows it. The old rows are dropped: a throttle starts afresh.
"""
from peewee import *  # frozen copies of the models, as playhouse.migrations writes them


def up(migrator, db):
    class LoginThrottle(Model):
        key = CharField(max_length=255, primary_key=True)
        failures = IntegerField(default=0)
        started = DateTimeField()
        until = DateTimeField()
        class Meta:
            database = db
            table_name = 'login_throttle'
    db.create_tables([LoginThrottle])
    migrator.migrate(migrator.drop_table('login_failure'))


def down(migrator, db):
    class LoginFailure(Model):
        key = CharField(index=True, max_length=200)
        created = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'login_failure'
    db.create_tables([LoginFailure])
    migrator.migrate(migrator.drop_table('login_throttle'))
