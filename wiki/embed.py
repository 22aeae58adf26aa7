"""Embeds for the intranet start page (server-rendered fragments) and the iCalendar feed."""
from flask import Blueprint

bp = Blueprint("embed", __name__)
