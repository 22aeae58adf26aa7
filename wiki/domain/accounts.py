"""Accounts: what happens to a user beyond one request, and how failed logins are throttled."""
from datetime import timedelta

from flask import current_app

from wiki.db import db
from wiki.models import LoginThrottle, Session, User


def disable_user(user):
    """Disable an account and end all its sessions at once."""
    with db.atomic():
        User.update(active=False).where(User.id == user.id).execute()
        Session.end_all(user)


def throttle_keys(username, address):
    """Return the failure counters of a login: the account's (by name key) and the address's."""
    return f"user:{User.key_for(username)}", f"addr:{address}"


def claim_login(username, address):
    """Count a login attempt before its password is checked; return seconds to wait (0: go).

    Per account the waits grow after LOGIN_MAX_FAILURES failures (1, 2, 4 … seconds, at most
    the window), so a guesser slows down without locking the owner out for long. Per address
    only LOGIN_ADDRESS_MAX_FAILURES failures within the window, far above one person's rate:
    behind a proxy without PROXY_HOPS every person shares one address.
    """
    account, place = throttle_keys(username, address)
    wait = LoginThrottle.claim(place, _address_step)
    if wait:
        return wait
    wait = LoginThrottle.claim(account, _account_step)
    if wait:
        LoginThrottle.give_back(place)  # refused unchecked: no guess to count
    return wait


def login_succeeded(username, address):
    """Give back the attempt of a successful login: the account starts afresh."""
    account, place = throttle_keys(username, address)
    LoginThrottle.clear(account)
    LoginThrottle.give_back(place)


def _window():
    """Return the window of the failure counters."""
    return timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])


def _account_step(failures, started, until, now):
    """Count one more failure of an account; its waits double past the free ones."""
    window = _window()
    if now >= until + window:  # quiet for a whole window after its last wait: a new run
        failures, started = 0, now
    failures += 1
    beyond = failures - current_app.config["LOGIN_MAX_FAILURES"]
    wait = min(timedelta(seconds=2 ** min(beyond, 30)), window) if beyond >= 0 else timedelta(0)
    return failures, started, now + wait


def _address_step(failures, started, until, now):
    """Count one more failure of an address within its window; at the limit it waits it out."""
    window = _window()
    if now >= started + window:
        failures, started = 0, now
    failures += 1
    full = failures >= current_app.config["LOGIN_ADDRESS_MAX_FAILURES"]
    return failures, started, started + window if full else now
