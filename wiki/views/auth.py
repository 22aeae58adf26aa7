"""Accounts: login with throttled failures, logout, and a password change."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.security import check_password_hash

from wiki.db import db
from wiki.models import LoginFailure, Session, User
from wiki.security import end_session, hash_password, require, safe_next, start_session, to_login

bp = Blueprint("auth", __name__)


def _throttle_keys(username):
    """Return the failure-counter keys for an account and the client address."""
    return [f"user:{username.strip().lower()}", f"addr:{request.remote_addr}"]


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; check the password, with failed attempts throttled."""
    username = request.form.get("username", "")
    error, status = None, 200
    if request.method == "POST":
        config = current_app.config
        keys = _throttle_keys(username)
        window, limit = config["LOGIN_WINDOW_MINUTES"], config["LOGIN_MAX_FAILURES"]
        if any(LoginFailure.recent(k, window) >= limit for k in keys):
            error, status = _("Zu viele Fehlversuche. Bitte in %(minutes)d Minuten erneut "
                              "versuchen.", minutes=config["LOGIN_WINDOW_MINUTES"]), 429
        else:
            user = User.by_name(username)
            password = request.form.get("password", "")
            if (user and user.active and user.password_hash
                    and check_password_hash(user.password_hash, password)):
                with db.atomic():
                    start_session(user)
                flash(_("Angemeldet als %(name)s.", name=user.display_name), "success")
                return redirect(safe_next(request.args.get("next")))
            with db.atomic():
                LoginFailure.insert_many([{"key": k} for k in keys]).execute()
            error, status = _("Benutzername oder Passwort ist falsch."), 401
    return render_template("auth/login.html", error=error, username=username), status


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
