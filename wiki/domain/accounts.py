"""Accounts: what happens to a user beyond one request."""
from wiki.db import db
from wiki.models import Session, User


def disable_user(user):
    """Disable an account and end all its sessions at once."""
    with db.atomic():
        User.update(active=False).where(User.id == user.id).execute()
        Session.end_all(user)
