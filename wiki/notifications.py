"""Watching measures and action fields; notifications in the app and by e-mail."""
from flask import Blueprint

bp = Blueprint("notifications", __name__)


def report_saved(report, created):
    """Tell the watchers of a report's measure about a new (or changed) status report."""


def comment_posted(comment):
    """Tell the watchers of a comment's measure, and the people it mentions, about it."""
