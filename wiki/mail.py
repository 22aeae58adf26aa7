"""Sending notifications by e-mail over SMTP, single mails or a digest (`fahrplan notify`)."""
import smtplib
import ssl
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import groupby

from flask import current_app
from flask_babel import force_locale

from wiki.db import db, utcnow
from wiki.domain.notifications import digest, single
from wiki.models.watching import Notification


class SetupError(Exception):
    """The settings do not allow sending; the message names the setting."""


@dataclass
class Result:
    """What one run of `fahrplan notify` did."""

    mails: int = 0  # e-mails sent
    sent: int = 0  # notifications in them
    skipped: int = 0  # notifications that will never be mailed (read, gone, no address)
    failed: int = 0  # notifications kept pending after an SMTP error
    unsendable: int = 0  # notifications whose e-mail could not be made or sent, marked failed
    deleted: int = 0  # notifications older than NOTIFICATION_KEEP_DAYS
    disabled: bool = False

    @property
    def complete(self):
        """Tell whether every pending notification was dealt with: nothing failed, none waits."""
        return not (self.failed or self.unsendable)

    def summary(self):
        """Return the run's outcome as a line for the console."""
        if self.disabled:
            return (f"E-Mail ist ausgeschaltet (FAHRPLAN_MAIL_ENABLED); nichts versandt. "
                    f"{self.deleted} alte Benachrichtigung(en) gelöscht.")
        return (f"{self.mails} E-Mail(s) mit {self.sent} Benachrichtigung(en) versandt, "
                f"{self.skipped} ohne E-Mail erledigt, {self.failed} noch offen (SMTP-Fehler), "
                f"{self.unsendable} nicht versendbar (siehe Protokoll), "
                f"{self.deleted} alte gelöscht.")


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
    """Return (composer of an e-mail, notification ids): singles, or a digest above the threshold.

    The e-mails are made one by one as they are sent, so that one that cannot be made (stored
    text no e-mail can carry) is set aside alone and holds up none of the others.
    """
    threshold = current_app.config["MAIL_DIGEST_AFTER"]
    batches = []
    for _user, group in groupby(pending, key=lambda n: n.user_id):
        keep, gone = [], []
        for notification in group:
            (keep if _mailable(notification) else gone).append(notification)
        if gone:
            _mark([n.id for n in gone], "skipped", result)
        if len(keep) > threshold:
            batches.append((partial(digest, keep[0].user, keep), [n.id for n in keep]))
        else:
            batches += [(partial(single, n), [n.id]) for n in keep]
    return batches


def _mark(ids, state, result):
    """Set the e-mail state of notifications that are still pending, and count them."""
    with db.atomic():
        changed = (Notification.update(mail=state, mailed=utcnow() if state == "sent" else None)
                   .where(Notification.id.in_(ids) & (Notification.mail == "pending"))
                   .execute())
    if state == "sent":
        result.sent += changed
    elif state == "failed":
        result.unsendable += changed
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
        with _addressed():
            _send(smtp, batches, result, log)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return result


def _send(smtp, batches, result, log):
    """Make and send each e-mail, and mark its notifications; stop at the first server failure."""
    for number, (compose, ids) in enumerate(batches):
        message = _made(compose, ids, result, log)
        if message is None:
            continue
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
        except (smtplib.SMTPDataError, smtplib.SMTPNotSupportedError) as error:
            # This one e-mail was refused (its content, or an address the server cannot take);
            # the connection stays usable for the others.
            temporary = 400 <= getattr(error, "smtp_code", 500) < 500
            log.warning("E-Mail zu Benachrichtigung(en) %s abgelehnt%s: %s", ids,
                        "; später erneut" if temporary else "; als fehlgeschlagen markiert",
                        error)
            if temporary:
                result.failed += len(ids)
            else:
                _mark(ids, "failed", result)
            continue
        except (OSError, smtplib.SMTPException) as error:
            log.error("Versand abgebrochen, Benachrichtigungen bleiben offen: %s", error)
            result.failed += sum(len(rest) for _message, rest in batches[number:])
            return
        result.mails += 1
        _mark(ids, "sent", result)


def _made(compose, ids, result, log):
    """Return the e-mail compose makes, ready to send; None when it cannot be made (marked)."""
    try:
        message = compose()
        # What send_message does (utf8 where the server speaks SMTPUTF8): fails here, not
        # in the middle of the SMTP conversation.
        message.as_bytes(policy=message.policy.clone(utf8=True))
    except Exception as error:  # any stored value no e-mail can carry: set aside, the rest go
        # The type, not the message: it may quote the value, an address among them.
        log.error("E-Mail zu Benachrichtigung(en) %s nicht erstellbar (%s); als fehlgeschlagen "
                  "markiert, nicht erneut versucht", ids, type(error).__name__)
        _mark(ids, "failed", result)
        return None
    return message
