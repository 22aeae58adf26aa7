"""Files on pages, measures and status reports: blobs stored once in chunks, named files in a
place, their versions, and resized copies of images (wiki/models/files.py).

The file tables a page shows count changes like every other (migration 0009); blobs, their
chunks and image variants never change once written and are not counted.
"""
from peewee import *  # frozen copies of the models, as playhouse.migrations writes them

COUNTED = ("stored_file", "file_version")


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Page(Model):
        class Meta:
            database = db
            table_name = 'page'

    class StatusReport(Model):
        class Meta:
            database = db
            table_name = 'status_report'

    class Blob(Model):
        digest = CharField(max_length=64, unique=True)
        size = BigIntegerField()
        created = DateTimeField()
        text = TextField(null=True)
        class Meta:
            database = db
            table_name = 'blob'

    class BlobChunk(Model):
        blob = ForeignKeyField(Blob, on_delete='CASCADE')
        number = IntegerField()
        data = BlobField()
        class Meta:
            database = db
            table_name = 'blob_chunk'
            indexes = ((('blob', 'number'), True),)

    class StoredFile(Model):
        page = ForeignKeyField(Page, null=True, on_delete='CASCADE')
        report = ForeignKeyField(StatusReport, null=True, on_delete='CASCADE')
        place = CharField(max_length=40)
        name = CharField(max_length=200)
        name_key = CharField(max_length=200)
        version_count = IntegerField(default=0)
        created = DateTimeField()
        updated = DateTimeField()
        deleted = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'stored_file'
            indexes = ((('place', 'name_key'), True),)

    class FileVersion(Model):
        file = ForeignKeyField(StoredFile, on_delete='CASCADE')
        number = IntegerField()
        blob = ForeignKeyField(Blob, on_delete='RESTRICT')
        kind = CharField(max_length=10)
        size = BigIntegerField()
        width = IntegerField(null=True)
        height = IntegerField(null=True)
        comment = CharField(max_length=500, default='')
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created = DateTimeField()
        restored_from = IntegerField(null=True)
        class Meta:
            database = db
            table_name = 'file_version'
            indexes = ((('file', 'number'), True),)

    class ImageVariant(Model):
        source = ForeignKeyField(Blob, on_delete='CASCADE')
        width = IntegerField()
        blob = ForeignKeyField(Blob, on_delete='RESTRICT')
        mime = CharField(max_length=40)
        actual_width = IntegerField()
        actual_height = IntegerField()
        class Meta:
            database = db
            table_name = 'image_variant'
            indexes = ((('source', 'width'), True),)

    db.create_tables([Blob, BlobChunk, StoredFile, FileVersion, ImageVariant])
    for table in COUNTED:  # the names are this file's constants
        if isinstance(db, SqliteDatabase):
            for event in ("INSERT", "UPDATE", "DELETE"):
                db.execute_sql(
                    f'CREATE TRIGGER count_{table}_{event.lower()} AFTER {event} ON "{table}" '  # noqa: S608  # nosec B608
                    "BEGIN UPDATE change_counter SET n = n + 1; END")
        else:
            db.execute_sql(
                "CREATE CONSTRAINT TRIGGER count_change AFTER INSERT OR UPDATE OR DELETE "
                f'ON "{table}" DEFERRABLE INITIALLY DEFERRED '
                "FOR EACH ROW EXECUTE FUNCTION count_change()")


def down(migrator, db):
    for table in ("image_variant", "file_version", "stored_file", "blob_chunk", "blob"):
        db.execute_sql(f'DROP TABLE "{table}"')  # triggers go with their tables
