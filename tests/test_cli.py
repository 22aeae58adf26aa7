"""The `fahrplan` command: init, user create/disable (backup and restore: test_backup.py)."""
import pytest

from tests.conftest import make_user
from wiki.db import pending
from wiki.models import Session, User

pytestmark = pytest.mark.postgres


def test_init_is_idempotent(runner):
    """`fahrplan init` on a migrated database applies nothing and says it is ready."""
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "Datenbank bereit (0 Migration(en) angewandt)" in result.output
    assert pending() == []


def test_user_create_prints_a_working_password(runner, client):
    """A created user can log in with the printed password."""
    result = runner.invoke(args=["user", "create", "t.schmitz", "--role", "editor"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit("Passwort: ", 1)[1]
    assert User.by_name("t.schmitz").role == "editor"
    response = client.post("/login", data={"username": "t.schmitz", "password": password})
    assert response.status_code == 302


def test_user_create_reads_the_password_from_stdin(runner, client):
    """--password-stdin takes the password from standard input and does not print it."""
    result = runner.invoke(args=["user", "create", "leser", "--role", "reader",
                                 "--password-stdin"], input="ein-gutes-passwort\n")
    assert result.exit_code == 0, result.output
    assert "ein-gutes-passwort" not in result.output
    response = client.post("/login", data={"username": "leser", "password": "ein-gutes-passwort"})
    assert response.status_code == 302


@pytest.mark.parametrize("args, stdin, message", [
    (["user", "create", "vorhanden"], None, "existiert bereits"),
    (["user", "create", "neu", "--password-stdin"], "kurz\n", "mindestens 8 Zeichen"),
    (["user", "create", "neu", "--role", "chef"], None, "chef"),
])
def test_user_create_refuses_bad_input(runner, args, stdin, message):
    """Bad user input is refused with a clear message and creates nothing."""
    make_user("vorhanden")
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert User.select().count() == 1


def test_user_disable_ends_sessions(runner, login):
    """`fahrplan user disable` deactivates the account and ends its sessions."""
    login("editor", "k.becker")
    result = runner.invoke(args=["user", "disable", "k.becker"])
    assert result.exit_code == 0, result.output
    assert not User.by_name("k.becker").active
    assert Session.select().count() == 0
