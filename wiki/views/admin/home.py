"""Administration's blueprint: the overview, the rounds list, the audit log, shared helpers."""
from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l

from wiki import audit
from wiki.models import AuditEntry, ReportRound
from wiki.models.accounts import ROLES
from wiki.routing import page_arg
from wiki.security import require

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50  # audit entries per page
ROLE_LABELS = {"reader": _l("Lesen"), "editor": _l("Bearbeiten"), "admin": _l("Verwaltung")}
# Keys and values of audit details in words, in the order shown (an unknown one is shown as
# it is, last).
DETAIL_WORDS = {**ROLE_LABELS, "role": _l("Rolle"), "previous": _l("vorher"),
                "changed": _l("geändert"), "title": _l("Titel"),
                "period_start": _l("Beginn der Laufzeit"), "period_end": _l("Ende der Laufzeit"),
                "leitbild": _l("Leitbild"), "statuses": _l("Status"),
                "markings": _l("Kennzeichnungen"), "report_period": _l("Berichtsrhythmus"),
                "code_pattern": _l("Kürzel-Muster"), "code_pattern_text": _l("Muster in Worten"),
                "created": _l("angelegt"), "updated": _l("aktualisiert"),
                "unchanged": _l("unverändert"), "name": _l("Name"), "place": _l("Ort"),
                "versions": _l("Versionen")}


@bp.before_request
@require("admin")
def _admins_only():
    """Let only admins in: anonymous visitors go to the login page, everyone else gets 403."""


@bp.after_request
def _no_store(response):
    """Keep admin pages (generated passwords, settings) out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _role_options():
    """Give the admin templates the roles as (value, words) for their selects."""
    return {"role_options": [(role, role_label(role)) for role in ROLES]}


@bp.app_template_filter("role_label")
def role_label(role):
    """Return a role in words."""
    return str(ROLE_LABELS.get(role, role))


@bp.app_template_filter("audit_action")
def audit_action(action):
    """Return an audit action in words."""
    return audit.describe(action)


@bp.app_template_filter("audit_details")
def audit_details(details):
    """Return an audit entry's details as (label, value) pairs in words."""
    def words(value):
        if isinstance(value, list):
            return ", ".join(words(item) for item in value) or "–"
        return str(DETAIL_WORDS.get(value, value))
    order = list(DETAIL_WORDS)  # stored sorted by key: shown in the order of DETAIL_WORDS
    keys = sorted(details, key=lambda key: order.index(key) if key in order else len(order))
    return [(str(DETAIL_WORDS.get(key, key)), words(details[key])) for key in keys]


def first_error(order, errors):
    """Return the first field in form order that has an error."""
    return next((name for name in order if name in errors), None)


@bp.route("/")
def index():
    """Show the overview of what admins manage."""
    return render_template("admin/index.html")


# Report rounds (the forms are in wiki/views/rounds.py)

@bp.route("/rounds")
def rounds():
    """List the report rounds with links to their edit forms and to a new round."""
    return render_template("admin/rounds.html", rounds=list(ReportRound.newest_first()))


# The audit log

@bp.route("/audit")
def audit_log():
    """Show the audit log, newest first and paginated, optionally of one action."""
    action = request.args.get("action", "").strip()
    number = page_arg()
    query = AuditEntry.newest(action or None)
    last = max(1, -(-query.count() // PER_PAGE))
    if not 1 <= number <= last:
        abort(404)
    entries = list(query.paginate(number, PER_PAGE))
    return render_template("admin/audit.html", entries=entries, targets=audit.targets(entries),
                           actions=AuditEntry.actions(), action=action, number=number, last=last)
