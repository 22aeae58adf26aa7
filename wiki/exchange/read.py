"""Reading an exchange folder: parse and check every file on its own, collecting every problem."""
from dataclasses import dataclass
from pathlib import Path

from wiki.domain import cleaning, metadata, schedule, vocabulary
from wiki.domain.markdown import CODE, slugify
from wiki.domain.metadata import clean_choice, clean_date, clean_progress, clean_text
from wiki.domain.revisions import normalise_body
from wiki.domain.rounds import PROJECTS_LINE
from wiki.exchange import attachments, files
from wiki.exchange.programme import (
    LEITBILD_SLUG,
    LEITBILD_TITLE,
    ImportProblem,
    Programme,
    Record,
    Version,
)
from wiki.models.accounts import ROLES, User
from wiki.models.reports import TRAFFIC_LIGHTS

REVISION_KEYS = ("author", "date", "summary")
STRATEGY_KEYS = ("title", "period_start", "period_end", *vocabulary.SETTINGS_KEYS,
                 *REVISION_KEYS, "history")
FIELD_KEYS = ("code", "title", "position", "summary")
MEASURE_KEYS = (*metadata.FIELDS, *REVISION_KEYS, "history")
PAGE_KEYS = ("title", *REVISION_KEYS, "history")
REPORT_KEYS = ("date", "period", "status", "progress", "traffic_light", "author")
ROUND_KEYS = ("title", "period", "due_date")
COMMENT_KEYS = ("date", "author", "report")
USER_KEYS = ("name", "role", "email")
# What a history entry may name: who saved it when, and the content that then differed.
STRATEGY_ENTRY_KEYS = (*REVISION_KEYS, "body")
PAGE_ENTRY_KEYS = (*REVISION_KEYS, "title", "body")
MEASURE_ENTRY_KEYS = (*REVISION_KEYS, *metadata.FIELDS[1:], "body")
LAYOUT = ("strategy.md, fields/, measures/, reports/<Kürzel>/, rounds/, pages/, "
          "comments/<Kürzel>/, users/, files/measures/<Kürzel>/, files/pages/<Name>/")
# The section at the end of a round file that holds its cross-measure projects.


@dataclass
class Document:
    """A file's place in the folder, its front matter and its body."""

    path: str
    meta: dict
    body: str


def read_folder(folder):
    """Read every file of a folder; return the programme and the problems found in the files."""
    reader = Reader(folder)
    reader.read()
    return reader.programme, reader.problems


def _clean_body(value):
    """Return a body text cleaned at the door (NFC, "\n" line ends, no control characters)."""
    return cleaning.markdown_text(value)


def _clean_required(value, limit=metadata.TEXT_LIMIT):
    """Return a text that must not be empty."""
    text = clean_text(value, limit)
    if not text:
        raise ValueError("Pflichtfeld fehlt.")
    return text


def _clean_stamp(value):
    """Return the UTC time of a revision's or comment's date, or None."""
    text = cleaning.ascii_line(value)
    if not text:
        return None
    moment = files.parse_stamp(text)
    cleaning.plausible(moment.year)
    return moment


def _clean_period(value):
    """Return a period of the programme's kind, such as 2024-Q2."""
    return cleaning.period(_clean_required(value), vocabulary.current().report_period)


def _clean_end(value):
    """Return the date of an end, deadline or report: a quarter gives its last day."""
    return clean_date(value, end=True)


def _clean_username(value):
    """Return a user name (the file name in users/)."""
    return _clean_required(value, 80)


def _clean_name(value):
    """Return a person's name or e-mail address."""
    return clean_text(value, 200)


def _clean_summary(value):
    """Return the summary of a revision."""
    return clean_text(value, 500)


def _clean_field_code(value):
    """Return the code of an action field, of the form of a measure code (CODE)."""
    code = _clean_required(cleaning.ascii_line(value), 20)
    if not CODE.match(code):
        raise ValueError(f"Ungültiges Kürzel »{code}«; erlaubt sind 1 bis 16 Buchstaben, "
                         "Ziffern, Punkt, Bindestrich und Unterstrich, z. B. HF1 oder SC-2.")
    return code


def _clean_role(value):
    """Return a user's role (reader when not given)."""
    return clean_choice(value, ROLES, "Unbekannte Rolle", "reader")


def _clean_status(value):
    """Return the status of a report."""
    return metadata.clean_status(value, default=False)


def _clean_traffic_light(value):
    """Return the traffic light of a report."""
    return clean_choice(value, TRAFFIC_LIGHTS, "Unbekannte Ampelfarbe")


def _clean_position(value):
    """Return a position, a whole number (0 when empty)."""
    if value is None or isinstance(value, int) and not isinstance(value, bool):
        return value or 0
    raise ValueError("Muss eine ganze Zahl sein.")


def _clean_with_body(clean_rest):
    """Return a cleaner of raw content that cleans the body and the rest with clean_rest."""
    def clean(raw):
        values, errors = clean_rest(raw)
        try:
            values["body"] = _clean_body(raw.get("body"))
        except ValueError as error:
            errors["body"] = str(error)
        return values, errors
    return clean


def _page_title(raw):
    """Clean the title of a page."""
    try:
        return {"title": _clean_required(raw.get("title"))}, {}
    except ValueError as error:
        return {}, {"title": str(error)}


clean_page = _clean_with_body(_page_title)
clean_measure = _clean_with_body(metadata.clean_measure)
clean_leitbild = _clean_with_body(lambda raw: ({"title": LEITBILD_TITLE}, {}))


class Reader:
    """Read a folder file by file, collecting the programme and every problem."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.programme = Programme()
        self.problems = []
        self.seen = set()

    def problem(self, path, key, message):
        """Record a problem (and return None, for "nothing read")."""
        self.problems.append(ImportProblem(path, key, message))

    def clean(self, path, key, value, cleaner):
        """Return a cleaned value, or None after recording why it is wrong."""
        try:
            return cleaner(value)
        except ValueError as error:
            return self.problem(path, key, str(error))

    def value(self, doc, key, cleaner):
        """Return the cleaned value of a front matter field, or None when it is wrong."""
        return self.clean(doc.path, key, doc.meta.get(key), cleaner)

    def files(self, pattern):
        """Return the files matching a pattern, sorted."""
        return sorted(path for path in self.folder.glob(pattern) if path.is_file())

    def document(self, path, keys, required=()):
        """Return a file's document, checking its field names; None when it cannot be read."""
        rel = path.relative_to(self.folder).as_posix()
        self.seen.add(rel)
        try:
            meta, body = files.parse(files.read_inside(self.folder, path))
        except UnicodeDecodeError:
            return self.problem(rel, None, "Die Datei ist nicht in UTF-8 kodiert.")
        except ValueError as error:
            return self.problem(rel, None, str(error))
        for key in meta:
            if key not in keys:
                self.problem(rel, str(key), f"Unbekanntes Feld; erlaubt: {', '.join(keys)}.")
        for key in required:
            if meta.get(key) in (None, ""):
                self.problem(rel, key, "Pflichtfeld fehlt.")
        return Document(rel, meta, body)

    def read(self):
        """Read every file of the layout, then flag files outside it."""
        self.programme.has_user_files = (self.folder / "users").is_dir()
        self.read_kind("users/*.md", USER_KEYS, self.add_user)
        self.read_strategy()
        # The folder's statuses, markings, period and code pattern, not the database's.
        with vocabulary.using(self.programme.vocabulary):
            self.read_kind("fields/*.md", FIELD_KEYS, self.add_field, ("code", "title"))
            self.read_kind("pages/*.md", PAGE_KEYS, self.add_page)
            self.read_kind("measures/*.md", MEASURE_KEYS, self.add_measure)
            self.read_kind("reports/*/*.md", REPORT_KEYS, self.add_report,
                           ("date", "period", "status", "traffic_light"))
            self.read_kind("rounds/*.md", ROUND_KEYS, self.add_round,
                           ("title", "period", "due_date"))
            self.read_kind("comments/*/*.md", COMMENT_KEYS, self.add_comment, ("date",))
        attachments.read_files(self)
        self.flag_unknown_files()

    def read_kind(self, pattern, keys, add, required=()):
        """Read every file matching pattern and hand each readable one to add."""
        for path in self.files(pattern):
            doc = self.document(path, keys, required)
            if doc:
                add(doc, path)

    def flag_unknown_files(self):
        """Record every file that is not part of the layout (hidden files aside)."""
        for path in sorted(self.folder.rglob("*")):
            rel = path.relative_to(self.folder)
            hidden = any(part.startswith(".") for part in rel.parts)
            if path.is_file() and not hidden and rel.as_posix() not in self.seen:
                self.problem(rel.as_posix(), None, f"Unbekannte Datei; erwartet: {LAYOUT}.")

    def add_user(self, doc, path):
        """Keep one user's name, role and e-mail address."""
        username = self.clean(doc.path, None, path.stem, _clean_username)
        if username and User.key_for(username) in self.programme.users:
            self.problem(doc.path, None, f"Benutzer »{username}« kommt doppelt vor.")
        self.programme.users[User.key_for(path.stem)] = {
            "username": path.stem,
            "name": self.value(doc, "name", _clean_name),
            "email": self.value(doc, "email", _clean_name),
            "role": self.value(doc, "role", _clean_role),
        }

    def read_strategy(self):
        """Read strategy.md: the programme's title and period, and the Leitbild."""
        if not (self.folder / "strategy.md").is_file():
            return self.problem("strategy.md", None, "Die Datei fehlt.")
        doc = self.document(self.folder / "strategy.md", STRATEGY_KEYS,
                            ("title", "period_start", "period_end"))
        if doc is None:
            return None
        strategy = self.programme.strategy = {
            "title": self.value(doc, "title", _clean_required),
            "period_start": self.value(doc, "period_start", clean_date),
            "period_end": self.value(doc, "period_end", _clean_end),
        }
        if None not in strategy.values() and strategy["period_end"] < strategy["period_start"]:
            self.problem(doc.path, "period_end", "Das Ende liegt vor dem Beginn.")
        words, errors = vocabulary.parse(doc.meta)
        for key, message in errors.items():
            self.problem(doc.path, key, message)
        self.programme.vocabulary = words
        self.programme.leitbild = self.record(doc, {"body": doc.body}, clean_leitbild,
                                              STRATEGY_ENTRY_KEYS)

    def add_field(self, doc, path):
        """Keep one action field."""
        code = self.value(doc, "code", _clean_field_code)
        if code and code != path.stem:
            self.problem(doc.path, "code", _name_mismatch(code, path))
        if code in self.programme.fields:
            self.problem(doc.path, "code", f"Kürzel »{code}« kommt doppelt vor.")
        self.programme.fields[code or path.stem] = {
            "code": code,
            "title": self.value(doc, "title", _clean_required),
            "position": self.value(doc, "position", _clean_position),
            "summary": self.value(doc, "summary", clean_text),
            "body": self.clean(doc.path, "body", doc.body, _clean_body) or "",
        }

    def add_page(self, doc, path):
        """Keep one wiki page with its revisions."""
        slug = path.stem
        if slug == LEITBILD_SLUG:
            self.problem(doc.path, None, "Der Name »leitbild« ist dem Leitbild vorbehalten; "
                                         "es steht in strategy.md.")
        elif slugify(slug) != slug:
            self.problem(doc.path, None, "Ungültiger Dateiname; erlaubt sind Kleinbuchstaben, "
                                         f"Ziffern und Bindestriche, etwa »{slugify(slug)}.md«.")
        raw = {"title": doc.meta.get("title"), "body": doc.body}
        self.programme.pages[slug] = self.record(doc, raw, clean_page, PAGE_ENTRY_KEYS)

    def add_measure(self, doc, path):
        """Keep one measure with its revisions."""
        raw = {name: doc.meta.get(name) for name in metadata.FIELDS} | {"body": doc.body}
        record = self.record(doc, raw, clean_measure, MEASURE_ENTRY_KEYS)
        code = record.newest.values.get("code")
        if code and code != path.stem.upper():
            self.problem(doc.path, "code", _name_mismatch(code, path))
        if code in self.programme.measures:
            other = self.programme.measures[code].path
            self.problem(doc.path, "code", f"Kürzel »{code}« kommt doppelt vor (auch in {other}).")
        elif code:
            self.programme.measures[code] = record

    def record(self, doc, raw, clean, entry_keys):
        """Return a file's revisions: its history entries, oldest first, then the file itself."""
        values, errors = clean(raw)
        for key, message in errors.items():
            self.problem(doc.path, key, message)
        newest = self.version(doc.path, doc.meta, values)
        history = [self.entry(doc, index, entry, raw, clean, errors, entry_keys)
                   for index, entry in enumerate(self.history(doc), 1)]
        record = Record(doc.path, [*filter(None, history), newest])
        self.check_order(record)
        return record

    def history(self, doc):
        """Return the file's history entries, which must form a list."""
        entries = doc.meta.get("history")
        if entries is not None and not isinstance(entries, list):
            self.problem(doc.path, "history", "Muss eine Liste von Einträgen sein.")
            return []
        return entries or []

    def entry(self, doc, index, entry, raw, clean, file_errors, keys):
        """Return the revision one history entry describes (None when it is no mapping)."""
        where = f"history[{index}]."
        if not isinstance(entry, dict):
            return self.problem(doc.path, where[:-1], "Ein Eintrag braucht Felder der Form "
                                                      "»name: Wert«.")
        for key in entry:
            if key not in keys:
                self.problem(doc.path, f"{where}{key}", f"Unbekanntes Feld; erlaubt: "
                                                        f"{', '.join(keys)}.")
        if entry.get("date") in (None, ""):
            self.problem(doc.path, where + "date", "Pflichtfeld fehlt.")
        values, errors = clean(raw | {key: entry[key] for key in entry if key in keys})
        for key, message in errors.items():
            # What the entry takes from the file is reported once, for the file.
            if key in entry or file_errors.get(key) != message:
                self.problem(doc.path, where + key, message)
        version = self.version(doc.path, entry, values, where)
        version.names = frozenset(entry)
        return version

    def version(self, path, source, values, where=""):
        """Return a revision with its author, date and summary taken from source."""
        return Version(
            values=values,
            author=self.clean(path, where + "author", source.get("author"), clean_text) or None,
            created=self.clean(path, where + "date", source.get("date"), _clean_stamp),
            summary=self.clean(path, where + "summary", source.get("summary"),
                               _clean_summary) or "",
            where=where,
        )

    def check_order(self, record):
        """Record a problem where a revision is dated before the one it follows."""
        previous = None
        for version in record.versions:
            if previous and version.created and version.created < previous:
                self.problem(record.path, version.where + "date",
                             "Liegt vor dem Datum der vorigen Version; die Einträge unter "
                             "history müssen von alt nach neu geordnet sein.")
            previous = version.created or previous

    def measure_of(self, doc, path):
        """Return the code of the measure a report or comment folder names, or None."""
        code = path.parent.name.upper()
        if code not in self.programme.measures:
            return self.problem(doc.path, None, f"Unbekannte Maßnahme »{path.parent.name}« "
                                                f"(keine Datei measures/{code}.md).")
        return code

    def add_report(self, doc, path):
        """Keep one status report."""
        code = self.measure_of(doc, path)
        day = self.value(doc, "date", _clean_end)
        named = self.clean(doc.path, None, path.stem, _file_date)
        if day and named and day != named:
            self.problem(doc.path, "date", f"Datum {day} passt nicht zum Dateinamen "
                                           f"»{path.name}«.")
        self.programme.reports[(code, named)] = {
            "path": doc.path,
            "date": named,
            "period": self.value(doc, "period", _clean_period),
            "status": self.value(doc, "status", _clean_status),
            "traffic_light": self.value(doc, "traffic_light", _clean_traffic_light),
            "progress": self.value(doc, "progress", clean_progress),
            "author": self.value(doc, "author", clean_text) or None,
            "body": self.clean(doc.path, "body", doc.body, _clean_body) or "",
        }

    def add_round(self, doc, path):
        """Keep one report round."""
        if slugify(path.stem) != path.stem or len(path.stem) > 60:
            self.problem(doc.path, None, "Ungültiger Dateiname; erlaubt sind bis zu 60 "
                                         "Kleinbuchstaben, Ziffern und Bindestriche.")
        intro, projects = split_projects(self.clean(doc.path, "body", doc.body, _clean_body) or "")
        self.programme.rounds[path.stem] = {
            "slug": path.stem,
            "title": self.value(doc, "title", _clean_required),
            "period": self.value(doc, "period", _clean_period),
            "due_date": self.value(doc, "due_date", _clean_end),
            "body": intro,
            "projects": projects,
        }

    def add_comment(self, doc, path):
        """Keep one comment."""
        code = self.measure_of(doc, path)
        if not cleaning.WHOLE.fullmatch(path.stem):
            self.problem(doc.path, None, "Der Dateiname muss eine Nummer sein, etwa »001.md«.")
        report = self.value(doc, "report", _clean_end)
        if code and report and (code, report) not in self.programme.reports:
            self.problem(doc.path, "report", f"Unbekannter Bericht {report} (keine Datei "
                                             f"reports/{code}/{report}.md).")
        self.programme.comments.append({
            "path": doc.path,
            "code": code,
            "report": report,
            "created": self.value(doc, "date", _clean_stamp),
            "author": self.value(doc, "author", clean_text) or None,
            "body": self.clean(doc.path, "body", doc.body, _clean_body) or "",
        })


def split_projects(body):
    """Return a round file's body as (intro, cross-measure projects), split at their heading."""
    match = PROJECTS_LINE.search(body)
    if match is None:
        return normalise_body(body), ""
    return normalise_body(body[:match.start()]), normalise_body(body[match.end():])


def _name_mismatch(code, path):
    """Return the message for a code that differs from its file's name."""
    return f"Kürzel »{code}« passt nicht zum Dateinamen »{path.name}«."


def _file_date(stem):
    """Return the date a report's file name gives."""
    if not schedule.ISO_DATE.match(stem):
        raise ValueError("Der Dateiname muss das Datum des Berichts sein, etwa »2024-06-30.md«.")
    return cleaning.day(stem)
