"""Read-only JSON API with an OpenAPI description, and the programme's status as open data."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")
