"""Search finds attached files by their text: hits name the file and its place and link to the
download; the index follows new versions, restores, deletions and `fahrplan reindex`."""
import pytest
from bs4 import BeautifulSoup

from tests import file_samples
from tests.test_files import send
from wiki.domain import search

pytestmark = pytest.mark.postgres


@pytest.fixture
def editor(app, demo, client, login):
    """Log in as an editor."""
    login("editor")
    return client


def hits(client, query, kind=""):
    """Return (title, link, kind label) of each search hit for a query."""
    page = BeautifulSoup(client.get(f"/search?q={query}&kind={kind}").text, "html.parser")
    return [(" ".join(li.a.get_text().split()), li.a["href"],
             li.select_one(".badge").get_text(" ", strip=True))
            for li in page.select("ol.search-hits li")]


def test_a_pdf_is_found_by_a_word_of_its_text(app, editor):
    """A word from a PDF on M07 finds the file, named with its measure, linking to it."""
    send(editor, "/measures/M07/files", ("Beschluss.pdf", file_samples.pdf(
        "Der Rat beschließt die Zuständigkeitsverlagerung")))
    found = hits(editor, "Zuständigkeitsverlagerung")
    assert len(found) == 1
    title, link, label = found[0]
    assert title.startswith("Beschluss.pdf – M07 ")
    assert link == "/measures/M07/files/Beschluss.pdf"
    assert label.startswith("Datei")
    assert editor.get(link).status_code == 200
    assert hits(editor, "Zuständigkeitsverlagerung", kind="file") == found
    assert hits(editor, "Zuständigkeitsverlagerung", kind="page") == []


@pytest.mark.parametrize("name, content, word", [
    ("Konzept.docx", file_samples.docx("Bürgerkonto Einführungskonzept"), "Einführungskonzept"),
    ("Protokoll.odt", file_samples.odt("Lenkungskreisprotokoll vom Mai"), "Lenkungskreisprotokoll"),
])
def test_office_documents_are_found_on_a_wiki_page(app, editor, name, content, word):
    """DOCX and ODT text on a wiki page: the hit names the page and links to the file."""
    send(editor, "/pages/leitbild/files", (name, content))
    [(title, link, _label)] = hits(editor, word)
    assert title.startswith(f"{name} – ")
    assert link == f"/pages/leitbild/files/{name}"


def test_the_index_follows_versions_restores_and_deletions(app, editor):
    """Version 2's text replaces version 1's; restoring brings it back; deleting removes it;
    undeleting and reindexing find it again."""
    send(editor, "/measures/M07/files", ("plan.pdf", file_samples.pdf("Altfassungswort")))
    send(editor, "/measures/M07/files", ("plan.pdf", file_samples.pdf("Neufassungswort")))
    assert hits(editor, "Altfassungswort") == []
    assert len(hits(editor, "Neufassungswort")) == 1
    editor.post("/measures/M07/files/plan.pdf/versions/1/restore")
    assert len(hits(editor, "Altfassungswort")) == 1
    assert hits(editor, "Neufassungswort") == []
    editor.post("/measures/M07/files/plan.pdf/delete")
    assert hits(editor, "Altfassungswort") == []
    with app.app_context():
        search.rebuild()
    assert hits(editor, "Altfassungswort") == []


def test_reindex_keeps_file_entries(app, editor):
    """`fahrplan reindex` rebuilds file entries from the stored text, without reading files."""
    send(editor, "/measures/M07/files", ("Bericht.txt", "Haushaltsansatzprüfung\n".encode()))
    with app.app_context():
        search.rebuild()
    [(title, link, _label)] = hits(editor, "Haushaltsansatzprüfung")
    assert link == "/measures/M07/files/Bericht.txt"


def test_images_are_found_by_name_only(app, editor):
    """An image has no text; its name finds it."""
    send(editor, "/measures/M07/files", ("Stadtplanskizze.png", file_samples.png()))
    [(title, link, _label)] = hits(editor, "Stadtplanskizze")
    assert link == "/measures/M07/files/Stadtplanskizze.png"


def test_readers_find_files_too(app, demo, client, login):
    """A reader's search finds an editor's upload (files are read like the page they are on)."""
    login("editor")
    send(client, "/measures/M07/files", ("Vermerk.txt", b"Vergabevermerk\n"))
    client.post("/logout")
    login("reader")
    assert [link for _t, link, _l in hits(client, "Vergabevermerk")] == [
        "/measures/M07/files/Vermerk.txt"]
