"""Watching measures and action fields; notifications in the app and their e-mail state."""
from peewee import *  # frozen copies of the models, as playhouse.migrations writes them


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Measure(Model):
        class Meta:
            database = db
            table_name = 'measure'

    class ActionField(Model):
        class Meta:
            database = db
            table_name = 'action_field'

    class StatusReport(Model):
        class Meta:
            database = db
            table_name = 'status_report'

    class Comment(Model):
        class Meta:
            database = db
            table_name = 'comment'

    class Watch(Model):
        user = ForeignKeyField(User, backref='+', on_delete='CASCADE')
        measure = ForeignKeyField(Measure, backref='+', null=True, on_delete='CASCADE')
        field = ForeignKeyField(ActionField, backref='+', null=True, on_delete='CASCADE')
        created = DateTimeField()
        class Meta:
            database = db
            table_name = 'watch'
            indexes = ((('user', 'measure'), True), (('user', 'field'), True))

    class Notification(Model):
        user = ForeignKeyField(User, backref='+', on_delete='CASCADE')
        kind = CharField(max_length=10)
        measure = ForeignKeyField(Measure, backref='+', on_delete='CASCADE')
        report = ForeignKeyField(StatusReport, backref='+', null=True, on_delete='CASCADE')
        comment = ForeignKeyField(Comment, backref='+', null=True, on_delete='CASCADE')
        actor = ForeignKeyField(User, backref='+', null=True, on_delete='SET NULL')
        created = DateTimeField(index=True)
        read = DateTimeField(null=True)
        mail = CharField(max_length=10, default='pending', index=True)
        mailed = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'notification'
            indexes = ((('user', 'read'), False),)
    db.create_tables([Watch, Notification])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('notification'), migrator.drop_table('watch'))
