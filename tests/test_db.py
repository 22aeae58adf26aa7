"""The schema comes only from numbered migrations, which reproduce the models and revert."""
import os

import peewee
import pytest
from playhouse.schema_diff import diff_models

from wiki.db import MIGRATIONS, db, migrate, open_database, pending, rollback
from wiki.models import MODELS

pytestmark = pytest.mark.postgres
# Every numbered migration file, in order: all of them are undone and applied again.
MIGRATION_NAMES = sorted(name[:-3] for name in os.listdir(MIGRATIONS)
                         if name[:4].isdigit() and name.endswith(".py"))


def test_migrations_reproduce_models(app):
    """After every migration has run, the models and the database schema agree."""
    assert pending() == []
    diff = diff_models(db.obj, MODELS)
    assert not diff, str(diff)


def test_down_removes_every_table_and_up_restores_them(app):
    """Reverting all migrations leaves no model table; applying them again restores the schema."""
    rollback("0001_initial")
    tables = set(db.obj.get_tables())
    assert not tables & ({m._meta.table_name for m in MODELS} | {"search_index"})
    assert pending() == MIGRATION_NAMES
    migrate()
    assert not diff_models(db.obj, MODELS)


def test_sqlite_runs_with_wal_foreign_keys_and_immediate_writes(app, backend):
    """SQLite is opened with WAL, foreign keys, a busy timeout and IMMEDIATE transactions."""
    if backend != "sqlite":
        pytest.skip("SQLite only")
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert db.obj._lock_type == "IMMEDIATE"


@pytest.mark.parametrize("url, expected", [
    ("sqlite:///fahrplan.db", "/inst/fahrplan.db"),
    ("sqlite:////var/lib/fahrplan/data.db", "/var/lib/fahrplan/data.db"),
])
def test_sqlite_paths_are_relative_to_the_instance_folder(url, expected):
    """A relative SQLite path lives in the instance folder; an absolute one is kept."""
    database = open_database(url, "/inst")
    assert isinstance(database, peewee.SqliteDatabase)
    assert database.database == expected


def test_postgresql_url_gives_a_postgresql_database():
    """A postgresql:// URL selects PostgreSQL."""
    database = open_database("postgresql://fahrplan@db.example.org:5432/fahrplan", "/inst")
    assert isinstance(database, peewee.PostgresqlDatabase)
    assert database.connect_params["host"] == "db.example.org"


def test_unknown_scheme_is_refused():
    """An unsupported database URL is refused with a message naming the setting."""
    with pytest.raises(ValueError, match="FAHRPLAN_DATABASE_URL"):
        open_database("mysql://x/y", "/inst")
