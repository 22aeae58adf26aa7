"""Administration of action fields: create, edit, and delete those without measures."""
import peewee
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from wiki import audit
from wiki.db import db
from wiki.domain import cleaning, markdown, revisions
from wiki.models import ActionField, Measure
from wiki.views.admin.home import bp, first_error

# The form's fields in the order it shows them: the first one with an error gets the focus.
FIELD_FORM = ("code", "title", "summary", "position", "body")


@bp.route("/fields")
def fields():
    """List the action fields in architecture order with their numbers of measures."""
    return render_template("admin/fields.html", fields=list(ActionField.ordered()),
                           counts=Measure.count_by_field())


@bp.route("/fields/new", methods=["GET", "POST"])
def field_create():
    """Show the form for a new action field, or save it."""
    return _field_edit(None)


@bp.route("/fields/<code>/edit", methods=["GET", "POST"])
def field_edit(code):
    """Show the edit form of an action field, or save it."""
    return _field_edit(ActionField.by_code_or_404(code))


def _field_edit(field):
    """Show the field form; refuse bad input with 400, or save and go back to the list."""
    if request.method == "GET":
        return _field_form(field, _field_initial(field))
    raw = {name: request.form.get(name, "") for name in FIELD_FORM}
    if field is not None:
        raw["code"] = field.code  # the code is in every revision's metadata: it stays
    values, errors = clean_field(raw, field)
    if errors:
        return _field_form(field, raw, errors), 400
    values["html"] = revisions.render(values["body"])
    try:
        with db.atomic():
            if field is None:
                ActionField.create(**values)
            else:
                ActionField.update(**values).where(ActionField.id == field.id).execute()
            audit.record("field.create" if field is None else "field.edit",
                         f"field/{values['code']}")
    except peewee.IntegrityError:  # taken by someone else since the check
        return _field_form(None, raw, {"code": _field_code_taken(values["code"])}), 400
    flash(_("Handlungsfeld %(code)s gespeichert.", code=values["code"]), "success")
    return redirect(url_for(".fields"))


def _field_initial(field):
    """Return the form values of a saved field, or of a new one placed last."""
    if field is None:
        last = ActionField.ordered().order_by(ActionField.position.desc()).first()
        return dict.fromkeys(FIELD_FORM, "") | {"position": str(last.position + 1 if last else 1)}
    return {"code": field.code, "title": field.title, "summary": field.summary,
            "position": str(field.position), "body": field.body}


def _field_form(field, raw, errors=None):
    """Render the field form with what was typed and its errors."""
    errors = errors or {}
    return render_template("admin/field_form.html", field=field, raw=raw, errors=errors,
                           first_error=first_error(FIELD_FORM, errors))


def _field_code_taken(code):
    """Return the error for a field code that is already taken."""
    return _("Das Kürzel „%(code)s“ hat schon ein anderes Handlungsfeld.", code=code)


def clean_field(raw, field):
    """Check the field form; return (values, {field: German message})."""
    values, errors = {}, {}
    # The summary is one line however it was pasted: its blanks and line breaks become spaces.
    for name, clean, text in (("code", cleaning.ascii_line, raw["code"]),
                              ("title", cleaning.line, raw["title"]),
                              ("summary", cleaning.line, " ".join(raw["summary"].split())),
                              ("body", cleaning.markdown_text, raw["body"])):
        try:
            values[name] = clean(text)
        except cleaning.Refused as error:
            values[name], errors[name] = text, str(error)
    values["code"] = code = values["code"].upper()
    if field is None and "code" not in errors:
        if not markdown.CODE.match(code):
            errors["code"] = _("Das Kürzel „%(text)s“ passt nicht: erlaubt sind 1 bis 16 "
                               "Buchstaben, Ziffern, Punkt, Bindestrich und Unterstrich, am "
                               "Anfang ein Buchstabe oder eine Ziffer, z. B. HF7 oder D.",
                               text=raw["code"].strip())
        elif ActionField.select().where(ActionField.code == code).exists():
            errors["code"] = _field_code_taken(code)
    if "title" in errors:
        pass
    elif not values["title"]:
        errors["title"] = _("Bitte geben Sie einen Titel an, z. B. „Moderne Arbeitswelt“.")
    elif len(values["title"]) > 300:
        errors["title"] = _("Der Titel darf höchstens 300 Zeichen lang sein.")
    if "summary" not in errors and len(values["summary"]) > 1000:
        errors["summary"] = _("Die Kurzbeschreibung darf höchstens 1000 Zeichen lang sein.")
    try:
        values["position"] = cleaning.whole(raw["position"], high=999)
    except cleaning.Refused:
        errors["position"] = _("Die Position „%(text)s“ ist keine ganze Zahl von 0 bis 999.",
                               text=raw["position"].strip())
    return values, errors


@bp.route("/fields/<code>/delete", methods=["GET", "POST"])
def field_delete(code):
    """Ask before deleting an action field (GET), or delete it when it has no measures."""
    field = ActionField.by_code_or_404(code)
    count = field.measures.count()
    error = ngettext("Das Handlungsfeld %(code)s hat noch %(num)d Maßnahme. Ordnen Sie sie zuerst "
                     "einem anderen Handlungsfeld zu.", "Das Handlungsfeld %(code)s hat noch "
                     "%(num)d Maßnahmen. Ordnen Sie diese zuerst einem anderen Handlungsfeld zu.",
                     count, code=field.code) if count else None
    if request.method == "GET" or error:
        status = 400 if request.method == "POST" else 200
        return render_template("admin/field_delete.html", field=field, error=error), status
    with db.atomic():
        ActionField.delete().where(ActionField.id == field.id).execute()
        audit.record("field.delete", f"field/{field.code}", title=field.title)
    flash(_("Handlungsfeld %(code)s gelöscht.", code=field.code), "success")
    return redirect(url_for(".fields"))
