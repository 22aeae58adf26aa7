"""Privacy: a user's own data as JSON, pseudonymising a departed user, pruning old records."""
import functools
import json
import operator
import re
from datetime import date, datetime, timedelta

import click
import peewee
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, user_logged_in

from wiki import audit, models
from wiki.db import db, is_sqlite, utcnow
from wiki.domain import revisions
from wiki.models import (
    ActionField,
    Comment,
    CommentVersion,
    EditPresence,
    LoginFailure,
    Measure,
    Page,
    ReportRound,
    ReportVersion,
    Revision,
    Session,
    StatusReport,
    User,
)
from wiki.models.accounts import token_hash
from wiki.views import search
from wiki.views.auth import require

# cli_group=None: the command is `fahrplan prune`, not `fahrplan privacy prune`.
bp = Blueprint("privacy", __name__, cli_group=None)

PSEUDONYM = re.compile(r"^ehemalig-(\d+)$")
PSEUDONYM_NAME = "Ehemalige Person {number}"  # stored data, in German whatever the UI language
# Minutes after which an open edit form no longer counts as someone editing (see EditPresence).
PRESENCE_MINUTES = 60
# Texts in which `@name` mentions are rewritten: (model, [(text column, its HTML column)]).
TEXTS = [
    (Revision, [("body", "html"), ("summary", None)]),
    (StatusReport, [("body", "html")]),
    (ReportVersion, [("body", "html"), ("summary", None)]),
    (Comment, [("body", "html")]),
    (CommentVersion, [("body", "html")]),
    (ActionField, [("body", "html"), ("summary", None)]),
    (ReportRound, [("body", "html"), ("projects", "projects_html")]),
]
# Tables the export writes out by hand; any other table with a `user` column is added as it is.
EXPORTED = {Session, Revision, StatusReport, ReportVersion, Comment, CommentVersion, Measure,
            EditPresence}
SECRET_COLUMN = re.compile(r"key|token|hash|secret|password")


@bp.record_once
def _prune_at_login(state):
    """Delete expired records whenever someone logs in, so none outlives its time."""
    user_logged_in.connect(_prune_signal, state.app)


def _prune_signal(app, **extra):
    """Prune on the login signal."""
    prune()


def prune():
    """Delete expired sessions, old failed logins and stale edit presence; return the counts."""
    config = current_app.config
    now = utcnow()
    with db.atomic():
        return {
            "sessions": Session.delete().where(
                Session.last_seen <= now - timedelta(days=config["SESSION_DAYS"])).execute(),
            "login_failures": LoginFailure.delete().where(
                LoginFailure.created <= now - timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
            ).execute(),
            "edit_presence": EditPresence.delete().where(
                EditPresence.seen <= now - timedelta(minutes=PRESENCE_MINUTES)).execute(),
        }


@bp.cli.command("prune")
def prune_command():
    """Delete expired sessions, failed logins and edit presence (e.g. nightly from cron)."""
    db.connect(reuse_if_open=True)
    counts = prune()
    click.echo(f"Gelöscht: {counts['sessions']} abgelaufene Sitzung(en), "
               f"{counts['login_failures']} alte Fehlanmeldung(en), "
               f"{counts['edit_presence']} alte Bearbeitungshinweis(e).")


# The user's own data

@bp.route("/account")
@require("account")
def account():
    """Show what Fahrplan stores about the logged-in user, with the download of all of it."""
    user = User.get_by_id(current_user.id)
    sessions = Session.select().where(Session.user == user).order_by(Session.last_seen.desc())
    return render_template("privacy/account.html", user=user, sessions=list(sessions),
                           current_key=_current_key())


@bp.route("/account/data.json")
@require("account")
def data():
    """Download everything stored about the logged-in user as JSON."""
    body = json.dumps(export(User.get_by_id(current_user.id)), ensure_ascii=False, indent=2,
                      default=_plain)
    name = f"fahrplan-meine-daten-{utcnow().date().isoformat()}.json"
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
    })


def _current_key():
    """Return the stored key of the session this request runs in."""
    return token_hash(current_user.session_token) if current_user.session_token else None


def _plain(value):
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
        "failed_logins": [row.created for row in LoginFailure.select().where(
            LoginFailure.key == f"user:{user.username.lower()}")],
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
    for model in models.MODELS:
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


# Pseudonymising a departed user

def get_user_or_404(username):
    """Return the user with this name (case-insensitive) or abort with 404."""
    user = User.by_name(username)
    if user is None:
        abort(404)
    return user


def is_pseudonymised(user):
    """Tell whether an account already carries a pseudonym."""
    return bool(PSEUDONYM.match(user.username)) and not user.active


@bp.route("/admin/users/<username>/pseudonymise", methods=["GET", "POST"])
@require("admin")
def pseudonymise(username):
    """Ask (GET) and then replace a departed user's name by a pseudonym, keeping their content."""
    user = get_user_or_404(username)
    errors, status = {}, 200
    if user.id == current_user.id:
        errors["account"] = _("Sie können Ihr eigenes Benutzerkonto nicht pseudonymisieren. Das "
                              "muss eine andere Person mit der Rolle „Verwaltung“ tun.")
        status = 403 if request.method == "POST" else 200
    elif is_pseudonymised(user):
        errors["account"] = _("Dieses Benutzerkonto ist bereits pseudonymisiert.")
        status = 409 if request.method == "POST" else 200
    elif request.method == "POST":
        typed = request.form.get("confirm", "").strip()
        if typed.lower() != user.username.lower():
            errors["confirm"] = _("Im Feld „Bestätigung“ steht nicht der Benutzername "
                                  "„%(username)s“.", username=user.username)
            status = 400
        else:
            pseudonym = replace_person(user)
            flash(_("Das Benutzerkonto heißt jetzt „%(username)s“; die Inhalte bleiben erhalten.",
                    username=pseudonym), "success")
            if "admin.user" in current_app.view_functions:
                return redirect(url_for("admin.user", user_id=user.id))
            return redirect(url_for(".pseudonymise", username=pseudonym))
    return render_template("privacy/pseudonymise.html", user=user, errors=errors,
                           mentioned=[] if errors.get("account") else mentioned_in(user),
                           typed=request.form.get("confirm", "")), status


def next_pseudonym():
    """Return the next free pseudonym number."""
    names = User.select(User.username).where(User.username.startswith("ehemalig-")).tuples()
    numbers = [int(m.group(1)) for (name,) in names if (m := PSEUDONYM.match(name))]
    return max(numbers, default=0) + 1


def replace_person(user):
    """Pseudonymise a user everywhere their name is stored; return the new user name."""
    if is_sqlite():
        db.execute_sql("PRAGMA secure_delete = ON")  # overwrite the old values in the file
    with db.atomic():
        number = next_pseudonym()
        old, new = user.username, f"ehemalig-{number}"
        User.update(username=new, name=PSEUDONYM_NAME.format(number=number),
                    email="", password_hash=None, active=False).where(User.id == user.id).execute()
        Session.end_all(user)
        EditPresence.delete().where(EditPresence.user == user).execute()
        LoginFailure.delete().where(LoginFailure.key == f"user:{old.lower()}").execute()
        for name in ("Watch", "Notification"):  # what they followed and were told, if kept
            model = getattr(models, name, None)
            if model is not None:
                model.delete().where(model.user == user.id).execute()
        _rename_contact(old, new)
        if _rewrite_mentions(old, new):
            search.rebuild()
            if is_sqlite():  # merge the index so no deleted entry keeps the old words
                db.execute_sql("INSERT INTO search_index(search_index) VALUES ('optimize')")
        audit.record("user.pseudonymise", f"user/{user.id}")
    if is_sqlite():  # the write-ahead log still holds old page copies: empty it (best effort)
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
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
