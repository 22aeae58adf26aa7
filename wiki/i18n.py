"""Language: German first, English second; chosen by a switch or by the browser."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_request_context, request, session
from flask_babel import Babel, get_locale

LANGUAGES = ("de", "en")
babel = Babel()


def select_locale():
    """Pick the language: the user's switch, else the browser's preference, else the default."""
    if not has_request_context():
        return None  # the importer and other commands: Flask-Babel's default (German)
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or current_app.config["DEFAULT_LANGUAGE"]


def init_app(app):
    """Bind Flask-Babel with German as the default and the programme's time zone."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["DEFAULT_LANGUAGE"])
    try:
        ZoneInfo(app.config["TIME_ZONE"])
    except (ValueError, ZoneInfoNotFoundError):
        raise ValueError(f"FAHRPLAN_TIME_ZONE: unbekannte Zeitzone »{app.config['TIME_ZONE']}«, "
                         "z. B. Europe/Berlin") from None
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["TIME_ZONE"])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale

    @app.before_request
    def _remember_language():
        if request.args.get("lang") in LANGUAGES:
            session["lang"] = request.args["lang"]
