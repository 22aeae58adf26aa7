"""Accounts: login with throttled failures, logout, and a password change."""
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.security import check_password_hash

from wiki.db import db
from wiki.domain import accounts
from wiki.models import Session, User
from wiki.security import (
    client_address,
    end_session,
    hash_password,
    password_matches,
    require,
    safe_next,
    start_session,
    to_login,
)

bp = Blueprint("auth", __name__)
# Longer names are no account's (user.username holds 80 characters); refused before any query.
MAX_USERNAME = 80


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; check the password, with failed attempts throttled."""
    username = request.form.get("username", "")
    error, status, wait = None, 200, 0
    if request.method == "POST":
        user, wait = _check(username, request.form.get("password", ""))
        if user:
            with db.atomic():
                start_session(user)
            flash(_("Angemeldet als %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(request.args.get("next")))
        if wait:
            error, status = _("Zu viele Fehlversuche; bitte in %(seconds)d Sekunden erneut "
                              "versuchen.", seconds=wait), 429
        else:
            error, status = _("Benutzername oder Passwort ist falsch."), 401
    shown = username if username.isprintable() else ""
    response = make_response(render_template("auth/login.html", error=error, username=shown),
                             status)
    if wait:
        response.headers["Retry-After"] = str(wait)
    return response


def _check(username, password):
    """Return (the user whose password this is or None, seconds to wait when throttled)."""
    if not username.strip() or len(username) > MAX_USERNAME or not username.isprintable():
        return None, 0  # no account has such a name (a NUL, a line break, 5 kB of text)
    address = client_address()
    wait = accounts.claim_login(username, address)
    if wait:
        return None, wait
    user = password_matches(User.by_name(username), password)
    if user:
        accounts.login_succeeded(username, address)
    return user, 0


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Ask for confirmation (GET) or end the session for real (POST)."""
    if request.method == "POST":
        with db.atomic():
            end_session()
        flash(_("Sie sind abgemeldet."), "success")
        return redirect(url_for("overview.index"))
    return render_template("auth/logout.html")


@bp.route("/account/password", methods=["GET", "POST"])
@require("read")
def password():
    """Let a logged-in user change their password, ending every other session."""
    if not current_user.is_authenticated:
        return to_login()
    errors = {}
    if request.method == "POST":
        errors = _password_errors(request.form)
        if not errors:
            with db.atomic():
                User.update(password_hash=hash_password(request.form["new_password"])).where(
                    User.id == current_user.id).execute()
                Session.end_all(current_user.id)
                start_session(User.get_by_id(current_user.id))
            flash(_("Ihr Passwort wurde geändert. Andere Sitzungen wurden beendet."), "success")
            return redirect(url_for("overview.index"))
    return render_template("auth/password.html", errors=errors), 400 if errors else 200


def _password_errors(form):
    """Check a password change form; return German messages by field."""
    errors = {}
    if not check_password_hash(current_user.password_hash or "", form.get("current_password", "")):
        errors["current_password"] = _("Das bisherige Passwort stimmt nicht.")
    new = form.get("new_password", "")
    if len(new) < 10:
        errors["new_password"] = _("Das neue Passwort muss mindestens 10 Zeichen lang sein.")
    elif new != form.get("new_password_repeat", ""):
        errors["new_password_repeat"] = _("Die Wiederholung stimmt nicht mit dem neuen Passwort "
                                          "überein.")
    return errors
