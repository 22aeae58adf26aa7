"""Real gunicorn, four workers, many writers at once: nothing lost, no 500, no lock errors."""
import datetime
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from bs4 import BeautifulSoup

from tests.conftest import PASSWORD, make_user
from tests.gunicorn_harness import csrf_token, form_data, gunicorn
from wiki.db import db
from wiki.domain import schedule
from wiki.models import Comment, Measure, Revision, StatusReport

pytestmark = pytest.mark.postgres

CLIENTS = 16
WRITES = 12  # per client: 192 writes in all, a third of each kind
EDITED = ("M01", "M02")  # eight clients on each: conflicts are certain
KINDS = ("measure", "comment", "report")


class Writer:
    """One logged-in browser that saves measures, posts comments and writes status reports."""

    def __init__(self, server, number, dates):
        self.server, self.number, self.dates = server, number, dates
        self.browser = server.login(f"schreiber{number}", PASSWORD)
        self.results = []  # (kind, code, token, status, response text)

    def post(self, path, data):
        """Post a form with the session's CSRF token, as the browser does."""
        return self.browser.post(f"{self.server.url}{path}", timeout=30, allow_redirects=False,
                                 data=[*data, ("csrf_token", self.browser.csrf_token)])

    def measure(self, token):
        """Open a measure's edit form, add a line to its text and save it."""
        code = EDITED[self.number % len(EDITED)]
        form = self.browser.get(f"{self.server.url}/measures/{code}/edit", timeout=30).text
        data = [(k, f"{v}\n\n{token}" if k == "body" else v) for k, v in form_data(form)
                if k != "csrf_token"]
        return code, self.post(f"/measures/{code}/edit", [*data, ("action", "save")])

    def comment(self, token):
        """Post a comment on a measure."""
        code = f"M{self.number % 14 + 1:02d}"
        return code, self.post(f"/measures/{code}/comments", [("body", token), ("report", "")])

    def report(self, token):
        """Write a new status report, dated on a day no report of the measure has yet."""
        code, day = next(self.dates)
        return code, self.post(f"/measures/{code}/reports/new", [
            ("period", schedule.quarter_of(day)), ("date", day.isoformat()),
            ("status", "active"), ("traffic_light", "yellow"),
            ("progress", str(len(self.results) * 7 % 100)), ("body", token),
            ("summary", ""), ("base_revision", "0"), ("action", "save")])

    def run(self, start):
        """Wait for the others, then write WRITES times, keeping every answer."""
        start.wait()
        for i in range(WRITES):
            kind = KINDS[(self.number + i) % len(KINDS)]
            token = f"Schreiber{self.number}-Eintrag{i}-{kind}"
            code, response = getattr(self, kind)(token)
            self.results.append((kind, code, token, response.status_code, response.text))


class FreeDates:
    """A thread-safe supply of (measure code, day) pairs on which no report exists yet."""

    def __init__(self):
        taken = {(r.measure.code, r.date)
                 for r in StatusReport.select(StatusReport, Measure).join(Measure)}
        today = datetime.date.today()
        pairs = ((f"M{n % 14 + 1:02d}", today - datetime.timedelta(days=n // 14))
                 for n in itertools.count())
        self.pairs = (pair for pair in pairs if pair not in taken)
        self.lock = threading.Lock()

    def __next__(self):
        """Return the next free pair."""
        with self.lock:
            return next(self.pairs)


def run_writers(server, writers):
    """Run every writer in its own thread, all starting at once; return their results."""
    start = threading.Barrier(len(writers))
    threads = [threading.Thread(target=w.run, args=(start,)) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return [result for writer in writers for result in writer.results]


def textarea(html):
    """Return the body textarea's text of a (conflict) page."""
    return BeautifulSoup(html, "html.parser").find("textarea", attrs={"name": "body"}).get_text()


def stored(kind, token):
    """Tell whether a write's text is in the database."""
    model = {"measure": Revision, "comment": Comment, "report": StatusReport}[kind]
    return model.select().where(model.body.contains(token)).exists()


def test_concurrent_writers_lose_nothing(app, demo, backend, tmp_path):
    """16 clients on 4 workers: every accepted write is stored, every refused one is a 409."""
    with app.app_context():
        for number in range(CLIENTS):
            make_user(f"schreiber{number}")
        dates = FreeDates()
    db.close()
    with gunicorn(app.config["DATABASE_URL"], tmp_path, workers=4) as server:
        results = run_writers(server, [Writer(server, n, dates) for n in range(CLIENTS)])
        log = server.log()
    assert len(results) == CLIENTS * WRITES
    assert "database is locked" not in log and "Traceback" not in log, log
    for kind, _code, _token, status, text in results:
        assert "database is locked" not in text
        assert status in ((302, 409) if kind == "measure" else (302,)), (kind, status, text)
    conflicts = [r for r in results if r[3] == 409]
    assert conflicts, "no two saves met: the test did not test conflicts"
    with app.app_context():
        for kind, code, token, status, text in results:
            if status == 302:
                assert stored(kind, token), (kind, code, token)
            else:  # refused: not stored, but handed back to the user in the merge
                assert not stored(kind, token), (kind, code, token)
                assert token in textarea(text), text
        for code in EDITED:
            page = Measure.by_code(code).page
            numbers = [r.number for r in page.revisions.order_by(Revision.number)]
            assert numbers == list(range(1, page.revision_count + 1))
            newest = page.latest().body  # each save added to the newest text: all still there
            assert all(token in newest for kind, c, token, status, _ in results
                       if (kind, c, status) == ("measure", code, 302))


def try_login(server, password):
    """Post the login form once from a fresh browser; return the status."""
    browser = requests.Session()
    token = csrf_token(browser.get(f"{server.url}/login", timeout=10).text)
    return browser.post(f"{server.url}/login", timeout=10, allow_redirects=False, data={
        "username": "k.becker", "password": password, "csrf_token": token}).status_code


def test_failed_logins_are_throttled_across_workers(app, backend, tmp_path):
    """Failures count in the database: after the address's limit, workers that saw none refuse."""
    with app.app_context():
        make_user("k.becker")
    db.close()
    limit = 3  # the address waits for the window's end; the account's waits would be seconds
    with gunicorn(app.config["DATABASE_URL"], tmp_path, workers=4,
                  LOGIN_ADDRESS_MAX_FAILURES=limit) as server:
        failures = [try_login(server, "falsch") for _attempt in range(limit)]
        refusals = []
        for _burst in range(10):  # until a worker that saw no failure has answered one
            with ThreadPoolExecutor(8) as pool:  # at once: the workers share them out
                refusals += pool.map(lambda _: try_login(server, PASSWORD), range(16))
            served = [(pid, status) for pid, status, method, path in server.served()
                      if (method, path) == ("POST", "/login")]
            guessed = {pid for pid, status in served if status == 401}
            refused = {pid for pid, status in served if status == 429}
            if refused - guessed:
                break
    assert failures == [401] * limit
    assert refusals == [429] * len(refusals)  # the right password no longer helps
    assert refused - guessed, served  # a worker that saw no failure still refused
