"""Initial schema: accounts, strategy, pages and revisions, measures, reports, rounds, comments."""
from peewee import *  # frozen copies of the models, as playhouse.migrations writes them


def up(migrator, db):
    class ActionField(Model):
        code = CharField(unique=True, max_length=20)
        title = CharField(max_length=300)
        summary = TextField(default='')
        body = TextField(default='')
        html = TextField(default='')
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'action_field'
    db.create_tables([ActionField])

    class Page(Model):
        slug = CharField(unique=True, max_length=120)
        kind = CharField(max_length=10, default='page')
        title = CharField(max_length=300)
        revision_count = IntegerField(default=0)
        created = DateTimeField()
        updated = DateTimeField()
        class Meta:
            database = db
            table_name = 'page'
    db.create_tables([Page])

    class User(Model):
        username = CharField(unique=True, max_length=80)
        name = CharField(max_length=200, default='')
        email = CharField(max_length=200, default='')
        role = CharField(max_length=10, default='reader')
        password_hash = CharField(null=True)
        active = BooleanField(default=True)
        created = DateTimeField()
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class Measure(Model):
        page = ForeignKeyField(Page, unique=True, on_delete='CASCADE')
        code = CharField(unique=True, max_length=20)
        field = ForeignKeyField(ActionField, on_delete='RESTRICT')
        obligation = CharField(max_length=10, default='internal')
        legal_basis = CharField(max_length=300, default='')
        legal_deadline = DateField(null=True)
        status = CharField(max_length=10, default='planned')
        owner = CharField(max_length=300, default='')
        contact = ForeignKeyField(User, null=True, on_delete='SET NULL')
        planned_start = DateField(null=True)
        planned_end = DateField(null=True)
        actual_start = DateField(null=True)
        actual_end = DateField(null=True)
        progress = IntegerField(default=0)
        tags = CharField(max_length=500, default='')
        class Meta:
            database = db
            table_name = 'measure'
    db.create_tables([Measure])

    class StatusReport(Model):
        measure = ForeignKeyField(Measure, on_delete='CASCADE')
        date = DateField(index=True)
        period = CharField(index=True, max_length=10)
        status = CharField(max_length=10)
        traffic_light = CharField(max_length=10)
        progress = IntegerField(default=0)
        body = TextField(default='')
        html = TextField(default='')
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created = DateTimeField()
        updated = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'status_report'
    db.create_tables([StatusReport])

    class Comment(Model):
        measure = ForeignKeyField(Measure, on_delete='CASCADE')
        report = ForeignKeyField(StatusReport, null=True, on_delete='SET NULL')
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        body = TextField(default='')
        html = TextField(default='')
        created = DateTimeField(index=True)
        updated = DateTimeField()
        version = IntegerField(default=1)
        deleted = BooleanField(default=False)
        hidden = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'comment'
    db.create_tables([Comment])

    class CommentVersion(Model):
        comment = ForeignKeyField(Comment, on_delete='CASCADE')
        number = IntegerField()
        body = TextField(default='')
        html = TextField(default='')
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created = DateTimeField()
        class Meta:
            database = db
            table_name = 'comment_version'
            indexes = ((('comment', 'number'), True),)
    db.create_tables([CommentVersion])

    class Dependency(Model):
        measure = ForeignKeyField(Measure, on_delete='CASCADE')
        requires = ForeignKeyField(Measure, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'dependency'
            indexes = ((('measure', 'requires'), True),)
    db.create_tables([Dependency])

    class LoginFailure(Model):
        key = CharField(index=True, max_length=200)
        created = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'login_failure'
    db.create_tables([LoginFailure])

    class PageAlias(Model):
        slug = CharField(unique=True, max_length=120)
        page = ForeignKeyField(Page, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'page_alias'
    db.create_tables([PageAlias])

    class PageLink(Model):
        source = ForeignKeyField(Page, on_delete='CASCADE')
        target = CharField(index=True, max_length=120)
        class Meta:
            database = db
            table_name = 'page_link'
            indexes = ((('source', 'target'), True),)
    db.create_tables([PageLink])

    class ReportRound(Model):
        slug = CharField(unique=True, max_length=60)
        title = CharField(max_length=300)
        period = CharField(index=True, max_length=10)
        due_date = DateField()
        body = TextField(default='')
        html = TextField(default='')
        created = DateTimeField()
        class Meta:
            database = db
            table_name = 'report_round'
    db.create_tables([ReportRound])

    class ReportVersion(Model):
        report = ForeignKeyField(StatusReport, on_delete='CASCADE')
        number = IntegerField()
        date = DateField()
        period = CharField(max_length=10)
        status = CharField(max_length=10)
        traffic_light = CharField(max_length=10)
        progress = IntegerField(default=0)
        body = TextField(default='')
        html = TextField(default='')
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created = DateTimeField()
        summary = CharField(max_length=500, default='')
        class Meta:
            database = db
            table_name = 'report_version'
            indexes = ((('report', 'number'), True),)
    db.create_tables([ReportVersion])

    class Revision(Model):
        page = ForeignKeyField(Page, on_delete='CASCADE')
        number = IntegerField()
        title = CharField(max_length=300)
        body = TextField(default='')
        html = TextField(default='')
        meta = TextField(default=dict)
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created = DateTimeField(index=True)
        summary = CharField(max_length=500, default='')
        size = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'revision'
            indexes = ((('page', 'number'), True),)
    db.create_tables([Revision])

    class Session(Model):
        key = CharField(primary_key=True, max_length=64)
        user = ForeignKeyField(User, on_delete='CASCADE')
        created = DateTimeField()
        last_seen = DateTimeField()
        address = CharField(max_length=64, default='')
        class Meta:
            database = db
            table_name = 'session'
    db.create_tables([Session])

    class Strategy(Model):
        title = CharField(max_length=300)
        period_start = DateField()
        period_end = DateField()
        leitbild = ForeignKeyField(Page, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'strategy'
    db.create_tables([Strategy])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('strategy'))
    migrator.migrate(migrator.drop_table('session'))
    migrator.migrate(migrator.drop_table('revision'))
    migrator.migrate(migrator.drop_table('report_version'))
    migrator.migrate(migrator.drop_table('report_round'))
    migrator.migrate(migrator.drop_table('page_link'))
    migrator.migrate(migrator.drop_table('page_alias'))
    migrator.migrate(migrator.drop_table('login_failure'))
    migrator.migrate(migrator.drop_table('dependency'))
    migrator.migrate(migrator.drop_table('comment_version'))
    migrator.migrate(migrator.drop_table('comment'))
    migrator.migrate(migrator.drop_table('status_report'))
    migrator.migrate(migrator.drop_table('measure'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('page'))
    migrator.migrate(migrator.drop_table('action_field'))
