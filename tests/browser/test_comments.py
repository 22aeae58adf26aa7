"""Comments in a real browser: post, edit, delete without reload; announcements, focus, axe."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import USERS, make_live_app, serving
from wiki.models import Comment, CommentVersion, Measure, StatusReport

pytestmark = pytest.mark.browser

PEOPLE = {"katrin": ("editor", "Katrin Becker"), **USERS}
SHOTS = "/tmp"


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """Return an app of its own for this module: these tests write comments."""
    return make_live_app(tmp_path_factory.mktemp("comments"), PEOPLE, "browser-comments")


@pytest.fixture(scope="module")
def live_server(live_app):
    """Serve this module's app on a free port."""
    with serving(live_app) as url:
        yield url


def mark_window(tab):
    """Set a marker on the window that a page load would lose."""
    tab.evaluate("window.notReloaded = true")


def not_reloaded(tab):
    """Tell whether the window marker survived."""
    return tab.evaluate("window.notReloaded === true")


def focused_item(tab):
    """Return the id of the comment list item holding the focus (None if none)."""
    return tab.evaluate("(document.activeElement.closest('.comment-list > li') || {}).id || null")


def newest():
    """Return the newest comment."""
    return Comment.select().order_by(Comment.id.desc()).get()


def item(tab, comment):
    """Return the locator of a comment's list item."""
    return tab.locator(f"#comment-{comment.id}")


def post(tab, text):
    """Write a comment into the form and publish it."""
    tab.locator("#comment-body").fill(text)
    tab.get_by_role("button", name="Veröffentlichen").click()


def test_post_edit_and_delete_without_reload(open_as, axe):
    """Katrin posts, edits and deletes a comment; the page never reloads; focus and live text."""
    tab = open_as("katrin")
    tab.goto("/measures/M07")
    axe(tab)  # the measure page with the comment form
    mark_window(tab)
    before = Comment.select().count()
    post(tab, "Gibt es schon einen **Termin** für die Schulung?")
    expect(tab.locator("#live")).to_have_text("Kommentar veröffentlicht.")
    comment = newest()
    assert Comment.select().count() == before + 1 and comment.author.username == "katrin"
    expect(item(tab, comment).locator(".content strong")).to_have_text("Termin")
    expect(item(tab, comment).locator("article")).to_be_focused()
    expect(tab.locator("#comment-body")).to_have_value("")
    tab.locator("#comments").screenshot(path=f"{SHOTS}/comments-posted.png")

    item(tab, comment).get_by_role("link", name=re.compile("^Bearbeiten")).click()
    textarea = tab.locator(f"#comment-{comment.id}-body")
    expect(textarea).to_be_focused()
    axe(tab)  # with an open edit form
    tab.locator("#comments").screenshot(path=f"{SHOTS}/comments-edit.png")
    textarea.fill("Gibt es schon einen **Termin** für die Schulung im Mai?")
    item(tab, comment).get_by_role("button", name="Speichern").click()
    expect(tab.locator("#live")).to_have_text("Kommentar gespeichert.")
    expect(item(tab, comment).locator("article")).to_be_focused()
    expect(item(tab, comment)).to_contain_text("im Mai?")
    expect(item(tab, comment).locator("a.edited")).to_contain_text("bearbeitet")
    assert [v.number for v in CommentVersion.of(comment)] == [2, 1]

    item(tab, comment).get_by_role("link", name=re.compile("^Löschen")).click()
    expect(item(tab, comment).locator(".comment-confirm-question")).to_be_focused()
    axe(tab)  # with the question before deleting
    item(tab, comment).get_by_role("button", name="Kommentar löschen").click()
    expect(tab.locator("#live")).to_have_text("Kommentar gelöscht.")
    expect(item(tab, comment)).to_have_text("Kommentar gelöscht")
    assert focused_item(tab) == f"comment-{comment.id}"
    assert Comment.get_by_id(comment.id).deleted
    assert not_reloaded(tab)
    assert tab.url.endswith("/measures/M07")


def test_an_empty_comment_is_refused_in_place(open_as):
    """Publishing nothing shows the error at the field, focuses it and announces it."""
    tab = open_as("katrin")
    tab.goto("/measures/M06")
    mark_window(tab)
    before = Comment.select().count()
    post(tab, "   ")
    field = tab.locator("#comment-body")
    expect(tab.locator("#comment-body-error")).to_contain_text("„Kommentar“ ist leer")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(tab.locator("#live")).to_have_text(re.compile("^Nicht veröffentlicht: .*ist leer"))
    assert Comment.select().count() == before
    assert not_reloaded(tab)


def test_cancelling_an_edit_brings_the_comment_back(open_as):
    """Abbrechen swaps the comment back in and gives it the focus, without a reload."""
    tab = open_as("katrin")
    tab.goto("/measures/M06")
    post(tab, "Abbrechen ausprobieren")
    expect(tab.locator("#live")).to_have_text("Kommentar veröffentlicht.")
    comment = newest()
    expect(item(tab, comment).locator("article")).to_be_focused()
    mark_window(tab)
    item(tab, comment).get_by_role("link", name=re.compile("^Bearbeiten")).click()
    tab.locator(f"#comment-{comment.id}-body").fill("verworfen")
    item(tab, comment).get_by_role("link", name="Abbrechen").click()
    expect(item(tab, comment).locator("article")).to_be_focused()
    expect(item(tab, comment)).to_contain_text("Abbrechen ausprobieren")
    assert Comment.get_by_id(comment.id).version == 1 and not_reloaded(tab)


def test_a_conflicting_edit_keeps_the_text(open_as, axe):
    """Two tabs edit one comment; the later save gets the conflict in place, text kept."""
    first, second = open_as("katrin"), open_as("katrin")
    first.goto("/measures/M05")
    post(first, "Zeile eins\n\nZeile zwei")
    expect(first.locator("#live")).to_have_text("Kommentar veröffentlicht.")
    comment = newest()
    second.goto("/measures/M05")
    for tab in (first, second):
        item(tab, comment).get_by_role("link", name=re.compile("^Bearbeiten")).click()
    mark_window(second)
    first.locator(f"#comment-{comment.id}-body").fill("Zeile eins geändert\n\nZeile zwei")
    item(first, comment).get_by_role("button", name="Speichern").click()
    expect(first.locator("#live")).to_have_text("Kommentar gespeichert.")
    second.locator(f"#comment-{comment.id}-body").fill("Zeile EINS\n\nZeile zwei")
    item(second, comment).get_by_role("button", name="Speichern").click()
    heading = item(second, comment).locator("h4", has_text="Bearbeitungskonflikt")
    expect(heading).to_be_focused()
    expect(second.locator("#live")).to_contain_text("Bearbeitungskonflikt")
    expect(second.locator(f"#comment-{comment.id}-body")).to_have_value(
        "Zeile EINS\n\nZeile zwei")
    expect(item(second, comment).locator(".comment-saved")).to_contain_text("eins geändert")
    axe(second)  # with the conflict fragment
    item(second, comment).screenshot(path=f"{SHOTS}/comments-conflict.png")
    assert Comment.get_by_id(comment.id).body == "Zeile eins geändert\n\nZeile zwei"
    item(second, comment).get_by_role("button", name="Speichern").click()
    expect(second.locator("#live")).to_have_text("Kommentar gespeichert.")
    assert Comment.get_by_id(comment.id).body == "Zeile EINS\n\nZeile zwei"
    assert not_reloaded(second)


def test_an_admin_hides_and_shows_a_comment(open_as):
    """The admin hides a comment in place; readers see the note; shown again it is back."""
    author = open_as("katrin")
    author.goto("/measures/M03")
    post(author, "Bitte ausblenden")
    expect(author.locator("#live")).to_have_text("Kommentar veröffentlicht.")
    comment = newest()
    admin = open_as("admin")
    admin.goto("/measures/M03")
    item(admin, comment).get_by_role("button", name=re.compile("^Ausblenden")).click()
    expect(admin.locator("#live")).to_have_text("Kommentar ausgeblendet.")
    expect(item(admin, comment)).to_contain_text("nur für Administratorinnen")
    reader = open_as("reader")
    reader.goto("/measures/M03")
    expect(item(reader, comment)).to_have_text("Kommentar ausgeblendet")
    item(admin, comment).get_by_role("button", name=re.compile("^Wieder einblenden")).click()
    expect(admin.locator("#live")).to_have_text("Kommentar wieder eingeblendet.")
    reader.reload()
    expect(item(reader, comment)).to_contain_text("Bitte ausblenden")


def test_everything_works_without_javascript(open_as):
    """Without JavaScript the forms post normally: post, refuse, edit, versions, delete."""
    tab = open_as("katrin", javascript=False)
    tab.goto("/measures/M08")
    report = StatusReport.of(Measure.by_code("M08")).first()
    tab.locator("#comment-body").fill("Ohne Skript geschrieben")
    tab.get_by_label("Bezug").select_option(str(report.id))
    tab.get_by_role("button", name="Veröffentlichen").click()
    comment = newest()
    assert tab.url.endswith(f"/measures/M08#comment-{comment.id}")
    assert comment.report_id == report.id
    expect(tab.locator("#live")).to_contain_text("Kommentar veröffentlicht.")
    expect(item(tab, comment)).to_contain_text("zum Bericht")

    tab.get_by_role("button", name="Veröffentlichen").click()  # empty: its own page, 400
    expect(tab.locator("h1")).to_have_text("Kommentar zu M08")
    expect(tab.locator("#comment-body-error")).to_contain_text("ist leer")
    expect(tab.locator("#comment-body")).to_have_attribute("autofocus", "")

    tab.goto("/measures/M08")
    item(tab, comment).get_by_role("link", name=re.compile("^Bearbeiten")).click()
    assert tab.url.endswith(f"/comments/{comment.id}/edit")
    tab.locator(f"#comment-{comment.id}-body").fill("Ohne Skript geändert")
    tab.get_by_role("button", name="Speichern").click()
    assert tab.url.endswith(f"/measures/M08#comment-{comment.id}")
    expect(item(tab, comment)).to_contain_text("Ohne Skript geändert")

    item(tab, comment).locator("a.edited").click()
    expect(tab.locator(".comment-version h2")).to_have_count(2)

    tab.goto("/measures/M08")
    item(tab, comment).get_by_role("link", name=re.compile("^Löschen")).click()
    assert tab.url.endswith(f"/comments/{comment.id}/delete")
    assert not Comment.get_by_id(comment.id).deleted  # asking changes nothing
    tab.get_by_role("button", name="Kommentar löschen").click()
    assert tab.url.endswith(f"/measures/M08#comment-{comment.id}")
    expect(item(tab, comment)).to_have_text("Kommentar gelöscht")
    assert Comment.get_by_id(comment.id).deleted


def test_the_pages_behind_the_inline_forms(open_as, axe):
    """The full pages (form, refusal, edit, question, versions) post normally and pass axe."""
    tab = open_as("katrin")
    report = StatusReport.of(Measure.by_code("M07")).first()
    tab.goto(f"/measures/M07/comments/new?report={report.id}")
    expect(tab.get_by_label("Bezug")).to_have_value(str(report.id))
    expect(tab.locator("#comment-body")).to_be_focused()
    axe(tab)
    tab.get_by_role("button", name="Veröffentlichen").click()  # empty: refused on this page
    expect(tab.locator("#comment-body-error")).to_contain_text("ist leer")
    expect(tab.locator("#comment-body")).to_be_focused()
    expect(tab.get_by_label("Bezug")).to_have_value(str(report.id))
    axe(tab)
    tab.locator("#comment-body").fill("Auf der eigenen Seite geschrieben")
    tab.get_by_role("button", name="Veröffentlichen").click()
    comment = newest()
    expect(tab).to_have_url(re.compile(f"/measures/M07#comment-{comment.id}$"))
    assert comment.report_id == report.id
    for path in ("edit", "delete"):
        tab.goto(f"/comments/{comment.id}/{path}")
        axe(tab)
        tab.screenshot(path=f"{SHOTS}/comments-page-{path}.png", full_page=True)
    tab.goto(f"/comments/{comment.id}/edit")
    tab.locator(f"#comment-{comment.id}-body").fill("Zweite Fassung")
    tab.get_by_role("button", name="Speichern").click()
    expect(tab).to_have_url(re.compile(f"/measures/M07#comment-{comment.id}$"))
    tab.goto(f"/comments/{comment.id}/versions")
    expect(tab.locator(".comment-version h2")).to_have_count(2)
    axe(tab)


def test_a_report_link_opens_the_form_about_it_in_place(open_as):
    """The link from comments/macros.html swaps in the form with its report chosen, focused."""
    tab = open_as("katrin")
    report = StatusReport.of(Measure.by_code("M07")).first()
    tab.goto("/measures/M07")
    mark_window(tab)
    url = f"/measures/M07/comments/new?report={report.id}"
    # The link as the macro writes it; the report markup that will hold it belongs elsewhere.
    tab.evaluate("""([url, id]) => {
      const link = document.createElement('a');
      Object.assign(link, {id: 'about-report', href: url, textContent: 'Kommentieren'});
      link.setAttribute('hx-get', url);
      link.setAttribute('hx-target', '#comment-form');
      document.getElementById('report-' + id).append(link);
      htmx.process(link);
    }""", [url, report.id])
    tab.locator("#about-report").click()
    expect(tab.get_by_label("Bezug")).to_have_value(str(report.id))
    expect(tab.locator("#comment-body")).to_be_focused()
    assert not_reloaded(tab)


def test_readers_and_visitors_get_no_form(open_as, page, axe):
    """A reader sees the thread without a form; an anonymous visitor a link to log in."""
    reader = open_as("reader")
    reader.goto("/measures/M07")
    expect(reader.locator("#comments h2")).to_have_text("Kommentare")
    expect(reader.locator("#comment-body")).to_have_count(0)
    page.goto("/measures/M07")
    expect(page.get_by_role("link", name="Anmelden, um zu kommentieren")).to_be_visible()
    axe(page)
