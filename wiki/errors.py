"""Error pages in German; a refused form (expired token) comes back with everything typed."""
from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: _l("Die Anfrage war fehlerhaft."),
    403: _l("Dafür fehlt Ihnen die Berechtigung."),
    404: _l("Diese Seite gibt es nicht."),
    405: _l("Diese Aktion ist hier nicht möglich."),
    409: _l("Konflikt mit einer anderen Änderung."),
    429: _l("Zu viele Anfragen."),
    500: _l("Ein interner Fehler ist aufgetreten."),
}


def init_app(app):
    """Register the error pages."""
    for code in MESSAGES:
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)


def _error_page(error):
    """Render a plain error page for an HTTP error (under /api/: a JSON error)."""
    if request.path.startswith("/api/"):
        from wiki.views.api import http_error

        return http_error(error)
    code = getattr(error, "code", 500) or 500
    return render_template("errors/error.html", code=code, message=MESSAGES.get(code)), code


def _csrf_error(error):
    """Show the refused form again, filled with what was sent, so that nothing typed is lost."""
    fields = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
    return render_template("errors/csrf.html", fields=fields, action=request.full_path), 400
