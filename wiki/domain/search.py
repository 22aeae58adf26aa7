"""The search index over pages, measures, reports, comments and files (SQLite FTS5, PostgreSQL
german). A file's entry holds its newest version's text under its name and its place.
"""
import re
from urllib.parse import quote

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from wiki.db import db, is_sqlite
from wiki.domain import markdown
from wiki.models import (
    Blob,
    Comment,
    FileVersion,
    Measure,
    Page,
    Revision,
    StatusReport,
    StoredFile,
)

# Entry kinds; in SQLite an entry's rowid is its object's id * 8 + this number.
KINDS = {"page": 1, "measure": 2, "report": 3, "comment": 4, "file": 5}
KIND_LABELS = {"page": _l("Seite"), "measure": _l("Maßnahme"), "report": _l("Sachstandsbericht"),
               "comment": _l("Kommentar"), "file": _l("Datei")}
START, STOP = "\x02", "\x03"
# The order of hits: those whose title (with a measure's code) matches first, then by kind
# (measures and pages, files, reports, comments), then by the text's rank.
TIERS = ("CASE kind WHEN 'measure' THEN 0 WHEN 'page' THEN 0 WHEN 'file' THEN 1 "
         "WHEN 'report' THEN 2 ELSE 3 END")
PAGE_SIZE = 20


def put(kind, ident, url, title, body, field=""):
    """Add or replace the entry of one object."""
    if is_sqlite():  # FTS5 tables know no upsert
        remove(kind, ident)
        db.execute_sql("INSERT INTO search_index (rowid, key, kind, url, field, title, body) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (ident * 8 + KINDS[kind], f"{kind}:{ident}", kind, url, field, title, body))
    else:
        db.execute_sql("INSERT INTO search_index (key, kind, url, field, title, body) "
                       "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (key) DO UPDATE SET "
                       "kind = EXCLUDED.kind, url = EXCLUDED.url, field = EXCLUDED.field, "
                       "title = EXCLUDED.title, body = EXCLUDED.body",
                       (f"{kind}:{ident}", kind, url, field, title, body))


def remove(kind, ident):
    """Remove the entry of one object, if any."""
    if is_sqlite():
        db.execute_sql("DELETE FROM search_index WHERE rowid = ?", (ident * 8 + KINDS[kind],))
    else:
        db.execute_sql("DELETE FROM search_index WHERE key = %s", (f"{kind}:{ident}",))


def terms(query):
    """Return the searchable words of a query (at most eight)."""
    return re.findall(r"\w+", (query or "").lower())[:8]


def find(query, kind=None, field=None, limit=PAGE_SIZE, offset=0):
    """Return (hits, total) for a query: dicts with kind, url, field, title and snippet."""
    words = terms(query)
    if not words:
        return [], 0
    columns, source, params = (_sqlite if is_sqlite() else _postgres)(words)
    mark = "?" if is_sqlite() else "%s"
    for column, value in (("kind", kind), ("field", field)):
        if value:
            source += f" AND {column} = {mark}"
            params.append(value)
    # Both statements are built from the constants above; user input travels only in params.
    total = db.execute_sql(f"SELECT count(*) FROM {source}", params).fetchone()[0]  # noqa: S608  # nosec B608
    rows = db.execute_sql(f"SELECT {columns} FROM {source} ORDER BY title_miss, {TIERS}, rank "  # noqa: S608  # nosec B608
                          f"LIMIT {int(limit)} OFFSET {int(offset)}", params)
    return [{"kind": r[0], "url": r[1], "field": r[2], "title": _marked(r[3]),
             "snippet": _marked(r[4])} for r in rows], total


MEASURE_URL = re.compile(r"^/measures/([^/#?]+)")


def grouped(hits):
    """Return one page's hits grouped by measure, in the order of each measure's first hit:
    [(hit, [the same measure's later hits: reports, comments, files])]; others stand alone."""
    groups, by_code = [], {}
    for hit in hits:
        found = MEASURE_URL.match(hit["url"])
        if found is None:
            groups.append((hit, []))
        elif found[1] in by_code:
            by_code[found[1]][1].append(hit)
        else:
            by_code[found[1]] = (hit, [])
            groups.append(by_code[found[1]])
    return groups


def _sqlite(words):
    """Return the FTS5 columns and source: every word a prefix, title weighted above body."""
    match = " ".join('"{}"*'.format(w.replace('"', "")) for w in words)
    return ("kind, url, field, highlight(search_index, 4, char(2), char(3)), "
            "snippet(search_index, 5, char(2), char(3), '…', 16), "
            "bm25(search_index, 0, 0, 0, 0, 5.0, 1.0) AS rank, "
            "instr(highlight(search_index, 4, char(2), char(3)), char(2)) = 0 AS title_miss",
            "search_index WHERE search_index MATCH ?", [match])


def _postgres(words):
    """Return the tsquery columns and source: German stems as prefixes, cover-density rank."""
    marks = "'StartSel=' || chr(2) || ', StopSel=' || chr(3) || "
    return ("kind, url, field, "
            f"ts_headline('german', title, q, {marks} ', HighlightAll=true'), "
            f"ts_headline('german', body, q, {marks} ', MaxFragments=2, MaxWords=24, MinWords=8'),"
            " -ts_rank_cd(document, q) AS rank,"
            " NOT (to_tsvector('german', title) @@ q) AS title_miss",
            "search_index, to_tsquery('german', %s) AS q WHERE document @@ q",
            [" & ".join(f"{w}:*" for w in words)])


def _marked(text):
    """Escape a result text and turn the match markers into <mark> elements."""
    safe = str(escape(text or "")).replace(START, "<mark>").replace(STOP, "</mark>")
    return Markup(safe)  # noqa: S704 (escaped just above; only <mark> added)  # nosec B704


def index_page(page, body, field=""):
    """Index a page or measure under its current title and body (as the reader sees it)."""
    if page.kind == "measure":
        code = page.slug.upper()
        put("measure", page.id, f"/measures/{code}", f"{code} {page.title}",
            markdown.plain_text(body), field)
    else:
        put("page", page.id, f"/pages/{page.slug}", page.title, markdown.plain_text(body))


def index_report(report, measure):
    """Index a status report under its measure."""
    put("report", report.id, f"/measures/{measure.code}#report-{report.id}",
        f"{measure.code} {measure.page.title} – {report.period}",
        markdown.plain_text(report.body), measure.field.code)


def index_comment(comment, measure):
    """Index a visible comment under its measure; deleted or hidden ones leave the index."""
    if comment.deleted or comment.hidden:
        remove("comment", comment.id)
        return
    put("comment", comment.id, f"/measures/{measure.code}#comment-{comment.id}",
        f"{measure.code} {measure.page.title}", markdown.plain_text(comment.body),
        measure.field.code)


def index_file(stored, text, page=None, measure=None):
    """Index a file of a page or measure under its name and place; a deleted one leaves.

    page and measure: the file's page and its measure when the caller has them (a rebuild
    does), so that indexing many files does not look each place up again.
    """
    if stored.deleted is not None or stored.page_id is None:
        remove("file", stored.id)
        return
    page, name = page or stored.page, quote(stored.name, safe="")
    if page.kind == "measure":
        measure = measure or Measure.select(Measure, Page).join(Page).where(
            Measure.page == page.id).get()
        put("file", stored.id, f"/measures/{measure.code}/files/{name}",
            f"{stored.name} – {measure.code} {page.title}", text, measure.field.code)
    else:
        put("file", stored.id, f"/pages/{page.slug}/files/{name}",
            f"{stored.name} – {page.title}", text)


def optimize():
    """Merge SQLite's index, so that no deleted entry keeps its words in the file."""
    if is_sqlite():
        db.execute_sql("INSERT INTO search_index(search_index) VALUES ('optimize')")


def rebuild():
    """Empty the index and fill it again from every page, report and comment; return the count."""
    db.execute_sql("DELETE FROM search_index")
    measures = {m.id: m for m in Measure.listing()}
    by_page = {m.page_id: m for m in measures.values()}
    latest = (Revision.select(Revision.page, Revision.body)
              .join(Page, on=(Revision.page == Page.id))
              .where(Revision.number == Page.revision_count))
    pages = {p.id: p for p in Page.select()}
    count = 0
    for revision in latest:
        measure = by_page.get(revision.page_id)
        index_page(pages[revision.page_id], revision.body, measure.field.code if measure else "")
        count += 1
    for report in StatusReport.select():
        index_report(report, measures[report.measure_id])
        count += 1
    for comment in Comment.select().where(~Comment.deleted & ~Comment.hidden):
        index_comment(comment, measures[comment.measure_id])
        count += 1
    newest = (FileVersion.select(FileVersion, StoredFile, Blob.text)
              .join(StoredFile).switch(FileVersion).join(Blob)
              .where(StoredFile.deleted.is_null(), StoredFile.page.is_null(False),
                     FileVersion.number == StoredFile.version_count))
    for version in newest:
        stored = version.file
        index_file(stored, version.blob.text or "", pages[stored.page_id],
                   by_page.get(stored.page_id))
        count += 1
    return count
