"""Privacy pages: a person's own data with its download, and pseudonymising a departed user."""
import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, user_logged_in

from wiki import audit
from wiki.db import db, erasing, utcnow
from wiki.domain import privacy
from wiki.models import Session, User
from wiki.models.accounts import token_hash
from wiki.security import require

bp = Blueprint("privacy", __name__)


@bp.record_once
def _prune_at_login(state):
    """Delete expired records whenever someone logs in, so none outlives its time."""
    user_logged_in.connect(_prune_signal, state.app)


def _prune_signal(app, **extra):
    """Prune on the login signal."""
    privacy.prune()


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
    body = json.dumps(privacy.export(User.get_by_id(current_user.id)), ensure_ascii=False,
                      indent=2, default=privacy.plain)
    name = f"fahrplan-meine-daten-{utcnow().date().isoformat()}.json"
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
    })


def _current_key():
    """Return the stored key of the session this request runs in."""
    return token_hash(current_user.session_token) if current_user.session_token else None


# Pseudonymising a departed user

def get_user_or_404(username):
    """Return the user with this name (case-insensitive) or abort with 404."""
    user = User.by_name(username)
    if user is None:
        abort(404)
    return user


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
    elif privacy.is_pseudonymised(user):
        errors["account"] = _("Dieses Benutzerkonto ist bereits pseudonymisiert.")
        status = 409 if request.method == "POST" else 200
    elif request.method == "POST":
        typed = request.form.get("confirm", "").strip()
        if User.key_for(typed) != user.username_key:
            errors["confirm"] = _("Im Feld „Bestätigung“ steht nicht der Benutzername "
                                  "„%(username)s“.", username=user.username)
            status = 400
        else:
            with erasing(), db.atomic():
                pseudonym = privacy.replace_person(user)
                audit.record("user.pseudonymise", f"user/{user.id}")
            flash(_("Das Benutzerkonto heißt jetzt „%(username)s“; die Inhalte bleiben "
                    "erhalten.",
                    username=pseudonym), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("privacy/pseudonymise.html", user=user, errors=errors,
                           mentioned=privacy.mentioned_in(user) if not errors.get("account")
                           else [],
                           typed=request.form.get("confirm", "")), status


