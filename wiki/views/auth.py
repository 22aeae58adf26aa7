"""Accounts: login and logout, server-side sessions, throttling, and the one permission check."""
import functools
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_htmx import HTMX
from flask_login import LoginManager, current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from wiki.db import db, utcnow
from wiki.models import LoginFailure, Session, User
from wiki.models.accounts import token_hash

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
htmx = HTMX()

# What each action needs; every view asks through can() or require(), never by itself.
PERMISSIONS = {"read": "reader", "account": "reader", "edit": "editor", "admin": "admin"}
PUBLIC_ENDPOINTS = {"auth.login", "static", "overview.accessibility"}


def init_app(app):
    """Bind Flask-Login and htmx, and require login for reading when the setting says so."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # server-side sessions do this job
    htmx.init_app(app)
    app.jinja_env.globals["can"] = can

    @app.before_request
    def _require_login_to_read():
        if request.endpoint not in PUBLIC_ENDPOINTS and not can("read"):
            return _to_login()


@login_manager.user_loader
def load_user(token):
    """Return the user of a live server-side session, refreshing its last use now and then."""
    row = Session.lookup(token, current_app.config["SESSION_DAYS"])
    if row is None or not row.user.active:
        return None
    if utcnow() - row.last_seen > timedelta(minutes=5):
        Session.update(last_seen=utcnow()).where(Session.key == row.key).execute()
    row.user.session_token = token
    return row.user


def can(action, user=None):
    """Tell whether the user (default: the current one) may do action: read, edit or admin."""
    user = user if user is not None else current_user
    if action == "read" and current_app.config["READ_WITHOUT_LOGIN"]:
        return True
    return bool(user.is_authenticated and user.has_role(PERMISSIONS[action]))


def require(action):
    """Guard a view: anonymous visitors go to the login page, others without the role get 403."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not can(action):
                return _to_login() if not current_user.is_authenticated else abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _to_login():
    """Send an anonymous visitor to the login page; a posted form comes back with its text."""
    if request.path.startswith("/api/"):  # a program gets a JSON 401, not a login form
        from wiki.views.api import login_required

        return login_required()
    if request.method == "POST":
        if htmx:
            return "", 401
        fields = [(k, v) for k, v in request.form.items(multi=True)
                  if k != "csrf_token" and "password" not in k]  # never echo a password
        return render_template("edit/login_again.html", fields=fields,
                               action=request.full_path.rstrip("?")), 401
    target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if htmx:
        return "", 200, {"HX-Redirect": target}
    return redirect(target)


def safe_next(target):
    """Return target when it is a relative path on this site, else the start page."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return url_for("overview.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("overview.index")
    return target


# scrypt with N=2^13, r=8, p=10: one of OWASP's equivalent minimum settings, and the one that
# needs 8 MiB per login instead of the 32 MiB of werkzeug's default (N=2^15, p=1, which is
# below OWASP's minimum). Hashes made with other settings keep working: each names its own.
HASH_METHOD = "scrypt:8192:8:10"


def hash_password(password):
    """Hash a password with scrypt, a memory-hard KDF."""
    return generate_password_hash(password, method=HASH_METHOD)


def start_session(user):
    """Open a new server-side session for user and log them in under its fresh token."""
    token = secrets.token_urlsafe(32)
    Session.create(key=token_hash(token), user=user, address=request.remote_addr or "")
    csrf_token = session.get("csrf_token")
    session.clear()  # a new session id at every login: no fixation
    if csrf_token:  # a form kept from an expired session can still be sent after logging in
        session["csrf_token"] = csrf_token
    user.session_token = token
    login_user(user)


def end_session():
    """End the current server-side session and forget the login."""
    if current_user.is_authenticated:
        Session.delete().where(Session.key == token_hash(current_user.session_token)).execute()
    logout_user()
    session.clear()


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
        return _to_login()
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


def disable_user(user):
    """Disable an account and end all its sessions at once."""
    with db.atomic():
        User.update(active=False).where(User.id == user.id).execute()
        Session.end_all(user)
