"""Time the page view, history list and diff for a page with 1 and with 500 revisions.

Run: .venv/bin/python bench/history.py   (see bench/README.md)
"""
import os
import random
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wiki import create_app  # noqa: E402
from wiki.db import db, migrate  # noqa: E402
from wiki.domain import revisions
from wiki.domain.metadata import clean_measure  # noqa: E402
from wiki.models import ActionField, User  # noqa: E402

REVISIONS = 500
RUNS = 50
WARM_UP = 5
WORDS = ("Verwaltung Digitalisierung Antrag Bürgerservice Akte Verfahren Schnittstelle Portal "
         "Rechenzentrum Schulung Umsetzung Planung Zeitplan Vergabe Dokument Prozess").split()


def paragraph(rng, i):
    """Return one Markdown section of about 400 characters."""
    return f"## Abschnitt {i}\n\n" + " ".join(rng.choice(WORDS) for _ in range(45))


class Body:
    """A Markdown body of 2–4 kB that changes one section with every revision, like an edit."""

    def __init__(self, rng):
        self.rng = rng
        self.sections = [paragraph(rng, i) for i in range(rng.randint(5, 9))]

    def next(self, number):
        """Return the body of the next revision."""
        i = self.rng.randrange(len(self.sections))
        self.sections[i] = paragraph(self.rng, i)
        return f"Stand der Version {number}.\n\n" + "\n\n".join(self.sections)


def build(app):
    """Create pages with 1, 50 and 500 revisions, and a measure with 500."""
    rng = random.Random(7)
    with app.app_context():
        db.connect(reuse_if_open=True)
        migrate()
        author = User.create(username="bench", name="Bench")
        for title, count in (("Eine Version", 1), ("Fünfzig Versionen", 50),
                             ("Viele Versionen", REVISIONS)):
            text, page = Body(rng), None
            for number in range(1, count + 1):
                page = revisions.save_page(page, title=title, body=text.next(number),
                                           author=author, summary=f"Änderung {number}").page
        ActionField.create(code="HF1", title="Bürgerservice")
        measure, text = None, Body(rng)
        for number in range(1, REVISIONS + 1):
            values, errors = clean_measure({
                "code": "M01", "title": "Messung", "field": "HF1", "progress": number % 101,
                # a re-plan every 50 revisions
                "planned_end": f"{2025 + number // 200}-Q{number // 50 % 4 + 1}"})
            assert not errors, errors
            saved = revisions.save_measure(measure, values=values, body=text.next(number),
                                           author=author, summary=f"Stand {number}")
            measure = saved.page.measure_row.get()
        db.close()


def median_ms(client, url):
    """Return the median time of a GET in milliseconds, after a warm-up."""
    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    """Build the database, time each view for 1 and 500 revisions, and print a table."""
    folder = tempfile.mkdtemp(prefix="fahrplan-bench-")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False}, instance_path=os.path.join(folder, "instance"))
    start = time.perf_counter()
    build(app)
    print(f"Datenbank in {time.perf_counter() - start:.1f} s angelegt ({folder})\n")
    client = app.test_client()
    last = -(-REVISIONS // 50)
    pages = {"1": "/pages/eine-version", "50": "/pages/fuenfzig-versionen",
             str(REVISIONS): "/pages/viele-versionen"}
    rows = [("Seitenansicht", "{}"), ("Versionen, Seite 1", "{}/history"),
            ("Versionen, letzte Seite", "{}/history?page={last}"),
            ("Vergleich 1 ↔ letzte", "{}/diff?from=1&to={count}")]
    print(f"{'Median aus ' + str(RUNS) + ' Anfragen (ms)':32}"
          + "".join(f"{count + ' Vers.':>12}" for count in pages))
    for label, pattern in rows:
        cells = [median_ms(client, pattern.format(url, last=-(-int(count) // 50), count=count))
                 for count, url in pages.items()]
        print(f"{label:32}" + "".join(f"{cell:12.1f}" for cell in cells))
    for label, url in (("Maßnahme: Ansicht", "/measures/M01"),
                       ("Maßnahme: Versionen, Seite 1", "/measures/M01/history"),
                       ("Maßnahme: Versionen, letzte", f"/measures/M01/history?page={last}"),
                       ("Maßnahme: Vergleich 1 ↔ 500",
                        f"/measures/M01/diff?from=1&to={REVISIONS}")):
        print(f"{label:32}{'–':>12}{'–':>12}{median_ms(client, url):12.1f}")


if __name__ == "__main__":
    main()
