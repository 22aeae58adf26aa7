"""Online, consistent, verified backups: SQLite's VACUUM INTO, PostgreSQL's pg_dump."""
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 (fixed argument lists, no shell)

from wiki.db import db, is_sqlite
from wiki.models import MODELS


class BackupError(Exception):
    """A backup could not be written or did not verify."""


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


def _sqlite_backup(temp):
    """Copy a live SQLite database in one read transaction, then check the copy."""
    db.execute_sql("VACUUM INTO ?", (temp,))
    copy = sqlite3.connect(temp)
    try:
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("Die Sicherung ist beschädigt (integrity_check).")
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        _check_tables(tables)
    finally:
        copy.close()


def _postgres_backup(temp):
    """Dump PostgreSQL in one snapshot with pg_dump (custom format) and list it back."""
    if not shutil.which("pg_dump"):
        raise BackupError("pg_dump nicht gefunden (Debian-Paket postgresql-client).")
    params = db.obj.connect_params
    env = dict(os.environ, PGPASSWORD=str(params.get("password", "")))
    args = ["pg_dump", "--format=custom", f"--file={temp}", f"--dbname={db.obj.database}"]
    args += [f"--{k}={params[k]}" for k in ("host", "port") if params.get(k)]
    if params.get("user"):
        args.append(f"--username={params['user']}")
    subprocess.run(args, env=env, check=True)  # noqa: S603
    listing = subprocess.run(["pg_restore", "--list", temp],  # noqa: S603, S607
                             capture_output=True, text=True, check=True).stdout
    _check_tables({line.split()[-2] for line in listing.splitlines() if " TABLE DATA " in line})


def _check_tables(tables):
    """Raise unless every model's table is in the copy."""
    missing = sorted({m._meta.table_name for m in MODELS} - tables)
    if missing:
        raise BackupError(f"Tabellen fehlen in der Sicherung: {', '.join(missing)}")
