"""Watching in a real browser: Katrin watches M07, Thomas comments, the note and the e-mail."""
import re

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from tests.browser.conftest import PASSWORD, USERS, make_live_app, serving
from tests.test_notifications import Inbox, body, free_port
from wiki.models import Comment, User
from wiki.models.watching import Notification, Watch

pytestmark = pytest.mark.browser

SHOTS = "/tmp"
M07 = "M07 Zentrales Dokumentenmanagementsystem und E-Akte"


@pytest.fixture(scope="module")
def smtp_server():
    """Run a real SMTP server (aiosmtpd) on 127.0.0.1 at a random port."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def live_app(tmp_path_factory, smtp_server):
    """Return an app of its own, e-mail on: the demo's Katrin and Thomas can log in."""
    app = make_live_app(tmp_path_factory.mktemp("notifications"), USERS, "browser-notify")
    with app.app_context():
        (User.update(password_hash=generate_password_hash(PASSWORD))
         .where(User.username.in_(["k.becker", "t.schmitz"]))
         .execute())
    app.config.update(MAIL_ENABLED=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server[1],
                      MAIL_FROM="Fahrplan <fahrplan@stadt.example.org>")
    return app


@pytest.fixture(scope="module")
def live_server(live_app):
    """Serve this module's app on a free port; its e-mails link there."""
    with serving(live_app) as url:
        live_app.config["BASE_URL"] = url
        yield url


@pytest.fixture(autouse=True)
def _fresh():
    """Start each test with nobody watching and no notifications."""
    Notification.delete().execute()
    Watch.delete().execute()


def header_link(tab):
    """Return the header link to the notifications."""
    return tab.locator("#notifications-link")


def test_katrin_watches_thomas_comments_katrin_is_told_and_mailed(open_as, axe, live_app,
                                                                  live_server, smtp_server):
    """The whole way: watch without reload, a colleague's comment, the list, the e-mail."""
    inbox = smtp_server[0]
    inbox.messages.clear()
    katrin = open_as("k.becker")
    katrin.goto("/measures/M07")
    button = katrin.locator("#watch-measure-M07 button")
    expect(button).to_have_accessible_name(f"Beobachten ({M07})")
    axe(katrin)  # the measure page with the watch button
    katrin.evaluate("window.notReloaded = true")
    button.click()
    expect(katrin.locator("#live")).to_contain_text("Sie beobachten jetzt M07")
    button = katrin.locator("#watch-measure-M07 button")
    expect(button).to_have_accessible_name(f"Nicht mehr beobachten ({M07})")
    expect(button).to_be_focused()
    assert katrin.evaluate("window.notReloaded === true")
    katrin.locator("header.page-header").screenshot(path=f"{SHOTS}/notifications-watching.png")
    axe(katrin)  # and in its other state
    expect(header_link(katrin)).to_have_text("Benachrichtigungen")

    thomas = open_as("t.schmitz")
    thomas.goto("/measures/M07")
    thomas.locator("#comment-body").fill("Die Schulungen für den Roll-out in FB 3 beginnen "
                                         "am Montag.")
    thomas.get_by_role("button", name="Veröffentlichen").click()
    expect(thomas.locator("#live")).to_have_text("Kommentar veröffentlicht.")
    expect(header_link(thomas)).to_have_text("Benachrichtigungen")  # the author is not told
    posted = Comment.select().order_by(Comment.id.desc()).get()

    katrin.reload()
    expect(header_link(katrin)).to_have_accessible_name("Benachrichtigungen 1 ungelesen")
    header_link(katrin).click()
    expect(katrin).to_have_url(f"{live_server}/notifications")
    item = katrin.locator(".notification-list > li").first
    expect(item.locator(".notification-title")).to_have_text(
        f"Ungelesen: Thomas Schmitz hat {M07} kommentiert.")
    expect(item.locator(".notification-excerpt")).to_have_text(
        "Die Schulungen für den Roll-out in FB 3 beginnen am Montag.")
    axe(katrin)  # the list with an unread notification
    katrin.screenshot(path=f"{SHOTS}/notifications-list.png", full_page=True)

    outcome = live_app.test_cli_runner().invoke(args=["notify"])
    assert outcome.exit_code == 0, outcome.output
    [(recipients, message)] = inbox.messages
    assert recipients == ["k.becker@example.org"]
    assert message["Subject"] == f"[Fahrplan] Neuer Kommentar zu {M07}"
    assert message["To"] == "Katrin Becker <k.becker@example.org>"
    text = body(message)
    assert f"Thomas Schmitz hat {M07} kommentiert." in text
    assert "Die Schulungen für den Roll-out in FB 3 beginnen am Montag." in text
    link = re.search(r"Zum Kommentar: (\S+)", text)[1]
    assert link == f"{live_server}/measures/M07#comment-{posted.id}"
    assert Notification.get().mail == "sent"

    katrin.goto(link)  # the e-mail's link leads to the comment
    expect(katrin.locator(f"#comment-{posted.id}")).to_contain_text("beginnen am Montag")
    katrin.goto("/notifications")
    katrin.get_by_role("button", name=re.compile("^Als gelesen markieren")).click()
    expect(katrin.locator("#live")).to_have_text("Als gelesen markiert.")
    expect(header_link(katrin)).to_have_accessible_name("Benachrichtigungen")
    expect(item.locator(".unread-mark")).to_have_count(0)
    expect(item.locator("article")).to_be_focused()
    axe(katrin)  # after marking it read in place


def test_watching_a_field_without_javascript(open_as):
    """Without JavaScript the field's button posts and comes back to the same place."""
    rita = open_as("reader", javascript=False)
    rita.goto("/architecture")
    rita.locator("#watch-field-HF3 button").click()
    rita.wait_for_load_state()
    assert rita.url.endswith("/architecture#watch-field-HF3")
    expect(rita.locator("#live")).to_contain_text("Sie beobachten jetzt das Handlungsfeld HF3")
    expect(rita.locator("#watch-field-HF3 button")).to_contain_text("Nicht mehr beobachten")
    rita.locator("#watch-field-HF3").screenshot(path=f"{SHOTS}/notifications-field.png")
    rita.goto("/notifications")
    expect(rita.locator(".watch-list")).to_contain_text("Handlungsfeld HF3")
    expect(rita.locator(".notification-list")).to_have_count(0)
    rita.locator(".watch-list button").click()
    rita.wait_for_load_state()
    expect(rita.locator("#live")).to_contain_text("nicht mehr")
    assert Watch.select().count() == 0
