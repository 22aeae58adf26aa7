"""Privacy operations: a user's own data, pseudonymising a departed user, pruning old records."""
import functools
import operator
import re
from datetime import date, datetime, timedelta

import peewee
from flask import current_app, url_for

from wiki.db import db, utcnow
from wiki.domain import revisions, search
from wiki.domain.texts import TEXTS
from wiki.models import (
    MODELS,
    Comment,
    CommentVersion,
    EditPresence,
    FileVersion,
    LoginThrottle,
    Measure,
    Notification,
    Page,
    ReportVersion,
    Revision,
    Session,
    StatusReport,
    User,
    Watch,
)

PSEUDONYM = re.compile(r"^ehemalig-(\d+)$")
PSEUDONYM_NAME = "Ehemalige Person {number}"  # stored data, in German whatever the UI language
# Minutes after which an open edit form no longer counts as someone editing (see EditPresence).
PRESENCE_MINUTES = 60
# Tables the export writes out by hand; any other table with a `user` column is added as it is.
EXPORTED = {Session, Revision, StatusReport, ReportVersion, Comment, CommentVersion, Measure,
            EditPresence}
SECRET_COLUMN = re.compile(r"key|token|hash|secret|password")



def prune():
    """Delete expired sessions, old failed logins and stale edit presence; return the counts."""
    config = current_app.config
    now = utcnow()
    with db.atomic():
        return {
            "sessions": Session.delete().where(
                Session.last_seen <= now - timedelta(days=config["SESSION_DAYS"])).execute(),
            "login_failures": LoginThrottle.expired(
                now - timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])).execute(),
            "edit_presence": EditPresence.delete().where(
                EditPresence.seen <= now - timedelta(minutes=PRESENCE_MINUTES)).execute(),
        }


def plain(value):
    """Write dates and times as ISO text (times are UTC)."""
    if isinstance(value, datetime):
        return value.isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def export(user):
    """Return everything stored about a user, as plain data (never the password hash)."""
    data = {
        "exported": utcnow(),
        "profile": {"username": user.username, "name": user.name, "email": user.email,
                    "role": user.role, "active": user.active, "created": user.created,
                    "password_login": bool(user.password_hash)},
        "sessions": [{"created": s.created, "last_seen": s.last_seen, "address": s.address}
                     for s in Session.select().where(Session.user == user)],
        "failed_logins": [{"count": row.failures, "since": row.started, "wait_until": row.until}
                          for row in LoginThrottle.select().where(
                              LoginThrottle.key == f"user:{user.username_key}")],
        "contact_for_measures": [m.code for m in Measure.select().where(Measure.contact == user)
                                 .order_by(Measure.code)],
        "revisions": [{"page": r.page.slug, "title": r.title, "number": r.number,
                       "created": r.created, "summary": r.summary}
                      for r in Revision.written_by(user)],
        "status_reports": [_report(r, measure=r.measure.code) for r in
                           StatusReport.written_by(user)],
        "report_versions": [_report(v, measure=v.report.measure.code, report=v.report_id,
                                    number=v.number, summary=v.summary)
                            for v in ReportVersion.written_by(user)],
        "comments": [{"id": c.id, "measure": c.measure.code, "report": c.report_id,
                      "created": c.created, "updated": c.updated, "version": c.version,
                      "deleted": c.deleted, "hidden": c.hidden, "body": c.body}
                     for c in Comment.written_by(user)],
        "comment_versions": [{"comment": v.comment_id, "number": v.number, "created": v.created,
                              "body": v.body} for v in CommentVersion.written_by(user)],
        "editing_now": [{"page": p.page.slug, "seen": p.seen}
                        for p in EditPresence.select().where(EditPresence.user == user)],
        "uploaded_files": [{"file": v.file.name, "place": v.file.place, "version": v.number,
                            "created": v.created, "kind": v.kind, "size": v.size,
                            "comment": v.comment, "restored_from": v.restored_from}
                           for v in FileVersion.uploaded_by(user)],
    }
    data.update(_other_tables(user))
    return data


def _report(row, **extra):
    """Return a status report or report version as plain data."""
    return {"id": row.id, "date": row.date, "period": row.period, "status": row.status,
            "traffic_light": row.traffic_light, "progress": row.progress,
            "created": row.created, "body": row.body, **extra}


def _other_tables(user):
    """Return {table: rows} of every other table whose rows belong to a user (watches, audit…).

    A row belongs to the user its `user` column names; other links to a person (the author
    of what a notification is about) belong to someone else's rows and are left out. Tables
    that other parts of the app add later come along without more code.
    """
    found = {}
    for model in MODELS:
        owner = model._meta.fields.get("user")
        if model in EXPORTED or not isinstance(owner, peewee.ForeignKeyField):
            continue
        if owner.rel_model is not User:
            continue
        rows = (model.select().where(owner == user.id).order_by(model._meta.primary_key)
                .dicts())
        found[model._meta.table_name] = [
            {k: v for k, v in row.items() if not SECRET_COLUMN.search(k)} for row in rows]
    return found


def is_pseudonymised(user):
    """Tell whether an account already carries a pseudonym."""
    return bool(PSEUDONYM.match(user.username)) and not user.active


def next_pseudonym():
    """Return the next free pseudonym number."""
    names = User.select(User.username).where(User.username.startswith("ehemalig-")).tuples()
    numbers = [int(m.group(1)) for (name,) in names if (m := PSEUDONYM.match(name))]
    return max(numbers, default=0) + 1


def replace_person(user):
    """Pseudonymise a user everywhere their name is stored; return the new user name.

    Call it inside wiki.db.erasing(), so that the old values are overwritten in the file too.
    """
    with db.atomic():
        number = next_pseudonym()
        old, new = user.username, f"ehemalig-{number}"
        User.update(username=new, username_key=User.key_for(new),
                    name=PSEUDONYM_NAME.format(number=number),
                    email="", password_hash=None, active=False).where(User.id == user.id).execute()
        Session.end_all(user)
        EditPresence.delete().where(EditPresence.user == user).execute()
        LoginThrottle.clear(f"user:{user.username_key}")
        for model in (Watch, Notification):  # what they followed and were told
            model.delete().where(model.user == user.id).execute()
        _rename_contact(old, new)
        if _rewrite_mentions(old, new):
            search.rebuild()
            search.optimize()  # so that no deleted entry keeps the old words
    return new


def _rename_contact(old, new):
    """Rewrite the contact person in the metadata snapshots of measure revisions."""
    candidates = Revision.select(Revision.id, Revision.meta).where(
        peewee.fn.LOWER(Revision.meta).contains(f'"contact":"{old.lower()}"'))
    for revision in candidates:
        if (revision.meta.get("contact") or "").lower() == old.lower():
            meta = dict(revision.meta, contact=new)
            Revision.update(meta=meta).where(Revision.id == revision.id).execute()


def mention_pattern(username):
    """Return the regular expression of an exact `@username` mention."""
    return re.compile(rf"(?<![\w.@])@{re.escape(username)}(?![\w-]|\.\w)", re.IGNORECASE)


def _rewrite_mentions(old, new):
    """Replace `@old` by `@new` in every stored text, rendering its HTML again; count them."""
    pattern, changed = mention_pattern(old), 0
    for model, columns in TEXTS:
        for text, html in columns:
            column = getattr(model, text)
            rows = (model.select(model._meta.primary_key, column)
                    .where(peewee.fn.LOWER(column).contains(f"@{old.lower()}")))
            for row in rows:
                value = getattr(row, text)
                rewritten = pattern.sub(f"@{new}", value)
                if rewritten == value:
                    continue
                values = {column: rewritten}
                if html:
                    values[getattr(model, html)] = str(revisions.render(rewritten))
                model.update(values).where(model._meta.primary_key == row.get_id()).execute()
                changed += 1
    return changed


def mentioned_in(user):
    """Return (title, URL) of the current texts that name the person outright, to edit by hand.

    Mentions by user name are rewritten automatically; a name in prose is not, because only a
    person can tell whether "Schmitz" there means this colleague.
    """
    needles = [value.lower() for value in (user.name, user.email) if len(value) >= 4]
    if not needles:
        return []

    def naming(column):
        """Return the condition that a text column contains the name or the address."""
        return functools.reduce(operator.or_, [peewee.fn.LOWER(column).contains(needle)
                                               for needle in needles])

    pages = set(Revision.select(Revision.page).join(Page)
                .where((Revision.number == Page.revision_count) & naming(Revision.body))
                .tuples())
    measures = set(StatusReport.select(StatusReport.measure).where(naming(StatusReport.body))
                   .tuples())
    measures |= set(Comment.select(Comment.measure)
                    .where(~Comment.deleted & naming(Comment.body)).tuples())
    found = [(f"{m.code} {m.title}", url_for("measures.view", code=m.code))
             for m in Measure.listing().order_by(Measure.code)
             if (m.id,) in measures or (m.page_id,) in pages]
    found += [(p.title, url_for("pages.view", slug=p.slug))
              for p in Page.wiki_pages() if (p.id,) in pages]
    return found
