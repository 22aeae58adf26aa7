"""Kept pages (wiki/pagecache.py) are served only while nothing changed, in any worker."""
import datetime
import re

import peewee
import pytest
from bs4 import BeautifulSoup
from playhouse.test_utils import count_queries

from tests.conftest import PASSWORD, make_user
from wiki.backup import backup_to, restore_from
from wiki.db import db, is_sqlite, open_database, utcnow
from wiki.domain import programme
from wiki.models import ChangeCounter, Comment, EditPresence, Measure, Page, User

pytestmark = pytest.mark.postgres

# Tables whose rows no kept page shows, or that are read afresh by every request.
NOT_COUNTED = {"session", "login_throttle", "edit_presence", "schema_migration", "change_counter",
               "blob", "blob_chunk", "image_variant"}  # written once, never changed
KEPT_URLS = ["/measures/M07", "/measures/M07/history", "/measures/M07/diff?from=1&to=2",
             "/measures/M07/revisions/1", "/pages/glossar", "/pages/", "/", "/architecture",
             "/timeline", "/dependencies", "/measures", "/api/measures", "/api/measures/M07"]


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def without_tokens(response):
    """Return a response's text with its CSRF tokens (signed with the second) left out."""
    return re.sub(r'(X-CSRFToken": "|name="csrf_token" value=")[^"]+', r"\1", response.text)


def kept(app):
    """Return the number of pages app keeps."""
    return len(app.extensions.get("fahrplan_caches", {}).get("pages", ()))


def counted_tables():
    """Return {table: set of trigger events} for the tables with change-counting triggers."""
    if is_sqlite():
        rows = db.execute_sql("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        found = {}
        for table, name in rows:
            if name.startswith("count_"):
                found.setdefault(table, set()).add(name.rsplit("_", 1)[1].upper())
        return found
    rows = db.execute_sql(
        "SELECT event_object_table, event_manipulation FROM information_schema.triggers "
        "WHERE trigger_name = 'count_change'")
    found = {}
    for table, event in rows:
        found.setdefault(table, set()).add(event)
    return found


def content_tables():
    """Return the database's own tables (not the search index's, not SQLite's)."""
    return {t for t in db.get_tables() if not t.startswith(("search_index", "sqlite_"))}


def test_every_table_a_page_shows_counts_its_changes(app, ctx):
    """Each table but the named few has triggers for insert, update and delete."""
    db.connect(reuse_if_open=True)
    counted = counted_tables()
    assert set(counted) == content_tables() - NOT_COUNTED
    assert all(events == {"INSERT", "UPDATE", "DELETE"} for events in counted.values())


@pytest.mark.parametrize("write", ["insert", "update", "delete"])
def test_a_write_counts_and_a_read_does_not(app, demo, ctx, write):
    """Insert, update and delete each advance the counter; reading leaves it alone."""
    db.connect(reuse_if_open=True)
    before = ChangeCounter.current()
    list(Measure.select())
    assert ChangeCounter.current() == before
    user = make_user("zaehler")
    if write == "update":
        before = ChangeCounter.current()
        User.update(name="Zähler").where(User.id == user.id).execute()
    elif write == "delete":
        before = ChangeCounter.current()
        User.delete().where(User.id == user.id).execute()
    after = ChangeCounter.current()
    assert after[0] == before[0] and after[1] > before[1]


def test_a_transaction_counts_once_on_postgresql(app, demo, ctx, backend):
    """PostgreSQL counts at commit, once, however many rows the transaction wrote."""
    if backend != "postgresql":
        pytest.skip("SQLite counts each row; what matters there is only that it counts")
    db.connect(reuse_if_open=True)
    before = ChangeCounter.current()[1]
    with db.atomic():
        for number in range(5):
            make_user(f"viele-{number}")
    assert ChangeCounter.current()[1] == before + 1


def test_rolled_back_writes_do_not_count(app, demo, ctx):
    """A write that is rolled back leaves the counter as it was."""
    db.connect(reuse_if_open=True)
    before = ChangeCounter.current()
    with pytest.raises(RuntimeError), db.atomic():
        make_user("zurueck")
        raise RuntimeError
    assert ChangeCounter.current() == before


@pytest.mark.parametrize("url", KEPT_URLS)
def test_a_kept_page_is_served_as_rendered(app, demo, client, url):
    """The second request is answered from memory with the page the first one rendered."""
    first = client.get(url)
    assert first.status_code == 200
    assert kept(app) == 1
    with count_queries() as counted:
        second = client.get(url)
    assert second.status_code == 200 and without_tokens(second) == without_tokens(first)
    assert counted.count == 1  # the change counter, with who has an edit form open


def test_a_hit_runs_only_the_checks(app, demo, client, login):
    """For a logged-in reader a kept measure page costs the session and the counter."""
    login("reader")
    client.get("/measures/M07")  # shows the login's flash: rendered, not kept
    client.get("/measures/M07")
    with count_queries() as counted:
        assert client.get("/measures/M07").status_code == 200
    assert counted.count == 2


def test_a_save_in_another_worker_shows_at_once(workers):
    """Worker 1 keeps M07's page; a comment and a new title saved through worker 2 show in it."""
    first, second = workers
    first.get("/measures/M07")  # shows the login's flash
    before = first.get("/measures/M07").text
    assert first.get("/measures/M07").text == before
    page = soup(second.get("/measures/M07"))
    token = page.find("input", attrs={"name": "csrf_token"})["value"]
    assert second.post("/measures/M07/comments", data={
        "csrf_token": token, "body": "Aus dem zweiten Worker."}).status_code in (200, 302)
    assert "Aus dem zweiten Worker." in first.get("/measures/M07").text


def test_a_write_outside_any_request_shows_at_once(app, demo, client, ctx):
    """A change made by the CLI or a script (no request, no app code) drops the kept pages."""
    assert "Umbenannt" not in client.get("/architecture").text
    Page.update(title="Umbenannt").where(Page.id == Measure.by_code("M07").page_id).execute()
    assert "Umbenannt" in client.get("/architecture").text
    assert "Umbenannt" in client.get("/api/measures").text


def test_a_write_on_another_connection_shows_at_once(app, demo, client):
    """Another process's write (here: a connection of its own) shows on the next request,
    though this worker's pooled connection stayed open in between."""
    client.get("/measures/M07")
    assert "Anderswo geändert" not in client.get("/measures/M07").text
    other = open_database(app.config["DATABASE_URL"], app.instance_path)
    with other.connection_context():
        other.execute_sql("UPDATE page SET title = 'Anderswo geändert' "
                          "WHERE id = (SELECT page_id FROM measure WHERE code = 'M07')")
    other.close_all()
    assert "Anderswo geändert" in client.get("/measures/M07").text


def test_each_reader_gets_their_own_page(app, demo, client, login):
    """An editor's kept page (edit buttons) is never given to a reader, nor the reverse."""
    anonymous = client.application.test_client()
    assert not soup(anonymous.get("/measures/M07")).select(".editor-action")
    login("editor")
    assert soup(client.get("/measures/M07")).select(".editor-action")
    assert not soup(anonymous.get("/measures/M07")).select(".editor-action")
    reader = client.application.test_client()
    make_user("leser", role="reader")
    reader.post("/login", data={"username": "leser", "password": PASSWORD})
    assert not soup(reader.get("/measures/M07")).select(".editor-action")
    assert soup(reader.get("/measures/M07")).select_one(".user-name").get_text() == "leser"


def test_the_csrf_token_is_each_sessions_own(app, demo, workers):
    """A kept page carries the token of the session that asks; a form sent with it works."""
    first, _ = workers
    other = app.test_client()
    other.post("/login", data={"username": "editor", "password": PASSWORD})
    first_page, other_page = first.get("/measures/M07"), other.get("/measures/M07")
    tokens = [re.findall(r'name="csrf_token" value="([^"]+)"', page.text)
              for page in (first_page, other_page)]
    assert tokens[0] and tokens[1] and set(tokens[0]).isdisjoint(tokens[1])
    response = other.post("/measures/M07/comments",
                          data={"csrf_token": tokens[1][0], "body": "Mit eigenem Token."})
    assert response.status_code in (200, 302)
    assert Comment.select().where(Comment.body == "Mit eigenem Token.").exists()


def test_someone_opening_the_editor_shows_without_a_write(app, demo, client, login):
    """Presence is read per request: opening the editor and leaving it both show at once."""
    login("editor")
    assert "Wird gerade bearbeitet" not in client.get("/measures/M07").text
    colleague = make_user("kollegin", name="Karla Kollegin")
    measure = Measure.by_code("M07")
    EditPresence.touch(measure.page, colleague.id)
    assert "Karla Kollegin" in client.get("/measures/M07").text
    (EditPresence.update(seen=utcnow() - datetime.timedelta(minutes=10))
     .where(EditPresence.user == colleague.id).execute())
    assert "Karla Kollegin" not in client.get("/measures/M07").text


def test_a_new_day_renders_anew(app, demo, client, monkeypatch):
    """What depends on the day (staleness, the timeline's today line) is rendered for today."""
    app.config["STALE_REPORT_DAYS"] = 30
    newest = max(r.date for r in Measure.by_code("M07").reports)
    monkeypatch.setattr(programme, "today", lambda: newest + datetime.timedelta(days=1))
    assert "kein Bericht seit" not in soup(client.get("/measures/M07")).header.get_text()
    monkeypatch.setattr(programme, "today", lambda: newest + datetime.timedelta(days=90))
    assert "kein Bericht seit" in soup(client.get("/measures/M07")).find(
        class_="page-header").get_text()


def test_htmx_fragments_and_flashes_are_never_kept(app, demo, client, login):
    """An htmx request gets its fragment, not a kept full page; a flash shows once, to its user."""
    full = client.get("/timeline")
    fragment = client.get("/timeline", headers={"HX-Request": "true", "HX-Target": "timeline"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and "<html" in full.text
    client.get("/")
    response = client.post("/login", data={"username": make_user("editor").username,
                                           "password": PASSWORD}, follow_redirects=True)
    assert "Angemeldet als" in response.text
    assert "Angemeldet als" not in client.get(response.request.path).text


def test_answers_other_than_a_page_are_not_kept(app, demo, client):
    """Redirects, missing pages and CSV exports are answered afresh every time."""
    assert client.get("/measures/m07").status_code == 301
    assert client.get("/measures/M99").status_code == 404
    assert client.get("/measures?format=csv").mimetype == "text/csv"
    assert kept(app) == 0


def test_the_kept_pages_stay_within_the_limit(app, demo, client):
    """Past their share of PAGE_CACHE_MB the least recently asked pages go."""
    app.config["PAGE_CACHE_MB"] = 0.025  # 20 kB for pages: a few compressed measure pages
    codes = [m.code for m in Measure.select()]
    for code in codes:
        client.get(f"/measures/{code}")
    pages = app.extensions["fahrplan_caches"]["pages"]
    assert 0 < len(pages) < len(codes)
    assert pages.bytes == sum(size for _, size in pages.entries.values()) <= 0.02 * 2**20
    assert list(pages.entries)[-1][:2] == ("measures.view", (("code", codes[-1]),))


def test_off_renders_every_time(app, demo, client):
    """PAGE_CACHE_MB = 0 keeps nothing."""
    app.config["PAGE_CACHE_MB"] = 0
    client.get("/measures/M07")
    client.get("/measures/M07")
    assert kept(app) == 0


def test_a_restore_renews_the_epoch(app, demo, client, ctx, tmp_path):
    """After a restore no page kept under the copy's numbers counts as current."""
    db.connect(reuse_if_open=True)
    backup_to(str(tmp_path / "copy"))
    epoch, _ = ChangeCounter.current()
    restore_from(str(tmp_path / "copy"))
    assert ChangeCounter.current()[0] != epoch


def test_init_renews_the_epoch(app, demo, runner):
    """`fahrplan init`, run after a restore by hand, outdates every kept page too."""
    with app.app_context():
        db.connect(reuse_if_open=True)
        epoch, _ = ChangeCounter.current()
    assert runner.invoke(args=["init"]).exit_code == 0
    with app.app_context():
        db.connect(reuse_if_open=True)
        assert ChangeCounter.current()[0] != epoch


def test_concurrent_writers_do_not_deadlock_on_the_counter(app, demo, backend):
    """Two PostgreSQL transactions, one holding a row the other waits for, both commit: the
    counter row is taken only at commit, after every other lock, so it closes no cycle."""
    if backend != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    import threading

    barrier, errors = threading.Barrier(2), []

    def run(steps):
        with app.app_context(), db.connection_context():
            try:
                with db.atomic():
                    steps()
            except (peewee.DatabaseError, threading.BrokenBarrierError) as error:
                errors.append(error)

    def lock(code):
        Measure.select().where(Measure.code == code).for_update().get()

    def write(code):
        Measure.update(owner=f"Neu {code}").where(Measure.code == code).execute()

    def first():  # writes M01 (counted at commit), then waits for M02
        write("M01")
        barrier.wait(5)
        lock("M02")

    def second():  # holds M02, then writes M03 and commits
        lock("M02")
        barrier.wait(5)
        write("M03")

    with app.app_context():
        db.connect(reuse_if_open=True)
        start = ChangeCounter.current()[1]
        db.close()
    threads = [threading.Thread(target=run, args=(steps,)) for steps in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    with app.app_context():
        db.connect(reuse_if_open=True)
        assert ChangeCounter.current()[1] == start + 2
        assert {m.owner for m in Measure.select().where(Measure.code.in_(["M01", "M03"]))} == {
            "Neu M01", "Neu M03"}
