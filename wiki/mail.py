"""E-mail about notifications: what they say, single mails or a digest, sent over SMTP."""
import smtplib
import ssl
import textwrap
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from itertools import groupby

from flask import current_app, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from wiki.db import db, utcnow
from wiki.models.watching import Notification
from wiki.presentation import STATUS_LABELS, TRAFFIC_LIGHT_LABELS, show_datetime, show_quarter

EXCERPT = 200  # characters of a comment or report in the list and in a digest
MAIL_EXCERPT = 800  # … and in a single e-mail


class SetupError(Exception):
    """The settings do not allow sending; the message names the setting."""


@dataclass
class Result:
    """What one run of `fahrplan notify` did."""

    mails: int = 0  # e-mails sent
    sent: int = 0  # notifications in them
    skipped: int = 0  # notifications that will never be mailed (read, gone, no address)
    failed: int = 0  # notifications kept pending after an SMTP error
    deleted: int = 0  # notifications older than NOTIFICATION_KEEP_DAYS
    disabled: bool = False

    def summary(self):
        """Return the run's outcome as a line for the console."""
        if self.disabled:
            return (f"E-Mail ist ausgeschaltet (FAHRPLAN_MAIL_ENABLED); nichts versandt. "
                    f"{self.deleted} alte Benachrichtigung(en) gelöscht.")
        return (f"{self.mails} E-Mail(s) mit {self.sent} Benachrichtigung(en) versandt, "
                f"{self.skipped} ohne E-Mail erledigt, {self.failed} noch offen (SMTP-Fehler), "
                f"{self.deleted} alte gelöscht.")


# What a notification says, in the app and in e-mails.

def headline(notification):
    """Return the sentence saying what a notification is about (no author once it is gone)."""
    measure = f"{notification.measure.code} {notification.measure.title}"
    if not notification.visible:
        if notification.kind == "mention":
            return _("Sie wurden in einem Kommentar zu %(measure)s erwähnt.", measure=measure)
        return _("Neuer Kommentar zu %(measure)s.", measure=measure)
    name = notification.actor.display_name if notification.actor else _("Unbekannt")
    if notification.kind == "report":
        return _("%(name)s hat einen Sachstandsbericht für das %(period)s zu %(measure)s "
                 "geschrieben.", name=name, period=show_quarter(notification.report.period),
                 measure=measure)
    if notification.kind == "mention":
        return _("%(name)s hat Sie in einem Kommentar zu %(measure)s erwähnt.", name=name,
                 measure=measure)
    return _("%(name)s hat %(measure)s kommentiert.", name=name, measure=measure)


def excerpt(notification, limit=EXCERPT):
    """Return the start of the comment's or report's text, None once the comment is not shown."""
    if not notification.visible:
        return None
    html = notification.comment.html if notification.comment_id else notification.report.html
    text = plain_text(html)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def plain_text(html):
    """Return the text of stored HTML, tags removed and whitespace collapsed."""
    return Markup(html or "").striptags()  # noqa: S704 - read as text, never shown as HTML  # nosec B704


def target_url(notification, **options):
    """Return the URL of what a notification is about: the report or comment on its measure."""
    if notification.kind == "report":
        anchor = f"report-{notification.report_id}"
    else:
        anchor = f"comment-{notification.comment_id}" if notification.visible else "comments"
    return url_for("measures.view", code=notification.measure.code, _anchor=anchor, **options)


# Composing e-mails.

def single(notification):
    """Return the e-mail of one notification."""
    user, measure = notification.user, notification.measure
    name = f"{measure.code} {measure.title}"
    if notification.kind == "report":
        report = notification.report
        subject = _("Neuer Sachstandsbericht zu %(measure)s", measure=name)
        facts = _("Status: %(status)s, Ampel: %(light)s, Fortschritt: %(progress)d %%",
                  status=STATUS_LABELS.get(report.status, report.status),
                  light=TRAFFIC_LIGHT_LABELS.get(report.traffic_light, report.traffic_light),
                  progress=report.progress)
        link = _("Zum Bericht: %(url)s", url=target_url(notification, _external=True))
    else:
        subject = (_("Sie wurden erwähnt: %(measure)s", measure=name)
                   if notification.kind == "mention"
                   else _("Neuer Kommentar zu %(measure)s", measure=name))
        facts = None
        link = _("Zum Kommentar: %(url)s", url=target_url(notification, _external=True))
    text = excerpt(notification, MAIL_EXCERPT)
    lines = [headline(notification), show_datetime(notification.created)]
    if facts:
        lines.append(facts)
    lines += ["", *textwrap.wrap(text or "", 72, initial_indent="    ",
                                 subsequent_indent="    "), "", link]
    if notification.kind == "mention":
        reason = _("Sie erhalten diese E-Mail, weil Sie in einem Kommentar erwähnt wurden.")
    else:
        reason = _("Sie erhalten diese E-Mail, weil Sie %(measure)s oder sein Handlungsfeld "
                   "beobachten.", measure=measure.code)
    return _message(user, subject, lines, reason)


def digest(user, notifications):
    """Return one e-mail that lists several notifications, oldest first."""
    count = len(notifications)
    subject = ngettext("%(num)d neue Benachrichtigung", "%(num)d neue Benachrichtigungen", count)
    lines = [ngettext("im Fahrplan gibt es %(num)d neue Benachrichtigung für Sie:",
                      "im Fahrplan gibt es %(num)d neue Benachrichtigungen für Sie:", count)]
    for number, notification in enumerate(notifications, 1):
        lines += ["", f"{number}. {headline(notification)} ({show_datetime(notification.created)})"]
        text = excerpt(notification)
        if text:
            lines += textwrap.wrap(f"„{text}“", 72, initial_indent="   ",
                                   subsequent_indent="   ")
        lines.append(f"   {target_url(notification, _external=True)}")
    reason = _("Sie erhalten diese E-Mail, weil Sie Maßnahmen oder Handlungsfelder beobachten "
               "oder erwähnt wurden. Ab %(num)d Benachrichtigungen kommt eine Sammel-E-Mail.",
               num=current_app.config["MAIL_DIGEST_AFTER"] + 1)
    return _message(user, subject, lines, reason)


def _message(user, subject, lines, reason):
    """Return a plain-text e-mail to a user: greeting, lines, why it came, where to change it."""
    sender = current_app.config["MAIL_FROM"]
    message = EmailMessage()
    message["Subject"] = f"[Fahrplan] {subject}"
    message["From"] = sender
    message["To"] = formataddr((user.display_name, user.email))
    message["Date"] = formatdate(localtime=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"  # never ask DNS for one
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    footer = _("Ihre Benachrichtigungen und was Sie beobachten: %(url)s",
               url=url_for("notifications.index", _external=True))
    greeting = _("Guten Tag %(name)s,", name=user.display_name)
    message.set_content("\n".join([greeting, "", *lines, "", "-- ", reason, footer]) + "\n")
    return message


@contextmanager
def _addressed():
    """Build absolute URLs from BASE_URL and write in the default language, outside a request."""
    config = current_app.config
    # A request context is Flask's way to build URLs without a request: against BASE_URL.
    with (current_app.test_request_context("/", base_url=config["BASE_URL"]),
          force_locale(config["DEFAULT_LANGUAGE"])):
        yield


# Sending.

def connect(config):
    """Open an SMTP connection as configured: TLS from the start or STARTTLS, then a login."""
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


def _mailable(notification):
    """Tell whether a pending notification should still be mailed."""
    user = notification.user
    return (user.active and "@" in (user.email or "") and notification.read is None
            and notification.visible)


def _batches(pending, result):
    """Return (e-mail, notification ids) per user: singles, or one digest above the threshold."""
    threshold = current_app.config["MAIL_DIGEST_AFTER"]
    batches = []
    for _user, group in groupby(pending, key=lambda n: n.user_id):
        keep, gone = [], []
        for notification in group:
            (keep if _mailable(notification) else gone).append(notification)
        if gone:
            _mark([n.id for n in gone], "skipped", result)
        if len(keep) > threshold:
            batches.append((digest(keep[0].user, keep), [n.id for n in keep]))
        else:
            batches += [(single(n), [n.id]) for n in keep]
    return batches


def _mark(ids, state, result):
    """Set the e-mail state of notifications that are still pending, and count them."""
    with db.atomic():
        changed = (Notification.update(mail=state, mailed=utcnow() if state == "sent" else None)
                   .where(Notification.id.in_(ids) & (Notification.mail == "pending"))
                   .execute())
    if state == "sent":
        result.sent += changed
    else:
        result.skipped += changed


def send_pending():
    """Send the pending notification e-mails and mark them; an SMTP failure leaves them pending."""
    config, log = current_app.config, current_app.logger
    result = Result()
    if config["NOTIFICATION_KEEP_DAYS"]:
        with db.atomic():
            result.deleted = Notification.older_than(config["NOTIFICATION_KEEP_DAYS"]).execute()
    if not config["MAIL_ENABLED"]:
        result.disabled = True
        return result
    if not config["BASE_URL"]:
        raise SetupError("FAHRPLAN_BASE_URL fehlt: die Adresse, unter der Fahrplan erreichbar "
                         "ist (z. B. https://fahrplan.intranet.example.org), für die Links.")
    with _addressed():
        batches = _batches(list(Notification.pending_mail()), result)
    if not batches:
        return result
    try:
        smtp = connect(config)
    except (OSError, smtplib.SMTPException) as error:
        log.error("SMTP-Server %s:%s nicht erreichbar, Benachrichtigungen bleiben offen: %s",
                  config["MAIL_SERVER"], config["MAIL_PORT"], error)
        result.failed = sum(len(ids) for _message, ids in batches)
        return result
    try:
        _send(smtp, batches, result, log)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return result


def _send(smtp, batches, result, log):
    """Send each e-mail and mark its notifications sent; stop at the first server failure."""
    for number, (message, ids) in enumerate(batches):
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            permanent = all(code >= 500 for code in codes)
            # Log the notification, never the address: the log is no place for personal data.
            log.warning("Empfänger abgelehnt (%s) für Benachrichtigung(en) %s%s", codes, ids,
                        "; nicht erneut versucht" if permanent else "; später erneut")
            if permanent:
                _mark(ids, "skipped", result)
            else:
                result.failed += len(ids)
            continue
        except (OSError, smtplib.SMTPException) as error:
            log.error("Versand abgebrochen, Benachrichtigungen bleiben offen: %s", error)
            result.failed += sum(len(rest) for _message, rest in batches[number:])
            return
        result.mails += 1
        _mark(ids, "sent", result)
