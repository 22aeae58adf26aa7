"""`fahrplan backup` and `fahrplan restore`: online, consistent, verified, and back the same."""
import filecmp
import os
import shutil
import sqlite3
import threading
import time

import pytest

from tests.conftest import make_user
from tests.gunicorn_harness import DROPPED, gunicorn
from tests.test_concurrency import Writer
from wiki import create_app
from wiki.db import db, open_database
from wiki.models import Comment, User

pytestmark = pytest.mark.postgres

CLIENTS = 4


def instance(url, folder):
    """Return an app on a database URL, with the database proxy bound to it."""
    folder.mkdir(parents=True, exist_ok=True)
    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test"},
                      instance_path=str(folder / "instance"))


def use(app):
    """Bind the (global) database proxy to an app's database again."""
    if not db.is_closed():
        db.close()
    db.initialize(open_database(app.config["DATABASE_URL"], app.instance_path))


def cli(app, *args):
    """Run a `fahrplan` command against an app's database; return its output."""
    use(app)
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    if not db.is_closed():
        db.close()
    return result.output


def export(app, folder):
    """Export an app's programme with `fahrplan export` into folder."""
    cli(app, "export", str(folder))
    return folder


def same_tree(left, right):
    """Tell whether two folders hold the same files with the same bytes."""
    compared = filecmp.dircmp(left, right)
    if compared.left_only or compared.right_only or compared.diff_files or compared.funny_files:
        return False
    _match, mismatch, errors = filecmp.cmpfiles(left, right, compared.common_files,
                                                shallow=False)
    return not mismatch and not errors and all(
        same_tree(os.path.join(left, d), os.path.join(right, d)) for d in compared.common_dirs)


def test_backup_writes_a_verified_copy(runner, backend, tmp_path):
    """`fahrplan backup` writes a copy that holds the data."""
    make_user("k.becker", name="Katrin Becker")
    target = tmp_path / "sicherung.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "geprüft" in result.output
    if backend == "sqlite":
        copy = sqlite3.connect(target)
        assert copy.execute("SELECT name FROM user").fetchall() == [("Katrin Becker",)]
        copy.close()
    else:
        assert target.read_bytes().startswith(b"PGDMP")


def test_restore_into_a_fresh_instance_shows_the_same_programme(app, demo, fresh, tmp_path):
    """Backup, restore elsewhere, export both: the same files, revisions and reports included."""
    target = tmp_path / "sicherung"
    cli(app, "backup", str(target))
    restored = instance(fresh, tmp_path / "frisch")
    assert "zurückgespielt und geprüft" in cli(restored, "restore", "--yes", str(target))
    assert same_tree(export(app, tmp_path / "quelle"), export(restored, tmp_path / "kopie"))


def test_restore_replaces_what_was_there(app, demo, tmp_path):
    """Restoring over a database in use gives exactly the backup's content again."""
    target = tmp_path / "sicherung"
    cli(app, "backup", str(target))
    before = export(app, tmp_path / "vorher")
    use(app)
    with app.app_context():
        make_user("nachher")
        Comment.delete().execute()
    cli(app, "restore", "--yes", str(target))
    assert same_tree(before, export(app, tmp_path / "nachher"))


@pytest.mark.parametrize("content", [b"", b"kein Datenbankinhalt", b"PGDMP kaputt"])
def test_restore_refuses_a_broken_file_and_changes_nothing(app, demo, tmp_path, content):
    """A file that is no valid backup is refused with a German message; nothing changes."""
    broken = tmp_path / "kaputt"
    broken.write_bytes(content)
    before = export(app, tmp_path / "vorher")
    use(app)
    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(broken)])
    assert result.exit_code == 1
    assert "Die Datenbank ist unverändert." in result.output
    assert same_tree(before, export(app, tmp_path / "nachher"))


def test_restore_asks_first(app, demo, tmp_path):
    """Without --yes, restore asks, and answering no leaves the database alone."""
    target = tmp_path / "sicherung"
    cli(app, "backup", str(target))
    use(app)
    with app.app_context():
        make_user("bleibt")
    result = app.test_cli_runner().invoke(args=["restore", str(target)], input="n\n")
    assert result.exit_code == 1 and "Fortfahren?" in result.output
    with app.app_context():
        assert Comment.select().exists() and User.by_name("bleibt") is not None


class Poster(Writer):
    """A writer that posts numbered comments one after another, noting when each was sent."""

    def run(self, stop):
        """Post until stop is set; keep (token, sent, answered, status) for each."""
        i = 0
        while not stop.is_set():
            token = f"Sicherung{self.number}-Kommentar{i:03d}"
            sent = time.monotonic()
            try:
                _code, response = self.comment(token)
                status = response.status_code
            except DROPPED:
                status = None
            self.results.append((token, sent, time.monotonic(), status))
            i += 1


def test_backup_while_writes_run_is_a_consistent_snapshot(app, demo, fresh, tmp_path):
    """A backup taken under load holds every write acknowledged before it, and no torn state."""
    use(app)
    with app.app_context():
        for number in range(CLIENTS):
            make_user(f"schreiber{number}")
    db.close()
    target, stop = tmp_path / "sicherung", threading.Event()
    with gunicorn(app.config["DATABASE_URL"], tmp_path, workers=2) as server:
        posters = [Poster(server, n, None) for n in range(CLIENTS)]
        threads = [threading.Thread(target=p.run, args=(stop,)) for p in posters]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        started = time.monotonic()
        cli(app, "backup", str(target))
        finished = time.monotonic()
        time.sleep(1.0)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    restored = instance(fresh, tmp_path / "frisch")
    cli(restored, "restore", "--yes", str(target))
    use(restored)
    with restored.app_context():
        present = {c.body for c in Comment.select().where(Comment.body.startswith("Sicherung"))}
    for poster in posters:
        tokens = [token for token, *_rest in poster.results]
        assert all(status == 302 for *_rest, status in poster.results)
        before = [token for token, _sent, answered, _s in poster.results if answered < started]
        after = [token for token, sent, _answered, _s in poster.results if sent > finished]
        assert before and after  # the writes really ran before, during and after the backup
        assert set(before) <= present and not set(after) & present
        # One snapshot: each client's comments in it are a prefix of what it posted, no gaps.
        assert [token for token in tokens if token in present] == tokens[:len(present & set(
            tokens))]
    if str(fresh).startswith("sqlite"):  # the restored instance shows the backup's programme
        shutil.copy(target, tmp_path / "sicherung-kopie.db")
        of_backup = instance(f"sqlite:///{tmp_path / 'sicherung-kopie.db'}", tmp_path / "s")
        assert same_tree(export(of_backup, tmp_path / "a"), export(restored, tmp_path / "b"))
