"""The page editor: create, edit, rename with alias and link rewrite, conflicts, preview."""
import pytest
from bs4 import BeautifulSoup

from wiki.domain import merge
from wiki.models import Page, PageAlias, Revision

pytestmark = pytest.mark.postgres


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def form_values(response):
    """Return the values the page form would send."""
    form = soup(response).find("form", class_="editor")
    values = {}
    for field in form.find_all(["input", "textarea"]):
        if field.get("name") and field.get("type") != "submit":
            values[field["name"]] = (field.get_text() if field.name == "textarea"
                                     else field.get("value", ""))
    return values


def count():
    """Return how many pages, revisions and aliases there are."""
    return Page.select().count(), Revision.select().count(), PageAlias.select().count()


@pytest.fixture
def editor(client, demo, login):
    """Log in as an editor on the demo strategy."""
    return login("editor")


def test_new_page_form_takes_its_title_from_the_link(client, editor):
    """/pages/new?title=… prefills the title, starting from no revision."""
    values = form_values(client.get("/pages/new?title=Digitale Souveränität"))
    assert values["title"] == "Digitale Souveränität"
    assert values["base_revision"] == "0"
    assert values["body"] == ""


def test_creating_a_page_fixes_links_that_were_missing(client, editor, ctx):
    """A new page is saved and the pages linking to it no longer mark the link as missing."""
    client.post("/pages/new", data={"title": "Vorher", "body": "Siehe [[Digitale Souveränität]]."})
    link = soup(client.get("/pages/vorher")).find("a", class_="wikilink")
    assert "missing" in link["class"]
    assert link["href"] == "/pages/new?title=Digitale+Souver%C3%A4nit%C3%A4t"
    response = client.post("/pages/new", data={"title": "Digitale Souveränität",
                                                "body": "# Text", "summary": "Neu angelegt"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/pages/digitale-souveraenitaet"
    page = Page.get(Page.slug == "digitale-souveraenitaet")
    assert page.latest().summary == "Neu angelegt"
    link = soup(client.get("/pages/vorher")).find("a", class_="wikilink")
    assert "missing" not in link["class"]
    assert link["href"] == "/pages/digitale-souveraenitaet"


@pytest.mark.parametrize(("title", "message"), [
    ("", "Titel fehlt."),
    ("x" * 301, "Höchstens 300 Zeichen erlaubt"),
    ("M07", "nicht das Kürzel einer Maßnahme"),
    ("Statusdefinitionen", "Eine andere Seite hat schon diesen Titel."),
    ("New", "reserviert"),
    ("Wanted", "reserviert"),
])
def test_bad_titles_are_refused(client, editor, ctx, title, message):
    """An empty, long, code-like or taken title is refused at its field; nothing is saved."""
    before = count()
    response = client.post("/pages/glossar/edit", data={
        "title": title, "body": "Mein Text", "base_revision": "1"})
    assert response.status_code == 400
    page = soup(response)
    assert message in page.find(id="f-title-error").get_text()
    assert page.find(id="f-title")["aria-invalid"] == "true"
    assert page.find(id="f-title").has_attr("autofocus")
    assert form_values(response)["body"] == "Mein Text"
    assert count() == before


def test_rename_keeps_the_old_address_and_rewrites_links(client, editor, ctx):
    """Renaming stores an alias, redirects the old URL and fixes [[links]] in other pages."""
    source = Page.get(Page.slug == "statusdefinitionen")
    body = source.latest().body
    assert "[[Glossar]]" in body
    form = form_values(client.get("/pages/glossar/edit"))
    form["title"] = "Begriffe der Digitalisierung"
    response = client.post("/pages/glossar/edit", data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == "/pages/begriffe-der-digitalisierung"
    old = client.get("/pages/glossar")
    assert old.status_code == 301
    assert old.headers["Location"] == "/pages/begriffe-der-digitalisierung"
    latest = Page.get(Page.slug == "statusdefinitionen").latest()
    assert latest.summary == "Link nach Umbenennung angepasst"
    assert latest.author.username == "editor"
    assert "[[Begriffe der Digitalisierung]]" in latest.body
    assert "[[Glossar]]" not in latest.body
    assert latest.body.replace("[[Begriffe der Digitalisierung]]", "[[Glossar]]") == body
    backlinks = soup(client.get("/pages/begriffe-der-digitalisierung")).find(class_="backlinks")
    assert "Statusdefinitionen" in backlinks.get_text()


def test_rename_keeps_link_labels(client, editor, ctx):
    """A labelled link [[Old|label]] keeps its label after a rename."""
    client.post("/pages/new", data={"title": "Quelle", "body": "Das [[Glossar|Wörterbuch]]."})
    form = form_values(client.get("/pages/glossar/edit"))
    client.post("/pages/glossar/edit", data=dict(form, title="Begriffe"))
    assert Page.get(Page.slug == "quelle").latest().body == "Das [[Begriffe|Wörterbuch]]."


def test_rename_back_reuses_the_old_slug(client, editor, ctx):
    """Renaming a page back to its old title takes its old address again."""
    form = form_values(client.get("/pages/glossar/edit"))
    client.post("/pages/glossar/edit", data=dict(form, title="Begriffe"))
    form = form_values(client.get("/pages/begriffe/edit"))
    assert client.post("/pages/begriffe/edit", data=dict(form, title="Glossar")).status_code == 302
    assert client.get("/pages/glossar").status_code == 200
    assert client.get("/pages/begriffe").headers["Location"] == "/pages/glossar"


def test_stale_base_merges_and_conflicting_lines_are_marked(client, editor, ctx):
    """A page saved on an old base gets 409 with a three-way merge; markers are refused."""
    mine = form_values(client.get("/pages/glossar/edit"))
    lines = mine["body"].split("\n")
    theirs = dict(mine, body="\n".join(["Neue erste Zeile."] + lines[1:]))
    client.post("/pages/glossar/edit", data=theirs)
    mine["body"] = "\n".join(["Meine erste Zeile."] + lines[1:] + ["", "Mein Nachsatz."])
    before = count()
    response = client.post("/pages/glossar/edit", data=mine)
    assert response.status_code == 409
    assert count() == before
    merged = form_values(response)
    assert merge.has_markers(merged["body"])
    assert merged["body"].endswith("Mein Nachsatz.")
    assert int(merged["base_revision"]) == Page.get(Page.slug == "glossar").revision_count
    response = client.post("/pages/glossar/edit", data=merged)
    assert response.status_code == 400
    assert "Konfliktmarkierungen" in soup(response).find(id="f-body-error").get_text()
    assert count() == before


def test_preview_button_saves_nothing(client, editor, ctx):
    """The Vorschau button on a page shows the rendered body only."""
    before = count()
    response = client.post("/pages/new", data={"title": "Neu", "body": "*kursiv*",
                                                "action": "preview"})
    assert response.status_code == 200
    assert soup(response).find(id="preview").find("em").get_text() == "kursiv"
    assert count() == before


def test_reader_and_anonymous_cannot_edit_pages(client, demo, login, ctx):
    """A reader gets 403; an anonymous save comes back as 401 with the text kept."""
    before = count()
    response = client.post("/pages/glossar/edit", data={"title": "X", "body": "Mein Text"})
    assert response.status_code == 401
    assert "Mein Text" in [t.get_text() for t in soup(response).find_all("textarea")]
    login("reader")
    assert client.get("/pages/glossar/edit").status_code == 403
    assert client.post("/pages/new", data={"title": "X", "body": "y"}).status_code == 403
    assert count() == before


def test_measure_page_edit_goes_to_the_measure_editor(client, editor):
    """/pages/m07/edit sends editors to the measure form."""
    response = client.get("/pages/m07/edit")
    assert response.status_code == 302
    assert response.headers["Location"] == "/measures/M07/edit"


def test_page_view_and_list_offer_editing(client, editor):
    """Editors see the edit button on a page and the new-page link on the page list."""
    assert soup(client.get("/pages/glossar")).find(
        "a", class_="editor-action")["href"] == "/pages/glossar/edit"
    hrefs = {a["href"] for a in soup(client.get("/pages/")).find_all("a", class_="button")}
    assert {"/pages/new", "/pages/wanted"} <= hrefs


def test_conflict_diff_is_condensed_around_the_changes():
    """Long unchanged text in the conflict page's diff is cut to the context of each change."""
    from wiki.domain.editing import condense

    ops = [("=", "a" * 500), ("+", "X"), ("=", "b" * 500)]
    assert condense(ops) == [("=", "… " + "a" * 120), ("+", "X"), ("=", "b" * 120 + " …")]
    assert condense([("=", "kurz"), ("-", "alt")]) == [("=", "kurz"), ("-", "alt")]


def test_rename_rewrites_links_in_measures_keeping_their_metadata(client, editor, ctx):
    """A measure linking to a renamed page gets a new revision with the link fixed, same data."""
    from wiki.models import Measure

    before = Measure.by_code("M01").page.latest()
    assert "[[Statusdefinitionen]]" in before.body
    form = form_values(client.get("/pages/statusdefinitionen/edit"))
    client.post("/pages/statusdefinitionen/edit", data=dict(form, title="Status-Legende"))
    after = Measure.by_code("M01").page.latest()
    assert after.number == before.number + 1
    assert after.summary == "Link nach Umbenennung angepasst"
    assert after.body == before.body.replace("[[Statusdefinitionen]]", "[[Status-Legende]]")
    assert after.meta == before.meta
    link = soup(client.get("/measures/M01")).find("a", string="Status-Legende")
    assert link["href"] == "/pages/status-legende"
