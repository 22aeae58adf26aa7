"""Attached files in the exchange format and in backups: every version byte for byte, with who,
when and why; import checks contents as uploads are checked."""
import io
import shutil

import pytest

from tests import file_samples
from tests.test_backup import cli, export, instance, same_tree, use
from wiki import exchange
from wiki.db import db
from wiki.domain import files
from wiki.models import FileVersion, Measure, Page, StoredFile, User

pytestmark = pytest.mark.postgres

PDF_ONE, PDF_TWO = file_samples.pdf("Erste Fassung"), file_samples.pdf("Zweite Fassung")
PNG = file_samples.png(900, 600)


def attach(app):
    """Give M07 a PDF in three versions (the third restores the first), an image and a deleted
    text file, and the Leitbild a DOCX; return {(place, name): [contents, oldest first]}."""
    author = User.by_name("k.becker")
    m07 = Measure.by_code("M07").page
    leitbild = Page.get(Page.slug == "leitbild")
    files.save(io.BytesIO(PDF_ONE), "Beschluss.pdf", "pdf", author, "Ratssitzung", page=m07)
    files.save(io.BytesIO(PDF_TWO), "Beschluss.pdf", "pdf", None, page=m07)
    stored = StoredFile.named(files.place_of(m07), "Beschluss.pdf")
    files.restore(stored, 1, author.id)
    files.save(io.BytesIO(PNG), "Zeitplan Übersicht.png", "png", author, page=m07,
               size=(900, 600))
    files.save(io.BytesIO(b"alt\n"), "alt.txt", "txt", author, page=m07)
    files.delete(StoredFile.named(files.place_of(m07), "alt.txt"))
    docx = file_samples.docx("Leitbild als Dokument")
    files.save(io.BytesIO(docx), "Leitbild.docx", "docx", None, page=leitbild)
    return {("measures/M07", "Beschluss.pdf"): [PDF_ONE, PDF_TWO, PDF_ONE],
            ("measures/M07", "Zeitplan Übersicht.png"): [PNG],
            ("measures/M07", "alt.txt"): [b"alt\n"],
            ("pages/leitbild", "Leitbild.docx"): [docx]}


def versions_of(app):
    """Return {(name, number): (bytes, author, comment, restored_from, created, deleted)}."""
    use(app)
    found = {}
    for version in FileVersion.select(FileVersion, StoredFile).join(StoredFile):
        found[(version.file.name, version.number)] = (
            files.storage.read_all(version.blob), version.author.username if version.author
            else None, version.comment, version.restored_from, version.created,
            version.file.deleted is not None, version.width)
    db.close()
    return found


def test_export_writes_every_version_and_import_brings_them_back(app, demo, fresh, tmp_path):
    """Export → import into an empty database → export: the same folder, the same versions."""
    contents = attach(app)
    before = versions_of(app)
    first = export(app, tmp_path / "A")
    for (place, name), versions in contents.items():
        folder = first / "files" / place
        assert (folder / name).read_bytes() == versions[-1]
        for number, content in enumerate(versions[:-1], 1):
            assert (folder / "_versions" / str(number) / name).read_bytes() == content
    manifest = (first / "files" / "measures" / "M07" / "_files.md").read_text()
    assert "restored_from: 1" in manifest and "comment: Ratssitzung" in manifest
    assert "author: k.becker" in manifest and "deleted:" in manifest

    copy = instance(fresh, tmp_path / "kopie")
    cli(copy, "init")
    cli(copy, "import", str(first))
    assert versions_of(copy) == before
    assert same_tree(first, export(copy, tmp_path / "B"))


def test_backup_and_restore_keep_every_file_version(app, demo, fresh, tmp_path):
    """Backup → restore elsewhere → export: every version byte-identical to what was uploaded."""
    attach(app)
    before = versions_of(app)
    cli(app, "backup", str(tmp_path / "sicherung"))
    restored = instance(fresh, tmp_path / "frisch")
    cli(restored, "restore", "--yes", str(tmp_path / "sicherung"))
    assert versions_of(restored) == before
    assert same_tree(export(app, tmp_path / "quelle"), export(restored, tmp_path / "kopie"))


def broken(folder, change):
    """Copy an exported folder and apply a change to its files/ part."""
    target = folder.parent / f"kaputt-{change.__name__}"
    shutil.copytree(folder, target)
    change(target / "files" / "measures" / "M07")
    return target


def program_instead_of_pdf(place):
    """An executable under a PDF's name."""
    (place / "Beschluss.pdf").write_bytes(file_samples.exe())


def version_missing(place):
    """An older version's content is gone."""
    (place / "_versions" / "1" / "Beschluss.pdf").unlink()


def unlisted_file(place):
    """A file the manifest does not list."""
    (place / "notiz.txt").write_bytes(b"nicht gelistet\n")


def unknown_measure(place):
    """Files of a measure the folder does not have."""
    shutil.copytree(place, place.parent / "X99")


def path_in_name(place):
    """A name with a path part."""
    manifest = place / "_files.md"
    manifest.write_text(manifest.read_text().replace("name: alt.txt", "name: ../alt.txt"))


@pytest.mark.parametrize("change, where, says", [
    (program_instead_of_pdf, "files/measures/M07/Beschluss.pdf", "Windows-Programm"),
    (version_missing, "files/measures/M07/_versions/1/Beschluss.pdf", "fehlt"),
    (unlisted_file, "files/measures/M07/notiz.txt", "Unbekannte Datei"),
    (unknown_measure, "files/measures/X99/_files.md", "Keine Maßnahme"),
    (path_in_name, "files/measures/M07/_files.md", "Ungültiger Dateiname"),
])
def test_import_checks_files_and_imports_nothing_on_a_problem(app, demo, fresh, tmp_path,
                                                              change, where, says):
    """Contents are checked like uploads; any problem names the file and nothing is written."""
    attach(app)
    folder = broken(export(app, tmp_path / "A"), change)
    copy = instance(fresh, tmp_path / "kopie")
    cli(copy, "init")
    use(copy)
    with copy.app_context():
        problems = exchange.import_folder(folder)
        assert [p for p in problems if p.path == where and says in str(p)], problems
        assert StoredFile.select().count() == 0 and Measure.select().count() == 0
    db.close()


def test_export_and_reindex_need_no_query_per_file(app, demo, tmp_path):
    """Exporting the files and rebuilding the search index cost the same for one file as for
    twelve on four places (the blobs' chunks aside, which are read per version)."""
    from playhouse.test_utils import count_queries

    from wiki.domain import search
    from wiki.exchange.attachments import export_files

    def cost(folder):
        with app.app_context(), count_queries(only_select=True) as export_queries:
            export_files(folder)
        with app.app_context(), count_queries(only_select=True) as index_queries:
            search.rebuild()
        return export_queries.count - FileVersion.select().count(), index_queries.count

    with app.app_context():
        m07 = Measure.by_code("M07").page
        files.save(io.BytesIO(b"eins\n"), "eins.txt", "txt", None, page=m07)
        one = cost(tmp_path / "one")
        for code in ("M01", "M03", "M05", "M07"):
            page = Measure.by_code(code).page
            for number in range(3):
                files.save(io.BytesIO(b"%s %d\n" % (code.encode(), number)), f"{number}.txt",
                           "txt", None, page=page)
        many = cost(tmp_path / "many")
    assert StoredFile.select().count() == 13
    assert many == one
