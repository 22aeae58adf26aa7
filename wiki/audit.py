"""The audit log: every admin action, readable by admins."""


def record(action, target="", **details):
    """Record an admin action by the current user (target and details never name a person)."""
