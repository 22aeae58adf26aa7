"""Settings: the strategy's title and period, and the effective configuration, read-only."""
import inspect
import re
from urllib.parse import urlsplit, urlunsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from wiki import audit, config
from wiki.db import db
from wiki.domain import cleaning
from wiki.models import Strategy
from wiki.views.admin.home import bp, first_error

# The form's fields in the order it shows them: the first one with an error gets the focus.
STRATEGY_FORM = ("title", "period_start", "period_end")
# Settings whose value the settings page never shows.
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|_KEY$")
ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)\s*=")


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Show the effective configuration; save the strategy's title and period."""
    strategy = Strategy.current()
    if request.method == "GET":
        return _settings_page(strategy, _strategy_initial(strategy))
    raw = {name: request.form.get(name, "") for name in STRATEGY_FORM}
    values, errors = clean_strategy(raw)
    if errors:
        return _settings_page(strategy, raw, errors), 400
    with db.atomic():
        if strategy is None:
            Strategy.create(**values)
            changed = list(STRATEGY_FORM)
        else:
            changed = [name for name in STRATEGY_FORM if getattr(strategy, name) != values[name]]
            Strategy.update(**values).where(Strategy.id == strategy.id).execute()
        audit.record("strategy.edit", "strategy", changed=changed)
    flash(_("Titel und Laufzeit der Strategie gespeichert."), "success")
    return redirect(url_for(".settings"))


def _strategy_initial(strategy):
    """Return the form values of the saved strategy (empty before there is one)."""
    if strategy is None:
        return dict.fromkeys(STRATEGY_FORM, "")
    return {"title": strategy.title, "period_start": strategy.period_start.isoformat(),
            "period_end": strategy.period_end.isoformat()}


def _settings_page(strategy, raw, errors=None):
    """Render the settings page: the strategy form and the configuration table."""
    errors = errors or {}
    return render_template("admin/settings.html", strategy=strategy, raw=raw, errors=errors,
                           first_error=first_error(STRATEGY_FORM, errors),
                           settings=effective_settings())


def clean_strategy(raw):
    """Check the strategy form; return (values, {field: German message})."""
    values, errors = {}, {}
    try:
        values["title"] = cleaning.line(raw["title"])
    except cleaning.Refused as error:
        errors["title"] = str(error)
    else:
        if not values["title"]:
            errors["title"] = _("Bitte geben Sie den Titel der Strategie an.")
        elif len(values["title"]) > 300:
            errors["title"] = _("Der Titel darf höchstens 300 Zeichen lang sein.")
    for name, end in (("period_start", False), ("period_end", True)):
        try:
            values[name] = cleaning.day(raw[name], end=end) or cleaning.missing()
        except cleaning.Refused as error:
            errors[name] = str(error)
    if not errors.keys() & {"period_start", "period_end"} and \
            values["period_end"] < values["period_start"]:
        errors["period_end"] = _("Das Ende der Laufzeit liegt vor ihrem Beginn.")
    return values, errors


def effective_settings():
    """Return (key, shown value, is default, meaning) for each documented setting."""
    rows = []
    for key, meaning in config_docs():
        value = current_app.config.get(key)
        rows.append((key, shown_value(key, value), value == getattr(config, key), meaning))
    return rows


def config_docs():
    """Return (key, comment) for each setting in wiki/config.py, in order.

    The comment block above an assignment documents it and the assignments right below it.
    """
    docs, comment, after_assignment = [], [], False
    for line in inspect.getsource(config).splitlines():
        text = line.strip()
        if not text or text.startswith("# ---"):  # a blank line or a section heading
            comment, after_assignment = [], False
        elif text.startswith("#"):
            if after_assignment:
                comment, after_assignment = [], False
            comment.append(text.lstrip("#").strip())
        elif match := ASSIGNMENT.match(line):
            docs.append((match[1], " ".join(comment)))
            after_assignment = True
    return docs


def shown_value(key, value):
    """Return a setting's value as text, with secrets and passwords in URLs masked."""
    if value is None or value == "" or value == []:
        return _("(nicht gesetzt)")
    if SECRET_NAME.search(key):
        return _("(gesetzt, verborgen)")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str) and "://" in value:
        parts = urlsplit(value)
        if parts.password:
            netloc = f"{parts.username}:••••••@{parts.hostname}"
            netloc += f":{parts.port}" if parts.port else ""
            return urlunsplit(parts._replace(netloc=netloc))
    return str(value)
