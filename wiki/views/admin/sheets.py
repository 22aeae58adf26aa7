"""Importing measures from a spreadsheet: upload, map the columns, preview, then save.

The sheet travels between the steps in the form itself, as its file compressed and in base64
(no state on the server); every post reads it again with all of read_sheet's bounds, so a
changed hidden field is no more than another upload. It must fit the form field limit
(MAX_FORM_MEMORY_SIZE); the upload itself MAX_CONTENT_LENGTH.
"""
import base64
import binascii
import zlib

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wiki import audit
from wiki.domain import characters, metadata, vocabulary
from wiki.exchange import columns, sheet_import, sheets, xlsx
from wiki.views.admin.home import bp

# Messages of files that are no spreadsheet at all: answered with 415, other refusals 400.
NOT_SHEETS = {sheets.NOT_A_SHEET, *(message for _, message in sheets.KNOWN)}


@bp.route("/import", methods=["GET", "POST"])
def sheet_import_form():
    """Show the upload form, or read an uploaded sheet and show its mapping and preview."""
    if request.method == "GET":
        return render_template("admin/sheet_upload.html")
    upload = request.files.get("file")
    data = upload.read(sheets.MAX_BYTES + 1) if upload else b""
    if not upload or not upload.filename:
        return _upload_error(_("Bitte eine Datei wählen."), 400)
    try:
        sheet = sheets.read_sheet(data, upload.filename)
    except sheets.SheetError as error:
        return _upload_error(str(error), 415 if str(error) in NOT_SHEETS else 400)
    carried = _carry(data)
    if len(carried) > request.max_form_memory_size:
        return _upload_error(_("Die Datei ist zu groß, um sie hier zu prüfen; bitte die Liste "
                               "aufteilen oder mit »fahrplan import« einlesen."), 413)
    mapping, _problems = sheet_import.guessed_mapping(sheet)
    return _preview(sheet, mapping, carried, _filename(upload.filename))


@bp.route("/import/apply", methods=["POST"])
def sheet_import_apply():
    """Check the sheet with the chosen mapping again; save it all, or show the problems."""
    carried = request.form.get("sheet", "")
    filename = _filename(request.form.get("filename", ""))
    try:
        sheet = sheets.read_sheet(_uncarry(carried), filename)
    except sheets.SheetError as error:
        return _upload_error(str(error), 400)
    mapping = _mapping(sheet)
    if request.form.get("action") != "apply":
        return _preview(sheet, mapping, carried, filename)
    plan, summary = sheet_import.import_sheet(sheet, mapping, author=current_user.id)
    if summary is None:
        return _preview(sheet, mapping, carried, filename, plan=plan, failed=True), 400
    audit.record("measures.import", f"sheet/{filename}", created=summary.created,
                 updated=summary.updated, unchanged=summary.unchanged)
    flash(_("Aus der Tabelle: %(created)d angelegt, %(updated)d aktualisiert, %(unchanged)d "
            "unverändert.", created=summary.created, updated=summary.updated,
            unchanged=summary.unchanged), "success")
    return redirect(url_for("overview.measure_table"))


@bp.route("/import/template.xlsx")
def sheet_template():
    """Send an empty sheet with every column the import reads, typed, to fill in."""
    kinds = {name: "date" for name in ("planned_start", "planned_end", "actual_start",
                                       "actual_end", "legal_deadline")} | {"progress": "number"}
    header = [(columns.HEADERS[name], kinds.get(name, "text")) for name in columns.FIELDS]
    data = xlsx.workbook([(_("Maßnahmen"), header, [])])
    return data, {"Content-Type": xlsx.MIMETYPE,
                  "Content-Disposition": 'attachment; filename="massnahmen-vorlage.xlsx"'}


def _filename(name):
    """Return an uploaded file's name as shown and logged: one line, its last part, bounded."""
    return characters.one_line(name.replace("\\", "/").rsplit("/", 1)[-1])[:120]


def _carry(data):
    """Return a file's bytes as the form carries them: compressed, in URL-safe base64."""
    return base64.urlsafe_b64encode(zlib.compress(data, 6)).decode("ascii")


def _uncarry(carried):
    """Return the bytes a carried sheet holds, at most MAX_BYTES (more: SheetError)."""
    try:
        packed = base64.urlsafe_b64decode(carried.encode("ascii"))
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, sheets.MAX_BYTES + 1)
    except (binascii.Error, ValueError, UnicodeEncodeError, zlib.error):
        raise sheets.SheetError(_("Die Tabelle ging unterwegs verloren; bitte die Datei neu "
                                  "hochladen.")) from None
    if not inflater.eof:
        raise sheets.SheetError(_("Die Datei ist größer als %(mb)d MB; bitte aufteilen.",
                                  mb=sheets.MAX_BYTES // 1_000_000))
    return data


def _mapping(sheet):
    """Return the mapping the form chose: {column index: field} (unknown names kept)."""
    mapping = {}
    for index in range(len(sheet.header)):
        name = request.form.get(f"column-{index}", "")[:40]
        if name:
            mapping[index] = name
    return mapping


def _upload_error(message, status):
    """Show the upload form again with a message."""
    return render_template("admin/sheet_upload.html", error=message), status


def _preview(sheet, mapping, carried, filename, plan=None, failed=False):
    """Render the mapping form and the preview of every row with its problems."""
    if plan is None:
        plan = sheet_import.prepare(sheet, mapping)
    return render_template(
        "admin/sheet_preview.html", sheet=sheet, mapping=mapping, plan=plan, carried=carried,
        filename=filename, failed=failed, fields=columns.FIELDS, column_name=sheets.column_name,
        labels={**metadata.LABELS, "body": _("Beschreibung")}, rows=preview_rows(plan))


def preview_rows(plan):
    """Return for each sheet row its number, outcome and (text, problem) of each column."""
    entries = {entry.number: entry for entry in plan.entries}
    problems = {}
    for problem in plan.problems:
        if problem.row is not None:
            problems.setdefault((problem.row, problem.column), []).append(problem.message)
    rows = []
    for row in plan.sheet.rows:
        entry = entries.get(row.number)
        shown = [(_shown(entry, plan.mapping.get(index), value),
                  " ".join(problems.get((row.number, index), [])))
                 for index, value in enumerate(row.cells)]
        rows.append({"number": row.number, "outcome": _outcome(entry),
                     "cells": shown, "problem": " ".join(problems.get((row.number, None), []))})
    return rows


def _outcome(entry):
    """Return what importing a row would do, in words."""
    if entry is None or entry.errors:
        return _("Fehler") if entry else ""
    if entry.measure is None:
        return _("neu")
    return _("unverändert") if entry.unchanged else _("wird aktualisiert")


def _shown(entry, name, value):
    """Return a cell as the preview shows it: the cleaned value, else the cell as written."""
    if entry is None or name is None or name in entry.errors or name not in {
            *entry.values, "body"}:
        return _written(value)
    if name == "body":
        return entry.body[:120] + ("…" if len(entry.body) > 120 else "")
    cleaned = entry.values[name]
    if isinstance(cleaned, list):
        return ", ".join(cleaned)
    if hasattr(cleaned, "strftime"):
        return cleaned.strftime("%d.%m.%Y")
    if name == "status":
        return vocabulary.status_label(cleaned)
    if name == "obligation":
        return vocabulary.marking_label(cleaned)
    if name == "progress":
        return f"{cleaned} %"
    return "" if cleaned is None else str(cleaned)


def _written(value):
    """Return a raw cell as text, shortened for the preview."""
    if value is None:
        return ""
    text = value.strftime("%d.%m.%Y") if hasattr(value, "strftime") else str(value)
    return text[:120] + ("…" if len(text) > 120 else "")
