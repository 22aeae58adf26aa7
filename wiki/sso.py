"""Single sign-on through a trusted reverse proxy's user header."""
import functools
import ipaddress
import logging

from flask import current_app, request, session
from flask_login import current_user

from wiki import audit
from wiki.db import db
from wiki.domain import cleaning
from wiki.models import User
from wiki.models.accounts import ROLES
from wiki.security import end_session, start_session

log = logging.getLogger(__name__)

# Marks a login made from the header: only such a login is replaced when the header changes,
# so a local account an admin signed in with by password is never taken over.
MARK = "sso"
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

    @app.before_request
    def _sign_on():
        username = proxy_user()
        if username is not None:
            sign_on(username)


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


def proxy_user():
    """Return the user name the trusted proxy signed this request on with, else None.

    The header counts only when single sign-on is on and the request comes straight from a
    configured proxy (request.remote_addr; see docs/sso.md on ProxyFix); from anywhere else
    it is ignored entirely.
    """
    header = current_app.config.get("SSO_HEADER")
    if not header or request.endpoint in SKIPPED_ENDPOINTS:
        return None
    if not is_trusted(request.remote_addr):
        return None
    username = _header(header)
    if not username or len(username) > MAX_USERNAME or not username.isprintable():
        return None
    return username


def sign_on(username):
    """Log the proxy's user in with a server-side session, once; switch when it changes."""
    if current_user.is_authenticated:
        if current_user.username.lower() == username.lower():
            _update_profile(current_user)
            return
        if not session.get(MARK):
            return  # a password login stays until its owner logs out
        with db.atomic():
            end_session()
    user = User.by_name(username)
    with db.atomic():
        if user is None:
            user = _create(username)
        elif not user.active:
            return  # a disabled account stays anonymous, whatever the proxy says
        else:
            _update_profile(user)
        start_session(user)
    session[MARK] = True


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
    user = User.create(username=username, role=current_app.config["SSO_DEFAULT_ROLE"],
                       password_hash=None, **_profile())
    audit.record("user.sso_create", f"user/{user.id}")
    return user


def _update_profile(user):
    """Store the name and e-mail address the proxy sent when they differ from the stored ones."""
    changed = {field: value for field, value in _profile().items()
               if getattr(user, field) != value}
    if changed:
        User.update(**changed).where(User.id == user.id).execute()
        for field, value in changed.items():
            setattr(user, field, value)
