"""Exporting the programme to a folder in the exchange format, deterministically."""
from pathlib import Path

import peewee

from wiki.domain import metadata
from wiki.domain.rounds import PROJECTS_HEADING
from wiki.domain.vocabulary import Vocabulary
from wiki.exchange import attachments, files
from wiki.models import (
    ActionField,
    Comment,
    Measure,
    Page,
    ReportRound,
    Revision,
    StatusReport,
    Strategy,
    User,
)

# Fields a measure file always names; the others only when they have a value.
ALWAYS = ("code", "title", "field", "obligation", "status", "progress")


def export_programme(folder):
    """Write every file of the programme into folder, which must be new or empty."""
    root = Path(folder)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"Der Ordner {folder} ist nicht leer.")
    strategy = Strategy.current()
    if strategy is None:
        raise LookupError("Es gibt noch kein Programm, das exportiert werden könnte.")
    _write(root / "strategy.md", *_strategy_file(strategy))
    for field in ActionField.ordered():
        _write(root / "fields" / f"{field.code}.md", *_field_file(field))
    for page in Page.wiki_pages().where(Page.id != (strategy.leitbild_id or 0)):
        _write(root / "pages" / f"{page.slug}.md", *_page_file(page))
    for measure in Measure.listing():
        _write(root / "measures" / f"{measure.code}.md", *_measure_file(measure))
    for report in _reports():
        _write(root / "reports" / report.measure.code / f"{report.date}.md",
               *_report_file(report))
    for round_ in ReportRound.newest_first():
        _write(root / "rounds" / f"{round_.slug}.md", *_round_file(round_))
    _write_comments(root)
    for user in User.select().order_by(User.username):
        _write(root / "users" / f"{user.username}.md", *_user_file(user))
    attachments.export_files(root)


def _write(path, meta, body):
    """Write one file, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(files.dump(meta, body), encoding="utf-8")


def _present(values):
    """Return the values that are not empty (None, "" or [])."""
    return {key: value for key, value in values.items() if value not in (None, "", [])}


def _revisions(page):
    """Return a page's revisions, oldest first."""
    return list(reversed(Revision.of(page)))


def _stamp(revision):
    """Return who saved a revision when, and why, as file fields."""
    return _present({
        "author": revision.author.username if revision.author_id else None,
        "date": files.format_stamp(revision.created),
        "summary": revision.summary,
    })


def _history_file(head, revisions, content):
    """Return front matter and body of the newest revision, the older ones as its history."""
    newest = revisions[-1]
    meta = head | _stamp(newest)
    history = [_entry(revision, newest, content) for revision in revisions[:-1]]
    return (meta | {"history": history} if history else meta), newest.body


def _entry(revision, newest, content):
    """Return a history entry: when and by whom, then what differed from the newest revision."""
    entry = {"date": files.format_stamp(revision.created)} | _stamp(revision)
    old, new = content(revision), content(newest)
    entry |= {key: value for key, value in old.items() if value != new.get(key)}
    if revision.body != newest.body:
        entry["body"] = revision.body
    return entry


def _strategy_file(strategy):
    """Return strategy.md: title, period and the Leitbild with its history."""
    head = {"title": strategy.title, "period_start": strategy.period_start.isoformat(),
            "period_end": strategy.period_end.isoformat(),
            **Vocabulary.from_settings(strategy.settings).settings()}
    return _history_file(head, _revisions(strategy.leitbild), lambda revision: {})


def _field_file(field):
    """Return fields/<code>.md."""
    meta = {"code": field.code, "title": field.title, "position": field.position,
            "summary": field.summary}
    return _present(meta), field.body


def _page_file(page):
    """Return pages/<slug>.md with the page's history."""
    revisions = _revisions(page)
    return _history_file({"title": revisions[-1].title}, revisions,
                         lambda revision: {"title": revision.title})


def _measure_content(revision):
    """Return the metadata of a measure revision that may change (all but the code)."""
    values = metadata.from_snapshot(revision.meta)
    del values["code"]
    return values


def _measure_file(measure):
    """Return measures/<code>.md: the newest metadata, the body and the history."""
    revisions = _revisions(measure.page)
    values = metadata.from_snapshot(revisions[-1].meta)
    head = {key: value for key, value in values.items()
            if key in ALWAYS or value not in (None, "", [])}
    return _history_file(head, revisions, _measure_content)


def _reports():
    """Return every status report with its measure and author."""
    return (StatusReport.select(StatusReport, Measure, User)
            .join(Measure)
            .switch(StatusReport)
            .join(User, on=(StatusReport.author == User.id), join_type=peewee.JOIN.LEFT_OUTER)
            .order_by(Measure.code, StatusReport.date))


def _report_file(report):
    """Return reports/<code>/<date>.md."""
    return _present({
        "date": report.date.isoformat(),
        "period": report.period,
        "status": report.status,
        "progress": report.progress,
        "traffic_light": report.traffic_light,
        "author": report.author.username if report.author_id else None,
    }), report.body


def _round_file(round_):
    """Return rounds/<slug>.md: the intro, then the cross-measure projects in their section."""
    meta = {"title": round_.title, "period": round_.period,
            "due_date": round_.due_date.isoformat()}
    if not round_.projects:
        return meta, round_.body
    intro = f"{round_.body}\n\n" if round_.body else ""
    return meta, f"{intro}{PROJECTS_HEADING}\n\n{round_.projects}"


def _write_comments(root):
    """Write every visible comment, numbered per measure in the order they were made."""
    dates = dict(StatusReport.select(StatusReport.id, StatusReport.date).tuples())
    numbers = {}
    comments = (Comment.select(Comment, Measure, User)
                .join(Measure)
                .switch(Comment)
                .join(User, on=(Comment.author == User.id), join_type=peewee.JOIN.LEFT_OUTER)
                .where(~Comment.deleted & ~Comment.hidden)
                .order_by(Measure.code, Comment.created, Comment.id))
    for comment in comments:
        code = comment.measure.code
        numbers[code] = numbers.get(code, 0) + 1
        meta = _present({
            "date": files.format_stamp(comment.created),
            "author": comment.author.username if comment.author_id else None,
            "report": dates[comment.report_id].isoformat() if comment.report_id else None,
        })
        _write(root / "comments" / code / f"{numbers[code]:03d}.md", meta, comment.body)


def _user_file(user):
    """Return users/<username>.md."""
    return _present({"name": user.name, "role": user.role, "email": user.email}), ""
