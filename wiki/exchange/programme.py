"""What a folder holds once read: the programme in memory, and the problems found in it."""
from dataclasses import dataclass, field
from datetime import datetime

from wiki.domain.vocabulary import Vocabulary

LEITBILD_TITLE = "Leitbild"
LEITBILD_SLUG = "leitbild"


@dataclass(frozen=True)
class ImportProblem:
    """One problem in a folder: the file, the field (if any) and a German message."""

    path: str
    field: str | None
    message: str

    def __str__(self):
        """Read like `measures/M05.md: planned_start: Ungültiges Datum …`."""
        where = f"{self.path}: {self.field}" if self.field else self.path
        return f"{where}: {self.message}"


@dataclass
class Version:
    """One revision that a file describes: content, author, time and summary."""

    values: dict
    author: str | None
    created: datetime | None
    summary: str
    where: str = ""  # "" for the file itself, "history[2]." for its second history entry
    names: frozenset = frozenset()  # the keys a history entry gives itself

    def owns(self, key):
        """Tell whether this version gives key itself rather than taking the file's value."""
        return not self.where or key in self.names


@dataclass
class Record:
    """A page or measure file: where it is and its revisions, oldest first."""

    path: str
    versions: list

    @property
    def newest(self):
        """Return the revision the file itself describes."""
        return self.versions[-1]


@dataclass
class Programme:
    """Everything a folder holds, typed, ready to be checked and written."""

    strategy: dict = field(default_factory=dict)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    leitbild: Record | None = None
    has_user_files: bool = False
    users: dict = field(default_factory=dict)  # lower-case user name: fields
    fields: dict = field(default_factory=dict)  # code: fields
    pages: dict = field(default_factory=dict)  # slug: Record
    measures: dict = field(default_factory=dict)  # code: Record
    reports: dict = field(default_factory=dict)  # (code, date): fields
    rounds: dict = field(default_factory=dict)  # slug: fields
    comments: list = field(default_factory=list)
    files: list = field(default_factory=list)  # attachments.FileRecord

    def records(self):
        """Return every page-like record: the Leitbild, the pages and the measures."""
        return [record for record in (self.leitbild, *self.pages.values(),
                                      *self.measures.values()) if record]

    def user_references(self):
        """Yield (file, field, user name) for every author and contact."""
        for record in self.records():
            for version in record.versions:
                if version.author:
                    yield record.path, version.where + "author", version.author
                if version.owns("contact") and version.values.get("contact"):
                    yield record.path, version.where + "contact", version.values["contact"]
        for item in [*self.reports.values(), *self.comments]:
            if item["author"]:
                yield item["path"], "author", item["author"]
        for record in self.files:
            for number, version in enumerate(record.versions, 1):
                if version.author:
                    yield record.path, f"{record.name}: Version {number}: author", version.author
