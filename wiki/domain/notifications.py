"""Notifications: who is told about a new report, comment or mention, and what they are told."""
import re
import textwrap
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from wiki.db import utcnow
from wiki.domain import vocabulary
from wiki.domain.characters import one_line, printable
from wiki.domain.labels import TRAFFIC_LIGHT_LABELS, show_datetime, show_quarter
from wiki.models import Measure, User
from wiki.models.watching import Notification, Watch

EXCERPT = 200  # characters of a comment or report in the list and in a digest
MAIL_EXCERPT = 800  # … and in a single e-mail
# "@k.becker" at a word's start (not inside an e-mail address); a trailing dot ends the sentence.
MENTION = re.compile(r"(?<![\w.@/+-])@(\w(?:[\w.-]*\w)?)")
CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.S)
# One address as the account form takes it (umlauts too, sent with SMTPUTF8), without the
# characters that would make a header a list or group: older rows and imports went unchecked.
PART = r"[^@\s\x00-\x1f\x7f,;:<>()\[\]\\\"]+"
ADDRESS = re.compile(rf"({PART})@({PART}\.{PART})")


# Events: called by reports.save_report and comments._post inside their transactions.

def report_saved(report, created):
    """Tell the watchers of a report's measure about a new status report (edits stay quiet)."""
    if not created:
        return
    measure = Measure.get_by_id(report.measure_id)
    _notify(Watch.watchers(measure), "report", measure, report.author_id, report=report.id)


def comment_posted(comment):
    """Tell the watchers of a comment's measure, and the people it mentions, about it."""
    measure = Measure.get_by_id(comment.measure_id)
    mentions = mentioned(comment.html)
    _notify(mentions, "mention", measure, comment.author_id, comment=comment.id)
    named = {user.id for user in mentions}  # one notification each: the mention says more
    others = [user for user in Watch.watchers(measure) if user.id not in named]
    _notify(others, "comment", measure, comment.author_id, comment=comment.id)


def mentioned(html):
    """Return the active users an HTML text mentions as @username (case-insensitive, not code)."""
    text = plain_text(CODE.sub(" ", html or ""))
    names = {name.lower() for name in MENTION.findall(text)}
    return list(User.active_named(names)) if names else []


def _notify(users, kind, measure, actor, **about):
    """Store a notification for each user except the actor; mail waits for `fahrplan notify`."""
    config = current_app.config
    rows = [{"user": user.id, "kind": kind, "measure": measure.id, "actor": actor,
             "created": utcnow(),
             "mail": "pending" if config["MAIL_ENABLED"] and user.email else "skipped", **about}
            for user in users if user.id != actor]
    if rows:
        Notification.insert_many(rows).execute()


# What a notification says, in the app and in e-mails.

def headline(notification):
    """Return the sentence saying what a notification is about (no author once it is gone)."""
    measure = one_line(f"{notification.measure.code} {notification.measure.title}")
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
    name = one_line(f"{measure.code} {measure.title}")
    if notification.kind == "report":
        report = notification.report
        subject = _("Neuer Sachstandsbericht zu %(measure)s", measure=name)
        facts = _("Status: %(status)s, Ampel: %(light)s, Fortschritt: %(progress)d %%",
                  status=vocabulary.status_label(report.status),
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
    """Return a plain-text e-mail to a user: greeting, lines, why it came, where to change it.

    Stored titles and names may hold line breaks and controls (older rows, imports): in a
    header they become spaces, in the text they are dropped, so no value can break a mail.
    """
    sender = current_app.config["MAIL_FROM"]
    message = EmailMessage()
    message["Subject"] = one_line(f"[Fahrplan] {subject}")
    message["From"] = sender
    message["To"] = recipient(user)
    message["Date"] = formatdate(localtime=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"  # never ask DNS for one
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    footer = _("Ihre Benachrichtigungen und was Sie beobachten: %(url)s",
               url=url_for("notifications.index", _external=True))
    greeting = _("Guten Tag %(name)s,", name=user.display_name)
    message.set_content(printable("\n".join([greeting, "", *lines, "", "-- ", reason, footer]))
                        + "\n")
    return message


def recipient(user):
    """Return a user's address for the To header; ValueError for a stored one that is none."""
    match = ADDRESS.fullmatch((user.email or "").strip())
    if match is None:
        raise ValueError(f"the address of user {user.id} is not one e-mail address")
    return Address(one_line(user.display_name), match[1], match[2])
