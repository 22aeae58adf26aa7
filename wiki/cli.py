"""The `fahrplan` commands: init, demo, user, import, export, backup, restore, notify, prune."""
import os
import secrets
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from wiki import exchange, mail
from wiki.backup import BackupError, backup_to, restore_from
from wiki.db import db, migrate
from wiki.domain import cleaning, privacy, search
from wiki.domain.accounts import disable_user
from wiki.exchange import sheet_import
from wiki.models import ChangeCounter, Measure, User
from wiki.security import hash_password

DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo")


def init_app(app):
    """Register the commands with the app (for `flask --app wiki …`)."""
    for command in (init, demo, user, import_command, export_command, backup, restore,
                    reindex, notify, prune):
        app.cli.add_command(command)


def _connected():
    """Open the database connection for a command."""
    db.connect(reuse_if_open=True)


@click.command("init")
@with_appcontext
def init():
    """Create the database or apply pending migrations."""

    _connected()
    applied = migrate()
    ChangeCounter.renew()  # after a restore by hand, no page a worker keeps counts as current
    click.echo(f"Datenbank bereit ({len(applied)} Migration(en) angewandt).")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Nichts tun, wenn schon Inhalte vorhanden sind.")
@with_appcontext
def demo(if_empty):
    """Load the demo strategy (Bergisch Gladbach) and create an admin account."""

    _connected()
    migrate()
    if Measure.select().exists():
        if if_empty:
            click.echo("Demo-Strategie ist bereits geladen.")
            _print_admin_hint()
            return
        raise click.ClickException("Die Datenbank enthält schon Maßnahmen; Demo nicht geladen.")
    _fail_on_errors(exchange.import_folder(DEMO))
    click.echo("Demo-Strategie geladen.")
    if User.by_name("admin") is None:
        password = secrets.token_urlsafe(12)
        _create_user("admin", "admin", password, name="Demo-Admin")
        fd = os.open(_admin_password_file(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password + "\n")
    _print_admin_hint()


def _admin_password_file():
    """Return where the generated admin password is kept (readable by the owner only)."""
    return os.path.join(current_app.instance_path, "admin-password.txt")


def _print_admin_hint():
    """Print the generated admin password, as long as it is kept in the instance folder."""
    if os.path.exists(_admin_password_file()):
        with open(_admin_password_file()) as fh:
            click.echo(f"Anmeldung: admin / {fh.read().strip()}")


@click.group("user")
def user():
    """Manage user accounts."""


@user.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(["reader", "editor", "admin"]), default="editor",
              show_default=True)
@click.option("--password-stdin", is_flag=True, help="Passwort von der Standardeingabe lesen.")
@click.option("--display-name", default="", help="Angezeigter Name.")
@with_appcontext
def user_create(name, role, password_stdin, display_name):
    """Create a user; print the generated password unless one comes on stdin."""

    _connected()
    try:
        display_name = cleaning.line(display_name, "--display-name", 200)
    except cleaning.Refused as error:
        raise click.ClickException(str(error)) from None
    if User.by_name(name) is not None:
        raise click.ClickException(f"Benutzer {name!r} existiert bereits.")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else secrets.token_urlsafe(12)
    if len(password) < 8:
        raise click.ClickException("Das Passwort muss mindestens 8 Zeichen lang sein.")
    _create_user(name, role, password, name=display_name)
    click.echo(f"Benutzer {name} ({role}) angelegt." if password_stdin
               else f"Benutzer {name} ({role}) angelegt. Passwort: {password}")


@user.command("disable")
@click.argument("name")
@with_appcontext
def user_disable(name):
    """Disable a user and end all their sessions."""

    _connected()
    account = User.by_name(name)
    if account is None:
        raise click.ClickException(f"Benutzer {name!r} gibt es nicht.")
    disable_user(account)
    click.echo(f"Benutzer {name} deaktiviert; alle Sitzungen beendet.")


def _create_user(username, role, password, name=""):
    """Create an active account with a hashed password."""

    with db.atomic():
        return User.create(username=username, role=role, name=name,
                           password_hash=hash_password(password))


def _fail_on_errors(errors):
    """Print every import error and stop with a failure exit code when there are any."""
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        raise click.ClickException(f"{len(errors)} Fehler; es wurde nichts importiert.")


@click.command("import")
@click.argument("path", type=click.Path(exists=True))
@click.option("--author", default=None, help="Benutzername, der als Autor der Revisionen gilt "
                                              "(nur beim Import einer Tabelle).")
@with_appcontext
def import_command(path, author):
    """Import a programme from a folder, or measures from an XLSX or CSV sheet (all or nothing)."""

    _connected()
    migrate()
    if os.path.isdir(path):
        _fail_on_errors(exchange.import_folder(path))
        click.echo(f"Importiert aus {path}.")
        return
    account = User.by_name(author) if author else None
    if author and account is None:
        raise click.ClickException(f"Benutzer {author!r} gibt es nicht.")
    with open(path, "rb") as file:
        data = file.read(sheet_import.sheets.MAX_BYTES + 1)
    problems, summary = sheet_import.import_file(data, os.path.basename(path),
                                                 account.id if account else None)
    _fail_on_errors(problems)
    click.echo(str(summary))


@click.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@with_appcontext
def export_command(folder):
    """Export the programme to a folder in the exchange format."""

    _connected()
    try:
        exchange.export_folder(folder)
    except FileExistsError:
        raise click.ClickException(f"Der Ordner {folder} ist nicht leer.") from None
    except LookupError:
        raise click.ClickException("Es gibt noch kein Programm zum Exportieren.") from None
    click.echo(f"Exportiert nach {folder}.")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def backup(file):
    """Write an online, consistent, verified copy of the database to FILE."""

    _connected()
    try:
        backup_to(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Sicherung geschrieben und geprüft: {file}")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Ohne Rückfrage zurückspielen.")
@with_appcontext
def restore(file, yes):
    """Replace the database's content with a backup from `fahrplan backup`, then migrate."""

    if not yes:
        click.confirm("Der gesamte Inhalt der Datenbank wird durch die Sicherung ersetzt. "
                      "Fortfahren?", abort=True)
    _connected()
    try:
        restore_from(file)
    except BackupError as error:
        raise click.ClickException(f"{error}\nDie Datenbank ist unverändert.") from None
    _connected()
    applied = migrate()
    click.echo(f"Sicherung zurückgespielt und geprüft: {file} "
               f"({len(applied)} Migration(en) angewandt).")


@click.command("reindex")
@with_appcontext
def reindex():
    """Rebuild the full-text search index from the stored content."""

    _connected()
    with db.atomic():
        count = search.rebuild()
    click.echo(f"Suchindex neu aufgebaut: {count} Einträge.")


@click.command("notify")
@click.option("--quiet", is_flag=True, help="Nur Fehler ausgeben.")
@with_appcontext
def notify(quiet):
    """Send the pending notification e-mails (single ones or a digest); run it from cron.

    Exit status 1 when any notification was not sent in this run: kept pending after an SMTP
    error (tried again next run) or marked failed (could not be made or was refused for good;
    logged, not tried again). The others are sent all the same.
    """
    _connected()
    try:
        result = mail.send_pending()
    except mail.SetupError as error:
        raise click.ClickException(str(error)) from None
    if not quiet:
        click.echo(result.summary())
    elif not result.complete:
        click.echo(result.summary(), err=True)  # --quiet prints errors only: this is one
    if not result.complete:
        raise SystemExit(1)


@click.command("prune")
@with_appcontext
def prune():
    """Delete expired sessions, failed logins and edit presence (e.g. nightly from cron)."""
    _connected()
    counts = privacy.prune()
    click.echo(f"Gelöscht: {counts['sessions']} abgelaufene Sitzung(en), "
               f"{counts['login_failures']} alte Fehlanmeldung(en), "
               f"{counts['edit_presence']} alte Bearbeitungshinweis(e).")
