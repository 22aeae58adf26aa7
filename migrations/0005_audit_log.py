"""The audit log: every admin action with its actor, time, target, details and address."""
from peewee import *  # frozen copies of the models, as playhouse.migrations writes them


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class AuditEntry(Model):
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created = DateTimeField(index=True)
        action = CharField(max_length=60, index=True)
        target = CharField(max_length=200, default='')
        details = TextField(default=dict)
        address = CharField(max_length=64, default='')
        class Meta:
            database = db
            table_name = 'audit_entry'
    db.create_tables([AuditEntry])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('audit_entry'))
