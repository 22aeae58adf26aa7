"""The admins' file overview: totals, the largest files, the deleted ones; undelete and purge,
both audited, purge only after a soft delete and a question."""
import pytest
from bs4 import BeautifulSoup

from tests import file_samples
from tests.test_files import send
from wiki.models import AuditEntry, Blob, BlobChunk, FileVersion, StoredFile

pytestmark = pytest.mark.postgres


@pytest.fixture
def admin(app, demo, client, login):
    """Log in as an admin."""
    login("admin")
    return client


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def file_id(app, name):
    """Return the id of the stored file of this name."""
    with app.app_context():
        return StoredFile.get(StoredFile.name == name).id


def test_overview_shows_totals_and_the_largest_files(app, admin):
    """Two versions count twice in a file's size; identical content is one stored blob."""
    big, small = b"x" * 300_000, b"y" * 10
    send(admin, "/measures/M07/files", ("gross.txt", big))
    send(admin, "/measures/M07/files", ("gross.txt", big + b"!"))
    send(admin, "/pages/leitbild/files", ("klein.txt", small), ("kopie.txt", small))
    page = soup(admin.get("/admin/files"))
    facts = {dt.get_text(): dt.find_next("dd").get_text() for dt in page.select("dl dt")}
    assert facts["Dateien"] == "3" and facts["Versionen"] == "4"
    assert facts["Gespeicherte Inhalte"] == "3"
    rows = [[cell.get_text(" ", strip=True) for cell in row.select("th, td")]
            for row in page.select("table.admin-files tbody tr")]
    assert [row[0] for row in rows] == ["gross.txt", "klein.txt", "kopie.txt"]
    assert rows[0][1].startswith("M07 ") and rows[0][2] == "2 Versionen"
    assert page.select_one("table.admin-files a[href='/measures/M07']")


def test_undelete_brings_a_file_back_and_is_audited(app, admin):
    """A deleted file is listed there; "Wiederherstellen" puts it back into its list."""
    send(admin, "/measures/M07/files", ("plan.pdf", file_samples.pdf("Plan")))
    admin.post("/measures/M07/files/plan.pdf/delete")
    assert admin.get("/measures/M07/files/plan.pdf").status_code == 404
    page = soup(admin.get("/admin/files"))
    assert page.select_one("table.admin-deleted-files tbody th").get_text() == "plan.pdf"
    ident = file_id(app, "plan.pdf")
    response = admin.post(f"/admin/files/{ident}/undelete")
    assert response.status_code == 303
    assert admin.get("/measures/M07/files/plan.pdf").status_code == 200
    with app.app_context():
        entry = AuditEntry.get(AuditEntry.action == "file.undelete")
        assert entry.target == f"file/{ident}"
        assert entry.details == {"name": "plan.pdf", "place": "M07"}
    assert admin.post(f"/admin/files/{ident}/undelete").status_code == 404  # not deleted now


def test_purge_asks_then_removes_every_version_and_unused_content(app, admin):
    """Purging deletes all versions and the blobs nothing else uses, and is audited."""
    send(admin, "/pages/leitbild/files", ("alt.txt", b"eins"))
    send(admin, "/pages/leitbild/files", ("alt.txt", b"zwei"))
    send(admin, "/pages/leitbild/files", ("bleibt.txt", b"eins"))  # shares version 1's content
    ident = file_id(app, "alt.txt")
    assert admin.get(f"/admin/files/{ident}/purge").status_code == 404  # delete it first
    admin.post("/pages/leitbild/files/alt.txt/delete")
    question = soup(admin.get(f"/admin/files/{ident}/purge"))
    assert "2 Versionen" in question.select_one("main").get_text()
    assert admin.post(f"/admin/files/{ident}/purge").status_code == 303
    with app.app_context():
        assert [f.name for f in StoredFile.select()] == ["bleibt.txt"]
        assert FileVersion.select().count() == 1
        assert Blob.select().count() == 1 and BlobChunk.select().count() == 1
        entry = AuditEntry.get(AuditEntry.action == "file.purge")
        assert entry.details == {"name": "alt.txt", "place": "leitbild", "versions": 2}
    assert admin.get("/pages/leitbild/files/bleibt.txt").data == b"eins"
    log = soup(admin.get("/admin/audit")).get_text()
    assert "Datei endgültig gelöscht" in log


def test_editors_cannot_purge(app, demo, client, login):
    """Purging and the overview are for admins only."""
    login("editor")
    send(client, "/measures/M07/files", ("plan.pdf", file_samples.pdf("Plan")))
    client.post("/measures/M07/files/plan.pdf/delete")
    ident = file_id(app, "plan.pdf")
    assert client.get("/admin/files").status_code == 403
    assert client.post(f"/admin/files/{ident}/purge").status_code == 403
    with app.app_context():
        assert StoredFile.select().count() == 1
