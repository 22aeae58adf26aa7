"""Benchmark the overviews on a generated programme: 500 measures, 1,000 prerequisites,
100,000 revisions. Prints the median server time of each overview and of ?as_of=.

Run: .venv/bin/python bench/overviews.py  (takes about a minute; uses a temporary SQLite file)
"""
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wiki import create_app  # noqa: E402
from wiki.db import db, migrate  # noqa: E402
from wiki.domain.revisions import save_measure  # noqa: E402
from wiki.models import ActionField, Measure, Page, Revision, Strategy, User  # noqa: E402

MEASURES, PREREQUISITES, REVISIONS, FIELDS = 500, 1000, 100_000, 10
STATUSES = ["planned", "preparing", "active", "operating", "done"]


def generate(rng):
    """Fill the database: fields, measures with acyclic prerequisites, many revisions."""
    author = User.create(username="bench", role="editor")
    Strategy.create(title="Bench", period_start=date(2022, 1, 1), period_end=date(2030, 12, 31))
    fields = [ActionField.create(code=f"HF{i}", title=f"Feld {i}", position=i)
              for i in range(1, FIELDS + 1)]
    codes = [f"M{i:03d}" for i in range(1, MEASURES + 1)]
    requires = {code: set() for code in codes}
    while sum(map(len, requires.values())) < PREREQUISITES:
        a, b = sorted(rng.sample(range(MEASURES), 2))  # only backwards: never a cycle
        requires[codes[b]].add(codes[a])
    for i, code in enumerate(codes):
        start = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 1500))
        end = start + timedelta(days=rng.randrange(90, 900))
        values = {"code": code, "title": f"Maßnahme {code}", "field": fields[i % FIELDS].code,
                  "obligation": rng.choice(["legal", "standard", "internal"]),
                  "status": rng.choice(STATUSES), "owner": "FB 1", "contact": None,
                  "planned_start": start, "planned_end": end,
                  "actual_start": None, "actual_end": None, "progress": rng.randrange(0, 101),
                  "requires": sorted(requires[code]), "legal_basis": "", "legal_deadline": None,
                  "tags": []}
        save_measure(None, values=values, body=f"Text von {code}.", author=author,
                     created=datetime(2022, 1, 1))
    _more_revisions(rng, author)


def _more_revisions(rng, author):
    """Add old revisions (re-plans) until there are REVISIONS in all, in bulk."""
    pages = list(Page.select().where(Page.kind == "measure"))
    latest = {r.page_id: r for r in Revision.select().where(Revision.number == 1)}
    rows, numbers = [], {p.id: 1 for p in pages}
    for n in range(REVISIONS - len(pages)):
        page = pages[n % len(pages)]
        numbers[page.id] += 1
        meta = dict(latest[page.id].meta, progress=rng.randrange(0, 101))
        rows.append({"page": page.id, "number": numbers[page.id], "title": page.title,
                     "body": "Text.", "html": "<p>Text.</p>", "meta": meta, "author": author.id,
                     "created": datetime(2022, 1, 2) + timedelta(minutes=n), "summary": "",
                     "size": 5})
    with db.atomic():
        for i in range(0, len(rows), 2000):
            Revision.insert_many(rows[i:i + 2000]).execute()
    for page in pages:  # the bulk rows are older states; the measure row keeps today's values
        Page.update(revision_count=numbers[page.id]).where(Page.id == page.id).execute()


def median_ms(client, url, runs=15):
    """Return the median time of GET url in milliseconds (after one warm-up)."""
    assert client.get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    """Generate the programme and print the table."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "b"},
                         instance_path=folder)
        with app.app_context():
            db.connect(reuse_if_open=True)
            migrate()
            started = time.perf_counter()
            generate(random.Random(7))
            print(f"generated {Measure.select().count()} measures, "
                  f"{Revision.select().count()} revisions in {time.perf_counter() - started:.0f} s")
        client = app.test_client()
        print(f"{'URL':45} {'median ms':>10}")
        for url in ["/", "/architecture", "/timeline", "/dependencies",
                    "/timeline?as_of=2023-06-30", "/architecture?as_of=2023-06-30",
                    "/timeline?baseline=2022-06-30"]:
            print(f"{url:45} {median_ms(client, url):10.1f}")


if __name__ == "__main__":
    main()
