"""Files in a place (a page, a measure's page or a status report): upload, versions, restore,
soft delete and purge. What may come in is decided before (wiki/domain/filetypes.py and the
scan hook); this module keeps the versions and says who did what.
"""
import io

from flask_babel import gettext as _
from peewee import IntegrityError, fn

from wiki.db import db, utcnow
from wiki.domain import cleaning, filetext, images, search, storage
from wiki.models import Blob, FileVersion, ImageVariant, StoredFile

COMMENT_LIMIT = 500


def place_of(page=None, report=None):
    """Return the place key of a page or a status report."""
    return f"report:{report.id}" if report is not None else f"page:{page.id}"


def clean_comment(value):
    """Return a version's comment: one line of at most 500 characters (or refuse it)."""
    return cleaning.line(value, _("Kommentar"), COMMENT_LIMIT)


def save(stream, name, kind, author, comment="", page=None, report=None, size=None, text=None,
         created=None, restored_from=None):
    """Store an upload as a new file, or as the next version of the file of that name there.

    kind: the type's key; size: (width, height) of an image as shown; text: its searchable text
    (read here when not given: callers inside a transaction read it before); created and
    restored_from: as an imported version had them. A deleted file of the same name comes back
    with the upload as its newest version.
    """
    place = place_of(page, report)
    if text is None:
        text = filetext.extract(kind, stream)
    with db.atomic():
        blob = storage.store(stream, text)
        stored = StoredFile.named(place, name)
        now = created or utcnow()
        if stored is None:
            stored = StoredFile.create(page=page, report=report, place=place, name=name,
                                       name_key=name.casefold(), created=now, updated=now)
        width, height = size or (None, None)
        return _add_version(stored, blob, kind, author, comment, width=width, height=height,
                            created=now, restored_from=restored_from)


def restore(stored, number, author):
    """Make an old version the newest again, as a new version naming the one it restores."""
    old = FileVersion.get_or_none(FileVersion.file == stored, FileVersion.number == number)
    if old is None:
        return None
    with db.atomic():
        return _add_version(stored, old.blob, old.kind, author,
                            _("Version %(number)d wiederhergestellt", number=number),
                            width=old.width, height=old.height, restored_from=number)


def _add_version(stored, blob, kind, author, comment, created=None, **extra):
    """Append a version to a file (which must be inside a transaction) and bring it back."""
    created = created or utcnow()
    updated = (StoredFile.update(version_count=StoredFile.version_count + 1, updated=created,
                                 deleted=None)
               .where(StoredFile.id == stored.id)
               .execute())
    if updated != 1:  # the file was purged meanwhile
        raise StoredFile.DoesNotExist(stored.id)
    stored = StoredFile.get_by_id(stored.id)
    search.index_file(stored, blob.text or "")
    return FileVersion.create(file=stored, number=stored.version_count, blob=blob, kind=kind,
                              size=blob.size, comment=comment, author=author, created=created,
                              **extra)


def delete(stored, when=None):
    """Delete a file softly: it leaves the lists but keeps every version until purged."""
    with db.atomic():
        StoredFile.update(deleted=when or utcnow()).where(StoredFile.id == stored.id).execute()
        search.remove("file", stored.id)


def undelete(stored):
    """Bring a softly deleted file back."""
    with db.atomic():
        StoredFile.update(deleted=None).where(StoredFile.id == stored.id).execute()
        search.index_file(StoredFile.get_by_id(stored.id), stored.latest().blob.text or "")


def purge(stored):
    """Delete a file with all its versions for good, and the content nothing else uses."""
    with db.atomic():
        StoredFile.delete().where(StoredFile.id == stored.id).execute()
        search.remove("file", stored.id)
        _drop_unused_blobs()


def _drop_unused_blobs():
    """Delete the blobs (with their chunks and image variants) no version uses any more."""
    while True:  # a variant's own blob becomes unused once its source is gone
        unused = [blob.id for blob in Blob.select(Blob.id).where(
            ~Blob.id.in_(FileVersion.select(FileVersion.blob)),
            ~Blob.id.in_(ImageVariant.select(ImageVariant.blob)))]
        if not unused:
            return
        Blob.delete().where(Blob.id.in_(unused)).execute()


def variant_of(version, width):
    """Return the ImageVariant of an image version at one of its widths, made on first use.

    Made once per content and width, whichever place shows it; None for a width the image has
    no variant at (images.widths) or a GIF, which is shown as uploaded (it may move).
    """
    if version.kind == "gif" or not version.width or width not in images.widths(version.width):
        return None
    found = ImageVariant.get_or_none(ImageVariant.source == version.blob_id,
                                     ImageVariant.width == width)
    if found is not None:
        return found
    # Read whole (an upload is at most FILE_MAX_MB): Pillow reads in small steps, each of which
    # would fetch a chunk from the database again.
    made = images.variant(io.BytesIO(storage.read_all(version.blob)), width)
    try:
        with db.atomic():
            return ImageVariant.create(source=version.blob_id, width=width,
                                       blob=storage.store_bytes(made.data), mime=made.mime,
                                       actual_width=made.width, actual_height=made.height)
    except IntegrityError:  # another worker made it at the same time
        return ImageVariant.get(ImageVariant.source == version.blob_id,
                                ImageVariant.width == width)


def total_size():
    """Return (number of blobs, their bytes): what the files take in the database."""
    count, size = Blob.select(fn.COUNT(Blob.id), fn.SUM(Blob.size)).tuples().get()
    return count, size or 0
