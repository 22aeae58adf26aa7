"""Fahrplan: a lightweight intranet wiki-tracker for a city's strategy programme."""
import os
import secrets

from flask import Flask

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config=None, instance_path=None):
    """Build the app: configuration, database, accounts, language, blueprints, CLI, errors."""
    app = Flask(
        __name__,
        instance_path=instance_path or os.environ.get("FAHRPLAN_INSTANCE_PATH")
        or os.path.join(ROOT, "instance"),
        instance_relative_config=True,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    app.config.from_object("wiki.config")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FAHRPLAN")
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)

    from wiki import cli, db, errors, i18n, presentation, routing, security, sso
    from wiki.caching import fragments
    from wiki.views import (
        admin,
        api,
        auth,
        comments,
        editing,
        embed,
        feeds,
        files,
        history,
        measures,
        notifications,
        overview,
        pages,
        privacy,
        reports,
        rounds,
        search,
    )

    db.init_app(app)
    routing.init_app(app)  # the `<id:…>` converter, before the blueprints add their rules
    security.init_app(app)
    sso.init_app(app)  # before the login check: a proxy-signed-on user counts as logged in
    security.init_login(app)
    i18n.init_app(app)
    presentation.init_app(app)
    fragments.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    for module in (auth, overview, measures, reports, comments, rounds, feeds, pages, history,
                   editing, search, api, embed, admin, privacy, notifications, files):
        app.register_blueprint(module.bp)
    return app


def _instance_secret(instance_path):
    """Read the generated secret key from the instance folder, creating it on first start."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        # Write aside, then link: several workers starting at once all read the same key.
        temp = f"{path}.{os.getpid()}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
        os.unlink(temp)
    with open(path) as fh:
        return fh.read().strip()
