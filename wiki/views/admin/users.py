"""Administration of accounts: create, change the role, disable and enable, reset the password."""
import re
import secrets

import peewee
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wiki import audit
from wiki.db import db
from wiki.domain import cleaning
from wiki.domain.accounts import disable_user
from wiki.models import Session, User
from wiki.models.accounts import ROLES
from wiki.security import hash_password
from wiki.views.admin.home import ROLE_LABELS, bp, first_error, role_label

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,79}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The form's fields in the order it shows them: the first one with an error gets the focus.
USER_FORM = ("username", "name", "email", "role")
# Passwords are read out or typed from a note: no 0/O, 1/l/I.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105  # nosec B105


def get_user_or_404(user_id):
    """Return the user with this id or abort with 404."""
    user = User.get_or_none(User.id == user_id)
    if user is None:
        abort(404)
    return user


def new_password():
    """Return a generated password: four groups of four, about 90 bits."""
    letters = "".join(secrets.choice(PASSWORD_ALPHABET) for _letter in range(16))
    return "-".join(letters[start:start + 4] for start in range(0, 16, 4))


@bp.route("/users")
def users():
    """List every account with its role, state and last activity."""
    return render_template("admin/users.html", users=list(User.ordered()),
                           last_seen=Session.last_seen_by_user())


@bp.route("/users/new", methods=["GET", "POST"])
def user_create():
    """Show the form for a new account, or create it and show its password once."""
    if request.method == "GET":
        return _user_form(dict.fromkeys(USER_FORM, "") | {"role": "editor"})
    raw = {name: request.form.get(name, "") for name in USER_FORM}
    values, errors = clean_user(raw)
    if errors:
        return _user_form(raw, errors), 400
    password = new_password()
    try:
        with db.atomic():
            user = User.create(**values, password_hash=hash_password(password))
            audit.record("user.create", f"user/{user.id}", role=user.role)
    except peewee.IntegrityError:  # taken by someone else since the check
        return _user_form(raw, {"username": _username_taken(values["username"])}), 400
    return render_template("admin/password.html", user=user, password=password, created=True)


def _user_form(raw, errors=None):
    """Render the new-account form with what was typed and its errors."""
    errors = errors or {}
    return render_template("admin/user_new.html", raw=raw, errors=errors,
                           first_error=first_error(USER_FORM, errors))


def _username_taken(username):
    """Return the error for a user name that is already taken."""
    return _("Den Benutzernamen „%(name)s“ gibt es schon.", name=username)


def clean_user(raw):
    """Check the new-account form; return (values, {field: German message})."""
    values, errors = {}, {}
    for key in USER_FORM:
        try:
            values[key] = cleaning.line(raw[key])
        except cleaning.Refused as error:
            values[key], errors[key] = raw[key], str(error)
    if "username" in errors:
        pass
    elif not values["username"]:
        errors["username"] = _("Bitte geben Sie einen Benutzernamen an, z. B. „emustermann“.")
    elif not USERNAME.match(values["username"]):
        errors["username"] = _("Der Benutzername darf nur Buchstaben ohne Umlaute, Ziffern und . _ "
                               "@ - enthalten, mit einem Buchstaben oder einer Ziffer beginnen und "
                               "höchstens 80 Zeichen lang sein.")
    elif User.by_name(values["username"]) is not None:
        errors["username"] = _username_taken(values["username"])
    if "name" not in errors and len(values["name"]) > 200:
        errors["name"] = _("Der angezeigte Name darf höchstens 200 Zeichen lang sein.")
    if "email" in errors:
        pass
    elif values["email"] and (len(values["email"]) > 200 or not EMAIL.match(values["email"])):
        errors["email"] = _("„%(text)s“ ist keine E-Mail-Adresse, z. B. „name@example.org“.",
                            text=values["email"])
    if values["role"] not in ROLES:
        errors["role"] = _role_error()
    return values, errors


def _role_error():
    """Return the error for a role that is not one of the three."""
    return _("Bitte wählen Sie eine Rolle: %(roles)s.",
             roles=", ".join(str(ROLE_LABELS[role]) for role in ROLES))


@bp.route("/users/<id:user_id>")
def user(user_id):
    """Show an account with the forms that change it."""
    return _user_page(get_user_or_404(user_id))


def _user_page(user, errors=None, status=200):
    """Render an account's page with the errors of the form that was sent."""
    errors = errors or {}
    return render_template(
        "admin/user.html", user=user, errors=errors, sessions=user.sessions.count(),
        last_seen=Session.last_seen_by_user().get(user.id),
        first_error=first_error(("role", "account", "password"), errors)), status


@bp.route("/users/<id:user_id>/role", methods=["POST"])
def user_role(user_id):
    """Change an account's role; an admin cannot take their own admin role away."""
    user = get_user_or_404(user_id)
    role = request.form.get("role", "")
    if role not in ROLES:
        return _user_page(user, {"role": _role_error()}, 400)
    if user.id == current_user.id and role != "admin":
        return _user_page(user, {"role": _("Sie können sich nicht selbst die Rolle „Verwaltung“ "
                                           "entziehen. Das muss eine andere Person mit dieser "
                                           "Rolle tun.")}, 400)
    if role != user.role:
        with db.atomic():
            User.update(role=role).where(User.id == user.id).execute()
            audit.record("user.role", f"user/{user.id}", role=role, previous=user.role)
    flash(_("Die Rolle von „%(name)s“ ist jetzt „%(role)s“.", name=user.display_name,
            role=role_label(role)), "success")
    return redirect(url_for(".user", user_id=user.id))


@bp.route("/users/<id:user_id>/disable", methods=["POST"])
def user_disable(user_id):
    """Disable an account and end its sessions at once; never one's own."""
    user = get_user_or_404(user_id)
    if user.id == current_user.id:
        return _user_page(user, {"account": _("Sie können Ihr eigenes Benutzerkonto nicht "
                                              "deaktivieren.")}, 400)
    with db.atomic():
        disable_user(user)
        audit.record("user.disable", f"user/{user.id}")
    flash(_("„%(name)s“ ist deaktiviert; alle Sitzungen sind beendet.", name=user.display_name),
          "success")
    return redirect(url_for(".user", user_id=user.id))


@bp.route("/users/<id:user_id>/enable", methods=["POST"])
def user_enable(user_id):
    """Enable a disabled account again."""
    user = get_user_or_404(user_id)
    if not user.active:
        with db.atomic():
            User.update(active=True).where(User.id == user.id).execute()
            audit.record("user.enable", f"user/{user.id}")
    flash(_("„%(name)s“ ist wieder aktiv.", name=user.display_name), "success")
    return redirect(url_for(".user", user_id=user.id))


@bp.route("/users/<id:user_id>/password", methods=["POST"])
def user_password(user_id):
    """Give an account a new generated password, show it once and end its sessions."""
    user = get_user_or_404(user_id)
    if user.id == current_user.id:
        return _user_page(user, {"password": _("Ihr eigenes Passwort ändern Sie unter „Passwort "
                                               "ändern“, nicht hier.")}, 400)
    password = new_password()
    with db.atomic():
        User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
        Session.end_all(user)
        audit.record("user.password", f"user/{user.id}")
    return render_template("admin/password.html", user=user, password=password, created=False)
