"""File content in the database: stored once by its SHA-256, written and read one chunk at a time.

Neither way holds more than a chunk (1 MB) of a file in memory: an upload is hashed from the
temporary file werkzeug spooled it to, then copied chunk by chunk; a download reads one chunk per
query while the response streams, so a 25 MB file costs a worker no more than a 1 MB one.
"""
import hashlib
import io

import peewee

from wiki.db import db
from wiki.models import Blob, BlobChunk
from wiki.models.files import CHUNK


def digest_of(stream):
    """Return (SHA-256 hex digest, size) of a seekable stream, read from its start."""
    stream.seek(0)
    hashed, size = hashlib.sha256(), 0
    while piece := stream.read(CHUNK):
        hashed.update(piece)
        size += len(piece)
    stream.seek(0)
    return hashed.hexdigest(), size


def store(stream, text=None):
    """Return the blob holding the stream's content, writing it only when it is new.

    text: what search finds the content by; a blob stored before without it gets it now.
    """
    digest, size = digest_of(stream)
    blob = Blob.get_or_none(Blob.digest == digest)
    if blob is not None:
        if blob.text is None and text is not None:
            Blob.update(text=text).where(Blob.id == blob.id).execute()
            blob.text = text
        return blob
    try:
        with db.atomic():
            blob = Blob.create(digest=digest, size=size, text=text)
            number = 0
            while piece := stream.read(CHUNK):
                BlobChunk.create(blob=blob, number=number, data=piece)
                number += 1
    except peewee.IntegrityError:  # another upload stored the same content just now
        return Blob.get(Blob.digest == digest)
    finally:
        stream.seek(0)
    return blob


def store_bytes(data):
    """Return the blob holding these bytes (a small file: an image variant)."""
    return store(io.BytesIO(data))


def read_all(blob, limit=None):
    """Return a blob's bytes (at most limit of them): for small blobs and bounded reads only."""
    parts, size = [], 0
    for piece in BlobReader(blob.id, blob.size):
        parts.append(piece)
        size += len(piece)
        if limit is not None and size >= limit:
            break
    return b"".join(parts)[:limit]


class BlobReader:
    """Iterate over a blob's bytes chunk by chunk, from any position (werkzeug's range requests
    seek it); each chunk is one query, on a connection of its own once the request has ended."""

    def __init__(self, blob_id, size):
        """Start at the blob's first byte."""
        self.blob_id, self.size, self.position = blob_id, size, 0

    def seekable(self):
        """Tell werkzeug a range can start anywhere without reading what lies before."""
        return True

    def seek(self, offset, whence=0):
        """Move to a byte offset (from the start, the position or the end)."""
        base = {0: 0, 1: self.position, 2: self.size}[whence]
        self.position = max(0, min(self.size, base + offset))
        return self.position

    def tell(self):
        """Return the position."""
        return self.position

    def __iter__(self):
        """Return the reader itself."""
        return self

    def __next__(self):
        """Return the bytes from the position to the end of its chunk."""
        if self.position >= self.size:
            raise StopIteration
        number, skip = divmod(self.position, CHUNK)
        data = bytes(_chunk(self.blob_id, number))[skip:]
        if not data:  # a chunk missing from the database: stop rather than loop
            raise StopIteration
        self.position += len(data)
        return data

    def read(self, size=-1):
        """Return up to size bytes from the position (all that is left for -1)."""
        wanted = self.size - self.position if size is None or size < 0 else size
        parts = []
        while wanted > 0:
            try:
                piece = next(self)
            except StopIteration:
                break
            if len(piece) > wanted:  # step back over what was not asked for
                self.position -= len(piece) - wanted
                piece = piece[:wanted]
            parts.append(piece)
            wanted -= len(piece)
        return b"".join(parts)

    def close(self):
        """Nothing to release: each chunk's query is over when it is read."""


def _chunk(blob_id, number):
    """Return one chunk's bytes, connecting for it when the request's connection is closed."""
    opened = db.is_closed()
    if opened:
        db.connect()
    try:
        return (BlobChunk.select(BlobChunk.data)
                .where(BlobChunk.blob == blob_id, BlobChunk.number == number)
                .scalar()) or b""
    finally:
        if opened:
            db.close()
