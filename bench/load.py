"""A bounded, sequential HTTP client for the writes: log in, save a measure, post a comment.

It does what the browser does: reads the form (CSRF token, every field, base_revision), changes
the text and posts it; only the POST is timed. Used by bench/run.py.
"""
import http.client
import time
from urllib.parse import urlencode

from bs4 import BeautifulSoup


class Client:
    """One user agent on 127.0.0.1:port that keeps its cookies."""

    def __init__(self, port):
        """Start without cookies."""
        self.port, self.cookies = port, {}

    @property
    def cookie_header(self):
        """Return the Cookie header a browser would send."""
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method, path, fields=None):
        """Send one request on a new connection; return (status, headers, text, seconds)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie_header} if self.cookies else {}
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        seconds = time.perf_counter() - started
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers, text, seconds


def form_fields(html, marker):
    """Return the (name, value) pairs the browser would send for the form holding marker."""
    soup = BeautifulSoup(html, "html.parser")
    form = soup.find(attrs={"name": marker}).find_parent("form")
    fields = []
    for element in form.find_all(["input", "select", "textarea"]):
        name, kind = element.get("name"), element.get("type", "text")
        if not name or kind in ("submit", "button") or element.has_attr("disabled"):
            continue
        if kind in ("checkbox", "radio") and not element.has_attr("checked"):
            continue
        if element.name == "select":
            chosen = element.find_all("option", selected=True) or element.find_all("option")[:1]
            fields += [(name, option.get("value", option.text)) for option in chosen]
        elif element.name == "textarea":
            fields.append((name, element.text.removeprefix("\n")))
        else:
            fields.append((name, element.get("value", "")))
    return fields


def login(client, username, password):
    """Log in through the login form; raise when it fails."""
    status, _headers, html, _seconds = client.request("GET", "/login")
    token = dict(form_fields(html, "password"))["csrf_token"]
    status, _headers, _html, _seconds = client.request(
        "POST", "/login", [("csrf_token", token), ("username", username),
                           ("password", password)])
    if status != 302:
        raise RuntimeError(f"Anmeldung fehlgeschlagen: {status}")
    # A browser shows "Angemeldet als …" on the next page, and the session cookie it gets back
    # no longer holds the message. A small page (not the start page, measured on its own).
    client.request("GET", "/accessibility")


def saves(client, code, count):
    """Save a measure count times in a row as the edit form does; return the POST times (s)."""
    status, _headers, html, _seconds = client.request("GET", f"/measures/{code}/edit")
    assert status == 200, status
    fields = form_fields(html, "base_revision")
    base = int(dict(fields)["base_revision"])
    times = []
    for number in range(count):
        sent = [(name, _changed(name, value, number, base)) for name, value in fields]
        status, _headers, text, seconds = client.request(
            "POST", f"/measures/{code}/edit", sent + [("action", "save")])
        if status != 302:
            raise RuntimeError(f"Speichern: {status} {text[:300]}")
        times.append(seconds)
        base += 1  # the revision just saved is the base of the next edit
    return times


def _changed(name, value, number, base):
    """Return a field's value for save number: the body grows a sentence, the base moves on."""
    if name == "body":
        return f"{value}\n\nÄnderung {number} im Lasttest."
    if name == "base_revision":
        return str(base)
    if name == "summary":
        return f"Lasttest {number}"
    return value


def after_changes(client, code, path, count):
    """Post a comment, then time a GET of path, count times: each GET is the first after a
    change, which drops every kept page (wiki/pagecache.py). Return the GET times (s)."""
    post = commenter(client, code)
    times = []
    for number in range(count):
        post(f"Änderung {number} vor {path}.")
        status, _headers, _text, seconds = client.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path}: {status}")
        times.append(seconds)
    return times


def comments(client, code, count):
    """Post count comments on a measure through its comment form; return the POST times (s)."""
    post = commenter(client, code)
    return [post(f"Kommentar {number} aus dem Lasttest.") for number in range(count)]


def commenter(client, code):
    """Read a measure's comment form once; return a function that posts a text (its seconds)."""
    status, _headers, html, _seconds = client.request("GET", f"/measures/{code}/comments/new")
    assert status == 200, status
    token = dict(form_fields(html, "body"))["csrf_token"]

    def post(text):
        status, _headers, answer, seconds = client.request(
            "POST", f"/measures/{code}/comments",
            [("csrf_token", token), ("body", text), ("report", "")])
        if status != 302:
            raise RuntimeError(f"Kommentar: {status} {answer[:300]}")
        return seconds
    return post
