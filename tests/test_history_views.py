"""History views: list, old revision, compare and restore, for measures and pages."""
import pytest
from bs4 import BeautifulSoup
from playhouse.test_utils import count_queries

from wiki import create_app
from wiki.domain import revisions
from wiki.domain.metadata import clean_measure, from_snapshot
from wiki.models import Dependency, Measure, Page, Revision, User

pytestmark = pytest.mark.postgres


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def add_revisions(page, count, author=None):
    """Save count more revisions of a page, each a little longer."""
    for number in range(count):
        revisions.save_page(page, title=page.title, body="Text " * (number + 1), author=author,
                            summary=f"Änderung {number + 1}")
    return Page.get_by_id(page.id)


@pytest.fixture
def glossary(app):
    """Create a page with three revisions: the title changed in the third."""
    author = User.create(username="l.wagner", name="Lena Wagner")
    page = revisions.save_page(None, title="Glossar", body="Ein Begriff.", author=author,
                               summary="Erstanlage").page
    revisions.save_page(page, title="Glossar", body="Ein neuer Begriff.", author=author)
    revisions.save_page(page, title="Begriffe", body="Ein neuer Begriff und mehr.",
                        author=author, summary="Umbenannt")
    return Page.get_by_id(page.id)


def numbers(response):
    """Return the revision numbers listed in a history table."""
    return [int(th.get_text()) for th in soup(response).select(".history-table tbody th")]


@pytest.mark.parametrize("role", [None, "reader", "editor"])
def test_everyone_who_may_read_sees_the_history(client, login, demo, role):
    """Anonymous visitors and readers read the history, newest first, with the re-plans."""
    if role:
        login(role)
    page = soup(client.get("/measures/m07/history"))
    assert numbers(client.get("/measures/M07/history")) == [4, 3, 2, 1]
    rows = page.select(".history-table tbody tr")
    cells = [td.get_text(" ", strip=True) for td in rows[-1].find_all("td")]
    assert cells[1] == "Katrin Becker"
    assert cells[2] == "Erstanlage nach Strategiebeschluss"
    assert cells[3].startswith("+")
    links = [a["href"] for a in rows[0].select(".row-actions a")]
    assert links == ["/measures/M07/revisions/4", "/measures/M07/diff?from=3&to=4"]
    assert page.select_one("form.compare-form")["action"] == "/measures/M07/diff"


def test_measure_history_shows_the_replan_and_the_slip(client, demo):
    """M07's end moved from 2025-Q4 to 2026-Q2: one re-plan, slipped six months."""
    page = soup(client.get("/measures/M07/history"))
    replans = page.select(".replans-table tbody tr")
    assert len(replans) == 1
    cells = [cell.get_text(" ", strip=True) for cell in replans[0].find_all(["th", "td"])]
    assert cells[0] == "3"
    assert cells[3].endswith("4. Quartal 2025")
    assert cells[4].endswith("2. Quartal 2026")
    assert cells[5].startswith("Neuplanung")
    slip = page.select_one(".slip").get_text(" ", strip=True)
    assert slip == "Gesamtverschiebung des geplanten Endes: +6 Monate (181 Tage)"


def test_page_history_lists_size_changes(client, glossary):
    """A page's history shows each revision's size change against the one before."""
    page = soup(client.get("/pages/glossar/history"))
    changes = [td.get_text() for td in page.select(".size-change")]
    assert changes == ["+9", "+6", "+12"]
    assert page.select_one(".replans") is None


def test_history_paginates_by_fifty(client, glossary):
    """120 revisions make three pages; size changes are right across a page boundary."""
    add_revisions(glossary, 117)
    assert numbers(client.get("/pages/glossar/history")) == list(range(120, 70, -1))
    second = client.get("/pages/glossar/history?page=2")
    assert numbers(second) == list(range(70, 20, -1))
    assert soup(second).select(".size-change")[-1].get_text() == "+5"
    last = soup(client.get("/pages/glossar/history?page=3"))
    assert [int(th.get_text()) for th in last.select(".history-table tbody th")] == list(
        range(20, 0, -1))
    assert [a.get_text() for a in last.select(".pagination a")] == ["Neuere Versionen"]
    assert client.get("/pages/glossar/history?page=4").status_code == 404
    assert client.get("/pages/glossar/history?page=0").status_code == 404


def test_history_queries_do_not_grow_with_the_revisions(app, client, demo, uncached):
    """The history of a measure runs as many queries with 4 revisions as with 64."""
    client.get("/measures/M07/history")
    with count_queries() as few:
        client.get("/measures/M07/history")
    measure = Measure.by_code("M07")
    values, _ = clean_measure(from_snapshot(measure.page.latest().meta))
    for number in range(60):
        revisions.save_measure(measure, values=values, body=f"Stand {number}", author=None)
    with count_queries() as many:
        response = client.get("/measures/M07/history")
    assert len(numbers(response)) == 50
    assert many.count == few.count


def test_old_revision_shows_its_content_and_a_note(client, demo):
    """An old revision shows its title, snapshot and stored HTML, with links onwards."""
    page = soup(client.get("/measures/M07/revisions/2"))
    note = page.select_one(".old-revision-note").get_text(" ", strip=True)
    assert note.startswith("Sie sehen eine ältere Version (Version 2 vom 30.03.2022")
    links = {a.get_text(strip=True): a["href"] for a in page.select(".old-revision-note a")}
    assert links["Zur aktuellen Version"] == "/measures/M07"
    assert links["Mit der aktuellen Version vergleichen"] == "/measures/M07/diff?from=2&to=4"
    facts = {div.dt.get_text(): div.dd.get_text() for div in page.select(".facts dl > div")}
    assert facts["Geplantes Ende"] == "31.12.2025 (4. Quartal 2025)"
    assert facts["Status"] == "in Vorbereitung"
    assert page.select_one(".description .content").has_attr("hx-disable")
    assert page.select_one("form.restore-form") is None  # anonymous: no restore button


def test_editor_sees_the_restore_button(client, login, demo):
    """An editor may restore an old revision, not the current one."""
    login("editor")
    form = soup(client.get("/measures/M07/revisions/2")).select_one("form.restore-form")
    assert form["action"] == "/measures/M07/restore/2"
    assert form["method"] == "post"
    assert soup(client.get("/measures/M07/revisions/4")).select_one("form.restore-form") is None


@pytest.mark.parametrize("url", [
    "/measures/M07/revisions/9", "/measures/M07/revisions/0", "/measures/M99/history",
    "/measures/M07/diff?from=1&to=9", "/pages/glossar/revisions/4", "/pages/gibtsnicht/history",
    "/pages/m07/history",
])
def test_unknown_pages_and_revisions_are_404(client, demo, glossary, url):
    """An unknown page, measure or revision number is not found."""
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("query", ["from=a&to=2", "from=1", "to=2", ""])
def test_diff_needs_two_numbers(client, glossary, query):
    """A comparison without two numeric revisions is a bad request."""
    assert client.get(f"/pages/glossar/diff?{query}").status_code == 400


def test_diff_shows_title_and_body_word_by_word(client, glossary):
    """The diff marks the title change and inserted and removed words, not only by colour."""
    page = soup(client.get("/pages/glossar/diff?from=1&to=3"))
    assert page.h1.get_text() == "Version 1 und 3 vergleichen"
    sections = page.select(".diff-section")
    assert sections[0].select_one("del").get_text() == "entfernt: Glossar"
    assert sections[0].select_one("ins").get_text() == "eingefügt: Begriffe"
    body = sections[1].select_one(".diff-body")
    assert [ins.get_text() for ins in body.select("ins")] == ["eingefügt: neuer ",
                                                            "eingefügt:  und mehr"]
    assert [span.get_text() for span in body.select("ins .visually-hidden")] == ["eingefügt: "] * 2
    assert body.get_text().startswith("Ein eingefügt: neuer Begriff")


def test_diff_of_swapped_numbers_shows_the_older_first(client, glossary):
    """Asking from 3 to 1 compares 1 with 3 and says so."""
    page = soup(client.get("/pages/glossar/diff?from=3&to=1"))
    assert page.h1.get_text() == "Version 1 und 3 vergleichen"
    assert page.select_one(".diff-legend .note")


def test_diff_of_a_revision_with_itself_has_no_differences(client, glossary):
    """Comparing a revision with itself says there is nothing to show."""
    page = soup(client.get("/pages/glossar/diff?from=2&to=2"))
    assert page.select_one(".no-changes").get_text() == "Gleiche Version: keine Unterschiede."
    assert page.select("ins.diff-ins .visually-hidden")[0].get_text() == "eingefügt: "  # legend


def test_measure_diff_compares_metadata_field_by_field(client, demo):
    """The re-plan shows the planned end, labelled, old and new."""
    page = soup(client.get("/measures/M07/diff?from=2&to=3"))
    rows = {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")]
            for tr in page.select(".diff-fields tbody tr")}
    assert rows["Geplantes Ende"] == ["entfernt: 31.12.2025 (4. Quartal 2025)",
                                     "eingefügt: 30.06.2026 (2. Quartal 2026)"]
    assert rows["Status"] == ["entfernt: in Vorbereitung", "eingefügt: in Umsetzung"]
    assert rows["Tatsächlicher Beginn"][0] == "leer"
    assert "Kürzel" not in rows


def test_restore_page_makes_a_new_revision(client, login, glossary):
    """Restoring revision 1 saves its title and body as revision 4, by the editor."""
    editor = login("editor")
    response = client.post("/pages/glossar/restore/1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/pages/glossar/history"
    page = Page.get_by_id(glossary.id)
    latest = page.latest()
    assert (page.revision_count, latest.number) == (4, 4)
    assert (latest.title, latest.body) == ("Glossar", "Ein Begriff.")
    assert (latest.summary, latest.author.id) == ("Version 1 wiederhergestellt", editor.id)
    assert numbers(client.get("/pages/glossar/history"))[0] == 4


def test_restore_measure_brings_back_the_old_metadata(client, login, demo):
    """Restoring M07's revision 2 brings back the old planned end as a new revision."""
    login("editor")
    response = client.post("/measures/M07/restore/2")
    assert response.status_code == 302
    measure = Measure.by_code("M07")
    old = Revision.of(measure.page).where(Revision.number == 2).get()
    latest = measure.page.latest()
    assert latest.number == 5
    assert measure.planned_end.isoformat() == "2025-12-31"
    assert measure.status == old.meta["status"]
    assert latest.body == old.body
    assert latest.meta == old.meta
    assert latest.summary == "Version 2 wiederhergestellt"


def test_restore_refuses_a_cycle_and_changes_nothing(client, login, demo):
    """If the old prerequisites would now form a cycle, the restore fails with the cycle named."""
    login("editor")
    m07, m06 = Measure.by_code("M07"), Measure.by_code("M06")
    for measure, requires in ((m07, []), (m06, ["M05"])):  # now M06 needs M05, which needs M07
        values, errors = clean_measure(from_snapshot(measure.page.latest().meta)
                                       | {"requires": requires})
        assert not errors
        revisions.save_measure(measure, values=values, body="Neu geplant", author=None)
    response = client.post("/measures/M07/restore/2")  # revision 2 required M06
    assert response.status_code == 409
    message = soup(response).select_one("[role=alert]").get_text(" ", strip=True)
    assert "ergäben einen Kreis: M05 → M07 → M06 → M05" in message
    assert Page.get_by_id(m07.page.id).revision_count == 5
    assert list(Dependency.select().where(Dependency.measure == m07)) == []


def test_restore_refuses_a_field_that_no_longer_exists(client, login, demo):
    """An old revision in an action field that is gone cannot be restored."""
    login("editor")
    measure = Measure.by_code("M07")
    old = Revision.of(measure.page).where(Revision.number == 2).get()
    Revision.update(meta={**old.meta, "field": "HF9"}).where(Revision.id == old.id).execute()
    response = client.post("/measures/M07/restore/2")
    assert response.status_code == 409
    assert "Handlungsfeld HF9" in soup(response).select_one("[role=alert]").get_text()
    assert Page.get_by_id(measure.page.id).revision_count == 4


def test_reader_may_not_restore(client, login, glossary):
    """A reader gets 403 and the page keeps its revisions."""
    login("reader")
    assert client.post("/pages/glossar/restore/1").status_code == 403
    assert Page.get_by_id(glossary.id).revision_count == 3


def test_anonymous_restore_changes_nothing(client, glossary):
    """An anonymous restore is sent to log in; nothing is saved."""
    response = client.post("/pages/glossar/restore/1")
    assert response.status_code != 200
    assert Page.get_by_id(glossary.id).revision_count == 3


def test_restore_needs_a_get_free_post(client, login, glossary):
    """Restoring is never possible by GET."""
    login("editor")
    assert client.get("/pages/glossar/restore/1").status_code == 405
    assert Page.get_by_id(glossary.id).revision_count == 3


def test_restore_without_csrf_token_is_refused(app, glossary, tmp_path):
    """With CSRF protection on, a restore without token is refused and changes nothing."""
    from tests.conftest import PASSWORD, make_user

    protected = create_app({**app.config, "WTF_CSRF_ENABLED": True},
                           instance_path=str(tmp_path / "protected"))
    client = protected.test_client()
    make_user("editor")
    form = soup(client.get("/login")).find("input", attrs={"name": "csrf_token"})["value"]
    client.post("/login", data={"username": "editor", "password": PASSWORD, "csrf_token": form})
    assert client.post("/pages/glossar/restore/1").status_code == 400
    assert Page.get_by_id(glossary.id).revision_count == 3
