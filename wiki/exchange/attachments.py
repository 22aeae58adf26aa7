"""Attached files in the exchange format: `files/measures/<code>/` and `files/pages/<slug>/`.

Each place's folder holds the newest version of every file under its own name, the older
versions under `_versions/<number>/<name>`, and `_files.md`, whose front matter lists the files
with each version's date, author, comment and the version it restored. Stored names always end
in their type's extension (.pdf, .png, …), so neither `_files.md` nor `_versions` can be the
name of a file. Contents are checked on import as uploads are: the type from the content, the
size, an image's readability; export then import gives every version back byte for byte.
"""
import io
from dataclasses import dataclass, field
from pathlib import Path

import peewee
from flask import current_app

from wiki.domain import files, filetypes, images, storage
from wiki.exchange import files as exchange_files
from wiki.models import Blob, FileVersion, Measure, Page, StoredFile, User

FOLDER = "files"
MANIFEST = "_files.md"
VERSIONS = "_versions"
FILE_KEYS = ("name", "deleted", "versions")
VERSION_KEYS = ("date", "author", "comment", "restored_from")
PLACES = {"measures": "measure", "pages": "page"}
MEGABYTE = 1024 * 1024


@dataclass
class FileVersionRecord:
    """One version of an attached file as the folder holds it."""

    content: bytes
    kind: str
    size: tuple | None  # (width, height) of an image as shown
    author: str | None
    created: object
    comment: str
    restored_from: int | None


@dataclass
class FileRecord:
    """An attached file of a measure or page, with its versions, oldest first."""

    path: str
    place: tuple  # ("measure", code) or ("page", slug)
    name: str
    deleted: object
    versions: list = field(default_factory=list)


# --- Export ------------------------------------------------------------------------------------

def export_files(root):
    """Write every file of every measure and page, deleted ones too, with all their versions.

    Three queries whatever the number of files: the files with their pages, the measures'
    codes, and every version with its author and blob; each place's manifest is written once.
    """
    codes = {page_id: code for page_id, code in Measure.select(Measure.page, Measure.code).tuples()}
    versions = {}
    for version in (FileVersion.select(FileVersion, User, Blob)
                    .join(User, peewee.JOIN.LEFT_OUTER).switch(FileVersion).join(Blob)
                    .order_by(FileVersion.file, FileVersion.number)):
        versions.setdefault(version.file_id, []).append(version)
    manifests = {}
    for stored in (StoredFile.select(StoredFile, Page).join(Page)
                   .order_by(Page.slug, StoredFile.name_key)):
        page = stored.page
        folder = Path(root) / FOLDER / (f"measures/{codes[page.id]}" if page.kind == "measure"
                                        else f"pages/{page.slug}")
        kept = versions.get(stored.id, [])
        for version in kept:
            target = folder / stored.name if version.number == stored.version_count else \
                folder / VERSIONS / str(version.number) / stored.name
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as out:
                for piece in storage.BlobReader(version.blob_id, version.blob.size):
                    out.write(piece)
        manifests.setdefault(folder, []).append(_manifest_entry(stored, kept))
    for folder, entries in manifests.items():
        (folder / MANIFEST).write_text(exchange_files.dump({"files": entries}, ""),
                                       encoding="utf-8")


def _manifest_entry(stored, versions):
    """Return a file's entry in its place's manifest: name, deletion, versions oldest first."""
    entry = {"name": stored.name}
    if stored.deleted:
        entry["deleted"] = exchange_files.format_stamp(stored.deleted)
    entry["versions"] = [{key: value for key, value in {
        "date": exchange_files.format_stamp(version.created),
        "author": version.author.username if version.author_id else None,
        "comment": version.comment, "restored_from": version.restored_from,
    }.items() if value not in (None, "")} for version in versions]
    return entry


# --- Import ------------------------------------------------------------------------------------

def read_files(reader):
    """Read every place's manifest and contents into reader.programme.files."""
    for path in reader.files(f"{FOLDER}/*/*/{MANIFEST}"):
        rel = path.relative_to(reader.folder).as_posix()
        kind = PLACES.get(path.parent.parent.name)
        if kind is None:
            reader.seen.add(rel)
            reader.problem(rel, None, "Dateien liegen unter files/measures/<Kürzel>/ oder "
                                      "files/pages/<Name>/.")
            continue
        doc = reader.document(path, ("files",))
        if doc is None:
            continue
        entries = doc.meta.get("files")
        if not isinstance(entries, list):
            reader.problem(rel, "files", "Erwartet wird eine Liste der Dateien.")
            continue
        for index, entry in enumerate(entries):
            record = _read_file(reader, rel, path.parent, (kind, path.parent.name),
                                f"files[{index}]", entry)
            if record is not None:
                reader.programme.files.append(record)


def _read_file(reader, rel, folder, place, where, entry):
    """Return one manifest entry as a FileRecord, or None after recording its problems."""
    if not isinstance(entry, dict) or set(entry) - set(FILE_KEYS):
        return reader.problem(rel, where, f"Erwartet: Felder {', '.join(FILE_KEYS)}.")
    name = str(entry.get("name") or "")
    if not name or filetypes.clean_filename(name) != name or "/" in name:
        return reader.problem(rel, f"{where}.name", f"Ungültiger Dateiname »{name}«.")
    deleted = None
    if entry.get("deleted") is not None:
        deleted = reader.clean(rel, f"{where}.deleted", entry["deleted"],
                               exchange_files.parse_stamp)
    versions = entry.get("versions")
    if not isinstance(versions, list) or not versions:
        return reader.problem(rel, f"{where}.versions", "Mindestens eine Version wird gebraucht.")
    record = FileRecord(rel, place, name, deleted)
    for number, version in enumerate(versions, 1):
        content = folder / name if number == len(versions) else \
            folder / VERSIONS / str(number) / name
        read = _read_version(reader, rel, f"{where}.versions[{number - 1}]", version, content)
        if read is None:
            return None
        record.versions.append(read)
    return record


def _read_version(reader, rel, where, entry, content):
    """Return one version (its content checked like an upload), or None after a problem."""
    if not isinstance(entry, dict) or set(entry) - set(VERSION_KEYS) or "date" not in entry:
        return reader.problem(rel, where, f"Erwartet: Felder {', '.join(VERSION_KEYS)} "
                                          "(date ist Pflicht).")
    created = reader.clean(rel, f"{where}.date", entry["date"], exchange_files.parse_stamp)
    where_content = content.relative_to(reader.folder).as_posix()
    reader.seen.add(where_content)
    if not content.exists() and not content.is_symlink():
        return reader.problem(where_content, None, f"Die Datei fehlt ({where} in {rel}).")
    try:
        data = exchange_files.read_bytes_inside(reader.folder, content, _limit())
    except (OSError, ValueError) as error:
        return reader.problem(where_content, None, str(error) if isinstance(error, ValueError)
                              else "Die Datei fehlt oder kann nicht gelesen werden.")
    kind, message = filetypes.check(io.BytesIO(data), content.name)
    if kind is None or not content.name.lower().endswith(kind.extensions):
        return reader.problem(where_content, None, message or "Die Endung passt nicht zum "
                                                             "Inhalt der Datei.")
    size = None
    if kind.image:
        info, message = images.inspect(io.BytesIO(data))
        if info is None:
            return reader.problem(where_content, None, message)
        size = (info.width, info.height)
    restored = entry.get("restored_from")
    if restored is not None and (not isinstance(restored, int) or restored < 1):
        return reader.problem(rel, f"{where}.restored_from", "Eine Versionsnummer ab 1.")
    author = entry.get("author")
    return FileVersionRecord(data, kind.key, size, str(author) if author else None, created,
                             str(entry.get("comment") or ""), restored)


def _limit():
    """Return the bytes one file may have: the upload limit."""
    return current_app.config.get("FILE_MAX_MB", 25) * MEGABYTE


def check_places(programme):
    """Return (path, message) for every file whose measure or page the folder does not have."""
    known = {("measure", code.upper()) for code in programme.measures}
    known |= {("page", slug) for slug in programme.pages} | {("page", "leitbild")}
    return [(record.path, f"Keine Maßnahme und keine Seite »{record.place[1]}« im Ordner.")
            for record in programme.files
            if (record.place[0], record.place[1].upper() if record.place[0] == "measure"
                else record.place[1]) not in known]


def write_files(programme, pages, users):
    """Store every file with its versions (pages: {("measure", code) or ("page", slug): page})."""
    for record in programme.files:
        kind, key = record.place
        page = pages[(kind, key.upper() if kind == "measure" else key)]
        for version in record.versions:
            files.save(io.BytesIO(version.content), record.name, version.kind,
                       users(version.author), version.comment, page=page, size=version.size,
                       created=version.created, restored_from=version.restored_from)
        if record.deleted is not None:
            files.delete(StoredFile.named(files.place_of(page), record.name), record.deleted)
