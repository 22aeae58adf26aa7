"""Protection of every request: the one permission check, sessions, passwords, CSRF, headers."""
import functools
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_htmx import HTMX
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import check_password_hash, generate_password_hash

from wiki import errors
from wiki.db import utcnow
from wiki.models import Session
from wiki.models.accounts import token_hash

csrf = CSRFProtect()

login_manager = LoginManager()
htmx = HTMX()

# What each action needs; every view asks through can() or require(), never by itself.
PERMISSIONS = {"read": "reader", "account": "reader", "edit": "editor", "admin": "admin"}
PUBLIC_ENDPOINTS = {"auth.login", "static", "overview.accessibility", "overview.markings_css"}


def init_login(app):
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
            return to_login()


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
                return to_login() if not current_user.is_authenticated else abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def to_login():
    """Send an anonymous visitor to the login page; a posted form comes back with its text."""
    if request.path.startswith("/api/"):  # a program gets a JSON 401, not a login form
        return errors.login_required()
    if request.method == "POST":
        if htmx:
            return "", 401
        return render_template("edit/login_again.html", fields=errors.resendable_fields() or [],
                               action=request.full_path.rstrip("?")), 401
    target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if htmx:
        return "", 200, {"HX-Redirect": target}
    return redirect(target)


def htmx_target():
    """Return the id of the element an htmx request swaps, None for a request not sent by htmx.

    Views ask only this, never HX-Target alone: a plain GET that names a target gets the whole
    page, and only whole pages are kept (wiki/caching/pagecache.py).
    """
    return htmx.target if htmx else None


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


@functools.cache
def _stand_in_hash():
    """Return a hash of a random password, to check against when there is no account."""
    return hash_password(secrets.token_urlsafe(16))


def password_matches(user, password):
    """Return user when password is theirs, else None; equal work for every user name.

    An unknown name, a disabled account or one without a password is checked against a
    stand-in hash of the same cost: a wrong password for a real account took 210 ms, an
    unknown name 7 ms, which told guessers which names exist.
    """
    usable = user is not None and user.active and bool(user.password_hash)
    matches = check_password_hash(user.password_hash if usable else _stand_in_hash(), password)
    return user if usable and matches else None


def client_address():
    """Return the client's address (from X-Forwarded-For with PROXY_HOPS), as long as stored."""
    return (request.remote_addr or "")[:64]  # a proxy passes on what a client wrote, too


def start_session(user):
    """Open a new server-side session for user and log them in under its fresh token."""
    token = secrets.token_urlsafe(32)
    Session.create(key=token_hash(token), user=user, address=client_address())
    csrf_token = session.get("csrf_token")
    session.clear()  # a new session id at every login: no fixation
    if csrf_token:  # a form kept from an expired session can still be sent after logging in
        session["csrf_token"] = csrf_token
    user.session_token = token
    login_user(user)


def end_session():
    """End the current server-side session and forget the login."""
    if current_user.is_authenticated and current_user.session_token:
        Session.delete().where(Session.key == token_hash(current_user.session_token)).execute()
    logout_user()
    session.clear()




# No inline script, no eval: htmx runs with allowEval off (see the htmx-config meta tag).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors {frame_ancestors}",
])


def init_app(app):
    """Trust the configured proxies, enable CSRF protection, add security headers."""
    _trust_proxies(app)
    app.config.setdefault("WTF_CSRF_HEADERS", ["X-CSRFToken"])
    csrf.init_app(app)

    @app.after_request
    def _headers(response):
        # Only embeds may be framed by other origins; CSP frame-ancestors would override
        # X-Frame-Options elsewhere too, so the origins go to embed responses alone.
        embed = request.blueprint == "embed"
        origins = app.config["EMBED_FRAME_ORIGINS"] if embed else []
        ancestors = " ".join(["'self'", *origins])
        response.headers.setdefault(
            "Content-Security-Policy", CONTENT_SECURITY_POLICY.format(frame_ancestors=ancestors))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not embed:  # for embeds frame-ancestors alone decides (X-Frame-Options cannot list)
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=()")
        if "text/html" in response.content_type:
            response.headers.setdefault("Cache-Control", "private, no-cache")
            # An htmx request may get a fragment (htmx_target) or an HX-Redirect (to_login).
            response.vary.update(("Cookie", "HX-Request", "HX-Target"))
        return response


def _trust_proxies(app):
    """Take the client's address and scheme from PROXY_HOPS proxies' X-Forwarded-* headers."""
    hops = app.config["PROXY_HOPS"]
    if not isinstance(hops, int) or isinstance(hops, bool) or hops < 0:
        raise ValueError(f"FAHRPLAN_PROXY_HOPS: {hops!r} ist keine ganze Zahl ab 0")
    if hops:
        # X-Forwarded-For: the address the outermost of our proxies saw (each one appends);
        # X-Forwarded-Proto: set, not appended, by the proxy in front of Fahrplan. The Host
        # header stays the one the proxy passes on (ProxyPreserveHost / proxy_set_header Host).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=1)
