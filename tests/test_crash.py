"""A gunicorn worker killed mid-write: the database stays whole, no acknowledged write is lost."""
import os
import signal
import sqlite3
import threading
import time

import pytest

from tests.conftest import make_user
from tests.gunicorn_harness import DROPPED, gunicorn
from tests.test_concurrency import FreeDates, Writer, stored
from wiki.db import db

pytestmark = pytest.mark.postgres

CLIENTS = 8
KILLS = 3


class Looper(Writer):
    """A writer that keeps writing until told to stop; a dropped connection is no answer."""

    def run(self, stop):
        """Write comments, measure saves and reports in turn until stop is set."""
        kinds = ("comment", "measure", "report")
        i = 0
        while not stop.is_set():
            kind = kinds[(self.number + i) % len(kinds)]
            token = f"Absturz{self.number}-Eintrag{i}-{kind}"
            i += 1
            try:
                code, response = getattr(self, kind)(token)
            except DROPPED:  # the killed worker had our request
                self.results.append((kind, None, token, None, ""))
                continue
            self.results.append((kind, code, token, response.status_code, response.text))


def test_killed_worker_loses_no_acknowledged_write(app, demo, backend, tmp_path):
    """SIGKILL workers while clients write: acked writes persist, integrity_check is ok."""
    with app.app_context():
        for number in range(CLIENTS):
            make_user(f"schreiber{number}")
        dates = FreeDates()
    db.close()
    stop = threading.Event()
    with gunicorn(app.config["DATABASE_URL"], tmp_path, workers=4) as server:
        writers = [Looper(server, n, dates) for n in range(CLIENTS)]
        threads = [threading.Thread(target=w.run, args=(stop,)) for w in writers]
        for thread in threads:
            thread.start()
        killed = []
        for _kill in range(KILLS):
            time.sleep(0.8)  # the writers keep every worker busy: the kill lands mid-request
            victim = server.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)
        time.sleep(0.8)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        deadline = time.monotonic() + 20  # gunicorn replaces the killed workers
        while len(set(server.worker_pids()) - set(killed)) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(set(server.worker_pids()) - set(killed)) == 4
        after = Writer(server, 0, dates)  # and the restarted workers serve writes again
        _code, response = after.comment("Nach dem Absturz")
        assert response.status_code == 302
        log = server.log()
    results = [result for writer in writers for result in writer.results]
    assert "database is locked" not in log
    assert all(status in (None, 302, 409) for _k, _c, _t, status, _x in results), results
    acked = [(kind, token) for kind, _c, token, status, _x in results if status == 302]
    assert len(acked) > 3 * KILLS  # the clients did write before, between and after the kills
    if backend == "sqlite":
        copy = sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        copy.close()
    with app.app_context():
        assert [token for kind, token in acked if not stored(kind, token)] == []
        assert stored("comment", "Nach dem Absturz")
