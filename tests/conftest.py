"""Fixtures: an app on a fresh SQLite file (and on PostgreSQL for marked tests), client, login."""
import io
import os
import shutil

import peewee
import pytest
from playhouse.db_url import connect

from wiki import create_app
from wiki.db import db, disconnect, migrate
from wiki.models import MODELS, ChangeCounter, User

PASSWORD = "richtig-geheim-42"
POSTGRES_URL = os.environ.get("FAHRPLAN_TEST_POSTGRES_URL")  # set by `make test`


def pytest_generate_tests(metafunc):
    """Run tests marked `postgres` once per backend; the rest on SQLite only."""
    if "backend" in metafunc.fixturenames:
        backends = ["sqlite"]
        if POSTGRES_URL and metafunc.definition.get_closest_marker("postgres"):
            backends.append("postgresql")
        metafunc.parametrize("backend", backends, scope="function")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """Return a migrated SQLite file that each test copies instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "fahrplan.db"
    database = peewee.SqliteDatabase(str(path))
    db.initialize(database)
    migrate()
    database.close()
    return path


@pytest.fixture(scope="session")
def postgres_url():
    """Create an empty, migrated PostgreSQL database for this test run and return its URL."""
    if not POSTGRES_URL:
        pytest.skip("FAHRPLAN_TEST_POSTGRES_URL ist nicht gesetzt")
    from playhouse.db_url import connect

    name = f"fahrplan_test_{os.getpid()}"
    admin = connect(POSTGRES_URL)
    admin.connect()
    admin.connection().autocommit = True
    admin.execute_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute_sql(f'CREATE DATABASE "{name}"')
    # A throwaway database need not wait for its log on disk at every commit (each test empties
    # and refills it): that wait was most of a PostgreSQL test's time.
    admin.execute_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    database = connect(url)
    db.initialize(database)
    migrate()
    database.close()
    yield url
    admin.execute_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _empty_postgres(url):
    """Delete every row from every table of the test database, restarting ids."""
    from playhouse.db_url import connect

    database = connect(url)
    # DELETE, children first, is several times faster than TRUNCATE on tables this small (no new
    # files to make and sync); the id counters then start at 1 again.
    statements = ['DELETE FROM "search_index"']
    for model in reversed(MODELS):
        if model is not ChangeCounter:
            statements.append(f'DELETE FROM "{model._meta.table_name}"')
    for model in MODELS:
        if isinstance(model._meta.primary_key, peewee.AutoField):
            statements.append(f"SELECT setval(pg_get_serial_sequence("
                              f"'\"{model._meta.table_name}\"', 'id'), 1, false)")
    # The counter's one row stays; a new epoch, as a restore gives, starts the count afresh.
    statements.append("UPDATE change_counter SET epoch = md5(random()::text), n = 0")
    database.execute_sql("; ".join(statements))
    database.close()


def _test_app(url, folder):
    """Return an app for tests on a database URL (CSRF off, fixed secret)."""
    return create_app({
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
    }, instance_path=str(folder / "instance"))


def _import_demo(app):
    """Import the demo strategy into the app's database."""
    from wiki import exchange
    from wiki.cli import DEMO

    with app.app_context():
        errors = exchange.import_folder(DEMO)
    assert not errors, errors
    disconnect()


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template, tmp_path_factory):
    """Return a migrated SQLite file with the demo imported, for tests that use `demo`."""
    folder = tmp_path_factory.mktemp("demo-template")
    shutil.copy(sqlite_template, folder / "demo.db")
    _import_demo(_test_app(f"sqlite:///{folder / 'demo.db'}", folder))
    return folder / "demo.db"


@pytest.fixture(scope="session")
def postgres_demo_rows(postgres_url, tmp_path_factory):
    """Import the demo into PostgreSQL once; return its rows per table, to copy back in."""
    _empty_postgres(postgres_url)
    _import_demo(_test_app(postgres_url, tmp_path_factory.mktemp("pg-demo")))
    database = _raw_postgres(postgres_url)
    rows = {}
    with database.connection().cursor() as cursor:
        for table, columns in _postgres_tables():
            out = io.StringIO()
            cursor.copy_expert(f'COPY "{table}" ({columns}) TO STDOUT', out)
            rows[table] = out.getvalue()
    database.close()
    return rows


def _postgres_tables():
    """Return (table, quoted column list) for every table, parents before children."""
    tables = [(model._meta.table_name,
               ", ".join(f'"{field.column_name}"' for field in model._meta.sorted_fields))
              for model in peewee.sort_models(MODELS) if model is not ChangeCounter]
    return tables + [("search_index", "key, kind, url, field, title, body")]


def _raw_postgres(url):
    """Return an open connection to a PostgreSQL URL, outside the app's proxy."""
    from playhouse.db_url import connect

    database = connect(url)
    database.connect()
    return database


def _fill_postgres(url, rows):
    """Empty the test database and copy the kept rows back in, with the id counters after them."""
    _empty_postgres(url)
    database = _raw_postgres(url)
    with database.atomic(), database.connection().cursor() as cursor:
        for table, columns in _postgres_tables():
            cursor.copy_expert(f'COPY "{table}" ({columns}) FROM STDIN', io.StringIO(rows[table]))
        for model in MODELS:
            if isinstance(model._meta.primary_key, peewee.AutoField):
                table = model._meta.table_name
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                               f'COALESCE(MAX(id), 0) + 1, false) FROM "{table}"')
    database.close()


@pytest.fixture
def app(backend, tmp_path, request):
    """Return an app on a fresh, migrated database of the requested backend.

    Tests that use the `demo` fixture start from a copy of a database with the demo imported
    once per run, which is what importing it again would give, only faster.
    """
    with_demo = "demo" in request.fixturenames
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_url")
        if with_demo:
            _fill_postgres(url, request.getfixturevalue("postgres_demo_rows"))
        else:
            _empty_postgres(url)
    else:
        template = "sqlite_demo_template" if with_demo else "sqlite_template"
        shutil.copy(request.getfixturevalue(template), tmp_path / "test.db")
        url = f"sqlite:///{tmp_path / 'test.db'}"
    app = _test_app(url, tmp_path)
    # No app context stays pushed: requests would share it, and with it `g` (the logged-in
    # user, the locale). Tests that need one use the `ctx` fixture or push their own.
    yield app
    disconnect()


def restart(app):
    """Drop everything an app keeps, as a restart does after a setting changed."""
    app.extensions.pop("fahrplan_caches", None)


@pytest.fixture
def uncached(app):
    """Render every page anew: for tests that count what rendering a page costs."""
    app.config["PAGE_CACHE_MB"] = 0


@pytest.fixture
def ctx(app):
    """Push an app context for code that needs current_app outside a request."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    """Return a test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Return a CLI runner."""
    return app.test_cli_runner()


def make_user(username, role="editor", password=PASSWORD, **fields):
    """Create (or return) an active user with a known password."""
    from werkzeug.security import generate_password_hash

    user = User.by_name(username)
    if user is None:
        # A cheap hash keeps the many logins of the tests fast; the app itself uses scrypt.
        user = User.create(username=username, role=role, password_hash=generate_password_hash(
            password, method="pbkdf2:sha256:1000"), **fields)
    return user


@pytest.fixture
def login(client):
    """Return a function that logs in as a (new) user of a role and returns the user."""
    def do_login(role="editor", username=None):
        user = make_user(username or role, role=role)
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.text
        return user
    return do_login


@pytest.fixture
def demo(app):
    """Give the app's database the demo strategy (the `app` fixture copies it in)."""
    return app


@pytest.fixture
def workers(app, demo, tmp_path):
    """Return two logged-in editors' clients of two app instances on one database.

    Two instances stand for two gunicorn workers: what one keeps in memory, the other does not.
    """
    make_user("editor")
    clients = []
    for number in (1, 2):
        worker = create_app(dict(app.config), instance_path=str(tmp_path / f"worker-{number}"))
        client = worker.test_client()
        client.post("/login", data={"username": "editor", "password": PASSWORD})
        clients.append(client)
    return clients


@pytest.fixture
def fresh(backend, tmp_path):
    """Return the URL of an empty database of the backend, for a fresh instance."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'frisch.db'}"
        return
    name = f"fahrplan_restore_{os.getpid()}"
    admin = connect(POSTGRES_URL)
    admin.connect()
    admin.connection().autocommit = True
    admin.execute_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute_sql(f'CREATE DATABASE "{name}"')
    yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    admin.execute_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()
