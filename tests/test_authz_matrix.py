"""Authorisation: every rule of the URL map × anonymous, reader, editor, admin × own and foreign.

Each cell is one request (GET or POST, plain or htmx) with an expected status; a refused request
and every GET must leave the database exactly as it was.
"""
import pytest

from tests import route_targets
from tests.conftest import PASSWORD, make_user
from tests.route_targets import ACCESS, FORMS, OWNED
from wiki import create_app

pytestmark = pytest.mark.postgres

ROLES = [None, "reader", "editor", "admin"]
# What an allowed user gets for a GET that is not a plain 200 (htmx: the fragment instead).
GET_STATUS = {"comments.show": (302, 200), "admin.file_purge": 404}
# What an allowed user gets for a POST of an empty form: mostly the form again with its errors.
POST_STATUS = {
    "auth.login": 401, "auth.logout": 302, "auth.password": 400,
    "admin.field_create": 400, "admin.field_edit": 400, "admin.field_delete": 400,
    "admin.settings": 400, "admin.vocabulary_edit": 400, "admin.setup": 400,
    "admin.user_create": 400, "admin.user_role": 400,
    "admin.user_disable": 302, "admin.user_enable": 302, "admin.user_password": 200,
    "privacy.pseudonymise": 400,
    "admin.sheet_import_form": 400, "admin.sheet_import_apply": 400,
    "comments.create": 400, "comments.edit": 400, "comments.delete": (302, 200),
    "comments.hide": (302, 200), "comments.unhide": (302, 200),
    "measures.create": 400, "measures.edit": 400, "history.measures_restore": 302,
    "reports.create": 400, "reports.edit": 400,
    "pages.create": 400, "pages.edit": 400, "history.pages_restore": 302,
    "editing.preview": 200, "editing.presence": 200, "editing.leave": 204,
    "notifications.read_all": 302, "notifications.read_one": (302, 200),
    "notifications.watch_field": 400, "notifications.watch_measure": 400,
    "rounds.create": 400, "rounds.edit": 400,
    "files.upload": 400, "files.restore": 303, "files.delete": 303,
    "admin.file_undelete": 404, "admin.file_purge": 404,
}
# Opening an edit form notes that its user is editing ("Wird gerade bearbeitet von …"); an
# image's resized copy is made on its first request and kept (stored once per width).
GET_WRITES = {"measures.edit": {"edit_presence"}, "pages.edit": {"edit_presence"},
              "files.variant": {"blob", "blob_chunk", "image_variant"}}
# Run last: deleting one's comment ends what the other cells try on it; logging out ends all.
LAST = {"comments.delete": 1, "files.delete": 1, "auth.logout": 2}


def allowed(level, role, owner):
    """Tell whether a role may use an endpoint of an access level on an own or foreign object."""
    rank = ROLES.index(role)
    return {"public": True, "read": True, "account": rank >= 1, "edit": rank >= 2,
            "admin": rank == 3, "author": rank == 3 or (rank >= 2 and owner == "own"),
            "own_author": rank >= 2 and owner == "own",
            "recipient": rank >= 1 and owner == "own"}[level]


def expected(endpoint, method, role, owner, htmx):
    """Return the status a cell must answer, and where it must send the user (or None)."""
    level = ACCESS[endpoint]
    if allowed(level, role, owner):
        status = (GET_STATUS if method == "GET" else POST_STATUS).get(endpoint, 200)
        return (status[htmx] if isinstance(status, tuple) else status), None
    if role is None:
        if method == "POST":
            return 401, None
        return (200, "HX-Redirect") if htmx else (302, "Location")
    return (404 if level == "recipient" else 403), None


def cells(app, role, htmx):
    """Return every (rule, method, owner) this role is tried with: GETs first, then POSTs.

    htmx matters where a request is refused (it cannot follow a redirect to the login) and
    where an allowed one gets a fragment; elsewhere it answers like the plain request.
    """
    found = []
    for rule in route_targets.rules(app):
        owners = ["own", "foreign"] if rule.endpoint in OWNED and role else ["foreign"]
        for method in ("GET", "POST"):
            statuses = GET_STATUS if method == "GET" else POST_STATUS
            found += [(rule, method, owner) for owner in owners if method in rule.methods
                      and (not htmx or not allowed(ACCESS[rule.endpoint], role, owner)
                           or isinstance(statuses.get(rule.endpoint), tuple))]
    return sorted(found, key=lambda c: (c[1] == "POST", LAST.get(c[0].endpoint, 0)))


def log_in(app, client, role):
    """Make a user of this role, log the client in and return the user."""
    user = make_user(role, role=role)
    response = client.post("/login", data={"username": role, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return user


def run_cells(app, client, role, htmx):
    """Try every cell as role; return how many and a description of each that answered wrongly.

    A refused POST is compared with a snapshot of the whole database; the GETs, all run first,
    are compared together (opening an edit form notes its user as editing, nothing else).
    """
    with app.app_context():
        user = log_in(app, client, role) if role else None
        objects = route_targets.demo_objects(user)
        state = route_targets.snapshot()
    headers = {"HX-Request": "true"} if htmx else {}
    wrong, tried = [], cells(app, role, htmx)
    for rule, method, owner in tried:
        refused = not allowed(ACCESS[rule.endpoint], role, owner)
        if method == "POST" and state is not None:
            wrong += _changes(app, state, "GET", GET_WRITES)
            state = None
        if method == "POST" and refused:
            with app.app_context():
                state = route_targets.snapshot()
        path = route_targets.path(app, rule, objects, owner)
        form = FORMS.get(rule.endpoint) if refused and method == "POST" else None
        response = client.open(path, method=method, headers=headers, data=form)
        status, target = expected(rule.endpoint, method, role, owner, htmx)
        where = response.headers.get(target, "") if target else ""
        cell = f"{role} {method} {'htmx ' if htmx else ''}{path} ({owner})"
        if response.status_code != status:
            wrong.append(f"{cell}: {response.status_code}, expected {status}")
        elif target and not where.startswith("/login?next="):
            wrong.append(f"{cell}: {target} {where!r}, expected the login page")
        if method == "POST" and refused:
            wrong += _changes(app, state, cell, {"auth.login": {"login_failure"}})
            state = None
    return len(tried), wrong


def _changes(app, before, cell, allowed_writes):
    """Return a complaint for each table that differs from the snapshot taken before."""
    with app.app_context():
        now = route_targets.snapshot()
    exempt = set().union(*allowed_writes.values())  # an empty login is a failed one, counted
    changed = {table for table in now if now[table] != before[table]} - exempt
    return [f"{cell}: changed {sorted(changed)}"] if changed else []


def test_every_rule_is_classified(app):
    """A new route fails here until ACCESS says who may use it."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) == set(), "Unklassifizierte Routen"
    assert set(ACCESS) - endpoints == set(), "Veraltete Einträge"
    methods = {m for rule in app.url_map.iter_rules() for m in rule.methods}
    assert methods <= {"GET", "HEAD", "OPTIONS", "POST"}, "PUT/PATCH/DELETE: Matrix erweitern"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("role", ROLES, ids=["anonymous", "reader", "editor", "admin"])
def test_matrix(app, demo, role, htmx):
    """Every cell of this role answers as expected, and no refused request changes anything."""
    count, wrong = run_cells(app, app.test_client(), role, htmx)
    assert count
    assert not wrong, "\n".join(wrong)


def test_closed_reading_sends_anonymous_visitors_to_the_login(app, demo, tmp_path):
    """With READ_WITHOUT_LOGIN off only login, accessibility and static files are open."""
    closed = create_app({**app.config, "READ_WITHOUT_LOGIN": False},
                        instance_path=str(tmp_path / "closed"))
    client = closed.test_client()
    with closed.app_context():
        objects = route_targets.demo_objects()
        state = route_targets.snapshot()
    wrong = []
    for rule in route_targets.rules(closed):
        public = ACCESS[rule.endpoint] == "public"
        for method in sorted(rule.methods & {"GET", "POST"}):
            path = route_targets.path(closed, rule, objects)
            response = client.open(path, method=method)
            if public:
                ok = response.status_code == (200 if method == "GET" else 401)
            elif path.startswith("/api/"):
                ok = response.status_code == 401 and response.is_json
            elif method == "POST":
                ok = response.status_code == 401
            else:
                ok = (response.status_code == 302
                      and response.headers["Location"].startswith("/login?next="))
            if not ok:
                wrong.append(f"{method} {path}: {response.status_code}")
    with closed.app_context():
        now = route_targets.snapshot()
    assert {t for t in now if now[t] != state[t]} <= {"login_failure"}  # the empty login
    assert not wrong, "\n".join(wrong)
