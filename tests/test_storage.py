"""Files in the database: content stored once in chunks, read from any position; versions,
restore, soft delete and purge (wiki/domain/storage.py, wiki/domain/files.py)."""
import hashlib
import io

import pytest

from tests.conftest import make_user
from wiki.domain import files, storage
from wiki.models import Blob, BlobChunk, FileVersion, ImageVariant, Page, StoredFile

pytestmark = pytest.mark.postgres

SMALL_CHUNK = 10  # bytes: a few bytes of content cross several chunks


@pytest.fixture
def small_chunks(monkeypatch):
    """Store and read in 10-byte chunks, so that short contents cross chunk borders."""
    monkeypatch.setattr(storage, "CHUNK", SMALL_CHUNK)


@pytest.fixture
def page(ctx):
    """Return a plain wiki page to put files on."""
    return Page.create(slug="ablage", title="Ablage")


def stream(data):
    """Return a seekable stream of bytes, as werkzeug spools an upload."""
    return io.BytesIO(data)


def test_content_is_stored_once_in_chunks(ctx, small_chunks):
    """The same bytes twice are one blob; its chunks hold the bytes in order."""
    data = bytes(range(256)) * 2
    first, second = storage.store(stream(data)), storage.store(stream(data))
    assert first.id == second.id and Blob.select().count() == 1
    assert first.digest == hashlib.sha256(data).hexdigest() and first.size == len(data)
    chunks = BlobChunk.select().where(BlobChunk.blob == first).order_by(BlobChunk.number)
    assert [len(c.data) for c in chunks] == [10] * 51 + [2]
    assert b"".join(bytes(c.data) for c in chunks) == data
    assert storage.read_all(first) == data


def test_an_empty_content_is_a_blob_without_chunks(ctx):
    """Nothing to store is still a blob (of size 0) that reads as nothing."""
    blob = storage.store(stream(b""))
    assert blob.size == 0 and blob.chunks.count() == 0
    assert list(storage.BlobReader(blob.id, blob.size)) == []


@pytest.mark.parametrize("start", [0, 1, 9, 10, 11, 25, 29, 30])
def test_reading_starts_anywhere(ctx, small_chunks, start):
    """A range request seeks: the reader gives the bytes from there, chunk by chunk."""
    data = b"abcdefghijklmnopqrstuvwxyz0123"
    blob = storage.store(stream(data))
    reader = storage.BlobReader(blob.id, blob.size)
    assert reader.seekable() and reader.seek(start) == start
    assert b"".join(reader) == data[start:]
    reader.seek(start)
    assert reader.read(7) == data[start:start + 7] and reader.tell() == min(30, start + 7)
    assert reader.read() == data[start + 7:]


def test_a_missing_chunk_ends_the_stream_rather_than_looping(ctx, small_chunks):
    """A damaged blob stops where its bytes stop."""
    blob = storage.store(stream(b"x" * 25))
    BlobChunk.delete().where(BlobChunk.number == 1).execute()
    assert b"".join(storage.BlobReader(blob.id, blob.size)) == b"x" * 10


def test_the_stream_is_read_from_its_start_and_left_there(ctx):
    """An upload whose position was moved (by the type check) is stored whole."""
    upload = stream(b"%PDF-1.7 whole")
    upload.seek(5)
    blob = storage.store(upload)
    assert storage.read_all(blob) == b"%PDF-1.7 whole" and upload.tell() == 0


def test_the_same_name_makes_a_new_version(ctx, page):
    """Uploading roadmap.PNG after roadmap.png is version 2 of the same file."""
    author = make_user("e.editor")
    first = files.save(stream(b"one"), "roadmap.png", "png", author, "Entwurf", page=page,
                       size=(40, 30))
    second = files.save(stream(b"two"), "roadmap.PNG", "png", author, page=page)
    stored = StoredFile.get()
    assert (first.number, second.number, stored.version_count) == (1, 2, 2)
    assert stored.name == "roadmap.png" and stored.place == f"page:{page.id}"
    assert (first.width, first.height, first.comment) == (40, 30, "Entwurf")
    assert storage.read_all(stored.latest().blob) == b"two"
    assert [v.number for v in FileVersion.of(stored)] == [2, 1]


def test_names_are_per_place(ctx, page):
    """The same name on two pages is two files."""
    other = Page.create(slug="andere", title="Andere")
    files.save(stream(b"a"), "plan.pdf", "pdf", None, page=page)
    files.save(stream(b"a"), "plan.pdf", "pdf", None, page=other)
    assert StoredFile.select().count() == 2 and Blob.select().count() == 1
    assert [f.name for f in StoredFile.in_place(files.place_of(page))] == ["plan.pdf"]


def test_restore_makes_an_old_version_the_newest(ctx, page):
    """Restoring version 1 adds version 3 with version 1's content, saying so."""
    editor = make_user("e.editor")
    files.save(stream(b"one"), "plan.pdf", "pdf", editor, page=page)
    files.save(stream(b"two"), "plan.pdf", "pdf", editor, page=page)
    stored = StoredFile.get()
    restored = files.restore(stored, 1, editor)
    assert restored.number == 3 and restored.restored_from == 1
    assert storage.read_all(StoredFile.get().latest().blob) == b"one"
    assert Blob.select().count() == 2
    assert files.restore(stored, 9, editor) is None


def test_delete_is_soft_and_a_new_upload_brings_the_file_back(ctx, page):
    """A deleted file leaves the list, keeps its versions, and returns with an upload."""
    files.save(stream(b"one"), "plan.pdf", "pdf", None, page=page)
    stored = StoredFile.get()
    files.delete(stored)
    place = files.place_of(page)
    assert not list(StoredFile.in_place(place))
    assert [f.name for f in StoredFile.in_place(place, deleted=True)] == ["plan.pdf"]
    files.save(stream(b"two"), "plan.pdf", "pdf", None, page=page)
    assert [(f.name, f.version_count) for f in StoredFile.in_place(place)] == [("plan.pdf", 2)]
    files.delete(stored)
    files.undelete(stored)
    assert StoredFile.get().deleted is None


def test_purge_drops_the_content_no_one_else_uses(ctx, page):
    """Purging a file deletes its versions and blobs, but not content another file shares."""
    files.save(stream(b"shared"), "a.pdf", "pdf", None, page=page)
    files.save(stream(b"own"), "a.pdf", "pdf", None, page=page)
    files.save(stream(b"shared"), "b.pdf", "pdf", None, page=page)
    source = Blob.get(Blob.digest == hashlib.sha256(b"own").hexdigest())
    ImageVariant.create(source=source, width=480, blob=storage.store(stream(b"small")),
                        mime="image/png", actual_width=48, actual_height=36)
    files.purge(StoredFile.named(files.place_of(page), "A.PDF"))
    assert [f.name for f in StoredFile.select()] == ["b.pdf"]
    assert [bytes(b.chunks.get().data) for b in Blob.select()] == [b"shared"]
    assert ImageVariant.select().count() == 0
    assert files.total_size() == (1, 6)


def test_a_page_takes_its_files_with_it(ctx, page):
    """Deleting the place deletes its files (the blobs stay until purged as unused)."""
    files.save(stream(b"x"), "a.pdf", "pdf", None, page=page)
    page.delete_instance()
    assert StoredFile.select().count() == 0 and FileVersion.select().count() == 0


def test_comments_are_one_line(ctx):
    """A version's comment is cleaned like every single-line field."""
    assert files.clean_comment("  Neue Fassung \n") == "Neue Fassung"
    with pytest.raises(ValueError, match="Kommentar"):
        files.clean_comment("a\x00b")
    with pytest.raises(ValueError, match="500"):
        files.clean_comment("x" * 501)
