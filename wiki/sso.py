"""Single sign-on through a trusted reverse proxy's user header."""


def init_app(app):
    """Accept the proxy's user header from the configured proxy addresses only."""
