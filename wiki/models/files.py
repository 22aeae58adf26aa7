"""Files: content stored once in the database (blobs in chunks), named files in a place, versions.

A file lives in one place, a wiki page (a measure's page too) or a status report, under a name
unique there without regard to case. Uploading the same name again makes a new version; the
content of every version is a blob, found by its SHA-256, so identical content is stored once
however often it is uploaded. Blobs are kept in the database so that every app server sees
every file with nothing else shared (docs/files.md says why and what it costs).
"""
import peewee

from wiki.db import BaseModel, utcnow
from wiki.models.accounts import User
from wiki.models.content import Page
from wiki.models.reports import StatusReport

# Bytes per stored chunk: what a worker holds of a file while it streams it.
CHUNK = 1024 * 1024


class Blob(BaseModel):
    """Content stored once, named by its SHA-256; its bytes are in chunks."""

    digest = peewee.CharField(max_length=64, unique=True)
    size = peewee.BigIntegerField()
    created = peewee.DateTimeField(default=utcnow)
    text = peewee.TextField(null=True)  # what search indexes (wiki/domain/filetext.py); None: none


class BlobChunk(BaseModel):
    """One CHUNK of a blob's bytes (the last one shorter)."""

    blob = peewee.ForeignKeyField(Blob, backref="chunks", on_delete="CASCADE")
    number = peewee.IntegerField()
    data = peewee.BlobField()

    class Meta:
        indexes = ((("blob", "number"), True),)


class StoredFile(BaseModel):
    """A named file in one place: a page (or measure) or a status report, with its versions."""

    page = peewee.ForeignKeyField(Page, null=True, backref="files", on_delete="CASCADE")
    report = peewee.ForeignKeyField(StatusReport, null=True, backref="files", on_delete="CASCADE")
    place = peewee.CharField(max_length=40)  # "page:12" or "report:5": one name per place
    name = peewee.CharField(max_length=200)  # as uploaded, cleaned (wiki/domain/filetypes.py)
    name_key = peewee.CharField(max_length=200)  # casefolded: roadmap.PNG is roadmap.png
    version_count = peewee.IntegerField(default=0)
    created = peewee.DateTimeField(default=utcnow)
    updated = peewee.DateTimeField(default=utcnow)
    deleted = peewee.DateTimeField(null=True)  # soft: restorable until an admin purges it

    class Meta:
        table_name = "stored_file"
        indexes = ((("place", "name_key"), True),)

    @classmethod
    def in_place(cls, place, deleted=False):
        """Return the files of a place by name (the deleted ones when asked)."""
        chosen = cls.deleted.is_null(False) if deleted else cls.deleted.is_null()
        return cls.select().where(cls.place == place, chosen).order_by(cls.name_key)

    @classmethod
    def named(cls, place, name):
        """Return the file of this name in a place (case-insensitive), or None."""
        return cls.get_or_none(cls.place == place, cls.name_key == name.casefold())

    @classmethod
    def largest(cls, limit=20):
        """Return the files of pages and measures (deleted ones too) with the most bytes over
        all their versions, each with `total`, `versions` and its page."""
        total = peewee.fn.SUM(FileVersion.size)
        return (cls.select(cls, Page, total.alias("total"),
                           peewee.fn.COUNT(FileVersion.id).alias("versions"))
                .join(Page, on=(cls.page == Page.id))
                .switch(cls)
                .join(FileVersion, on=(FileVersion.file == cls.id))
                .group_by(cls.id, Page.id)
                .order_by(total.desc(), cls.id)
                .limit(limit))

    @classmethod
    def deleted_ones(cls):
        """Return the softly deleted files of pages and measures, most recently deleted first."""
        return (cls.select(cls, Page).join(Page)
                .where(cls.deleted.is_null(False))
                .order_by(cls.deleted.desc(), cls.id))

    def latest(self):
        """Return the newest version with its blob."""
        return (FileVersion.select(FileVersion, Blob)
                .join(Blob)
                .where(FileVersion.file == self, FileVersion.number == self.version_count)
                .get())


class FileVersion(BaseModel):
    """One uploaded version of a file: its content, type, who, when and why."""

    file = peewee.ForeignKeyField(StoredFile, backref="versions", on_delete="CASCADE")
    number = peewee.IntegerField()
    blob = peewee.ForeignKeyField(Blob, on_delete="RESTRICT")
    kind = peewee.CharField(max_length=10)  # a key of wiki/domain/filetypes.py's KINDS
    size = peewee.BigIntegerField()
    width = peewee.IntegerField(null=True)  # images only, as shown (EXIF orientation applied)
    height = peewee.IntegerField(null=True)
    comment = peewee.CharField(max_length=500, default="")
    author = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created = peewee.DateTimeField(default=utcnow)
    restored_from = peewee.IntegerField(null=True)

    class Meta:
        table_name = "file_version"
        indexes = ((("file", "number"), True),)

    @classmethod
    def newest_in(cls, place):
        """Return the newest version of each (not deleted) file of a place, by name, with the
        file and the author."""
        return (cls.select(cls, StoredFile, User)
                .join(StoredFile)
                .switch(cls)
                .join(User, peewee.JOIN.LEFT_OUTER)
                .where(StoredFile.place == place, StoredFile.deleted.is_null(),
                       cls.number == StoredFile.version_count)
                .order_by(StoredFile.name_key))

    @classmethod
    def newest(cls):
        """Return the versions of every (not deleted) file of a page or measure, newest first,
        with file, page, measure (page.measure, None for a plain page) and author."""
        # The measure model through the page's back reference: measures.py imports content.py.
        Measure = Page.measure_row.rel_model  # noqa: N806
        return (cls.select(cls, StoredFile, Page, Measure, User)
                .join(StoredFile)
                .join(Page)
                .join(Measure, peewee.JOIN.LEFT_OUTER, on=(Measure.page == Page.id),
                      attr="measure")
                .switch(cls)
                .join(User, peewee.JOIN.LEFT_OUTER)
                .where(StoredFile.deleted.is_null())
                .order_by(cls.created.desc(), cls.id.desc()))

    @classmethod
    def uploaded_by(cls, user):
        """Return the versions a user uploaded (or restored), oldest first, with their files."""
        return (cls.select(cls, StoredFile).join(StoredFile)
                .where(cls.author == user)
                .order_by(cls.created, cls.id))

    @classmethod
    def of(cls, stored):
        """Return a file's versions, newest first, with their authors and blobs."""
        return (cls.select(cls, User, Blob)
                .join(User, peewee.JOIN.LEFT_OUTER)
                .switch(cls)
                .join(Blob)
                .where(cls.file == stored)
                .order_by(cls.number.desc()))


class ImageVariant(BaseModel):
    """A resized copy of an image blob, made once per width and kept as a blob of its own."""

    source = peewee.ForeignKeyField(Blob, backref="variants", on_delete="CASCADE")
    width = peewee.IntegerField()  # the width asked for (480, 960, 1600)
    blob = peewee.ForeignKeyField(Blob, on_delete="RESTRICT")
    mime = peewee.CharField(max_length=40)
    actual_width = peewee.IntegerField()
    actual_height = peewee.IntegerField()

    class Meta:
        table_name = "image_variant"
        indexes = ((("source", "width"), True),)

