"""Status reports: checking one, saving it with its versions, carrying it into the measure."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from wiki.db import db, utcnow
from wiki.domain import (
    cleaning,
    editing,
    merge,
    metadata,
    notifications,
    revisions,
    schedule,
    search,
    vocabulary,
)
from wiki.domain.labels import TRAFFIC_LIGHT_LABELS
from wiki.models import ReportVersion, StatusReport
from wiki.models.reports import TRAFFIC_LIGHTS

FIELDS = ("period", "date", "status", "traffic_light", "progress")
LABELS = {"period": _l("Berichtszeitraum"), "date": _l("Datum"), "status": _l("Status"),
          "traffic_light": _l("Ampel"), "progress": _l("Fortschritt"), "body": _l("Text"),
          "summary": _l("Zusammenfassung der Änderung")}
# The measure revision a report makes is German in the history, whatever the UI language.
MEASURE_SUMMARY = "Status und Fortschritt aus dem Sachstandsbericht {period} übernommen"


def form_values(report):
    """Return a report's (or version's) fields as the form shows them."""
    return {"period": report.period, "date": report.date.isoformat(), "status": report.status,
            "traffic_light": report.traffic_light, "progress": str(report.progress)}


def clean_report(raw, body, today):
    """Return typed report values and {field: German message} for each problem."""
    values, errors = {"body": body}, {}
    try:
        kind = vocabulary.current().report_period
        values["period"] = cleaning.period(raw.get("period"), kind) or cleaning.missing()
    except cleaning.Refused as error:
        errors["period"] = str(error) if not error.malformed else _(
            "Bitte den Berichtszeitraum angeben, %(form)s.",
            form=schedule.PERIOD_FORMS[kind])
    try:
        values["date"] = cleaning.iso_day(raw.get("date")) or cleaning.missing()
    except cleaning.Refused as error:
        errors["date"] = str(error) if not error.malformed else _(
            "Bitte den Tag des Berichts angeben, z. B. 30.06.2024 oder 2024-06-30.")
    else:
        if values["date"] > today:
            errors["date"] = _("Das Datum liegt in der Zukunft.")
        elif "period" in values and values["date"] < schedule.parse_date(values["period"]):
            errors["date"] = _("Das Datum liegt vor dem Berichtszeitraum %(period)s.",
                               period=values["period"])
    for name, options, message in (
            ("status", vocabulary.current().status_keys,
             _("Bitte einen der angebotenen Status wählen.")),
            ("traffic_light", TRAFFIC_LIGHTS, _("Bitte eine Ampelfarbe wählen: grün, gelb "
                                                "oder rot."))):
        if raw.get(name) in options:
            values[name] = raw[name]
        else:
            errors[name] = message
    try:
        if not raw.get("progress"):
            raise ValueError("empty")
        values["progress"] = metadata.clean_progress(raw["progress"])
    except ValueError:
        errors["progress"] = _("Der Fortschritt muss eine ganze Zahl von 0 bis 100 sein.")
    if not body.strip():
        errors["body"] = _("Der Berichtstext fehlt.")
    errors.update(editing.body_errors(body))
    return values, errors


class DateTaken(Exception):
    """The measure has another report on the date of the one being saved."""


def taken(measure, report, values, errors):
    """Return an error when the measure already has another report on that date."""
    if "date" in errors:
        return {}
    if StatusReport.on_day(measure, values["date"], besides=report).exists():
        return {"date": _("Für %(code)s gibt es an diesem Tag schon einen Bericht; bitte "
                          "bearbeiten Sie diesen.", code=measure.code)}
    return {}


def save_report(measure, values, author, report=None, base=None, summary="", *, imported=None):
    """Create a report, or store a new version of one; None when base is no longer current.

    Raises DateTaken when the measure has another report of that day: the check runs again
    under the measure's lock, since two saves may both have passed the form's check. The lock
    also keeps an edit of the measure saved meanwhile from being undone by the carry-over.

    imported: the moment an imported report was written. The importer brings the measure's
    revisions, carry-overs included, from the folder, and an import tells no watcher.
    """
    now, html = imported or utcnow(), revisions.render(values["body"])
    with db.atomic():
        revisions.lock(measure.page)
        if StatusReport.on_day(measure, values["date"], besides=report).exists():
            raise DateTaken
        if report is None:
            report = StatusReport.create(measure=measure, author=author, html=html, created=now,
                                         updated=now, version=1, **values)
        else:
            # Only the edit that still holds the current version may write: no lost update.
            changed = (StatusReport.update(html=html, updated=now,
                                           version=StatusReport.version + 1, **values)
                       .where((StatusReport.id == report.id) & (StatusReport.version == base))
                       .execute())
            if not changed:
                return None
            report = StatusReport.get_by_id(report.id)
        ReportVersion.create(report=report, number=report.version, author=author, html=html,
                             created=now, summary=summary, **values)
        search.index_report(report, measure)
        if imported is None:
            _carry_to_measure(measure, report, author)
            notifications.report_saved(report, created=report.version == 1)
    return report


def _carry_to_measure(measure, report, author):
    """Give the measure the status and progress of its newest report, as a new revision."""
    newest = StatusReport.of(measure).first()
    if newest.id != report.id or (measure.status, measure.progress) == (report.status,
                                                                          report.progress):
        return
    latest = measure.page.latest()
    values, errors = metadata.clean_measure(metadata.from_snapshot(latest.meta))
    if errors:  # an old snapshot that no longer passes: keep the row in step all the same
        measure.status, measure.progress = report.status, report.progress
        measure.save()
        return
    values.update(code=measure.code, title=latest.title, status=report.status,
                  progress=report.progress)
    revisions.save_measure(measure, values=values, body=latest.body, author=author,
                           summary=MEASURE_SUMMARY.format(period=report.period))


def conflict(report, state):
    """Return the three-way merge of an edit against the report's newer versions."""
    current = StatusReport.get_by_id(report.id)
    base = (ReportVersion.select()
            .where((ReportVersion.report == report) & (ReportVersion.number == state["base"]))
            .first())
    base_fields = form_values(base) if base else dict.fromkeys(FIELDS, "")
    theirs = form_values(current)
    merged_body = merge.merge_text(base.body if base else "", state["body"], current.body)
    merged, clashes = merge.merge_fields(base_fields, state["raw"], theirs)
    return {
        "intro": _("Seit Sie mit dem Bearbeiten begonnen haben, wurde dieser Bericht "
                   "gespeichert. Ihre Änderungen sind noch nicht gespeichert; sie sind unten mit "
                   "denen der anderen zusammengeführt."),
        "since": list(ReportVersion.of(report).where(ReportVersion.number > state["base"])),
        "body_diff": editing.condense(merge.diff_words(base.body if base else "", current.body)),
        "body": merged_body.text(),
        "clean": merged_body.clean and not clashes,
        "changed": [(name, LABELS[name], base_fields[name], theirs[name]) for name in FIELDS
                    if base_fields[name] != theirs[name]],
        "clashes": {name: (state["raw"][name], theirs[name]) for name in clashes},
        "merged": merged,
        "version": current.version,
    }


def shown(name, value):
    """Return a report field as the UI shows it: labels for codes, % for progress."""
    if name == "status":
        return vocabulary.status_label(value)
    if name == "traffic_light":
        return str(TRAFFIC_LIGHT_LABELS.get(value, value))
    if name == "progress":
        return f"{value} %"
    return value
