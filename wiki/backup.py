"""Online, consistent, verified backups and their restore: SQLite's VACUUM INTO, pg_dump."""
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 (fixed argument lists, no shell)  # nosec B404

from wiki.db import db, is_sqlite, migrate
from wiki.models import MODELS, ChangeCounter


class BackupError(Exception):
    """A backup could not be written, did not verify, or could not be restored."""


def backup_to(path):
    """Write a verified copy of the database to path (atomically: all or nothing)."""
    path = os.path.abspath(path)
    temp = f"{path}.partial"
    if os.path.exists(temp):
        os.unlink(temp)
    try:
        (_sqlite_backup if is_sqlite() else _postgres_backup)(temp)
    except Exception:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    os.replace(temp, path)
    return path


def restore_from(path):
    """Replace the database's content with a verified backup, in one transaction."""
    path = os.path.abspath(path)
    (_sqlite_restore if is_sqlite() else _postgres_restore)(path)
    # The copy's change count may repeat numbers counted since it was made: pages that workers
    # keep under those numbers show other content, so none of them may count as current.
    db.connect(reuse_if_open=True)
    migrate()  # a copy made by an older version gains what this one added (the counter)
    ChangeCounter.renew()


def _sqlite_backup(temp):
    """Copy a live SQLite database in one read transaction, then check the copy."""
    db.execute_sql("VACUUM INTO ?", (temp,))
    _sqlite_verify(temp)


def _sqlite_verify(path):
    """Raise unless path is an intact SQLite database with every model's table."""
    copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("Die Sicherung ist beschädigt (integrity_check).")
        _check_tables({row[0] for row in copy.execute("SELECT name FROM sqlite_master")})
    except sqlite3.DatabaseError as error:
        raise BackupError(f"Keine gültige SQLite-Sicherung ({error}).") from None
    finally:
        copy.close()


def _sqlite_restore(path):
    """Copy a checked backup over the live database with SQLite's backup API (atomically)."""
    _sqlite_verify(path)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        # One step under the target's write lock: other connections see all of it or none,
        # and the WAL of the running app stays consistent (no file is swapped underneath).
        source.backup(db.connection())
    finally:
        source.close()


def _postgres_args():
    """Return the connection options of pg_dump/pg_restore and their environment."""
    params = db.obj.connect_params
    env = dict(os.environ, PGPASSWORD=str(params.get("password", "")))
    args = [f"--dbname={db.obj.database}"]
    args += [f"--{k}={params[k]}" for k in ("host", "port") if params.get(k)]
    if params.get("user"):
        args.append(f"--username={params['user']}")
    return args, env


def _postgres_backup(temp):
    """Dump PostgreSQL in one snapshot with pg_dump (custom format) and list it back."""
    if not shutil.which("pg_dump"):
        raise BackupError("pg_dump nicht gefunden (Debian-Paket postgresql-client).")
    args, env = _postgres_args()
    subprocess.run(["pg_dump", "--format=custom", f"--file={temp}", *args],  # noqa: S603, S607  # nosec B603 B607
                   env=env, check=True)
    _postgres_verify(temp)


def _postgres_verify(path):
    """Raise unless path is a pg_dump archive holding every model's table."""
    listing = subprocess.run(["pg_restore", "--list", path],  # noqa: S603, S607  # nosec B603 B607
                             capture_output=True, text=True)
    if listing.returncode:
        raise BackupError(f"Keine gültige pg_dump-Sicherung ({listing.stderr.strip()}).")
    _check_tables({line.split()[-2] for line in listing.stdout.splitlines()
                   if " TABLE DATA " in line})


def _postgres_restore(path):
    """Replace the database's objects with those of a checked dump, in one transaction."""
    if not shutil.which("pg_restore"):
        raise BackupError("pg_restore nicht gefunden (Debian-Paket postgresql-client).")
    _postgres_verify(path)
    db.close()  # our own idle connection must not hold locks on the tables being replaced
    args, env = _postgres_args()
    done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",  # noqa: S603, S607  # nosec B603 B607
                           "--single-transaction", "--exit-on-error", *args, path],
                          env=env, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"pg_restore ist fehlgeschlagen ({done.stderr.strip()}).")


def _check_tables(tables):
    """Raise unless every model's table is in the copy."""
    needed = {m._meta.table_name for m in MODELS if m is not ChangeCounter}  # made by migrate
    missing = sorted(needed - tables)
    if missing:
        raise BackupError(f"Tabellen fehlen in der Sicherung: {', '.join(missing)}.")
