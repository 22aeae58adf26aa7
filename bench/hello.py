"""A minimal Flask app, run under the same gunicorn settings: the ceiling for every figure."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    """Answer with a fixed text."""
    return "Hello, World!"
