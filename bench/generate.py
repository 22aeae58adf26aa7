"""Fill a database with a large generated programme, in bulk, as the app would have stored it.

Run: .venv/bin/python bench/generate.py URL --measures 1000   (see bench/README.md)

URL is a SQLite URL (sqlite:////tmp/x.db) or a PostgreSQL URL of an empty database. With
--measures 14 the demo programme is imported instead. Bodies are rendered by the app's own
renderer and link extraction (wiki.domain.revisions._render_with_links), the search index is
built by the app's own wiki.domain.search.rebuild, metadata snapshots have metadata.from_snapshot's
shape; only the rows are written in bulk (insert_many in one transaction) instead of one request
each. At the end a sample of stored rows is compared with what the app computes from the database.
"""
import argparse
import contextlib
import json
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import peewee  # noqa: E402

from wiki import create_app  # noqa: E402
from wiki.db import db, is_sqlite, migrate  # noqa: E402
from wiki.domain import markdown, metadata, revisions, search
from wiki.domain.reports import MEASURE_SUMMARY  # noqa: E402
from wiki.models import (  # noqa: E402
    ActionField,
    Comment,
    CommentVersion,
    Dependency,
    Measure,
    Page,
    PageLink,
    ReportRound,
    ReportVersion,
    Revision,
    StatusReport,
    Strategy,
    User,
)
from wiki.security import hash_password  # noqa: E402

FIELDS, PREREQUISITES, LONG_HISTORY = 50, 2_000, 500
REVISIONS, COMMENTS, REPORTS, AUTHORS, PAGES = 100_000, 20_000, 5_000, 49, 20
BENCH_USER, BENCH_PASSWORD = "bench", "bench-passwort"
PAGE_MEASURE = 42  # M042, the measure page measured: as much content as the demo's M07 at any size
PAGE_REPORTS, PAGE_COMMENTS = 12, 3
POOL = 300  # distinct bodies for old revisions, reports and comments (rendered once each)
START = datetime(2022, 1, 3, 8, 0)
STATUSES = ["planned", "preparing", "active", "active", "operating", "done"]
LIGHTS = ["green", "green", "yellow", "red"]
WORDS = ("Verwaltung Digitalisierung Antrag Bürgerservice Akte Verfahren Schnittstelle Portal "
         "Rechenzentrum Schulung Umsetzung Planung Zeitplan Vergabe Dokument Prozess Fachamt "
         "Datenschutz Anbindung Pilotbetrieb Beschaffung Rollout Nutzerinnen Formular").split()
# Rarer words: each measure body names one, so a search for one finds a few dozen hits.
TOPICS = [f"Thema{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(200)]
PAGE_TITLES = ["Leitbild", "Glossar", "Statusdefinitionen", "Berichtswesen", "Gremien",
               "Rechtsgrundlagen", "Beteiligung", "Datenschutzkonzept", "IT-Architektur",
               "Schnittstellen", "Schulungskonzept", "Vergaberecht", "Barrierefreiheit",
               "Kommunikation", "Finanzierung", "Risikomanagement", "Projektmethodik",
               "Ansprechpersonen", "Zeitplan", "Archiv"]


def codes_for(count):
    """Return count measure codes, M000 … M999 and on to M9999 (M and two to four digits)."""
    return [f"M{i:03d}" for i in range(count)]


def sentence(rng, length=14):
    """Return one German-looking sentence."""
    return " ".join(rng.choice(WORDS) for _ in range(length)).capitalize() + "."


def paragraph(rng, heading, links=()):
    """Return a Markdown section: heading, two or three sentences, optional wiki links."""
    text = " ".join(sentence(rng) for _ in range(rng.randint(2, 3)))
    if links:
        text += " Siehe " + ", ".join(f"[[{link}]]" for link in links) + "."
    return f"## {heading}\n\n{text}"


@contextlib.contextmanager
def known_slugs(slugs):
    """Let the app's link resolver look slugs up in memory instead of the database."""
    original = revisions.taken_slugs
    revisions.taken_slugs = lambda found: set(found) & slugs
    try:
        yield
    finally:
        revisions.taken_slugs = original


_RENDERED = {}  # body -> (html, link slugs); the same for every backend, so kept across fills


def rendered(body):
    """Return the HTML and link slugs of a body, as revisions._save computes them."""
    if body not in _RENDERED:
        html, slugs = revisions._render_with_links(body)
        _RENDERED[body] = (str(html), slugs)
    return _RENDERED[body]


class Plan:
    """The generated programme in memory: every row to insert, deterministic for a seed."""

    def __init__(self, count, seed=7):
        """Draw the programme: users, fields, measures with histories, reports, comments."""
        self.rng = rng = random.Random(seed)
        self.now = datetime.combine(date.today(), datetime.min.time()) - timedelta(days=1)
        self.codes = codes_for(count)
        self.long = self.codes[1]  # the measure with LONG_HISTORY revisions
        self.fields = [(f"HF{i}", f"Handlungsfeld {i}") for i in range(1, FIELDS + 1)]
        self.authors = [BENCH_USER] + [f"autor{i:02d}" for i in range(1, AUTHORS + 1)]
        self.requires = self._prerequisites(rng, count)
        self.pool = [self._body(rng, f"Variante {i}", self.codes[:50]) for i in range(POOL)]
        self.short_pool = [sentence(rng, rng.randint(10, 30)) + " " + sentence(rng)
                           for _ in range(POOL)]

    @staticmethod
    def _prerequisites(rng, count):
        """Return {index: set of earlier indexes}: PREREQUISITES edges, never a cycle."""
        requires = {i: set() for i in range(count)}
        wanted = min(PREREQUISITES, count * (count - 1) // 4)
        total = 0
        while total < wanted:
            b = rng.randrange(1, count)
            a = rng.randrange(max(0, b - 200), b)  # only backwards: never a cycle
            if a not in requires[b]:
                requires[b].add(a)
                total += 1
        return requires

    def _body(self, rng, intro, links):
        """Return a measure body of about 1–1.5 kB with a few wiki links."""
        chosen = [rng.choice(links) for _ in range(2)] + [rng.choice(PAGE_TITLES)]
        sections = [paragraph(rng, "Ziel"), paragraph(rng, "Vorgehen", chosen),
                    paragraph(rng, "Stand", ["Noch offene Seite"] if rng.random() < 0.1 else [])]
        return f"{intro}: {rng.choice(TOPICS)} {sentence(rng)}\n\n" + "\n\n".join(sections)


def revision_counts(rng, count, pages):
    """Return how many revisions each measure gets: one has LONG_HISTORY, REVISIONS in all."""
    rest = REVISIONS - pages - LONG_HISTORY
    others = count - 1
    base, extra = divmod(rest, others)
    counts = [base + (1 if i < extra else 0) for i in range(others)]
    for _ in range(others):  # move revisions around so counts vary, keeping the sum
        a, b = rng.randrange(others), rng.randrange(others)
        move = rng.randint(0, counts[a] - 1) // 2
        counts[a] -= move
        counts[b] += move
    return [counts[0], LONG_HISTORY, *counts[1:]]


def latest_values(rng, plan, i, code, contacts):
    """Return the typed values of a measure's newest revision."""
    start = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 1200))
    end = start + timedelta(days=rng.randrange(120, 900))
    status = rng.choice(STATUSES)
    actual_start = start + timedelta(days=rng.randrange(0, 60)) if status != "planned" else None
    return {
        "code": code, "title": f"Maßnahme {code}: {rng.choice(WORDS)} {rng.choice(WORDS)}",
        "field": plan.fields[i * FIELDS // len(plan.codes)][0],
        "obligation": rng.choice(["legal", "standard", "internal"]), "status": status,
        "owner": f"FB {rng.randint(1, 9)}", "contact": rng.choice(contacts),
        "planned_start": start, "planned_end": end, "actual_start": actual_start,
        "actual_end": end if status == "done" else None, "progress": rng.randrange(0, 101),
        "requires": sorted(plan.codes[a] for a in plan.requires[i]),
        "legal_basis": "OZG" if rng.random() < 0.3 else "",
        "legal_deadline": date(2026, 12, 31) if rng.random() < 0.2 else None,
        "tags": rng.sample(["ozg", "schule", "personal", "finanzen", "bau"], 2),
    }


def snapshot_of(values):
    """Return the metadata a revision stores for typed values (as metadata.snapshot builds it)."""
    meta = {name: values[name] for name in ("code", "obligation", "status", "owner", "progress",
                                            "legal_basis", "title", "field", "contact",
                                            "requires", "tags")}
    meta.update({name: values[name].isoformat() if values[name] else None
                 for name in metadata.DATES})
    return metadata.from_snapshot(meta)


def older_values(rng, values, number, count):
    """Return the values an older revision held: less progress, an earlier plan, early status."""
    share = number / count
    older = dict(values, progress=int(values["progress"] * share))
    if share < 0.5 and values["planned_end"]:
        older["planned_end"] = values["planned_end"] - timedelta(days=90)  # re-planned later
        older["actual_end"] = None
        if older["status"] in ("done", "operating"):
            older["status"] = "active"
    if share < 0.2:
        older.update(status="planned", actual_start=None, actual_end=None)
    return older


class Filler:
    """Writes a Plan's rows into the bound database."""

    def __init__(self, plan):
        """Start with empty row lists."""
        self.plan, self.rng = plan, random.Random(11)
        self.pages, self.measures, self.revisions, self.links = [], [], [], []
        self.values = {}  # measure index -> latest values

    def users(self):
        """Insert the bench editor (with its password) and the authors."""
        password = hash_password(BENCH_PASSWORD)
        User.insert_many([{"id": n + 1, "username": name, "username_key": User.key_for(name),
                           "name": name.capitalize(),
                           "role": "editor", "password_hash": password if n == 0 else None,
                           "created": START} for n, name in enumerate(self.plan.authors)]
                         ).execute()

    def structure(self):
        """Insert the strategy, the action fields and the report rounds."""
        Strategy.insert(id=1, title="Digitalstrategie (Bench)", period_start=date(2022, 1, 1),
                        period_end=date(2030, 12, 31)).execute()
        rows = []
        for position, (code, title) in enumerate(self.plan.fields, 1):
            body = f"Beschreibung von {title}. {sentence(self.rng)}"
            rows.append({"id": position, "code": code, "title": title, "position": position,
                         "summary": sentence(self.rng), "body": body,
                         "html": rendered(body)[0]})
        ActionField.insert_many(rows).execute()
        rounds = []
        for year, quarter in ((2024, 4), (2025, 1), (2025, 2)):
            body = f"Berichtsrunde {year}-Q{quarter}. {sentence(self.rng)}"
            period = f"{year}-Q{quarter}"
            rounds.append({"slug": period.lower(), "title": f"Berichtsrunde {period}",
                           "period": period, "body": body, "html": rendered(body)[0],
                           "due_date": date(year, quarter * 3, 28), "created": START})
        ReportRound.insert_many(rounds).execute()

    def wiki_pages(self, first_id):
        """Plan the plain wiki pages, one revision each."""
        for n, title in enumerate(PAGE_TITLES):
            body = f"{title}. {sentence(self.rng)}\n\n{paragraph(self.rng, 'Inhalt')}"
            self._page(first_id + n, markdown.slugify(title), "page", title, [
                (body, {}, START + timedelta(days=n), "")])

    def _page(self, page_id, slug, kind, title, history):
        """Plan a page and its revisions: history is [(body, meta, created, summary)]."""
        self.pages.append({"id": page_id, "slug": slug, "kind": kind, "title": title,
                           "revision_count": len(history), "created": history[0][2],
                           "updated": history[-1][2]})
        for number, (body, meta, created, summary) in enumerate(history, 1):
            body = revisions.normalise_body(body)
            html, slugs = rendered(body)
            self.revisions.append({"page": page_id, "number": number, "title": title,
                                   "body": body, "html": html, "meta": meta, "created": created,
                                   "author": self.rng.randrange(1, len(self.plan.authors) + 1),
                                   "summary": summary, "size": len(body)})
        self.links += [{"source": page_id, "target": slug} for slug in slugs]

    def measures_and_history(self, counts, reports_by_measure):
        """Plan every measure page, row and revision; its newest report sets status, progress."""
        plan, rng = self.plan, self.rng
        contacts = [None, None, *plan.authors[1:]]
        for i, code in enumerate(plan.codes):
            values = latest_values(rng, plan, i, code, contacts)
            newest = reports_by_measure.get(i, [None])[-1]
            if newest:
                values.update(status=newest["status"], progress=newest["progress"])
            self.values[i] = values
            self._page(i + 1, code.lower(), "measure", values["title"],
                       self._history(i, values, counts[i], newest))
            self.measures.append(self._measure_row(i, values))

    def _history(self, i, values, count, newest):
        """Return the revisions of measure i, oldest first, the newest holding values."""
        plan, rng = self.plan, self.rng
        first = START + timedelta(days=rng.randrange(0, 300))
        step = (plan.now - timedelta(days=30) - first) / count
        links = [plan.codes[a] for a in sorted(plan.requires[i])] or plan.codes[:3]
        # The measured page has the same body at every size (its own random numbers).
        latest_body = plan._body(random.Random(i) if i == PAGE_MEASURE else rng,
                                 f"{values['code']} {values['title']}", links)
        if i == 1:
            bodies = self._long_bodies(count)
        else:
            bodies = [plan.pool[(i * 7 + n) % POOL] for n in range(count - 1)] + [latest_body]
        history = []
        for n in range(1, count + 1):
            older = values if n == count else older_values(rng, values, n, count)
            summary = f"Stand {n}" if n % 3 else ""
            history.append((bodies[n - 1], snapshot_of(older), first + step * (n - 1), summary))
        if newest and count > 1:  # carried over from the report, as reports._carry_to_measure
            body, meta, _created, _summary = history[-1]
            history[-1] = (body, meta, max(newest["created"], history[-2][2]) + timedelta(
                seconds=1), MEASURE_SUMMARY.format(period=newest["period"]))
        return history

    def _long_bodies(self, count):
        """Return the bodies of the long-history measure: each revision rewrites one section."""
        rng = self.rng
        sections = [paragraph(rng, f"Abschnitt {n}", [rng.choice(self.plan.codes[:50])])
                    for n in range(rng.randint(5, 8))]
        bodies = []
        for number in range(1, count + 1):
            n = rng.randrange(len(sections))
            sections[n] = paragraph(rng, f"Abschnitt {n}")
            bodies.append(f"Stand der Version {number}. {TOPICS[0]}\n\n" + "\n\n".join(sections))
        return bodies

    def _measure_row(self, i, values):
        """Return the measure row for values (as revisions._apply sets it)."""
        row = {name: values[name] for name in revisions.PLAIN_FIELDS}
        contact = values["contact"]
        row.update(id=i + 1, page=i + 1, code=values["code"],
                   field=int(values["field"][2:]), tags=" ".join(values["tags"]),
                   contact=self.plan.authors.index(contact) + 1 if contact else None)
        return row

    def reports(self):
        """Plan REPORTS status reports in consecutive quarters, each with its first version."""
        plan, rng = self.plan, self.rng
        count = len(plan.codes)
        by_measure, n = {PAGE_MEASURE: [None] * PAGE_REPORTS}, PAGE_REPORTS
        while n < min(REPORTS, count * 8):
            i = rng.randrange(count)
            if i == PAGE_MEASURE:
                continue
            by_measure.setdefault(i, [])
            if len(by_measure[i]) < 8:
                by_measure[i].append(None)
                n += 1
        quarter_now = (plan.now.year, (plan.now.month - 1) // 3 + 1)
        report_id = 0
        for i in sorted(by_measure):
            rows = []
            for back in range(len(by_measure[i]), 0, -1):  # oldest first
                year, quarter = divmod(quarter_now[0] * 4 + quarter_now[1] - 1 - back, 4)
                day = date(year, quarter * 3 + 1, 1) + timedelta(days=rng.randrange(20, 60))
                day = min(day, plan.now.date())
                report_id += 1
                body = rng.choice(plan.short_pool)
                created = datetime.combine(day, datetime.min.time()) + timedelta(hours=10)
                rows.append({"id": report_id, "measure": i + 1, "date": day,
                             "period": f"{year}-Q{quarter + 1}", "status": rng.choice(STATUSES),
                             "traffic_light": rng.choice(LIGHTS), "progress": rng.randrange(101),
                             "body": body, "html": rendered(body)[0],
                             "author": rng.randrange(1, len(plan.authors) + 1),
                             "created": created, "updated": created, "version": 1})
            by_measure[i] = rows
        return by_measure

    def comments(self, reports_by_measure):
        """Plan COMMENTS comments, some on a report of their measure, each with its version."""
        plan, rng = self.plan, self.rng
        rows = []
        for comment_id in range(1, COMMENTS + 1):
            i = PAGE_MEASURE if comment_id <= PAGE_COMMENTS else rng.randrange(len(plan.codes))
            if i == PAGE_MEASURE and comment_id > PAGE_COMMENTS:
                i += 1
            reports = reports_by_measure.get(i) or [None]
            report = rng.choice(reports) if rng.random() < 0.3 else None
            body = rng.choice(plan.short_pool)
            created = START + (plan.now - START) * rng.random()
            rows.append({"id": comment_id, "measure": i + 1, "body": body,
                         "report": report["id"] if report else None,
                         "html": rendered(body)[0], "created": created, "updated": created,
                         "author": rng.randrange(1, len(plan.authors) + 1)})
        return rows


def insert(model, rows, chunk=1000):
    """Insert rows in bulk: values converted by the model's fields, as peewee would pass them.

    peewee's insert_many spends most of its time building the statement text; one prepared
    statement with executemany (psycopg2: execute_values) writes the same values many times
    faster.
    """
    if not rows:
        return
    meta = model._meta
    names = list(dict.fromkeys(name for row in rows for name in row))
    defaults = {name: field.default for name, field in meta.fields.items()
                if name not in names and field.default is not None}
    fields = [meta.fields[name] for name in names + list(defaults)]
    params = [tuple(field.db_value(row[field.name]) if field.name in row else
                    field.db_value(_default(defaults[field.name])) for field in fields)
              for row in rows]
    columns = ", ".join(f'"{field.column_name}"' for field in fields)
    table = f'"{meta.table_name}"'
    cursor = db.cursor()
    if is_sqlite():
        marks = ", ".join("?" for _ in fields)
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", params)  # noqa: S608
    else:
        from psycopg2.extras import execute_values

        execute_values(cursor, f"INSERT INTO {table} ({columns}) VALUES %s", params,  # noqa: S608
                       page_size=chunk)


def _default(default):
    """Return a field default's value (called when it is a function)."""
    return default() if callable(default) else default


def fill_bulk(plan):
    """Write the generated programme into the bound (empty, migrated) database."""
    filler = Filler(plan)
    count = len(plan.codes)
    slugs = {code.lower() for code in plan.codes} | {markdown.slugify(t) for t in PAGE_TITLES}
    with known_slugs(slugs), db.atomic():
        filler.users()
        filler.structure()
        reports = filler.reports()
        filler.measures_and_history(revision_counts(filler.rng, count, len(PAGE_TITLES)),
                                    reports)
        filler.wiki_pages(count + 1)
        insert(Page, filler.pages)
        insert(Measure, filler.measures)
        insert(Dependency, [{"measure": b + 1, "requires": a + 1}
                            for b, prerequisites in plan.requires.items() for a in prerequisites])
        insert(Revision, filler.revisions, chunk=500)
        insert(PageLink, filler.links)
        report_rows = [row for rows in reports.values() for row in rows]
        insert(StatusReport, report_rows)
        insert(ReportVersion, [{**{k: v for k, v in row.items()
                                   if k not in ("id", "measure", "updated", "version")},
                                "report": row["id"], "number": 1, "summary": ""}
                               for row in report_rows])
        comments = filler.comments(reports)
        insert(Comment, comments)
        insert(CommentVersion, [{"comment": c["id"], "number": 1, "body": c["body"],
                                 "html": c["html"], "author": c["author"], "created": c["created"]}
                                for c in comments])
        search.rebuild()
        _reset_sequences()
    if not is_sqlite():
        # What autovacuum and the checkpointer do soon after a bulk load in production; done
        # here so that they do not run during the measurement, taking one of the two cores.
        db.execute_sql("VACUUM ANALYZE")
        try:
            db.execute_sql("CHECKPOINT")
        except peewee.DatabaseError:  # not a superuser: the server checkpoints in time itself
            pass


def _reset_sequences():
    """Move PostgreSQL's id sequences past the ids given explicitly."""
    if is_sqlite():
        return
    for model in (User, ActionField, Page, Measure, StatusReport, Comment, Strategy):
        table = model._meta.table_name
        db.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                       f"(SELECT MAX(id) FROM \"{table}\"))")


def fill_demo():
    """Import the demo programme (14 measures) and add the bench editor."""
    from wiki import cli, exchange

    errors = exchange.import_folder(cli.DEMO)
    assert not errors, errors
    with db.atomic():
        User.create(username=BENCH_USER, role="editor", password_hash=hash_password(
            BENCH_PASSWORD))


def check(sample=15, seed=3):
    """Compare sample rows with what the app computes from the database; raise on a difference."""
    rng = random.Random(seed)
    measures = list(Measure.select())
    with db.atomic() as transaction:
        for measure in rng.sample(measures, min(sample, len(measures))):
            latest = measure.page.latest()
            requires = [m.code for m in measure.prerequisites()]
            assert latest.meta == metadata.snapshot(measure, latest.title, requires), measure.code
            html, slugs = revisions._render_with_links(latest.body)
            assert latest.html == str(html), measure.code
            stored = {link.target for link in measure.page.links}
            assert stored == set(slugs), (measure.code, stored, slugs)
            key = f"measure:{measure.page_id}"
            before = _index_row(key)
            search.index_page(measure.page, latest.body, measure.field.code)
            assert _index_row(key) == before, measure.code
        transaction.rollback()  # index_page rewrote rows; leave everything as generated


def _index_row(key):
    """Return the search index entry with this key."""
    mark = "?" if is_sqlite() else "%s"
    return db.execute_sql(f"SELECT key, kind, url, field, title, body FROM search_index "  # noqa: S608
                          f"WHERE key = {mark}", (key,)).fetchone()


def targets(count):
    """Return what the runner requests: measure codes, a diff pair, search words, a day."""
    if count == 14:
        return {"page": "M07", "history": "M01", "diff": (1, 2), "save": "M03",
                "comment": "M05", "search": "Digitalisierung", "common": "Stadt",
                "as_of": "2025-03-31"}
    return {"page": "M042", "history": "M001", "diff": (250, 251), "save": "M043",
            "comment": "M044", "search": TOPICS[7], "common": "Verwaltung",
            "as_of": "2023-06-30"}


def fill(url, count, instance_path, seed=7):
    """Migrate and fill the database at url with count measures; return (seconds, targets)."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance_path=instance_path)
    started = time.perf_counter()
    with app.app_context():
        db.connect(reuse_if_open=True)
        migrate()
        if Measure.select().exists():
            raise SystemExit(f"{url} enthält schon Maßnahmen")
        if count == 14:
            fill_demo()
        else:
            fill_bulk(Plan(count, seed))
            check()
        db.close()
    return time.perf_counter() - started, targets(count)


def main():
    """Parse the arguments, fill the database and print what was made."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="sqlite:////pfad/bench.db oder postgresql://…/leere_db")
    parser.add_argument("--measures", type=int, default=1000,
                        help="14 (Demo), 1000 oder 10000 (Vorgabe 1000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        seconds, found = fill(args.url, args.measures, instance, args.seed)
    print(json.dumps({"seconds": round(seconds, 1), "measures": args.measures, **found}))


if __name__ == "__main__":
    main()
