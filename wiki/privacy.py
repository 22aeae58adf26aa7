"""Privacy: a user's own data as JSON, and pseudonymising a departed user."""
from flask import Blueprint

bp = Blueprint("privacy", __name__)
