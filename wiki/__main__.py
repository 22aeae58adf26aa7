"""The `fahrplan` console script (also `python -m wiki`): Flask's CLI over create_app."""
import click
from flask.cli import FlaskGroup

from wiki import create_app


@click.group(cls=FlaskGroup, create_app=create_app)
def main():
    """Fahrplan: strategy programme wiki-tracker."""


if __name__ == "__main__":
    main()
