"""Single sign-on through a trusted reverse proxy's user header."""
import functools
import ipaddress
import logging

import peewee
from flask import current_app, g, request, session
from flask_login import current_user

from wiki import audit
from wiki.db import db
from wiki.domain import cleaning
from wiki.models import User
from wiki.models.accounts import ROLES
from wiki.security import end_session, login_manager, start_session

log = logging.getLogger(__name__)

# Marks a login made from the header: only such a login is replaced when the header changes,
# so a local account an admin signed in with by password is never taken over. Set ("pending")
# at a sign-on for one request too: when the cookie comes back, the client keeps cookies and
# gets a session row; a client that never sends it back (a feed reader, a calendar) gets none.
MARK = "sso"
PENDING = "pending"
# The login form stays out of reach of the header: there a person chooses a local account.
SKIPPED_ENDPOINTS = {"static", "auth.login"}
MAX_USERNAME = 80


def init_app(app):
    """Accept the proxy's user header from the configured proxy addresses only."""
    if app.config.get("SSO_HEADER"):
        trusted_networks(_entries(app.config.get("SSO_TRUSTED_PROXIES")))  # a typo fails now
        if app.config.get("SSO_DEFAULT_ROLE") not in ROLES:
            raise ValueError(f"FAHRPLAN_SSO_DEFAULT_ROLE: eine von {', '.join(ROLES)}")
        if not app.config.get("SSO_TRUSTED_PROXIES"):
            log.warning("SSO_HEADER ist gesetzt, SSO_TRUSTED_PROXIES aber leer: "
                        "die Kopfzeile wird ignoriert.")

    login_manager.request_loader(_from_proxy)

    @app.before_request
    def _sign_on():
        username = proxy_user()
        # Loading the user signs the header's user on when no session cookie names one
        # (_from_proxy); a session that names someone else is followed here.
        if username is not None and current_user.is_authenticated:
            _follow(username)


def _entries(setting):
    """Return the trusted proxies as a tuple; a string may list them separated by commas."""
    if isinstance(setting, str):
        setting = setting.replace(",", " ").split()
    return tuple(setting or ())


@functools.lru_cache(maxsize=8)
def trusted_networks(entries):
    """Parse addresses and CIDR networks (a tuple of strings) into networks."""
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)
    except ValueError as error:
        raise ValueError(f"FAHRPLAN_SSO_TRUSTED_PROXIES: {error}") from None


def is_trusted(address):
    """Tell whether a peer address belongs to one of the configured proxies."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    networks = trusted_networks(_entries(current_app.config.get("SSO_TRUSTED_PROXIES")))
    return any(ip in network for network in networks)


def _header(name):
    """Return a header's text, stripped; proxies send UTF-8 that WSGI decoded as Latin-1."""
    value = request.headers.get(name, "") if name else ""
    try:
        value = value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        pass
    return cleaning.header(value)  # one clean line, else "" (ignored): no controls, NFC


def peer_address():
    """Return the connecting address: the proxy itself, also when ProxyFix rewrote remote_addr."""
    original = request.environ.get("werkzeug.proxy_fix.orig") or {}
    return original.get("REMOTE_ADDR", request.remote_addr)


def proxy_user():
    """Return the user name the trusted proxy signed this request on with, else None.

    The header counts only when single sign-on is on and the request comes straight from a
    configured proxy (the connecting address, not one taken from X-Forwarded-For); from
    anywhere else it is ignored entirely.
    """
    header = current_app.config.get("SSO_HEADER")
    if not header or request.endpoint in SKIPPED_ENDPOINTS:
        return None
    if not is_trusted(peer_address()):
        return None
    username = _header(header)
    if not username or len(username) > MAX_USERNAME or not username.isprintable():
        return None
    return username


def _from_proxy(_request):
    """Sign the proxy's user on when no session cookie names one (Flask-Login's request loader)."""
    username = proxy_user()
    if username is None or g.get("signing_on"):
        return None  # asked again while signing on (the audit log asks who acts): nobody yet
    g.signing_on = True
    try:
        return sign_on(username)
    finally:
        g.signing_on = False


def _follow(username):
    """Keep a session whose user the header names; replace one the header opened for another."""
    if User.key_for(current_user.username) == User.key_for(username):
        _update_profile(current_user)
        return
    if not session.get(MARK):
        return  # a password login stays until its owner logs out
    with db.atomic():
        end_session()
    session[MARK] = PENDING  # this client keeps cookies: the new user gets a session at once
    sign_on(username)


def sign_on(username):
    """Return the proxy's user, logged in; None for a disabled account.

    With a session row once the client has sent back the cookie of an earlier sign-on, so each
    browser opens one session; else for this request only, so clients without cookies (feeds,
    calendars) leave no row behind.
    """
    user = User.by_name(username)
    if user is None:
        user = _create(username)
    elif not user.active:
        return None  # a disabled account stays anonymous, whatever the proxy says
    else:
        _update_profile(user)
    if not session.get(MARK):
        session[MARK] = PENDING
        return user
    with db.atomic():
        start_session(user)
    session[MARK] = True
    return user


def _profile():
    """Return the name and e-mail address the proxy sent (only those it sent)."""
    values = {}
    for field, setting in (("name", "SSO_NAME_HEADER"), ("email", "SSO_EMAIL_HEADER")):
        value = _header(current_app.config.get(setting))[:200]
        if value:
            values[field] = value
    return values


def _create(username):
    """Create the proxy's user without a password, in the default role; record it."""
    try:
        with db.atomic():
            user = User.create(username=username, role=current_app.config["SSO_DEFAULT_ROLE"],
                               password_hash=None, **_profile())
            audit.record("user.sso_create", f"user/{user.id}")
    except peewee.IntegrityError:  # a parallel first request created it a moment ago
        return User.by_name(username)
    return user


def _update_profile(user):
    """Store the name and e-mail address the proxy sent when they differ from the stored ones."""
    changed = {field: value for field, value in _profile().items()
               if getattr(user, field) != value}
    if changed:
        User.update(**changed).where(User.id == user.id).execute()
        for field, value in changed.items():
            setattr(user, field, value)
