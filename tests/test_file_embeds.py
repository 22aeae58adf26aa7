"""Files named in a text: `![Alt](datei:…)` shows an image's variants, `[Text](datei:…)` links
to a file, a name without a file is a visible "Datei fehlt" link; images need alternative text.
The page's "Dateien" section lists its files."""
import io

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests import file_samples
from wiki.domain import markdown, revisions
from wiki.models import ImageVariant, Page, User

pytestmark = pytest.mark.postgres


@pytest.fixture
def editor(app, demo, client, login):
    """Log in as an editor."""
    login("editor")
    return client


def upload(client, url, name, content):
    """Upload one file to a files URL."""
    boundary, body = encode_multipart(MultiDict([("file", FileStorage(io.BytesIO(content),
                                                                      filename=name))]))
    response = client.post(url, data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 303, response.text
    return response


def write(app, slug, body):
    """Save a new revision of a wiki page with this body."""
    with app.app_context():
        page = Page.get(Page.slug == slug)
        author = User.select().first()
        revisions.save_page(page, title=page.latest().title, body=body, author=author.id)


def shown(client, url):
    """Return the parsed text of a page (its .content)."""
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def test_an_image_is_shown_as_variants_linked_to_the_original(app, editor):
    """A 2000 px wide PNG: 480/960/1600 variants, 960 shown, width and height, alt kept."""
    upload(editor, "/pages/leitbild/files", "Fahrplan.png", file_samples.png(2000, 1000))
    write(app, "leitbild", "Vorher\n\n![Der Fahrplan bis 2030](datei:fahrplan.png)")
    page = shown(editor, "/pages/leitbild")
    image = page.select_one(".content img")
    assert image["alt"] == "Der Fahrplan bis 2030"
    assert (image["width"], image["height"]) == ("960", "480")
    assert image["src"] == "/pages/leitbild/files/Fahrplan.png/variants/960"
    assert image["srcset"].split(", ") == [
        f"/pages/leitbild/files/Fahrplan.png/variants/{width} {width}w"
        for width in (480, 960, 1600)]
    assert image.parent.name == "a"
    assert image.parent["href"] == "/pages/leitbild/files/Fahrplan.png"
    for width in (960, 960, 480):
        response = editor.get(f"/pages/leitbild/files/Fahrplan.png/variants/{width}")
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert Image.open(io.BytesIO(response.data)).size == (width, width // 2)
        assert response.headers["Content-Security-Policy"].startswith("sandbox")
    with app.app_context():
        assert ImageVariant.select().count() == 2  # each made once
    for width in (100, 1000, 2000, 10**30):
        assert editor.get(f"/pages/leitbild/files/Fahrplan.png/variants/{width}").status_code \
            == 404


def test_a_small_image_has_no_larger_variant(app, editor):
    """A 300 px image is shown at 300 px (a copy without metadata), never enlarged."""
    upload(editor, "/measures/M07/files", "klein.jpg", file_samples.jpeg(300, 200))
    with app.app_context():
        measure_page = Page.get(Page.slug == "m07")
        revisions.save_page(measure_page, title=measure_page.latest().title,
                            body="![Ein kleines Bild](datei:klein.jpg)",
                            author=User.select().first().id)
    image = shown(editor, "/measures/M07").select_one(".content img")
    assert (image["width"], image["height"]) == ("300", "200")
    assert image["src"] == "/measures/M07/files/klein.jpg/variants/300"
    assert editor.get("/measures/M07/files/klein.jpg/variants/480").status_code == 404


def test_links_to_files_and_missing_files(app, editor):
    """A link reaches the download; a name without a file shows "Datei fehlt", no image."""
    upload(editor, "/pages/leitbild/files", "Beschluss Rat.pdf", file_samples.pdf("x"))
    write(app, "leitbild", "[Der Beschluss](<datei:Beschluss Rat.pdf>) und "
                           "[alt](datei:alt.pdf)\n\n![Weg](datei:weg.png)")
    content = shown(editor, "/pages/leitbild").select_one(".content")
    link = content.select_one("a.file-link")
    assert link["href"] == "/pages/leitbild/files/Beschluss%20Rat.pdf"
    assert link.get_text() == "Der Beschluss"
    missing = content.select("a.file-missing")
    assert [a.get_text(" ", strip=True) for a in missing] == [
        "Datei fehlt: alt.pdf – alt", "Datei fehlt: weg.png"]
    assert all(a["href"] == "/pages/leitbild/files" for a in missing)
    assert content.select("img") == []


def test_a_deleted_file_becomes_missing_on_the_next_view(app, editor):
    """The kept page is made again when a file changes."""
    upload(editor, "/pages/leitbild/files", "plan.png", file_samples.png(40, 20))
    write(app, "leitbild", "![Plan](datei:plan.png)")
    assert shown(editor, "/pages/leitbild").select_one(".content img") is not None
    assert editor.post("/pages/leitbild/files/plan.png/delete").status_code == 303
    content = shown(editor, "/pages/leitbild").select_one(".content")
    assert content.select("img") == [] and "Datei fehlt: plan.png" in content.get_text()


def test_the_preview_resolves_the_pages_files(app, editor):
    """The live preview knows the page being edited; without one, names stay text."""
    upload(editor, "/pages/leitbild/files", "plan.png", file_samples.png(40, 20))
    body = {"body": "![Plan](datei:plan.png)"}
    page = BeautifulSoup(editor.post("/preview", data={**body, "page": "leitbild"}).text,
                         "html.parser")
    assert page.select_one("img")["src"] == "/pages/leitbild/files/plan.png/variants/40"
    for other in ({}, {"page": "gibt-es-nicht"}, {"page": "x" * 5000}):
        alone = BeautifulSoup(editor.post("/preview", data={**body, **other}).text, "html.parser")
        assert alone.select("img") == []
        assert "Datei fehlt: plan.png" in alone.get_text()


def test_an_image_without_alternative_text_is_refused(app, editor):
    """BITV: the editor names the image and says how to describe it; nothing is saved."""
    with app.app_context():
        before = Page.get(Page.slug == "leitbild").revision_count
    for body in ("![](datei:plan.png)", "![  ](bild.png)", '<img src="x.png">',
                 "Text\n\n- ![](datei:in-liste.png)"):
        response = editor.post("/pages/leitbild/edit", data={
            "title": "Leitbild", "body": body, "base_revision": before, "action": "save"})
        assert response.status_code == 400, body
        error = BeautifulSoup(response.text, "html.parser").select_one("#f-body-error")
        assert "Alternativtext" in error.get_text()
    with app.app_context():
        assert Page.get(Page.slug == "leitbild").revision_count == before


def test_images_without_text_are_found_as_shown():
    """Markdown and HTML images; alternative text of blanks counts as none."""
    assert markdown.images_without_text("![Plan](datei:p.png) ![ ](q.png)") == ["q.png"]
    assert markdown.images_without_text('<img alt="Ja" src="a.png"> <img src="b.png">') == \
        ["b.png"]
    assert markdown.images_without_text("`![](code.png)` und kein Bild") == []


def test_the_files_section_lists_a_places_files(app, editor, client):
    """The measure page lists its files with type and size and leads to all of them."""
    upload(editor, "/measures/M07/files", "Beschluss.pdf", file_samples.pdf("x"))
    section = shown(editor, "/measures/M07").select_one("section.attachments")
    assert [a["href"] for a in section.select(".file-links a")] == [
        "/measures/M07/files/Beschluss.pdf"]
    assert "PDF" in section.select_one(".file-meta").get_text()
    assert section.select_one("a.button")["href"] == "/measures/M07/files"


def test_a_report_names_its_measures_files_and_follows_their_changes(app, editor):
    """A status report's text links and embeds its measure's files; the measure page keeps the
    report's rendering, and a deleted file shows as missing on the next view all the same."""
    from wiki.domain import reports as report_rules
    from wiki.models import Measure, StatusReport
    upload(editor, "/measures/M07/files", "Vergabeplan.png", file_samples.png(600, 300))
    with app.app_context():
        measure = Measure.by_code("M07")
        newest = StatusReport.of(measure).first()
        values = {name: getattr(newest, name) for name in (
            "date", "period", "status", "traffic_light", "progress")}
        values["body"] = "Stand der Vergabe:\n\n![Zeitplan der Vergabe](datei:vergabeplan.png)"
        report_rules.save_report(measure, values, User.select().first(), report=newest,
                                 base=newest.version)
        report_id = newest.id
    first = shown(editor, "/measures/M07").select_one(f"#report-{report_id} .content img")
    assert first["alt"] == "Zeitplan der Vergabe"
    assert first["src"] == "/measures/M07/files/Vergabeplan.png/variants/600"
    editor.post("/measures/M07/files/Vergabeplan.png/delete")
    again = shown(editor, "/measures/M07").select_one(f"#report-{report_id} .content")
    assert again.select_one("img") is None
    assert "Datei fehlt: vergabeplan.png" in again.get_text()
