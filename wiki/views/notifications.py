"""Watching measures and action fields; notifications in the app and by e-mail."""
import functools

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from wiki.db import db, utcnow
from wiki.domain import notifications
from wiki.models import ActionField, Measure
from wiki.models.watching import Notification, Watch
from wiki.routing import page_arg
from wiki.security import htmx, require, safe_next, to_login

bp = Blueprint("notifications", __name__)

PER_PAGE = 50


def signed_in(view):
    """Guard a view for any logged-in user, readers too: anonymous visitors go to the login."""
    @functools.wraps(view)
    @require("read")
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return to_login()
        return view(*args, **kwargs)
    return wrapped


def get_notification_or_404(notification_id):
    """Return one of the current user's notifications, or abort with 404."""
    found = Notification.get_or_none((Notification.id == notification_id)
                                     & (Notification.user == current_user.id))
    if found is None:
        abort(404)
    return found


# What the templates ask.

@bp.app_template_global("unread_notifications")
def unread_count():
    """Return how many unread notifications the current user has (once per request)."""
    if "unread_notifications" not in g:
        g.unread_notifications = (Notification.unread(current_user.id).count()
                                  if current_user.is_authenticated else 0)
    return g.unread_notifications


@bp.app_template_global("watch_state")
def watch_state(target):
    """Return how the watch button of a measure or action field shows, None when logged out."""
    if not current_user.is_authenticated:
        return None
    if "watch_targets" not in g:
        g.watch_targets = Watch.targets(current_user.id)
    targets = g.watch_targets
    back = request.form.get("next") if request.method == "POST" else request.full_path
    if isinstance(target, Measure):
        state = {"kind": "measure", "id": f"watch-measure-{target.code}",
                 "name": f"{target.code} {target.title}",
                 "watching": target.id in targets["measure"],
                 "field": target.field if target.field_id in targets["field"] else None,
                 "url": url_for("notifications.watch_measure", code=target.code)}
    else:
        state = {"kind": "field", "id": f"watch-field-{target.code}",
                 "name": f"{target.code} {target.title}", "watching": target.id in targets["field"],
                 "field": None, "url": url_for("notifications.watch_field", code=target.code)}
    state["next"] = f"{(back or '/').split('#')[0].rstrip('?')}#{state['id']}"
    return state


bp.add_app_template_global(notifications.headline, "notification_text")
bp.add_app_template_global(notifications.excerpt, "notification_excerpt")
bp.add_app_template_global(notifications.target_url, "notification_url")


# Watching.

@bp.route("/measures/<code>/watch", methods=["POST"])
@signed_in
def watch_measure(code):
    """Start or stop watching a measure: htmx gets the button back, a plain form a redirect."""
    measure = Measure.by_code_or_404(code)
    return _toggle(measure, Watch.measure == measure.id, {"measure": measure.id})


@bp.route("/fields/<code>/watch", methods=["POST"])
@signed_in
def watch_field(code):
    """Start or stop watching an action field, and with it all its measures."""
    field = ActionField.by_code_or_404(code)
    return _toggle(field, Watch.field == field.id, {"field": field.id})


def _toggle(target, condition, row):
    """Watch (watch=1) or unwatch (watch=0) a target; answer with the button or a redirect."""
    wanted = request.form.get("watch")
    if wanted not in ("0", "1"):
        return render_template("errors/error.html", code=400, message=_(
            "Das Feld „Beobachten“ fehlt oder ist ungültig (erwartet: 1 oder 0).")), 400
    mine = Watch.user == current_user.id
    with db.atomic():
        if wanted == "1":
            (Watch.insert(user=current_user.id, created=utcnow(), **row)
             .on_conflict_ignore()
             .execute())
        else:
            Watch.delete().where(mine & condition).execute()
    g.pop("watch_targets", None)
    message = _watch_message(target, wanted == "1")
    if htmx:
        return render_template("notifications/_watch_form.html", watch=watch_state(target),
                               focus=True, announce=message)
    flash(message, "success")
    return redirect(safe_next(request.form.get("next")))


def _watch_message(target, watching):
    """Return what to announce after watching or unwatching a measure or action field."""
    name = f"{target.code} {target.title}"
    if isinstance(target, ActionField):
        return (_("Sie beobachten jetzt das Handlungsfeld %(name)s mit allen seinen Maßnahmen.",
                  name=name) if watching
                else _("Sie beobachten das Handlungsfeld %(name)s nicht mehr.", name=name))
    return (_("Sie beobachten jetzt %(name)s und werden über neue Berichte und Kommentare "
              "benachrichtigt.", name=name) if watching
            else _("Sie beobachten %(name)s nicht mehr.", name=name))


# The list.

@bp.route("/notifications")
@signed_in
def index():
    """List the current user's notifications, newest first, and what they watch."""
    page = max(page_arg(), 1)
    notifications = list(Notification.of(current_user.id)
                         .limit(PER_PAGE + 1)
                         .offset((page - 1) * PER_PAGE))
    return render_template("notifications/index.html",
                           notifications=notifications[:PER_PAGE], page=page,
                           more=len(notifications) > PER_PAGE,
                           watches=list(Watch.of(current_user.id)))


@bp.route("/notifications/read", methods=["POST"])
@signed_in
def read_all():
    """Mark every notification of the current user as read."""
    with db.atomic():
        (Notification.update(read=utcnow())
         .where((Notification.user == current_user.id) & Notification.read.is_null())
         .execute())
    flash(_("Alle Benachrichtigungen sind als gelesen markiert."), "success")
    return redirect(url_for(".index"))


@bp.route("/notifications/<id:notification_id>/read", methods=["POST"])
@signed_in
def read_one(notification_id):
    """Mark one notification as read: htmx gets it again (and the header count), else a redirect."""
    notification = get_notification_or_404(notification_id)
    with db.atomic():
        (Notification.update(read=utcnow())
         .where((Notification.id == notification.id) & Notification.read.is_null())
         .execute())
    message = _("Als gelesen markiert.")
    if htmx:
        shown = Notification.of(current_user.id).where(Notification.id == notification.id).get()
        return render_template("notifications/_item.html", notification=shown, focus=True,
                               announce=message, oob=True)
    flash(message, "success")
    return redirect(url_for(".index", _anchor=f"notification-{notification.id}"))
