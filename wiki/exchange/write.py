"""Writing a checked programme into an empty database, in one transaction."""
from wiki.db import db, utcnow
from wiki.domain import reports, revisions, search
from wiki.exchange import attachments
from wiki.exchange.programme import LEITBILD_SLUG
from wiki.models import (
    ActionField,
    Comment,
    CommentVersion,
    ReportRound,
    Strategy,
    User,
)

REPORT_FIELDS = ("date", "period", "status", "traffic_light", "progress", "body")


def write_programme(programme):
    """Write users, strategy, fields, pages, measures, reports, rounds and comments."""
    with db.atomic():
        users = _write_users(programme)
        for values in programme.fields.values():
            ActionField.create(html=revisions.render(values["body"]), **values)
        # Every page exists before the first revision is rendered, so no link shows as missing.
        pages = _new_pages(programme)
        measures = {code: revisions.new_measure(record.newest.values, record.versions[0].created)
                    for code, record in programme.measures.items()}
        leitbild, _ = pages[0]
        Strategy.create(leitbild=leitbild, settings=programme.vocabulary.settings(),
                        **programme.strategy)
        for page, record in pages:
            _save_page(page, record, users)
        for code, record in programme.measures.items():
            _save_measure(measures[code], record, users)
        written = {key: _write_report(values, measures[key[0]], users)
                   for key, values in programme.reports.items()}
        for values in programme.rounds.values():
            ReportRound.create(html=revisions.render(values["body"]),
                               projects_html=revisions.render(values["projects"]), **values)
        for values in programme.comments:
            report = written.get((values["code"], values["report"]))
            _write_comment(values, measures[values["code"]], report, users)
        places = {("page", page.slug): page for page, _record in pages}
        places |= {("measure", code.upper()): measure.page for code, measure in measures.items()}
        attachments.write_files(programme, places, lambda name: _user(users, name))


def _new_pages(programme):
    """Create the Leitbild, then every wiki page, without revisions; return (page, record)s."""
    records = [(LEITBILD_SLUG, programme.leitbild), *programme.pages.items()]
    return [(revisions.new_page(record.newest.values["title"], slug,
                                created=record.versions[0].created), record)
            for slug, record in records]


def _write_users(programme):
    """Create the users the folder names and return every user by name key (User.key_for)."""
    users = {user.username_key: user for user in User.select()}
    for values in programme.users.values():
        if User.key_for(values["username"]) not in users:
            users[User.key_for(values["username"])] = User.create(**values)
    for _, _, name in programme.user_references():
        if User.key_for(name) not in users:
            users[User.key_for(name)] = User.create(username=name)
    return users


def _save_page(page, record, users):
    """Save every revision of a page record, oldest first."""
    for version in record.versions:
        revisions.save_page(page, title=version.values["title"], body=version.values["body"],
                            author=_user(users, version.author), summary=version.summary,
                            created=version.created)


def _save_measure(measure, record, users):
    """Save every revision of a measure record, oldest first."""
    for version in record.versions:
        revisions.save_measure(measure, values=version.values, body=version.values["body"],
                               author=_user(users, version.author), summary=version.summary,
                               created=version.created)


def _user(users, name):
    """Return the user with this name, or None for no name."""
    return users[User.key_for(name)] if name else None


def _write_report(values, measure, users):
    """Create a status report with its first version, as the report form saves one."""
    fields = {name: values[name] for name in REPORT_FIELDS}
    return reports.save_report(measure, fields, _user(users, values["author"]),
                               imported=utcnow())


def _write_comment(values, measure, report, users):
    """Create a comment with its first version."""
    html = revisions.render(values["body"])
    author = _user(users, values["author"])
    comment = Comment.create(measure=measure, report=report, author=author, body=values["body"],
                             html=html, created=values["created"], updated=values["created"])
    CommentVersion.create(comment=comment, number=1, body=values["body"], html=html,
                          author=author, created=values["created"])
    search.index_comment(comment, measure)
