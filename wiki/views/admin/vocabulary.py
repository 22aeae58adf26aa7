"""The programme's own words: statuses, markings, report period and code pattern, in one form."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from wiki import audit
from wiki.db import db
from wiki.domain import metadata, vocabulary
from wiki.models import Measure, ReportRound, ReportVersion, StatusReport, Strategy
from wiki.views.admin.home import bp

BLANK_ROWS = 2  # empty rows after each table, for new entries; blank ones are ignored
STATUS_FIELDS = ("key", "name", "definition", "category", "position")
MARKING_FIELDS = ("key", "name", "definition", "colour", "symbol", "position")
FIELD_WORDS = {"name": _l("Name"), "definition": _l("Bedeutung"), "category": _l("Kategorie"),
               "colour": _l("Farbe"), "symbol": _l("Symbol"), "duty": _l("gesetzliche Pflicht"),
               "position": _l("Reihenfolge"), "key": _l("Schlüssel")}
KINDS = {"statuses": ("status", _l("Status")), "markings": ("marking", _l("Kennzeichnung"))}


@bp.route("/vocabulary", methods=["GET", "POST"])
def vocabulary_edit():
    """Show the programme's words as a form; save them when nothing is wrong."""
    strategy = Strategy.current()
    if strategy is None:
        return render_template("admin/vocabulary.html", strategy=None)
    words = vocabulary.current()
    if request.method == "GET":
        return _page(strategy, initial(words), {})
    rows = read_form(request.form)
    new, errors = check(rows, words)
    if errors:
        return _page(strategy, rows, errors), 400
    save(strategy, new, words)
    flash(_("Status, Kennzeichnungen und Regeln gespeichert."), "success")
    return redirect(url_for(".vocabulary_edit"))


def _page(strategy, rows, errors):
    """Render the vocabulary form with its rows and errors."""
    return render_template("admin/vocabulary.html", strategy=strategy, rows=rows, errors=errors,
                           categories=vocabulary.CATEGORIES, periods=vocabulary.PERIODS,
                           words=FIELD_WORDS, summary=[(ident, _error_label(ident), message)
                                    for ident, message in errors.items()],
                           first_error=next(iter(errors), None))


def _error_label(ident):
    """Return a form field's place in words: "Status, Zeile 3, Name"."""
    if ident.startswith("f-"):
        return {"f-report_period": _("Berichtsrhythmus"), "f-code_pattern": _("Kürzel-Muster"),
                "f-code_pattern_text": _("Muster in Worten"), "f-statuses": _("Status"),
                "f-markings": _("Kennzeichnungen")}.get(ident, ident[2:])
    prefix, index, field = ident.split("-", 2)
    kind = _("Status") if prefix == "status" else _("Kennzeichnung")
    what = _("entfernen") if field == "remove" else FIELD_WORDS.get(field, field)
    return _("%(kind)s, Zeile %(row)d, %(field)s", kind=kind, row=int(index) + 1, field=what)


def initial(words):
    """Return the form rows of a vocabulary, with blank rows for new entries."""
    def blank(fields):
        return [{**dict.fromkeys(fields, ""), "remove": False, "duty": False}] * BLANK_ROWS

    # The names as stored, never translated: saving the form in English keeps the defaults.
    statuses = [{"key": s.key, "name": s.name, "category": s.category,
                 "definition": s.definition, "position": str(number),
                 "remove": False} for number, s in enumerate(words.statuses, 1)]
    markings = [{"key": m.key, "name": m.name, "colour": m.colour,
                 "symbol": m.symbol, "definition": m.definition,
                 "duty": m.duty, "position": str(number), "remove": False}
                for number, m in enumerate(words.markings, 1)]
    return {"statuses": statuses + blank(STATUS_FIELDS),
            "markings": markings + blank(MARKING_FIELDS),
            "report_period": words.report_period, "code_pattern": words.code_pattern,
            "code_pattern_text": words.code_pattern_text}


def read_form(form):
    """Return the rows as typed: each table's rows, the period and the pattern."""
    rows = {"report_period": form.get("report_period", ""),
            "code_pattern": form.get("code_pattern", ""),
            "code_pattern_text": form.get("code_pattern_text", "")}
    for kind, (prefix, _words) in KINDS.items():
        fields = STATUS_FIELDS if kind == "statuses" else MARKING_FIELDS
        rows[kind] = []
        limit = vocabulary.LIMITS[kind] + BLANK_ROWS + 1
        for index in range(limit):  # bounded: never more rows than a programme may have
            if f"{prefix}-{index}-key" not in form:
                break
            row = {name: form.get(f"{prefix}-{index}-{name}", "").strip() for name in fields}
            row["remove"] = bool(form.get(f"{prefix}-{index}-remove"))
            if kind == "markings":
                row["duty"] = bool(form.get(f"{prefix}-{index}-duty"))
                picked = form.get(f"{prefix}-{index}-pick", "")
                if picked != form.get(f"{prefix}-{index}-picked", "") and \
                        row["colour"] == form.get(f"{prefix}-{index}-was", ""):
                    row["colour"] = picked  # the picker changed and the text did not
            rows[kind].append(row)
    return rows


def check(rows, words):
    """Return (the new vocabulary, {form field id: German message})."""
    errors, mapping, placed = {}, dict(rows), {}
    for kind, (prefix, _words) in KINDS.items():
        kept, placed[kind] = [], []
        for index, row in enumerate(rows[kind]):
            if row["remove"] or _blank(row):
                continue
            try:
                position = int(row["position"] or 1000 + index)
            except ValueError:
                errors[f"{prefix}-{index}-position"] = _("Die Reihenfolge muss eine ganze Zahl "
                                                         "sein.")
                position = 1000 + index
            kept.append((position, index, row))
        kept.sort(key=lambda item: item[:2])
        placed[kind] = [index for _position, index, _row in kept]
        mapping[kind] = [_item(kind, row) for _position, _index, row in kept]
    for kind, message in (("statuses", _("Mindestens ein Status ist nötig.")),
                          ("markings", _("Mindestens eine Kennzeichnung ist nötig."))):
        if not mapping[kind]:
            errors[f"f-{kind}"] = message
    new, problems = vocabulary.parse(mapping)
    for path, message in problems.items():
        errors.setdefault(_field_id(path, placed), message)
    if not errors:
        errors.update(in_use(rows, new, words))
    return new, errors


def _blank(row):
    """Tell whether a row is a new, untouched one (it is then ignored)."""
    return not row["key"] and not any(row.get(name) for name in ("name", "definition", "symbol",
                                                                   "colour"))


def _item(kind, row):
    """Return one status or marking as parse() wants it."""
    if kind == "statuses":
        names = ("key", "name", "category", "definition")
    else:
        names = ("key", "name", "symbol", "colour", "definition", "duty")
    return {name: row[name] for name in names}


def _field_id(path, placed):
    """Return the form field's id of a parse() path such as "statuses[2].name"."""
    kind, _bracket, rest = path.partition("[")
    if kind not in KINDS or not rest:
        return f"f-{path}"
    number, _close, field = rest.partition("]")
    index = placed[kind][int(number) - 1]
    return f"{KINDS[kind][0]}-{index}-{field.lstrip('.') or 'name'}"


def in_use(rows, new, words):
    """Return errors for removed statuses or markings still in use, a period or pattern change
    that existing reports or codes do not fit."""
    errors = {}
    for key in words.status_keys:
        codes = _codes_with_status(key) if key not in new.status_keys else None
        if codes:
            errors[_removed_field(rows, "statuses", key)] = _(
                "Status »%(name)s« wird noch verwendet von: %(codes)s.",
                name=vocabulary.status_label(key), codes=", ".join(codes))
    for key in words.marking_keys:
        codes = [] if key in new.marking_keys else [
            code for (code,) in Measure.select(Measure.code).where(Measure.obligation == key)
            .order_by(Measure.code).limit(20).tuples()]
        if codes:
            errors[_removed_field(rows, "markings", key)] = _(
                "Kennzeichnung »%(name)s« wird noch verwendet von: %(codes)s.",
                name=vocabulary.marking_label(key), codes=", ".join(codes))
    if new.report_period != words.report_period:
        count = StatusReport.select().count() + ReportRound.select().count()
        if count:
            errors["f-report_period"] = _(
                "Der Berichtsrhythmus kann nicht mehr geändert werden: %(count)d Berichte und "
                "Berichtsrunden haben Zeiträume der bisherigen Art.", count=count)
    if new.code_pattern and new.code_pattern != words.code_pattern:
        pattern = metadata.code_pattern(new.code_pattern)
        misfits = [code for (code,) in Measure.select(Measure.code).order_by(Measure.code)
                   .tuples() if not pattern.fullmatch(code)]
        if misfits:
            errors["f-code_pattern"] = _(
                "Diese Kürzel vorhandener Maßnahmen passen nicht zum Muster: %(codes)s.",
                codes=", ".join(misfits[:20]) + (" …" if len(misfits) > 20 else ""))
    return errors


def _removed_field(rows, kind, key):
    """Return the id of the "entfernen" box of the row holding key (the table's, if none)."""
    prefix = KINDS[kind][0]
    index = next((index for index, row in enumerate(rows[kind]) if row["key"] == key), None)
    return f"f-{kind}" if index is None else f"{prefix}-{index}-remove"


def _codes_with_status(key):
    """Return the codes of the measures whose row or reports carry a status (at most 20)."""
    reported = (StatusReport.select(StatusReport.measure).where(StatusReport.status == key))
    versioned = (StatusReport.select(StatusReport.measure)
                 .join(ReportVersion).where(ReportVersion.status == key))
    query = (Measure.select(Measure.code)
             .where((Measure.status == key) | Measure.id.in_(reported) | Measure.id.in_(versioned))
             .order_by(Measure.code).limit(20))
    return [code for (code,) in query.tuples()]


def save(strategy, new, words):
    """Store a vocabulary in the strategy's settings and record it in the audit log."""
    others = {key: value for key, value in (strategy.settings or {}).items()
              if key not in vocabulary.SETTINGS_KEYS}
    with db.atomic():
        Strategy.update(settings={**others, **new.settings()}).where(
            Strategy.id == strategy.id).execute()
        changed = [name for name in vocabulary.SETTINGS_KEYS
                   if getattr(new, name) != getattr(words, name)]
        audit.record("vocabulary.edit", "strategy", changed=changed)
    vocabulary.forget()
