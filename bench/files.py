"""Files under gunicorn: upload and download of 1 MB and 25 MB, the worker's memory while it
streams, and search over 1,000 indexed PDFs; beside them what a folder on disk costs.

Run: .venv/bin/python bench/files.py [--postgres URL]   (see bench/README.md)
One sync worker serves a demo database (SQLite, or a fresh PostgreSQL database). Each upload
and download is timed three times (the median is shown) by a signed-in editor over HTTP, with
the worker's resident memory sampled every 5 ms: "RSS +" is its peak during the request above
what it held before. The folder line is the floor a folder store could reach on this machine:
the same bytes written to a file and read back in 1 MB pieces, no HTTP. Then 1,000 PDFs
(with a word each of their own and words all share) are stored and searched: 20 searches of
each kind, median. Exits 1 when a 25 MB transfer makes the worker grow by more than 64 MB.
"""
import argparse
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import requests  # noqa: E402

from bench.sheets import fresh_postgres  # noqa: E402
from tests import file_samples  # noqa: E402
from tests.gunicorn_harness import gunicorn  # noqa: E402
from wiki import create_app, exchange  # noqa: E402
from wiki.cli import DEMO  # noqa: E402
from wiki.db import db, migrate  # noqa: E402
from wiki.domain import files  # noqa: E402
from wiki.models import Measure, User  # noqa: E402
from wiki.security import hash_password  # noqa: E402

MB = 1024 * 1024
PASSWORD = "bench-passwort-123"
SEARCH_FILES = 1000
GROWTH_LIMIT = 64 * MB


def big_pdf(size):
    """Return a PDF-headed file of size bytes, different each time (no content is shared)."""
    head, tail = b"%PDF-1.4\n% Messdatei\n", b"\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail


def rss(pid):
    """Return a process's resident memory in bytes."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def measured(pid, step):
    """Run step while sampling the worker; return (result, seconds, peak growth in bytes)."""
    before, peak, running = rss(pid), [0], [True]

    def sample():
        while running[0]:
            peak[0] = max(peak[0], rss(pid))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    try:
        result = step()
    finally:
        seconds = time.perf_counter() - start
        running[0] = False
        sampler.join()
    return result, seconds, max(0, peak[0] - before)


def prepare(url, folder):
    """Fill the database: migrations, the demo, an editor, and 1,000 PDFs for the search."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PAGE_CACHE_MB": 0},
                     instance_path=str(folder / "instance"))
    with app.app_context():
        db.connect(reuse_if_open=True)
        migrate()
        assert exchange.import_folder(DEMO) == []
        editor = User.create(username="bench", name="Messung", role="editor",
                             password_hash=hash_password(PASSWORD))
        pages = [measure.page for measure in Measure.listing()]
        start = time.perf_counter()
        for number in range(SEARCH_FILES):
            text = (f"Vermerk {number:04d} zum Radverkehr und zur Schulwegsicherung, "
                    f"Kennwort{number:04d}")
            files.save(io.BytesIO(file_samples.pdf(text)), f"Vermerk-{number:04d}.pdf", "pdf",
                       editor.id, page=pages[number % len(pages)])
        seconds = time.perf_counter() - start
        db.close()
    return seconds


def transfer_rows(server, browser, pid, folder):
    """Time uploads and downloads of 1 MB and 25 MB; return the table's rows and the growth."""
    rows, worst = [], 0
    url = f"{server.url}/measures/M07/files"
    for size in (1 * MB, 25 * MB - 4096):
        ups, downs, grown_up, grown_down, floor = [], [], [], [], []
        for attempt in range(3):
            data, name = big_pdf(size), f"gross-{size // MB}-{attempt}.pdf"
            response, seconds, grown = measured(pid, lambda data=data, name=name: browser.post(
                url, files={"file": (name, data, "application/pdf")},
                data={"csrf_token": browser.csrf_token}, allow_redirects=False, timeout=300))
            assert response.status_code == 303, response.text[:500]
            ups.append(seconds)
            grown_up.append(grown)

            def download(name=name):
                got = 0
                with browser.get(f"{url}/{name}", stream=True, timeout=300) as answer:
                    assert answer.status_code == 200
                    for piece in answer.iter_content(MB):
                        got += len(piece)
                return got

            got, seconds, grown = measured(pid, download)
            assert got == size
            downs.append(seconds)
            grown_down.append(grown)
            floor.append(_folder_floor(folder / name, data))
        worst = max(worst, *grown_up, *grown_down)
        label = f"{size / MB:.0f} MB"
        rows.append((f"Hochladen {label}", statistics.median(ups), max(grown_up)))
        rows.append((f"Herunterladen {label}", statistics.median(downs), max(grown_down)))
        rows.append((f"Ordner: schreiben und lesen {label}", statistics.median(floor), None))
    return rows, worst


def _folder_floor(path, data):
    """Return the seconds to write data to a file and read it back in 1 MB pieces."""
    start = time.perf_counter()
    path.write_bytes(data)
    with path.open("rb") as fh:
        while fh.read(MB):
            pass
    seconds = time.perf_counter() - start
    path.unlink()
    return seconds


def search_rows(server, browser):
    """Time searches over the 1,000 stored PDFs: a word of one file and a word of all."""
    rows = []
    for label, word, expected in (("Suche: Wort einer Datei", "Kennwort0500", "Vermerk-0500"),
                                  ("Suche: Wort aller 1.000 Dateien", "Schulwegsicherung",
                                   "Vermerk-")):
        times = []
        for _ in range(20):
            start = time.perf_counter()
            response = browser.get(f"{server.url}/search", params={"q": word}, timeout=60)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200 and expected in response.text
        rows.append((label, statistics.median(times), None))
    return rows


def main():
    """Prepare, serve, measure, print the table; exit 1 when the memory bound fails."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="a PostgreSQL URL to run against instead of SQLite")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fahrplan-files-"))
    url = (fresh_postgres(args.postgres, "fahrplan_bench_files") if args.postgres
           else f"sqlite:///{folder}/bench.db")
    seeding = prepare(url, folder)
    with gunicorn(url, folder, workers=1, FILE_MAX_MB=25, PAGE_CACHE_MB=20) as server:
        browser = server.login("bench", PASSWORD)
        pid = server.worker_pids()[0]
        rows, worst = transfer_rows(server, browser, pid, folder)
        rows += search_rows(server, browser)
        requests.get(f"{server.url}/login", timeout=10)
    count = f"{SEARCH_FILES:,}".replace(",", ".")
    print(f"Dateien, {'PostgreSQL' if args.postgres else 'SQLite'}, ein Worker "
          f"(Last: {os.getloadavg()[0]:.1f}); {count} PDFs gespeichert in {seeding:.1f} s")
    print(f"  {'':40}{'Zeit':>10}{'RSS +':>10}")
    for label, seconds, grown in rows:
        grown_text = f"{grown / MB:7.1f} MB" if grown is not None else ""
        print(f"  {label:40}{seconds * 1000:7.0f} ms{grown_text:>10}")
    held = worst <= GROWTH_LIMIT
    print(f"  Größtes Wachstum des Workers: {worst / MB:.1f} MB "
          f"({'gehalten' if held else 'VERFEHLT'}: höchstens {GROWTH_LIMIT // MB} MB)")
    sys.exit(0 if held else 1)


if __name__ == "__main__":
    main()
