"""ZIP containers read within bounds: Office files are ZIPs, and a ZIP can lie (pure, no database).

An uploaded DOCX or ODT is opened only after its end record has been read by hand: a central
directory larger than CENTRAL_LIMIT or with more than ENTRY_LIMIT entries (or a ZIP64 one) is
not opened at all, since zipfile would read and parse all of it. A member is read in chunks up
to a cap, whatever its header claims, so a zip bomb costs at most the cap.
"""
import struct
import zipfile
import zlib

END_RECORD = b"PK\x05\x06"
END_SIZE = 22  # the end of central directory record without its comment
COMMENT_LIMIT = 65_535  # the comment's length is a 16-bit field
# A Word file has a few dozen entries and a workbook with many sheets a few thousand; a central
# directory of 8 MB holds well over 50,000 names.
ENTRY_LIMIT = 20_000
CENTRAL_LIMIT = 8 * 1024 * 1024
CHUNK = 64 * 1024


def end_record(stream):
    """Return (entries, central directory size) of a ZIP's end record, or None if none fits."""
    size = stream.seek(0, 2)
    start = max(0, size - END_SIZE - COMMENT_LIMIT)
    stream.seek(start)
    tail = stream.read(size - start)
    found = tail.rfind(END_RECORD)
    if found < 0 or len(tail) - found < END_SIZE:
        return None
    _disk, _start, _here, entries, central = struct.unpack("<HHHHI", tail[found + 4:found + 16])
    return entries, central


def open_zip(stream):
    """Return a ZipFile over a seekable stream, or None: not a ZIP, or too large to list."""
    try:
        record = end_record(stream)
        # 0xFFFF entries or a 0xFFFFFFFF size mean ZIP64, which no Office file of ours needs.
        if record is None or record[0] > ENTRY_LIMIT or record[1] > CENTRAL_LIMIT:
            return None
        stream.seek(0)
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            struct.error, NotImplementedError, RuntimeError):
        return None


def read_member(archive, name, limit):
    """Return at most limit bytes of a member (b"" when it is missing or unreadable)."""
    try:
        info = archive.getinfo(name)
        parts, left = [], min(limit, info.file_size)  # file_size may lie: read() caps as well
        with archive.open(info) as member:
            while left > 0 and (chunk := member.read(min(CHUNK, left))):
                parts.append(chunk)
                left -= len(chunk)
        return b"".join(parts)
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError,
            NotImplementedError, RuntimeError):
        # KeyError: no such member; RuntimeError: encrypted; NotImplementedError: an unknown
        # compression; BadZipFile: a bad CRC or header; zlib errors arrive as these too.
        return b""
