"""Fuzzing: hostile input in every form field, route argument, query parameter, header and API call.

Every answer must be below 500 and come within TIME_LIMIT; a refused request (4xx, or a 200 that
shows the form again) changes nothing, and an accepted one stores no control character. Each
test builds its app once and runs all its examples against it: a refused request changes
nothing, so there is nothing to reset. Problems are collected, not raised, so that one run
names all of them; Hypothesis runs derandomised, without a database, so CI sees the same inputs.
A request still running after ABORT_AFTER seconds is stopped (SIGALRM) and reported, so that a
runaway render costs the run seconds, not minutes.
"""
import re
import signal
import time
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from tests import route_targets
from tests.conftest import PASSWORD, make_user
from tests.fuzz_strategies import (
    VALUES,
    hostile_json,
    hostile_number,
    hostile_value,
    look_alike,
)
from wiki import create_app

pytestmark = pytest.mark.postgres

# Seconds an answer may take; PostgreSQL's round trips get a little more. Forms that check and
# hash passwords run scrypt twice by design (about 0.3 s each): they get twice as long.
TIME_LIMIT = {"sqlite": 1.0, "postgresql": 1.5}
HASHING = {"auth.password", "auth.login", "admin.user_create", "admin.user_password"}
FUZZ = settings(max_examples=8, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# What a stored value may not contain: C0 controls but tab and newline, DEL, C1, surrogates.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
ABORT_AFTER = 5  # seconds: a request still running then is stopped and reported
LINE_BREAK = re.compile(r"[\n\r\x0b\x0c\x85\u2028\u2029]")
IMPLAUSIBLE_YEARS = ("0001", "0999", "9999")

# Every POST endpoint and the GET endpoint whose page shows its form (None: no page shows it;
# the fields then come from FIELDS alone).
FORM_PAGES = {
    "auth.login": "auth.login", "auth.logout": "auth.logout", "auth.password": "auth.password",
    "privacy.pseudonymise": "privacy.pseudonymise",
    "admin.field_create": "admin.field_create", "admin.field_edit": "admin.field_edit",
    "admin.field_delete": None, "admin.settings": "admin.settings",
    "admin.vocabulary_edit": "admin.vocabulary_edit", "admin.setup": "admin.setup",
    "admin.user_create": "admin.user_create", "admin.user_role": "admin.user",
    "admin.user_disable": "admin.user", "admin.user_enable": None,
    "admin.user_password": "admin.user",
    "admin.sheet_import_form": "admin.sheet_import_form", "admin.sheet_import_apply": None,
    "comments.create": "comments.new", "comments.edit": "comments.edit",
    "comments.delete": "comments.delete", "comments.hide": "measures.view",
    "comments.unhide": None,
    "measures.create": "measures.create", "measures.edit": "measures.edit",
    "history.measures_restore": "history.measures_revision",
    "history.pages_restore": None,
    "reports.create": "reports.create", "reports.edit": "reports.edit",
    "pages.create": "pages.create", "pages.edit": "pages.edit",
    "editing.preview": None, "editing.presence": None, "editing.leave": None,
    "notifications.read_all": "notifications.index", "notifications.read_one": None,
    "notifications.watch_field": "overview.index",
    "notifications.watch_measure": "measures.view",
    "rounds.create": "rounds.create", "rounds.edit": "rounds.edit",
    "files.upload": "files.listing", "files.delete": "files.listing", "files.restore": None,
    "admin.file_undelete": None, "admin.file_purge": None,
}
# Fields of forms that htmx sends from outside a <form>, or that no page of the demo shows.
FIELDS = {"editing.preview": [("body", "Eine **Vorschau**")], "editing.presence": [],
          "editing.leave": [],
          "notifications.read_one": [], "admin.user_enable": [], "comments.unhide": [],
          "admin.field_delete": [], "history.pages_restore": [],  # not shown for HF1, leitbild
          "files.restore": [],  # the demo file has one version: nothing to restore
          "admin.file_undelete": [], "admin.file_purge": [],  # the demo file is not deleted
          # the preview shows it only after an upload: a sheet that is no sheet, a mapping
          "admin.sheet_import_apply": [("sheet", ""), ("filename", "liste.xlsx"),
                                       ("column-0", "code"), ("action", "apply")]}
# Valid values for forms whose page shows them empty. The new password is the old one, so
# that the probe can log in again after a change went through.
FILLED = {"auth.login": {"username": "admin", "password": PASSWORD},
          "auth.password": {"current_password": PASSWORD, "new_password": PASSWORD,
                            "new_password_repeat": PASSWORD}}
# POSTs that answer 200 when they did what was asked (the others show the form again).
ACCEPTED_200 = {"admin.user_password", "editing.presence", "editing.leave"}
# Writes a refused request makes on purpose: a failed login is counted.
REFUSED_WRITES = {"auth.login": {"login_throttle"}}  # a failed login is counted
# Parameters the GET routes read, tried with hostile values on every GET route.
QUERY_NAMES = ["page", "per_page", "from", "to", "as_of", "baseline", "q", "status", "field",
               "obligation", "action", "table", "period", "measure", "code", "next", "kind",
               "user", "sort", "format", "watch", "report"]
MARKDOWN_FIELDS = {"body", "projects"}
# Forms whose object may move when saved (a page's title gives its slug).
MOVES = {"pages.edit"}
HTMX_TARGETS = ["timeline", "table", "results", "rows", "comments", "thread", "main", "body"]


class FormReader(HTMLParser):
    """Read the forms of a page: method, action, hx-post, and each field's current value."""

    def __init__(self):
        """Start with no forms."""
        super().__init__()
        self.forms, self._form, self._textarea, self._select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        """Note a form, or a field with the value it would send."""
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action"),
                          "hx": a.get("hx-post"), "fields": [], "texts": set()}
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input" and a.get("type") in ("checkbox", "radio"):
            if "checked" in a:
                self._form["fields"].append((a["name"], a.get("value") or "on"))
        elif tag == "input" and a.get("type") not in ("submit", "reset", "image", "file"):
            self._form["fields"].append((a["name"], a.get("value") or ""))
        elif tag == "button" and a.get("type", "submit") == "submit":
            if not any(name == a["name"] for name, _ in self._form["fields"]):
                self._form["fields"].append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
            self._form["texts"].add(a["name"])
            self._form["fields"].append(self._textarea)
        elif tag == "select":
            self._select = [a["name"], None]
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            if self._select[1] is None or "selected" in a:
                self._select[1] = a.get("value", "")

    def handle_data(self, data):
        """Collect a textarea's text."""
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        """Close a form, textarea or select."""
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


class Probe:
    """One client of one app that sends requests and collects what answered wrongly."""

    def __init__(self, app, role=None, limit=None):
        """Log in as role (None: anonymous) and pick the demo objects to aim at."""
        self.app, self.role, self.client, self.problems = app, role, app.test_client(), []
        self.limit = limit or TIME_LIMIT[_backend(app)]
        self.user = self.login() if role else None
        with app.app_context():
            self.objects = route_targets.demo_objects(self.user)
        self.owner = "own" if self.user else "foreign"  # an anonymous probe owns nothing

    def login(self):
        """Log the client in as a user of the probe's role; return the user."""
        with self.app.app_context():
            user = make_user(self.role, role=self.role)
        self.client.post("/login", data={"username": self.role, "password": PASSWORD})
        return user

    def send(self, label, path, method="GET", **kwargs):
        """Send a request; note an exception, a 5xx or a slow answer; return the response."""
        start = time.perf_counter()
        signal.signal(signal.SIGALRM, _abort)
        signal.setitimer(signal.ITIMER_REAL, ABORT_AFTER)
        try:
            response = self.client.open(path, method=method, **kwargs)
        except Aborted:
            self.problems.append(f"{label}: still running after {ABORT_AFTER} s, stopped")
            return None
        except Exception as error:  # a crash the test client raised rather than answered
            self.problems.append(f"{label}: raised {type(error).__name__}: {_short(error)}")
            return None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        took = time.perf_counter() - start
        if response.status_code >= 500:
            self.problems.append(f"{label}: {response.status_code}")
        if took > self.limit:
            self.problems.append(f"{label}: {took:.2f} s (status {response.status_code})")
        return response

    def snapshot(self):
        """Return every row of the database."""
        with self.app.app_context():
            return route_targets.snapshot()

    def path(self, endpoint, **values):
        """Return the path of an endpoint's rule filled with demo objects (or values)."""
        rule = next(r for r in self.app.url_map.iter_rules() if r.endpoint == endpoint)
        if not values:
            return route_targets.path(self.app, rule, self.objects, self.owner)
        with self.app.test_request_context():
            return self.app.url_map.bind("localhost").build(endpoint, values)


class Aborted(BaseException):
    """A request that ran past ABORT_AFTER (a BaseException: the app's handlers miss it)."""


def _abort(signum, frame):
    """Stop the request that is running."""
    raise Aborted


def _backend(app):
    """Return the backend an app runs on."""
    return "postgresql" if app.config["DATABASE_URL"].startswith("postgres") else "sqlite"


def _short(value, size=60):
    """Return a value's repr, cut to size characters, for a problem's description."""
    text = repr(value)
    return text if len(text) <= size else f"{text[:size]}…({len(str(value))} chars)"


def _name(value):
    """Return the catalogue's name of a value, or its short repr."""
    return next((name for name, text in VALUES if text == value), None) or _short(value)


def _changed(before, after, exempt=()):
    """Return the tables whose rows differ between two snapshots."""
    return sorted(t for t in after if after[t] != before[t] and t not in exempt)


def _controls(state, tables=None):
    """Return the control characters the cells of a snapshot hold, by table."""
    found = {}
    for table, rows in state.items():
        for row in rows if tables is None else tables[table]:
            for cell in row:
                if isinstance(cell, str):
                    found.setdefault(table, set()).update(FORBIDDEN.findall(cell))
    return found


def _stored_controls(before, after):
    """Return "table U+XXXX" for each control character that a request newly stored."""
    had = set().union(*_controls(before).values())
    new_rows = {}
    for table, rows in after.items():
        old = {repr(row) for row in before[table]}
        new_rows[table] = [row for row in rows if repr(row) not in old]
    return sorted(f"{table} U+{ord(char):04X}"
                  for table, chars in _controls(after, new_rows).items() for char in chars - had)


def _stored_text(before, after, text):
    """Tell whether a row that a request wrote holds text."""
    return any(isinstance(cell, str) and text in cell
               for table, rows in after.items() if rows != before[table]
               for row in rows for cell in row)


# --- Forms ---------------------------------------------------------------------------------

class FormFuzz:
    """One form of one endpoint, posted again and again with one field hostile at a time."""

    def __init__(self, probe, endpoint):
        """Read the form as its page shows it, and the database as it is."""
        self.probe, self.endpoint = probe, endpoint
        self.post_path = probe.path(endpoint)
        self.page_path = probe.path(FORM_PAGES[endpoint]) if FORM_PAGES[endpoint] else None
        self.multiline = MARKDOWN_FIELDS
        self.fields = self.read_fields()
        assert self.fields is not None, f"{endpoint}: kein Formular auf {self.page_path}"
        self.before = probe.snapshot()

    def read_fields(self):
        """Return the (name, value) pairs the form would send as shown now (not shown: None)."""
        if self.page_path is None:
            return [tuple(field) for field in FIELDS[self.endpoint]]
        reader = FormReader()
        reader.feed(self.probe.client.get(self.page_path).get_data(as_text=True))
        forms = [f for f in reader.forms if f["method"] == "post" and (
            f["hx"] or f["action"] or self.page_path).split("?")[0] == self.post_path]
        if not forms:
            return None
        self.multiline = {name for name, *_ in forms[0]["fields"] if name in forms[0]["texts"]}
        filled = FILLED.get(self.endpoint, {})
        return [(name, filled.get(name, value or "")) for name, value in forms[0]["fields"]
                if name != "csrf_token"]

    def names(self):
        """Return the names of the form's fields, and one it does not expect."""
        return [*dict.fromkeys(name for name, _ in self.fields), "unerwartet"]

    def valid(self, name):
        """Return the value a field has in the form as shown."""
        return dict(self.fields).get(name, "")

    def post(self, name, value):
        """Post the form with one field hostile; check the answer and what it changed."""
        data = [(n, v) for n, v in self.fields if n != name] + [(name, value)]
        label = f"POST {self.post_path} {name}={_name(value)}"
        body = urlencode([(n, v.encode("utf-8", "surrogatepass")) for n, v in data])
        response = self.probe.send(label, self.post_path, method="POST", data=body,
                                   content_type="application/x-www-form-urlencoded")
        after = self.probe.snapshot()
        status = response.status_code if response is not None else 500
        if status >= 400 or (status == 200 and self.endpoint not in ACCEPTED_200):
            changed = _changed(self.before, after, REFUSED_WRITES.get(self.endpoint, ()))
            if changed:
                self.probe.problems.append(f"{label}: refused ({status}) but changed {changed}")
        elif after != self.before:
            self.check_accepted(label, status, name, value, after)
        if after != self.before:  # saved (or wrongly changed): go on from what is now
            self.follow(response)
            after = self.probe.snapshot()
        self.before = after

    def check_accepted(self, label, status, name, value, after):
        """Note a control character stored, or a look-alike number or odd date accepted."""
        stored = _stored_controls(self.before, after)
        if stored:
            self.probe.problems.append(f"{label}: accepted ({status}), stored {stored}")
        line = value.strip().replace("\r\n", "\n")
        if name not in self.multiline and LINE_BREAK.search(line) and _stored_text(
                self.before, after, line):
            self.probe.problems.append(f"{label}: accepted ({status}), stored a line break")
        valid = self.valid(name)
        if re.fullmatch(r"[0-9][0-9-]*|[0-9]{4}-Q[1-4]", valid):
            if any(c.isdigit() and not c.isascii() for c in value):
                self.probe.problems.append(f"{label}: accepted ({status}) look-alike digits")
            if value.startswith(IMPLAUSIBLE_YEARS) or value.endswith(IMPLAUSIBLE_YEARS):
                self.probe.problems.append(f"{label}: accepted ({status}) an implausible date")

    def follow(self, response):
        """Log in again (the request may have ended the session) and read the form anew."""
        self.probe.login()
        if self.endpoint in MOVES and response is not None and response.status_code == 302:
            slug = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
            self.post_path = self.probe.path(self.endpoint, slug=slug)
            self.page_path = self.post_path
        self.fields = self.read_fields() or self.fields  # gone (deleted, hidden): as it was


def _sweep(name, valid):
    """Return the hostile values a field of its kind is always tried with."""
    base = ["\x00", "\x1b", "\x85"]  # bidi and zero-width marks: drawn by Hypothesis
    by_kind = [
        (r"[0-9]+", [str(2**64), str(-(2**63) - 1), str(10**100), "-1"]),
        (r"[0-9]{4}-[0-9]{2}-[0-9]{2}", ["0001-01-01", "9999-12-31", "31.12.9999",
                                         "2024-02-30"]),
        (r"[0-9]{4}-Q[1-4]", ["9999-Q4", "0999-Q4"]),
    ]
    for pattern, values in by_kind:
        if re.fullmatch(pattern, valid):
            return [*values, *look_alike(valid), *base[:2]]
    if name in MARKDOWN_FIELDS:
        return [text for key, text in VALUES if key in (
            "nested-list-1000", "quote-1000", "brackets-10000", "link-brackets-5000",
            "emphasis-5000", "length-1M")] + base
    return [valid + "\n" + valid, "x" * 301, "x" * 100_000, *base]


@pytest.mark.parametrize("endpoint", sorted(FORM_PAGES))
def test_form_fields(app, demo, endpoint):
    """Every field of a form, hostile while the others stay valid: < 500, quick, and refused
    requests change nothing."""
    limit = TIME_LIMIT[_backend(app)] * (2 if endpoint in HASHING else 1)
    form = FormFuzz(Probe(app, "admin", limit), endpoint)
    names = form.names()
    for name in names:
        for value in _sweep(name, form.valid(name)):
            form.post(name, value)

    @given(data=st.data())
    def fuzz(data):
        name = data.draw(st.sampled_from(names), label="field")
        form.post(name, data.draw(hostile_value(form.valid(name)), label="value"))

    settings(FUZZ, max_examples=FUZZ.max_examples if len(names) > 1 else 3)(fuzz)()
    assert not form.probe.problems, "\n".join(form.probe.problems)


def test_every_post_route_is_fuzzed(app):
    """A new form fails here until FORM_PAGES says where it is shown."""
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts == set(FORM_PAGES)


# --- Route arguments, query parameters, headers ---------------------------------------------

ROLES = pytest.mark.parametrize("role", [None, "admin"], ids=["anonymous", "admin"])
# What a GET may write: opening an edit form notes its user as editing; an image's resized copy
# is made on its first request and kept (once per content and width).
GET_WRITES = {"edit_presence", "blob", "blob_chunk", "image_variant"}
ARGUMENT_TEXTS = ["\x00", "\u202e", "\n", "x" * 10_000, "..", "%00", "\x85", " "]


def _is_int(rule, argument):
    """Tell whether a rule's argument is a whole number (the int converter)."""
    return isinstance(rule._converters[argument], IntegerConverter)


def _argument_values(probe, rule, argument, turn):
    """Return the hostile values a route argument is always tried with."""
    if _is_int(rule, argument):
        return [2**63, 10**100, 0]
    real = str(route_targets.arguments(rule, probe.objects, probe.owner)[argument])
    texts = [ARGUMENT_TEXTS[(turn + step) % len(ARGUMENT_TEXTS)] for step in (0, 3)]
    return [*look_alike(real)[:1], real + texts[0], texts[1] + real]


def _request_with_argument(probe, rule, argument, value):
    """Request a rule with one argument hostile and the others real."""
    values = {**route_targets.arguments(rule, probe.objects, probe.owner), argument: value}
    path = re.sub(r"<(?:[^>]*:)?(\w+)>", lambda m: quote(str(values[m[1]]), safe=""), rule.rule)
    method = "GET" if "GET" in rule.methods else "POST"
    probe.send(f"{method} {_short(path, 80)} ({probe.role or 'anonymous'})", path, method=method)


@ROLES
def test_route_arguments(app, demo, role):
    """Every argument of every rule, hostile: < 500 and quick; nothing changes."""
    probe = Probe(app, role)
    before = probe.snapshot()
    targets = [(rule, argument) for rule in route_targets.rules(app)
               for argument in sorted(rule.arguments)]
    for turn, (rule, argument) in enumerate(targets):
        for value in _argument_values(probe, rule, argument, turn):
            _request_with_argument(probe, rule, argument, value)

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        rule, argument = data.draw(st.sampled_from(targets), label="rule")
        real = str(route_targets.arguments(rule, probe.objects, probe.owner)[argument])
        value = data.draw(hostile_number() if _is_int(rule, argument) else hostile_value(real))
        _request_with_argument(probe, rule, argument, value)

    fuzz()
    changed = _changed(before, probe.snapshot(), GET_WRITES)
    assert not probe.problems + changed, "\n".join(probe.problems + changed)


def _query_values():
    """Draw a query parameter's value: a hostile number, date or text."""
    return st.one_of(hostile_number().map(str), hostile_value("2024-06-30"), hostile_value("1"))


def _get_paths(probe):
    """Return the path of every GET rule, filled with demo objects."""
    return [route_targets.path(probe.app, rule, probe.objects, probe.owner).split("?")[0]
            for rule in route_targets.rules(probe.app) if "GET" in rule.methods]


def _send_query(probe, path, query):
    """Request path with the query; when that goes wrong, each parameter alone, to name it."""
    def send(pairs):
        shown = "&".join(f"{name}={_name(value)}" for name, value in pairs)
        probe.send(f"GET {path}?{_short(shown, 100)} ({probe.role or 'anonymous'})", path,
                   query_string=urlencode([(n, v.encode("utf-8", "surrogatepass"))
                                           for n, v in pairs]))

    found = len(probe.problems)
    send(query)
    if len(probe.problems) > found and len(query) > 1:
        together, probe.problems[found:] = probe.problems[found:], []
        for pair in query:
            send([pair])
        if len(probe.problems) == found:
            probe.problems += together


@ROLES
def test_query_parameters(app, demo, role):
    """Every GET route with hostile query parameters, known and unknown: < 500 and quick."""
    probe = Probe(app, role)
    before = probe.snapshot()
    paths = _get_paths(probe)
    sweep = [str(2**64), str(-(2**63) - 1), "0", "9999-12-31", "0001-01-01", "9999-Q4",
             "\x00", "２０２４", "x" * 10_000, "\u202e", "[" * 1_000]
    for turn, path in enumerate(paths):
        _send_query(probe, path, [(name, sweep[(turn + step) % len(sweep)])
                                  for step, name in enumerate(QUERY_NAMES)])

    @settings(FUZZ, max_examples=30)
    @given(path=st.sampled_from(paths),
           query=st.lists(st.tuples(st.sampled_from(QUERY_NAMES) | st.text(max_size=20),
                                    _query_values()), min_size=1, max_size=4))
    def fuzz(path, query):
        _send_query(probe, path, query)

    fuzz()
    changed = _changed(before, probe.snapshot(), GET_WRITES)
    assert not probe.problems + changed, "\n".join(probe.problems + changed)


def _header_value(value):
    """Return a header's text as a proxy sends it: UTF-8 bytes, read by WSGI as Latin-1."""
    return value.replace("\r", "").replace("\n", "").encode("utf-8", "surrogatepass").decode(
        "latin-1")


def test_htmx_and_other_headers(app, demo):
    """Every GET route as htmx asks for it, with any target, and with hostile headers."""
    probe = Probe(app, "admin")
    before = probe.snapshot()
    paths = _get_paths(probe)
    targets = [*HTMX_TARGETS, "\u202e", "x" * 5_000, "#main", ""]
    for turn, path in enumerate(paths):
        headers = {"HX-Request": "true", "HX-Target": targets[turn % len(targets)]}
        probe.send(f"GET {path} (htmx, target {_short(headers['HX-Target'], 20)})", path,
                   headers=headers)

    @settings(FUZZ, max_examples=30)
    @given(path=st.sampled_from(paths), request=st.sampled_from(["true", "false", "1", ""]),
           target=st.sampled_from(HTMX_TARGETS) | hostile_value("timeline"),
           extra=st.sampled_from(["HX-Current-URL", "HX-Trigger", "HX-Boosted",
                                  "Accept-Language", "If-None-Match", "X-Request-ID",
                                  "Accept"]),
           value=hostile_value("de-DE,de;q=0.9"))
    def fuzz(path, request, target, extra, value):
        headers = {"HX-Request": request, "HX-Target": _header_value(target),
                   extra: _header_value(value)}
        probe.send(f"GET {path} ({_short(headers, 100)})", path, headers=headers)

    fuzz()
    changed = _changed(before, probe.snapshot(), GET_WRITES)
    assert not probe.problems + changed, "\n".join(probe.problems + changed)


def test_sso_headers(app, demo, tmp_path):
    """The proxy's user, name and e-mail headers, hostile: < 500, quick, no control stored."""
    sso = create_app({**app.config, "SSO_HEADER": "X-Remote-User",
                      "SSO_TRUSTED_PROXIES": ["127.0.0.1"], "SSO_NAME_HEADER": "X-Remote-Name",
                      "SSO_EMAIL_HEADER": "X-Remote-Email", "SSO_DEFAULT_ROLE": "editor"},
                     instance_path=str(tmp_path / "sso"))
    probe = Probe(sso)

    def sign_on(user, name, email):
        before = probe.snapshot()
        headers = {"X-Remote-User": _header_value(user), "X-Remote-Name": _header_value(name),
                   "X-Remote-Email": _header_value(email)}
        label = f"GET /measures (SSO {_short(headers, 100)})"
        probe.client = sso.test_client()
        probe.send(label, "/measures", headers=headers)
        stored = _stored_controls(before, probe.snapshot())
        if stored:
            probe.problems.append(f"{label}: stored {stored}")

    valid = ("sso.nutzer", "Sso Nutzer", "sso@example.org")
    for turn, (_, value) in enumerate(VALUES):
        if len(value) <= 10_000:  # a proxy limits its headers (nginx: 8 KB)
            sign_on(*[text + value if i == turn % 3 else text for i, text in enumerate(valid)])

    @FUZZ
    @given(user=hostile_value("m.mueller"), name=hostile_value("Maria Müller"),
           email=hostile_value("m.mueller@example.org"))
    def fuzz(user, name, email):
        sign_on(user, name, email)

    fuzz()
    assert not probe.problems, "\n".join(probe.problems)


# --- The JSON API ----------------------------------------------------------------------------

API_PARAMETERS = ["page", "per_page", "measure", "period", "field", "status", "obligation",
                  "table"]
API_VALUES = [str(2**64), str(-(2**63) - 1), "0", "1e3", "２", "\x00", "M01\x00", "m01",
              "9999-Q4", "0999-Q4", "", "x" * 10_000, '{"$ne": 1}']


def test_api_parameters_and_json(app, demo):
    """Every API route with each parameter hostile, repeated, and with hostile JSON bodies."""
    probe = Probe(app, "admin")
    before = probe.snapshot()
    paths = [path for path in _get_paths(probe) if path.startswith("/api/")]
    for path in paths:
        for name in API_PARAMETERS:
            for value in API_VALUES:
                if path in ("/api/reports", "/api/measures") or value == API_VALUES[0]:
                    probe.send(f"GET {path}?{name}={_short(value, 30)}", path,
                               query_string={name: value})
            probe.send(f"GET {path}?{name}=1&{name}=2", path, query_string=[(name, "1"),
                                                                               (name, "2")])

    @settings(FUZZ, max_examples=20)
    @given(path=st.sampled_from(paths), method=st.sampled_from(["GET", "POST", "PUT"]),
           body=hostile_json())
    def fuzz(path, method, body):
        probe.send(f"{method} {path} JSON {_short(body, 60)}", path, method=method,
                   data=body.encode("utf-8", "surrogatepass"),
                   content_type="application/json")

    fuzz()
    changed = _changed(before, probe.snapshot())
    assert not probe.problems + changed, "\n".join(probe.problems + changed)


def test_json_bodies_to_forms(app, demo):
    """A form endpoint sent hostile JSON instead of a form: refused, < 500, nothing changed."""
    probe = Probe(app, "admin")
    before = probe.snapshot()
    paths = [probe.path(endpoint) for endpoint in ("measures.edit", "pages.create",
                                                   "comments.create", "reports.create",
                                                   "editing.preview", "admin.settings")]

    @FUZZ
    @given(path=st.sampled_from(paths), body=hostile_json())
    def fuzz(path, body):
        probe.send(f"POST {path} JSON {_short(body, 60)}", path, method="POST",
                   data=body.encode("utf-8", "surrogatepass"), content_type="application/json")

    fuzz()
    changed = _changed(before, probe.snapshot(), GET_WRITES)
    assert not probe.problems + changed, "\n".join(probe.problems + changed)
