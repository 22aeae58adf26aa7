"""Report rounds: which measures must report for a period, the compiled round, the council text."""
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from wiki.domain import cleaning, programme, schedule, vocabulary
from wiki.domain.labels import TRAFFIC_LIGHT_LABELS, show_date, show_quarter
from wiki.domain.markdown import WIKI_LINK
from wiki.models import Dependency, ReportRound, StatusReport

# The heading after which a round's text is its cross-measure part (in the exchange format too).
PROJECTS_HEADING = "## Maßnahmenübergreifende Projekte"
PROJECTS_LINE = re.compile(rf"^{PROJECTS_HEADING}[ \t]*$", re.M)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EXCERPT = 200  # characters of a report's text the round page shows
RESERVED = {"new"}  # slugs of this blueprint's own routes
FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
ATX = re.compile(r"^[ ]{0,3}(#{1,6})(?=[ \t]|$)")
SETEXT = re.compile(r"^[ ]{0,3}(=+|-+)[ \t]*$")
CLOSING_HASHES = re.compile(r"(^|[ \t]+)#+[ \t]*$")


@dataclass
class Entry:
    """One measure in a round: its report for the period, or why none is due."""

    measure: object
    report: object = None
    not_due: str | None = None

    @property
    def excerpt(self):
        """Return the start of the report's text, plain, cut at a word (empty without a report)."""
        text = Markup(self.report.html).striptags() if self.report else ""  # noqa: S704  # nosec B704
        if len(text) <= EXCERPT:
            return text
        return text[:EXCERPT].rsplit(" ", 1)[0].rstrip(",;:.") + " …"

    @property
    def state(self):
        """Return "done", "missing" or "not_due"."""
        if self.report is not None:
            return "done"
        return "not_due" if self.not_due else "missing"


def not_due_reason(measure, start, end):
    """Return why a measure need not report for the period start–end, or None when it must.

    start and end are None for a stored period that cannot be read: then every measure must.
    """
    if start is None:
        return None
    category = vocabulary.category(measure.status)
    if category == "dropped" and (measure.actual_end is None or measure.actual_end < start):
        return vocabulary.status_label(measure.status)
    if category == "done" and measure.actual_end and measure.actual_end < start:
        return _("abgeschlossen vor diesem Zeitraum")
    begins = [day for day in (measure.planned_start, measure.actual_start) if day]
    if not begins:
        return _("noch kein Beginn geplant")
    if min(begins) > end:
        return _("beginnt erst %(quarter)s", quarter=schedule.period_of(
            min(begins), vocabulary.current().report_period))
    return None


def compile_round(round_, measures, reports):
    """Return a round's action fields with their entries, and the counts by state."""
    start, end = schedule.quarter_days(round_.period)
    newest = {}
    for report in reports:  # newest first: the first one of a measure is the one that counts
        if report.period == round_.period:
            newest.setdefault(report.measure_id, report)
    fields, counts = {}, dict.fromkeys(("done", "missing", "not_due"), 0)
    for measure in measures:
        report = newest.get(measure.id)
        entry = Entry(measure, report, None if report else not_due_reason(measure, start, end))
        fields.setdefault(measure.field_id, (measure.field, []))[1].append(entry)
        counts[entry.state] += 1
    return {"fields": list(fields.values()), "counts": counts,
            "overdue": counts["missing"] > 0 and round_.due_date < programme.today()}


def compiled(round_):
    """Return the template context of one round: the round, its fields, counts and today."""
    reports = StatusReport.in_periods([round_.period])
    measures, today = list(ReportRound.measures()), programme.today()
    assessments = schedule.assess(programme.plans_of(measures), Dependency.requires_map(), today)
    return {"round": round_, "today": today, "assessments": assessments,
            **compile_round(round_, measures, list(reports))}


def council_text(context):
    """Return the council report of a compiled round as Markdown."""
    round_, counts, today = context["round"], context["counts"], context["today"]
    parts = [f"# {round_.title}", "  \n".join([
        _("Berichtszeitraum: %(period)s", period=show_quarter(round_.period)),
        _("Fällig am: %(day)s", day=show_date(round_.due_date)),
        _("Erstellt am: %(day)s", day=show_date(today)),
    ]), _("Vorliegende Berichte: %(done)d · fehlende Berichte: %(missing)d · nicht fällig: "
          "%(not_due)d", **counts)]
    if round_.body:
        parts += [f"## {_('Einleitung')}", plain_markdown(round_.body, 3)]
    for field, entries in context["fields"]:
        parts.append(f"## {field.code} {field.title}")
        for entry in entries:
            parts += _entry_text(entry)
    if round_.projects:
        parts += [PROJECTS_HEADING, plain_markdown(round_.projects, 3)]
    return "\n\n".join(parts) + "\n"


def _entry_text(entry):
    """Return the Markdown blocks of one measure: heading, facts in words, report or note."""
    measure, report = entry.measure, entry.report
    facts = [_("Kennzeichnung: %(marking)s", marking=vocabulary.marking_label(measure.obligation))]
    if report:  # the measure's state today would mislead about an earlier period
        facts += [_("Ampel: %(light)s", light=TRAFFIC_LIGHT_LABELS[report.traffic_light]),
                  _("Status: %(status)s", status=vocabulary.status_label(report.status)),
                  _("Fortschritt: %(progress)d %%", progress=report.progress)]
    blocks = [f"### {measure.code} {measure.title}", " · ".join(facts)]
    if report:
        byline = _("Bericht vom %(day)s", day=show_date(report.date))
        if report.author:
            byline += f", {report.author.display_name}"
        blocks += [plain_markdown(report.body, 4) or f"*{_('Ohne Text.')}*", f"*{byline}*"]
    elif entry.not_due:
        blocks.append(f"*{_('Kein Bericht fällig: %(reason)s.', reason=entry.not_due)}*")
    else:
        blocks.append(f"**{_('Bericht fehlt.')}** {_responsible(measure)}")
    return blocks


def _responsible(measure):
    """Return who to ask for a missing report: the owner and the contact person."""
    text = _("Verantwortlich: %(owner)s", owner=measure.owner or "–")
    if measure.contact_id:
        text += "; " + _("Ansprechperson: %(name)s", name=measure.contact.display_name)
    return text


def plain_markdown(text, top):
    """Return Markdown with its headings moved to start at level top and wiki links as text."""
    lines = list(_lines(text.split("\n")))
    levels = [level for level, _line, _code in lines if level]
    shift = max(0, top - min(levels)) if levels else 0
    out = []
    for level, line, code in lines:
        if level:
            line = "#" * min(level + shift, 6) + " " + line
        out.append(line if code else re.sub(WIKI_LINK, lambda m: (m[2] or m[1]).strip(), line))
    return "\n".join(out).strip("\n")


def _lines(lines):
    """Yield (heading level or None, text, inside code) per line; a setext heading is one line."""
    fence, underline = None, False
    for number, line in enumerate(lines):
        marker = FENCE.match(line)
        following = lines[number + 1] if number + 1 < len(lines) else ""
        if underline:
            underline = False
        elif fence or marker:
            if fence is None:
                fence = marker[1]
            elif marker and marker[1].startswith(fence):
                fence = None
            yield None, line, True
        elif match := ATX.match(line):
            yield len(match[1]), CLOSING_HASHES.sub("", line[match.end():]).strip(), False
        elif (line.strip() and SETEXT.match(following)
              and (number == 0 or not lines[number - 1].strip())):
            underline = True
            yield (1 if following.strip()[0] == "=" else 2), line.strip(), False
        else:
            yield None, line, False


def slug_taken(slug):
    """Return the error for a slug that another round (or a route) already has."""
    return _("Die Adresse „%(slug)s“ ist schon vergeben.", slug=slug)


def clean(raw, round_):
    """Check the form; return (values, {field: German message})."""
    values, errors = {}, {}
    for name, clean_text in (("title", cleaning.line), ("slug", cleaning.ascii_line),
                             ("body", cleaning.markdown_text),
                             ("projects", cleaning.markdown_text)):
        try:
            values[name] = clean_text(raw[name])
        except cleaning.Refused as error:
            values[name], errors[name] = raw[name], str(error)
    if "title" in errors:
        pass
    elif not values["title"]:
        errors["title"] = _("Bitte geben Sie einen Titel an, z. B. „Sachstandsbericht 2024/II“.")
    elif len(values["title"]) > 300:
        errors["title"] = _("Der Titel darf höchstens 300 Zeichen lang sein.")
    if round_ is None and "slug" not in errors:
        slug = values["slug"]
        if not slug:
            errors["slug"] = _("Bitte geben Sie eine Adresse an, z. B. „2024-q2“.")
        elif len(slug) > 60 or not SLUG.match(slug):
            errors["slug"] = _("Die Adresse darf nur Kleinbuchstaben, Ziffern und einzelne "
                               "Bindestriche enthalten (höchstens 60 Zeichen), z. B. „2024-q2“.")
        elif slug in RESERVED or ReportRound.by_slug(slug) is not None:
            errors["slug"] = slug_taken(slug)
    if round_ is not None:
        del values["slug"]
    try:
        kind = vocabulary.current().report_period
        values["period"] = cleaning.period(raw["period"], kind) or cleaning.missing()
    except cleaning.Refused as error:
        errors["period"] = str(error) if not error.malformed else _(
            "Der Zeitraum „%(text)s“ ist kein %(kind)s; bitte so schreiben: %(form)s.",
            text=raw["period"].strip(), kind=vocabulary.PERIODS[kind],
            form=schedule.PERIOD_FORMS[kind])
    try:
        values["due_date"] = cleaning.iso_day(raw["due_date"]) or cleaning.missing()
    except cleaning.Refused as error:
        values["due_date"] = None
        errors["due_date"] = str(error) if not error.malformed else _(
            "Das Fälligkeitsdatum „%(text)s“ ist kein Tag; bitte so schreiben: z. B. 15.07.2024 "
            "oder 2024-07-15.", text=raw["due_date"].strip())
    if "body" not in errors and PROJECTS_LINE.search(values["body"]):
        errors["body"] = _("Die Einleitung darf keine Überschrift „Maßnahmenübergreifende "
                           "Projekte“ enthalten: Dieser Text gehört in das Feld darunter.")
    return values, errors
