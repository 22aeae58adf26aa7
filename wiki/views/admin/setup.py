"""Setting up an empty instance in the browser: the strategy, its Leitbild and a checklist."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wiki import audit
from wiki.db import db
from wiki.domain import cleaning, revisions, vocabulary
from wiki.exchange.programme import LEITBILD_SLUG, LEITBILD_TITLE
from wiki.models import ActionField, AuditEntry, Measure, Page, ReportRound, StatusReport, Strategy
from wiki.views.admin.home import bp, first_error
from wiki.views.admin.settings import STRATEGY_FORM, clean_strategy

SETUP_FORM = (*STRATEGY_FORM, "leitbild", "report_period")


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """Show the setup checklist and the strategy form; save the strategy and its Leitbild."""
    strategy = Strategy.current()
    if request.method == "GET":
        return _setup_page(strategy, _initial(strategy))
    raw = {name: request.form.get(name, "") for name in SETUP_FORM}
    values, errors = clean_setup(raw, strategy)
    if errors:
        return _setup_page(strategy, raw, errors), 400
    save_setup(strategy, values)
    flash(_("Strategie eingerichtet."), "success")
    return redirect(url_for(".setup"))


def steps():
    """Return the setup's steps as (words, done, url) in order."""
    strategy = Strategy.current()
    return [
        (_("Strategie: Titel, Laufzeit, Leitbild"), strategy is not None, url_for(".setup")),
        (_("Handlungsfelder anlegen"), ActionField.select().exists(), url_for(".fields")),
        (_("Status und Kennzeichnungen prüfen"),
         AuditEntry.select().where(AuditEntry.action == "vocabulary.edit").exists(),
         url_for(".vocabulary_edit")),
        (_("Erste Maßnahme anlegen"), Measure.select().exists(), url_for("measures.create")),
    ]


def _initial(strategy):
    """Return the form values of the saved strategy and Leitbild (empty before there is one)."""
    if strategy is None:
        return {**dict.fromkeys(SETUP_FORM, ""), "report_period": "quarter"}
    leitbild = strategy.leitbild if strategy.leitbild_id else None
    return {"title": strategy.title, "period_start": strategy.period_start.isoformat(),
            "period_end": strategy.period_end.isoformat(),
            "leitbild": leitbild.latest().body if leitbild and leitbild.revision_count else "",
            "report_period": vocabulary.current().report_period}


def _setup_page(strategy, raw, errors=None):
    """Render the setup page: the checklist and the strategy form."""
    errors = errors or {}
    return render_template("admin/setup.html", strategy=strategy, raw=raw, errors=errors,
                           first_error=first_error(SETUP_FORM, errors), steps=steps(),
                           periods=vocabulary.PERIODS)


def clean_setup(raw, strategy):
    """Check the setup form; return (values, {field: German message})."""
    values, errors = clean_strategy(raw)
    try:
        values["leitbild"] = cleaning.markdown_text(raw["leitbild"])
    except cleaning.Refused as error:
        errors["leitbild"] = str(error)
    period = raw["report_period"]
    if period not in vocabulary.PERIODS:
        errors["report_period"] = _("Bitte wählen Sie einen Berichtsrhythmus.")
    elif strategy is not None and period != vocabulary.current().report_period and \
            (StatusReport.select().exists() or ReportRound.select().exists()):
        errors["report_period"] = _("Der Berichtsrhythmus kann nicht mehr geändert werden: es "
                                    "gibt schon Berichte oder Berichtsrunden.")
    values["report_period"] = period
    return values, errors


def save_setup(strategy, values):
    """Create or update the strategy, its settings' report period and the Leitbild page."""
    strategy_values = {name: values[name] for name in STRATEGY_FORM}
    with db.atomic():
        if strategy is None:
            strategy = Strategy.create(**strategy_values)
        else:
            Strategy.update(**strategy_values).where(Strategy.id == strategy.id).execute()
        settings = {**(strategy.settings or {}), "report_period": values["report_period"]}
        if values["report_period"] == "quarter":
            settings.pop("report_period")
        leitbild = _save_leitbild(strategy, values["leitbild"])
        Strategy.update(settings=settings, leitbild=leitbild).where(
            Strategy.id == strategy.id).execute()
        audit.record("strategy.setup", "strategy", changed=list(SETUP_FORM))
    vocabulary.forget()


def _save_leitbild(strategy, body):
    """Save the Leitbild's text as a new revision when it changed; return its page (or None)."""
    page = strategy.leitbild if strategy.leitbild_id else \
        Page.select().where(Page.slug == LEITBILD_SLUG).first()
    if (page.latest().body if page and page.revision_count else "") == body:
        return page
    if page is None:
        page = revisions.new_page(LEITBILD_TITLE, LEITBILD_SLUG)
    return revisions.save_page(page, title=LEITBILD_TITLE, body=body, author=current_user.id,
                               summary=_("Leitbild bei der Einrichtung")).page


@bp.context_processor
def _setup_steps():
    """Give the admin templates the setup's steps, read only when a template asks."""
    return {"setup_steps": steps}
