"""The programme's time zone, and today's date in it: the one definition every rule uses."""
import datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Europe/Berlin"


def zone():
    """Return the programme's time zone (FAHRPLAN_TIME_ZONE; Berlin outside an app)."""
    name = current_app.config["TIME_ZONE"] if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def today():
    """Return today's date where the administration is, not where the server's clock is set."""
    return datetime.datetime.now(zone()).date()
