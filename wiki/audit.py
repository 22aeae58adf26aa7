"""The audit log: every admin action, readable by admins."""
from datetime import timedelta

from flask import current_app, has_request_context, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from wiki.db import utcnow
from wiki.models import ActionField, AuditEntry, User
from wiki.security import client_address

# Each action in words, for the log; an action missing here is shown by its code.
ACTIONS = {
    "user.create": _l("Benutzerkonto angelegt"),
    "user.role": _l("Rolle geändert"),
    "user.disable": _l("Benutzerkonto deaktiviert"),
    "user.enable": _l("Benutzerkonto wieder aktiviert"),
    "user.password": _l("Passwort zurückgesetzt"),
    "user.pseudonymise": _l("Benutzerkonto pseudonymisiert"),
    "user.sso_create": _l("Benutzerkonto per Single Sign-on angelegt"),
    "field.create": _l("Handlungsfeld angelegt"),
    "field.edit": _l("Handlungsfeld geändert"),
    "field.delete": _l("Handlungsfeld gelöscht"),
    "strategy.edit": _l("Strategie geändert"),
    "vocabulary.edit": _l("Status und Kennzeichnungen geändert"),
    "strategy.setup": _l("Strategie eingerichtet"),
    "round.create": _l("Berichtsrunde angelegt"),
    "round.edit": _l("Berichtsrunde geändert"),
    "comment.hide": _l("Kommentar ausgeblendet"),
    "comment.unhide": _l("Kommentar wieder eingeblendet"),
    "measures.import": _l("Maßnahmen aus Tabelle importiert"),
    "file.undelete": _l("Gelöschte Datei wiederhergestellt"),
    "file.purge": _l("Datei endgültig gelöscht"),
}


def record(action, target="", **details):
    """Record an admin action by the current user (target and details never name a person)."""
    in_request = has_request_context()
    actor = current_user if in_request and current_user.is_authenticated else None
    address = client_address() if in_request else ""
    days = current_app.config["AUDIT_ADDRESS_DAYS"]
    AuditEntry.create(user=actor.id if actor else None, action=action, target=str(target),
                      details=details, address=address if days else "")
    if days:  # the address is kept only as long as the setting says; then it is blanked
        cutoff = utcnow() - timedelta(days=days)
        (AuditEntry.update(address="")
         .where((AuditEntry.created < cutoff) & (AuditEntry.address != ""))
         .execute())


def describe(action):
    """Return an action in words."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def targets(entries):
    """Return {entry id: (text, url or None)}: each entry's target, linked where it still exists."""
    parsed = {entry.id: _target_parts(entry) for entry in entries}
    user_ids = {int(ident) for kind, ident in parsed.values() if kind == "user" and ident.isdigit()}
    users = {user.id: user for user in User.select().where(User.id.in_(user_ids or [0]))}
    codes = {code for (code,) in ActionField.select(ActionField.code).tuples()}
    return {entry_id: _target_link(kind, ident, users, codes)
            for entry_id, (kind, ident) in parsed.items()}


def _target_parts(entry):
    """Return (kind, identifier) of an entry's target: "user/7" or, for rounds, the plain slug."""
    kind, _slash, ident = entry.target.partition("/")
    if not ident:  # report rounds are recorded by their slug alone
        return entry.action.split(".")[0], entry.target
    return kind, ident


def _target_link(kind, ident, users, codes):
    """Return (text, url or None) for one target."""
    if kind == "user" and ident.isdigit():
        user = users.get(int(ident))
        if user is None:
            return gettext("Benutzerkonto %(id)s (gelöscht)", id=ident), None
        return user.display_name, url_for("admin.user", user_id=user.id)
    if kind == "field":
        return ident, url_for("admin.field_edit", code=ident) if ident in codes else None
    if kind == "comment" and ident.isdigit():
        return gettext("Kommentar %(id)s", id=ident), url_for("comments.show",
                                                               comment_id=int(ident))
    if kind == "round" and ident:
        return ident, url_for("rounds.view", slug=ident)
    if kind == "strategy":
        return gettext("Strategie"), url_for("admin.settings")
    return "/".join(part for part in (kind, ident) if part), None
