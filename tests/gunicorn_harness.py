"""Fahrplan under real gunicorn for tests: start N workers, log in through the form, stop."""
import contextlib
import os
import re
import signal
import subprocess
import sys
import time

import requests
from bs4 import BeautifulSoup

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET = "gunicorn-test-secret"
# One line per request in the log: the worker's pid, the status, the request line.
ACCESS_FORMAT = 'ACCESS %(p)s %(s)s "%(r)s"'
# What a client sees when the worker that had its request dies.
DROPPED = (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)
ACCESS = re.compile(r'^ACCESS <(\d+)> (\d+) "(\S+) (\S+)', re.MULTILINE)


class Server:
    """A running gunicorn master: its address, its log, its workers."""

    def __init__(self, process, log_path, workers):
        self.process, self.log_path, self.workers = process, log_path, workers
        self.url = None

    def log(self):
        """Return everything gunicorn and the app wrote so far."""
        with open(self.log_path, encoding="utf-8", errors="replace") as fh:
            return fh.read()

    def served(self):
        """Return (worker pid, status, method, path) for every request served so far."""
        return [(int(pid), int(status), method, path)
                for pid, status, method, path in ACCESS.findall(self.log())]

    def worker_pids(self):
        """Return the pids of the master's live worker processes."""
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                pids.append(int(entry))
        return sorted(pids)

    def wait_ready(self, timeout=30):
        """Wait until gunicorn listens, every worker has booted and the login page answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ist beendet:\n{self.log()}")
            found = re.search(r"Listening at: (http://[\d.]+:\d+)", self.log())
            if found and len(self.worker_pids()) == self.workers:
                self.url = found.group(1)
                with contextlib.suppress(requests.ConnectionError):
                    if requests.get(f"{self.url}/login", timeout=5).status_code == 200:
                        return self
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn antwortet nicht:\n{self.log()}")

    def login(self, username, password):
        """Return a requests session logged in through the real login form (with CSRF token)."""
        browser = requests.Session()
        token = csrf_token(browser.get(f"{self.url}/login", timeout=10).text)
        response = browser.post(f"{self.url}/login", timeout=10, allow_redirects=False, data={
            "username": username, "password": password, "csrf_token": token})
        assert response.status_code == 302, response.text
        browser.csrf_token = token  # Flask-WTF's token holds for the whole session
        return browser

    def stop(self):
        """Stop gunicorn (TERM, then KILL) and wait for it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def gunicorn(database_url, folder, workers=4, **config):
    """Run `gunicorn wsgi:app` on a free loopback port, configured by FAHRPLAN_* variables."""
    env = dict(os.environ, FAHRPLAN_DATABASE_URL=database_url, FAHRPLAN_SECRET_KEY=SECRET,
               FAHRPLAN_INSTANCE_PATH=str(folder / "instance"))
    env.update({f"FAHRPLAN_{key}": str(value) for key, value in config.items()})
    log_path = folder / "gunicorn.log"
    with open(log_path, "w") as log:
        # Port 0: the kernel picks a free port, and gunicorn logs which one it got.
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
             "127.0.0.1:0", "--timeout", "30", "--graceful-timeout", "2",
             "--access-logfile", "-", "--access-logformat", ACCESS_FORMAT, "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(process, log_path, workers)
    try:
        yield server.wait_ready()
    finally:
        server.stop()


def csrf_token(html):
    """Return the CSRF token of the first form in a page."""
    return BeautifulSoup(html, "html.parser").find("input", attrs={"name": "csrf_token"})["value"]


def form_data(html, selector="form.editor"):
    """Return the fields a browser would send for a form: inputs, checked boxes, selects, texts."""
    form = BeautifulSoup(html, "html.parser").select_one(selector)
    data = []
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.name == "input" and field.get("type") in ("submit", "button"):
            continue
        if field.name == "textarea":
            # The HTML parser drops the one newline that may follow <textarea>, as browsers do.
            data.append((name, field.string or ""))
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            data.append((name, chosen.get("value", chosen.get_text()) if chosen else ""))
        elif field.get("type") not in ("checkbox", "radio") or field.has_attr("checked"):
            data.append((name, field.get("value", "")))
    return data
