"""Administration: users, action fields, report rounds, settings, and the audit log."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
