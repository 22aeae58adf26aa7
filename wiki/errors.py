"""Error pages in German (JSON under /api/); a refused form comes back with everything typed."""
import json
import re
from urllib.parse import urlsplit

from flask import Response, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: _l("Die Anfrage war fehlerhaft."),
    403: _l("Dafür fehlt Ihnen die Berechtigung."),
    404: _l("Diese Seite gibt es nicht."),
    405: _l("Diese Aktion ist hier nicht möglich."),
    409: _l("Konflikt mit einer anderen Änderung."),
    413: _l("Die gesendeten Daten sind zu groß."),
    429: _l("Zu viele Anfragen."),
    500: _l("Ein interner Fehler ist aufgetreten."),
}

ERROR_CODES = {400: "invalid_parameter", 401: "login_required", 403: "forbidden",
               404: "not_found", 405: "method_not_allowed", 409: "conflict",
               413: "payload_too_large", 429: "too_many_requests", 500: "server_error"}


def init_app(app):
    """Register the error pages."""
    for code in MESSAGES:
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)


def _error_page(error):
    """Render a plain error page for an HTTP error (under /api/: a JSON error)."""
    if request.path.startswith("/api/"):
        return http_error(error)
    code = getattr(error, "code", 500) or 500
    return render_template("errors/error.html", code=code, message=MESSAGES.get(code)), code


# Fields that hold a password or other secret (password, new_password, passwort, …).
SECRET_FIELD = re.compile(r"pass|pwd|secret", re.IGNORECASE)


def _csrf_error(error):
    """Show a refused form again, filled with what was sent, when this site's own page sent it.

    Never for a form from another site: the page would hand the forged fields a valid token, one
    click from being sent. Never for a form with a password: the page would show it in clear.
    """
    if not _from_this_site():
        page = render_template("errors/csrf.html", fields=None)
        session.modified = False  # no new cookie either: it would replace the person's own
        return page, 400
    fields = resendable_fields()
    if fields is None:
        return render_template("errors/csrf.html", fields=None, again=request.path), 400
    return render_template("errors/csrf.html", fields=fields, action=request.full_path), 400


def resendable_fields():
    """Return the posted fields to offer again, or None for a form with a password in it."""
    fields = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
    if any(SECRET_FIELD.search(name) for name, _value in fields):
        return None
    return fields


def _from_this_site():
    """Tell whether the browser says the request comes from one of this site's own pages.

    Sec-Fetch-Site (over HTTPS), Origin (on every POST of a current browser) and Referer
    (same-origin only, by our Referrer-Policy) are checked; one must vouch, none may object.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site and fetch_site != "same-origin":
        return False
    sources = [request.headers.get(name) for name in ("Origin", "Referer")]
    hosts = [urlsplit(value).netloc.lower() for value in sources if value]
    if any(host != request.host.lower() for host in hosts):  # "null" has no host: refused
        return False
    return bool(fetch_site or hosts)


def error_response(status, message, **details):
    """Return a JSON error: the HTTP status, an English code, a German message and details."""
    return json_response({"error": {"status": status, "code": ERROR_CODES.get(status, "error"),
                                    "message": str(message), **details}}, status)


def http_error(error):
    """Answer an HTTP error under /api/ as JSON instead of a page."""
    status = getattr(error, "code", 500) or 500
    response = error_response(status, MESSAGES.get(status, MESSAGES[500]))
    if getattr(error, "valid_methods", None):  # a 405 must say what is allowed
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def login_required():
    """Answer an anonymous API request with 401 when reading needs a login."""
    return error_response(401, _("Bitte melden Sie sich an: Lesen ist nur nach der Anmeldung "
                                 "erlaubt."), login=url_for("auth.login"))

def json_response(data, status=200, filename=None):
    """Return data as a UTF-8 JSON response; with a filename, as a download."""
    response = Response(json.dumps(data, ensure_ascii=False, indent=2 if filename else None),
                        status=status, mimetype="application/json")
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
