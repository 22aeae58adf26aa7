"""Schemathesis against the live API: every operation of /api/openapi.json, all checks."""
import threading
from contextlib import contextmanager

import pytest
import schemathesis
import schemathesis.engine
from schemathesis.engine import StopReason, events
from werkzeug.serving import make_server

from wiki import create_app, exchange
from wiki.cli import DEMO
from wiki.db import db, migrate
from wiki.models import Comment, Measure, User

# Deterministic and bounded: the same cases every run, in well under a minute.
CONFIG = {
    "seed": 6,
    "cache": {"enabled": False},
    "generation": {"mode": "all", "deterministic": True, "max-examples": 25, "database": "none"},
    "checks": {"enabled": True},
}


HIDDEN = "Verborgener-Kommentar-0042"


@schemathesis.check
def no_hidden_comment(ctx, response, case):
    """Fail when an answer shows the text of the hidden comment."""
    if HIDDEN in response.text:
        raise AssertionError("Die Antwort zeigt einen verborgenen Kommentar.")


@contextmanager
def serving(app):
    """Serve an app on a free port of 127.0.0.1 in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """Return an app as production runs it, on a SQLite file with the demo and a hidden comment."""
    folder = tmp_path_factory.mktemp("api-schema")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'live.db'}", "SECRET_KEY": "api"},
                     instance_path=str(folder / "instance"))
    app.config["LIVE_DATABASE"] = db.obj
    with app.app_context():
        db.connect(reuse_if_open=True)
        migrate()
        assert not exchange.import_folder(DEMO)
        author = User.create(username="geheim", name="Gesa Geheim")
        Comment.create(measure=Measure.by_code("M07"), author=author, body=HIDDEN,
                       html=f"<p>{HIDDEN}</p>", hidden=True)
        db.close()
    return app


@pytest.fixture(autouse=True)
def _live_database(live_app):
    """Point the database proxy at the live server's database (other tests rebind it)."""
    db.initialize(live_app.config["LIVE_DATABASE"])


@pytest.fixture(scope="module")
def base_url(live_app):
    """Serve the app for the whole module."""
    db.initialize(live_app.config["LIVE_DATABASE"])
    with serving(live_app) as url:
        yield url


@pytest.fixture(scope="module")
def api_schema(base_url):
    """Load the API's description from the live server, as a client would."""
    return schemathesis.openapi.from_url(f"{base_url}/api/openapi.json",
                                         config=schemathesis.Config.from_dict(CONFIG))


@pytest.mark.parametrize("read_without_login", [True, False])
def test_schemathesis_finds_no_failures(live_app, api_schema, read_without_login):
    """Run every phase with every check on every operation, as `schemathesis run` does."""
    live_app.config["READ_WITHOUT_LOGIN"] = read_without_login
    try:
        problems, finished = _run(api_schema)
    finally:
        live_app.config["READ_WITHOUT_LOGIN"] = True
    assert finished is not None and finished.stop_reason == StopReason.COMPLETED
    assert not problems, "\n\n".join(problems)
    assert not finished.failures


def _run(api_schema):
    """Run schemathesis; return the failures described, and the final event."""
    problems, finished = [], None
    for event in schemathesis.engine.from_schema(api_schema).execute():
        if isinstance(event, events.ScenarioFinished):
            problems += [f"{event.recorder.label} [{event.phase.value}] {check.name}:\n"
                         f"{check.failure_info.failure.message}\n{check.failure_info.code_sample}"
                         for checks in event.recorder.checks.values() for check in checks
                         if check.failure_info is not None]
        elif isinstance(event, events.NonFatalError | events.FatalError):
            problems.append(f"Fehler: {getattr(event, 'value', None) or event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            finished = event
    return problems, finished


def test_document_covers_every_api_route(live_app, api_schema):
    """Every route under /api/ is in the document, and the document names no other."""
    routes = {rule.rule.removeprefix("/api").replace("<", "{").replace(">", "}")
              for rule in live_app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert set(api_schema.raw_schema["paths"]) == routes


def test_document_is_valid_openapi(api_schema):
    """The document passes the OpenAPI 3.1 meta-schema."""
    api_schema.validate()
